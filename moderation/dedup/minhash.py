"""MinHash signatures and LSH band keys for a whole batch of shingle sets, in NumPy.

A signature keeps, for each of ``num_perm`` seeded random hash functions, the smallest value
over a text's shingles; two texts agree on one position with probability equal to the Jaccard
similarity of their shingle sets. Banding cuts the signature into ``bands`` runs of
``rows_per_band`` values and hashes each run to one 64-bit key: texts that share any band key
are candidate pairs, and the chance of that, ``1 - (1 - J ** rows_per_band) ** bands``, rises
steeply around the matching threshold. Candidates are approximate and must be verified.
"""

from __future__ import annotations

import numpy as np

from moderation.dedup.shingles import DuplicatesError
from moderation.hashing import PRIME, mix64

_EMPTY = np.uint32(0xFFFFFFFF)
_BAND_SEED = np.uint64(0xD6E8FEB86659FD93)
# Shingles hashed per block: bounds the (shingles x num_perm) work array to ~64 MB.
_BLOCK_VALUES = 1 << 23


def banding_for(threshold: float, num_perm: int = 100, recall: float = 0.999) -> tuple[int, int]:
    """The (bands, rows_per_band) for a similarity threshold: the longest bands (fewest chance
    candidates) that still make a pair at the threshold a candidate with probability ``recall``.

    >>> banding_for(0.8), banding_for(0.5), banding_for(0.9)
    ((20, 5), (50, 2), (14, 7))
    """
    if not 0.0 < threshold <= 1.0:
        raise DuplicatesError(f"threshold={threshold!r}: must be in (0, 1], e.g. 0.8")
    if not isinstance(num_perm, int) or num_perm < 1:
        raise DuplicatesError(f"num_perm={num_perm!r}: must be a positive integer")
    chosen = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1.0 - (1.0 - threshold**rows) ** bands < recall:
            break
        chosen = (bands, rows)
    return chosen


class MinHasher:
    """Seeded MinHash signatures and band keys, vectorised over a batch.

    The hash functions are multiply-shift hashes ``(a * x + b) >> 32`` on 64-bit shingle
    hashes, with odd ``a`` and any ``b`` drawn from ``RandomState(seed)``: one broadcast over
    (shingles x functions) and a column-wise minimum per text.

    Parameters
    ----------
    num_perm : int, default=100
        Number of hash functions (signature length); must equal ``bands * rows_per_band``.
    bands, rows_per_band : int, default=20 and 5
        LSH banding. The default makes a pair with Jaccard 0.8 a candidate with probability
        0.9997, one with Jaccard 0.5 with probability 0.47 and one with 0.3 with 0.05.
    seed : int, default=1
        Seed of the hash functions; signatures from different seeds cannot be compared.

    Attributes
    ----------
    multipliers, offsets : ndarray of uint64, shape (num_perm,)
        The hash functions.

    Raises
    ------
    DuplicatesError
        When a setting is out of range or ``bands * rows_per_band != num_perm``.

    Examples
    --------
    >>> hasher = MinHasher(num_perm=8, bands=4, rows_per_band=2, seed=3)
    >>> rows = np.array([0, 0, 1, 1]); hashes = np.array([5, 9, 5, 9], dtype=np.uint64)
    >>> signatures = hasher.signatures(rows, hashes, 2)
    >>> bool((signatures[0] == signatures[1]).all()), signatures.shape
    (True, (2, 8))
    """

    def __init__(
        self, *, num_perm: int = 100, bands: int = 20, rows_per_band: int = 5, seed: int = 1
    ) -> None:
        self.num_perm = num_perm
        self.bands = bands
        self.rows_per_band = rows_per_band
        self.seed = seed
        for name, value in (
            ("num_perm", num_perm),
            ("bands", bands),
            ("rows_per_band", rows_per_band),
        ):
            if not isinstance(value, int) or value < 1:
                raise DuplicatesError(f"{name}={value!r}: must be a positive integer")
        if bands * rows_per_band != num_perm:
            raise DuplicatesError(
                f"bands={bands} x rows_per_band={rows_per_band} = {bands * rows_per_band} "
                f"must equal num_perm={num_perm}"
            )
        state = np.random.RandomState(seed)
        high = state.randint(0, 1 << 32, size=(2, num_perm), dtype=np.uint64)
        low = state.randint(0, 1 << 32, size=(2, num_perm), dtype=np.uint64)
        words = (high << np.uint64(32)) | low
        self.multipliers = words[0] | np.uint64(1)
        self.offsets = words[1]

    def signatures(self, rows: np.ndarray, hashes: np.ndarray, n_texts: int) -> np.ndarray:
        """MinHash signature of each text.

        Parameters
        ----------
        rows : ndarray of int, sorted
            Text index of each shingle.
        hashes : ndarray of uint64
            The shingle hashes.
        n_texts : int
            Number of texts; a text without shingles gets all ``0xFFFFFFFF``.

        Returns
        -------
        ndarray of uint32, shape (n_texts, num_perm)
        """
        signatures = np.full((n_texts, self.num_perm), _EMPTY, dtype=np.uint32)
        if hashes.size == 0:
            return signatures
        block = max(1, _BLOCK_VALUES // self.num_perm)
        for start in range(0, hashes.size, block):
            part_rows = rows[start : start + block]
            with np.errstate(over="ignore"):
                values = hashes[start : start + block, None] * self.multipliers + self.offsets
            values = (values >> np.uint64(32)).astype(np.uint32)
            firsts = np.flatnonzero(np.r_[True, part_rows[1:] != part_rows[:-1]])
            minima = np.minimum.reduceat(values, firsts, axis=0)
            targets = part_rows[firsts]
            signatures[targets] = np.minimum(signatures[targets], minima)
        return signatures

    def band_keys(self, signatures: np.ndarray, *, salt: int = 0) -> np.ndarray:
        """Hash each band of each signature to a 64-bit key (never 0).

        Parameters
        ----------
        signatures : ndarray of uint32, shape (n_texts, num_perm)
        salt : int, default=0
            Kind of shingle set the signatures are of (word shingles 0, character n-grams 1):
            keys of different salts differ even for equal values.

        Returns
        -------
        ndarray of uint64, shape (n_texts, bands)
            Keys differ between bands (and salts) even for equal values, so one table can hold
            them all.
        """
        shaped = signatures.reshape(len(signatures), self.bands, self.rows_per_band)
        first = _BAND_SEED + (np.uint64(salt) << np.uint64(32))
        keys = np.broadcast_to(
            first + np.arange(self.bands, dtype=np.uint64), shaped.shape[:2]
        ).copy()
        with np.errstate(over="ignore"):
            for column in range(self.rows_per_band):
                keys = mix64(keys * PRIME + shaped[:, :, column].astype(np.uint64))
        keys[keys == 0] = 1
        return keys
