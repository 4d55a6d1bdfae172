"""Vectorised 64-bit string hashing that the judge's featuriser and the duplicate finder share.

Polynomial hashes of code points, spread over all 64 bits by the splitmix64 finaliser; NumPy
only, so the dedup stage can hash text without loading the judge (or scikit-learn).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

PRIME = np.uint64(0x100000001B3)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


def mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser over a uint64 array: spreads combined hashes over all 64 bits."""
    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint64(30))
        values = values * _MIX_1
        values = values ^ (values >> np.uint64(27))
        values = values * _MIX_2
    return values ^ (values >> np.uint64(31))


def powers(length: int) -> np.ndarray:
    """``PRIME ** i`` for ``i`` in ``0 .. length - 1`` (wrapping), the polynomial's weights."""
    with np.errstate(over="ignore"):
        return np.cumprod(np.full(max(length, 1), PRIME, dtype=np.uint64)) // PRIME


def codepoints(text: str) -> np.ndarray:
    """The text's code points as uint64, one per character."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def hash_strings(strings: Sequence[str], seed: np.uint64) -> np.ndarray:
    """Hash each string the way the batch featuriser hashes an n-gram of the same text.

    >>> seed = np.uint64(7)
    >>> bool(hash_strings(["kill", "kill"], seed)[0] == hash_strings(["kill"], seed)[0])
    True
    """
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    codes = codepoints("".join(strings))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    position = np.arange(codes.size) - np.repeat(starts, lengths)
    with np.errstate(over="ignore"):
        terms = codes * powers(int(lengths.max(initial=1)))[position]
        sums = np.add.reduceat(terms, starts) if codes.size else np.zeros(0, np.uint64)
    sums = np.where(lengths > 0, sums, np.uint64(0))
    return mix64(sums ^ (seed + lengths.astype(np.uint64)))


def ragged_indices(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Indices of the ranges ``starts[i] : starts[i] + lengths[i]``, one after the other."""
    total = int(lengths.sum())
    offsets = np.cumsum(lengths) - lengths
    return np.arange(total) + np.repeat(starts - offsets, lengths)
