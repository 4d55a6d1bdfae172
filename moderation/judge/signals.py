"""Dense signals n-grams miss: links, shouting, repetition, exclamations, length, digits.

Computed for a whole batch at once from code points; upper case and letters are approximated
for the Latin, Greek and Cyrillic scripts (other letters count as caseless).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from moderation.hashing import codepoints
from moderation.judge.arrays import distinct_sorted
from moderation.judge.ngrams import token_hashes
from moderation.normalise import URL_TOKEN

DENSE_NAMES = ("links", "capitals", "repetition", "exclamations", "length", "digits")
# How explanations name each signal, beside the words it competes with.
DENSE_LABELS = [f"[{name}]" for name in DENSE_NAMES]

# Upper- and lower-case letters of the Latin, Greek and Cyrillic scripts; other letters count
# as caseless. Approximate, vectorised versions of str.isupper / str.isalpha.
_UPPER = ((65, 90), (0xC0, 0xD6), (0xD8, 0xDE), (0x391, 0x3A9), (0x400, 0x42F))
_LOWER = ((97, 122), (0xDF, 0xF6), (0xF8, 0xFF), (0x3B1, 0x3C9), (0x430, 0x45F))
_OTHER_LETTERS = ((0x100, 0x390), (0x3AA, 0x3B0), (0x3CA, 0x3FF), (0x460, 0x1FFF), (0x3040, 0xD7FF))
_IS_UPPER, _IS_LETTER = 1, 2


def _letter_table() -> np.ndarray:
    """The ranges above as one lookup table over code points below U+D800 (one more entry,
    for everything above, which is neither)."""
    table = np.zeros(0xD801, dtype=np.uint8)
    for ranges, flags in ((_UPPER, _IS_UPPER | _IS_LETTER), (_LOWER, _IS_LETTER)):
        for low, high in ranges:
            table[low : high + 1] |= flags
    for low, high in _OTHER_LETTERS:
        table[low : high + 1] |= _IS_LETTER
    return table


_LETTER_TABLE = _letter_table()


def _character_counts(raw_texts: Sequence[str]) -> tuple[np.ndarray, ...]:
    """Per text: its length and how many letters, upper-case letters, digits and ``!`` it has."""
    n = len(raw_texts)
    lengths = np.fromiter(map(len, raw_texts), dtype=np.int64, count=n)
    codes = codepoints("".join(raw_texts))
    doc = np.repeat(np.arange(n), lengths)
    classes = _LETTER_TABLE[np.minimum(codes, 0xD800)]
    n_letters = np.bincount(doc, weights=(classes & _IS_LETTER) != 0, minlength=n)
    n_upper = np.bincount(doc, weights=(classes & _IS_UPPER) != 0, minlength=n)
    n_digits = np.bincount(doc, weights=(codes >= 48) & (codes <= 57), minlength=n)
    n_exclamations = np.bincount(doc, weights=codes == 33, minlength=n)
    return lengths, n_letters, n_upper, n_digits, n_exclamations


def _distinct_tokens(hashes: np.ndarray, counts: np.ndarray, n: int) -> np.ndarray:
    """Per document (of ``n``), how many distinct tokens it has (compared by 40 hash bits)."""
    rows = np.repeat(np.arange(n), counts)
    keys = np.sort((rows.astype(np.uint64) << np.uint64(40)) | (hashes >> np.uint64(24)))
    return np.bincount((distinct_sorted(keys) >> np.uint64(40)).astype(np.int64), minlength=n)


def dense_signals_from_hashes(
    raw_texts: Sequence[str],
    normalised: Sequence[str],
    hashes: np.ndarray,
    counts: np.ndarray,
) -> np.ndarray:
    """:func:`dense_signals` given the tokens' word hashes instead of the tokens."""
    n = len(raw_texts)
    lengths, n_letters, n_upper, n_digits, n_exclamations = _character_counts(raw_texts)
    n_distinct = _distinct_tokens(hashes, counts, n)
    links = np.fromiter((t.count(URL_TOKEN) for t in normalised), dtype=np.float64, count=n)
    return np.column_stack(
        (
            np.minimum(links, 3) / 3,
            np.where(n_letters >= 8, n_upper / np.maximum(n_letters, 1), 0.0),
            np.where(counts >= 4, 1 - n_distinct / np.maximum(counts, 1), 0.0),
            np.minimum(n_exclamations, 10) / 10,
            np.minimum(np.log1p(lengths) / 8, 1.0),
            n_digits / np.maximum(lengths, 1),
        )
    )


def dense_signals(
    raw_texts: Sequence[str], normalised: Sequence[str], tokens: Sequence[str], counts: np.ndarray
) -> np.ndarray:
    """A few scaled signals n-grams miss: links, shouting, repetition, length, digits.

    One row per text, one column per name in :data:`DENSE_NAMES`, each in [0, 1].
    """
    hashes = token_hashes(tokens)
    return dense_signals_from_hashes(
        raw_texts, normalised, hashes, np.asarray(counts, dtype=np.int64)
    )
