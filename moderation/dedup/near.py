"""Near-duplicate candidates and their verification: MinHash band keys propose pairs, bottom-k
sketches of the shingle sets confirm them.

Each text above the length floor gets LSH band keys of its word shingles and, for a text of few
words, of its character n-grams (salted apart); a table gives the first row that had each key,
so a new text's candidates are the earlier texts sharing any key. Banding finds a pair at the
threshold with probability 0.999 or more but also proposes chance pairs, so every candidate is
verified: the Jaccard similarity (or containment) of the two word sets or, when both texts have
few words, of their character n-gram sets if that is higher (one typo in a six-word text leaves
5/7 = 0.71 of the word set but about 0.85 of the bigrams). Pairs at or above the threshold
match, the best one per text first. Similarity is exact for sets of up to ``sketch_size``
shingles, an estimate beyond.

Bigram bands rather than one-word-deletion keys, because most pairs of texts of few words that
only bigrams bring to 0.8 differ by two words or more (in the benchmark corpora 207 of 326: a
retweet prefix, "nothin" / "nothing", "wit" / "with").
"""

from __future__ import annotations

import numpy as np

from moderation.dedup.minhash import MinHasher
from moderation.dedup.shingles import ShingledBatch
from moderation.dedup.sketches import SketchStore
from moderation.dedup.spill import SpillDir
from moderation.dedup.spilled_table import DEFAULT_BUFFER_KEYS, SpilledFirstSeen

__all__ = ["Blob", "IndexSketches", "NearMatcher", "Verified"]

# Word and character sketches of some index rows, each as (values, lengths, set sizes).
IndexSketches = tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]
# Verified pairs (left, right, similarity), best first per left row, and which are best.
Verified = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
# A sketch as the index stores it: (set size, the values as bytes), or None for no sketch.
Blob = tuple[int, bytes] | None
_WORD_SALT, _CHAR_SALT = 0, 1


class NearMatcher:
    """Band keys, candidate pairs and their verification for one finder's stream.

    Parameters
    ----------
    hasher : MinHasher
        Signatures and band keys.
    threshold : float
        Smallest similarity of a match.
    measure : {"jaccard", "containment"}
    sketch_size : int
        Values kept per sketch; similarity is exact for sets up to this size.
    spill : SpillDir, optional
        Where band keys and sketches beyond the in-memory buffers go (``None``: all in memory).
    buffer_keys : int
        Band keys kept in memory before they are spilled.

    Attributes
    ----------
    words, chars : SketchStore
        One sketch per stream row of its word shingles and of its character n-grams (empty
        for rows that are not the first copy of a text above the floor, or have many words).
    bands : SpilledFirstSeen
        The first row that had each band key.
    """

    def __init__(
        self,
        hasher: MinHasher,
        *,
        threshold: float,
        measure: str,
        sketch_size: int,
        spill: SpillDir | None = None,
        buffer_keys: int = DEFAULT_BUFFER_KEYS,
    ) -> None:
        self.hasher = hasher
        self.threshold = threshold
        self.measure = measure
        self.words = SketchStore(size=sketch_size, spill=spill, stem="word-sketches")
        self.chars = SketchStore(size=sketch_size, spill=spill, stem="char-sketches")
        self.bands = SpilledFirstSeen(spill, buffer_keys=buffer_keys, stem="bands")

    @property
    def nbytes(self) -> int:
        """Bytes held by the band table and the sketches."""
        return self.bands.nbytes + self.words.nbytes + self.chars.nbytes

    def close(self) -> None:
        """Close the spill files of the band table and the sketches."""
        self.bands.close()
        self.words.close()
        self.chars.close()

    def add_sketches(self, eligible: np.ndarray, shingled: ShingledBatch) -> None:
        """Sketch the eligible texts of a batch (the others get empty sketches, one per row)."""
        count = len(shingled)
        keep = eligible[shingled.rows]
        self.words.append(shingled.rows[keep], shingled.hashes[keep], count)
        keep = eligible[shingled.char_rows]
        self.chars.append(shingled.char_rows[keep], shingled.char_hashes[keep], count)

    def _set_keys(
        self, eligible: np.ndarray, rows: np.ndarray, hashes: np.ndarray, salt: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Band keys of the eligible texts that have shingles in ``(rows, hashes)``: (batch
        position of each key, key)."""
        chosen = np.zeros(eligible.size, dtype=bool)
        chosen[rows[eligible[rows]]] = True
        positions = np.flatnonzero(chosen)
        remap = np.full(eligible.size, -1, dtype=np.int64)
        remap[positions] = np.arange(positions.size)
        mask = chosen[rows]
        signatures = self.hasher.signatures(remap[rows[mask]], hashes[mask], positions.size)
        keys = self.hasher.band_keys(signatures, salt=salt)
        return np.repeat(positions, self.hasher.bands), keys.ravel()

    def band_keys(
        self, eligible: np.ndarray, shingled: ShingledBatch
    ) -> tuple[np.ndarray, np.ndarray]:
        """Band keys of the eligible texts, ordered by batch position: word bands for each, and
        character bands (salted apart) for those with few words. Returns (positions, keys)."""
        words = self._set_keys(eligible, shingled.rows, shingled.hashes, _WORD_SALT)
        chars = self._set_keys(eligible, shingled.char_rows, shingled.char_hashes, _CHAR_SALT)
        positions = np.concatenate((words[0], chars[0]))
        keys = np.concatenate((words[1], chars[1]))
        order = np.argsort(positions, kind="stable")
        return positions[order], keys[order]

    def within_run(self, key_rows: np.ndarray, keys: np.ndarray) -> Verified:
        """Verified matches of the rows owning ``keys`` with the first earlier row of this run
        that had each key (the keys are recorded as this run's from here on)."""
        right = self.bands.first_rows(keys, key_rows)
        pairs = np.unique(np.stack((key_rows, right), axis=1)[key_rows != right], axis=0)
        values = self.similarity(pairs[:, 0], pairs[:, 1])
        return self.verified(pairs[:, 0], pairs[:, 1], values)

    def similarity(
        self, left: np.ndarray, right: np.ndarray, other: IndexSketches | None = None
    ) -> np.ndarray:
        """Similarity of row pairs: Jaccard (or containment) of the word shingle sets, or of the
        character n-gram sets when both texts have them (few words) and it is higher. With
        ``other`` (word and character sketches of an index), ``right`` indexes those."""
        words = self.words.similarity(
            left, right, other=None if other is None else other[0], measure=self.measure
        )
        chars = self.chars.similarity(
            left, right, other=None if other is None else other[1], measure=self.measure
        )
        return np.maximum(words, chars)

    def verified(self, left: np.ndarray, right: np.ndarray, similarity: np.ndarray) -> Verified:
        """Pairs at or above the threshold, ordered best first per left row, and which are best."""
        good = similarity >= self.threshold - 1e-9
        left, right, similarity = left[good], right[good], similarity[good]
        order = np.lexsort((right, -similarity, left))
        left, right, similarity = left[order], right[order], similarity[order]
        best = np.ones(left.size, dtype=bool)
        best[1:] = left[1:] != left[:-1]
        return left, right, similarity, best

    def sketch_blobs(self, rows: np.ndarray) -> tuple[list[Blob], list[Blob]]:
        """Each row's word and character sketch as (set size, bytes) for the index, or None
        when it has none."""
        return _blobs(self.words, rows), _blobs(self.chars, rows)


def _blobs(store: SketchStore, rows: np.ndarray) -> list[Blob]:
    """Each row's sketch as (set size, bytes), or None when it has none."""
    values, lengths, sizes = store.take(rows)
    ends = np.cumsum(lengths)
    return [
        (int(size), values[end - length : end].tobytes()) if length else None
        for end, length, size in zip(ends.tolist(), lengths.tolist(), sizes.tolist(), strict=True)
    ]
