"""What duplicate matching needs of a block's comments, computed on the worker that holds it.

The texts are shingled by the finder's own :meth:`DuplicateFinder.prepare
<moderation.dedup.DuplicateFinder.prepare>`; every text above the length floor gets its MinHash
band keys (word shingles, and character bigrams for texts of few words, salted apart) and its
bottom-k sketches, exactly as the local finder makes them for the first copy of a text. Which
rows are first copies is only known once the whole run has been grouped by exact-text key, so
keys and sketches are made for all of them here and the rows that are not are left out later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from dask.sizeof import sizeof

from moderation.dedup import DuplicateFinder
from moderation.dedup.minhash import MinHasher
from moderation.dedup.sketches import SketchStore

# The finder's salts for the band keys of word shingles and of character n-grams.
WORD_SALT, CHAR_SALT = 0, 1
# The value that marks an empty slot in the finder's first-seen tables stands for key 1 there.
_EMPTY_KEY = np.uint64(0)


@dataclass(frozen=True)
class DedupSettings:
    """The duplicate finder's settings, as the local engine makes its finder from them."""

    threshold: float
    min_words: int

    def finder(self) -> DuplicateFinder:
        """A finder with these settings (its ``settings`` are what the hashing uses)."""
        return DuplicateFinder(threshold=self.threshold, min_words=self.min_words)


@dataclass
class BlockFeatures:
    """A block's comments as duplicate matching sees them, by position in the block.

    Attributes
    ----------
    keys : ndarray of uint64
        Exact-text key of each comment (grouping key: 0 is taken as 1, as the finder does).
    short, empty : ndarray of bool
        Under the length floor (matched only exactly); nothing visible (never matched).
    band_rows, band_keys : ndarray of int64 and uint64
        LSH band keys of the comments above the floor, with the position of each.
    words, chars : SketchStore
        Bottom-k sketches of their word shingles and (few words) character n-grams.
    ids : list of str or None
    """

    keys: np.ndarray
    short: np.ndarray
    empty: np.ndarray
    band_rows: np.ndarray
    band_keys: np.ndarray
    words: SketchStore
    chars: SketchStore
    ids: list[str | None]

    def __len__(self) -> int:
        return int(self.keys.size)

    @property
    def nbytes(self) -> int:
        """Bytes held (what Dask's memory accounting is told: see :func:`_sizeof`)."""
        arrays = (self.keys, self.short, self.empty, self.band_rows, self.band_keys)
        ids = sum(len(i) + 49 for i in self.ids if i is not None) + 8 * len(self.ids)
        return sum(a.nbytes for a in arrays) + self.words.nbytes + self.chars.nbytes + ids

    @property
    def grouping_keys(self) -> np.ndarray:
        """Exact-text keys as the finder's tables group them (0 is taken as 1)."""
        return np.where(self.keys == _EMPTY_KEY, np.uint64(1), self.keys)

    def sketches(self, rows: np.ndarray) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
        """Word and character sketches of some positions, laid out as ``SketchStore.take``."""
        return self.words.take(rows), self.chars.take(rows)


def _hasher(settings: Mapping[str, Any]) -> MinHasher:
    bands, rows = int(settings["bands"]), int(settings["rows_per_band"])
    return MinHasher(
        num_perm=bands * rows, bands=bands, rows_per_band=rows, seed=int(settings["seed"])
    )


def _set_keys(
    hasher: MinHasher, chosen: np.ndarray, rows: np.ndarray, hashes: np.ndarray, salt: int
) -> tuple[np.ndarray, np.ndarray]:
    """Band keys of the chosen texts that have shingles in ``(rows, hashes)``."""
    has = np.zeros(chosen.size, dtype=bool)
    has[rows[chosen[rows]]] = True
    positions = np.flatnonzero(has)
    remap = np.full(chosen.size, -1, dtype=np.int64)
    remap[positions] = np.arange(positions.size)
    mask = has[rows]
    signatures = hasher.signatures(remap[rows[mask]], hashes[mask], positions.size)
    keys = hasher.band_keys(signatures, salt=salt)
    return np.repeat(positions, hasher.bands), keys.ravel()


def block_features(
    texts: Sequence[str], ids: Sequence[str | None], settings: DedupSettings
) -> BlockFeatures:
    """Shingles, band keys and sketches of a block's texts (see the module's docstring)."""
    finder = settings.finder()
    shingled = finder.prepare(list(texts))
    count = len(shingled)
    short = shingled.word_counts < settings.min_words
    chosen = ~short & ~shingled.empty
    hasher = _hasher(finder.settings)
    words = _set_keys(hasher, chosen, shingled.rows, shingled.hashes, WORD_SALT)
    chars = _set_keys(hasher, chosen, shingled.char_rows, shingled.char_hashes, CHAR_SALT)
    positions = np.concatenate((words[0], chars[0]))
    order = np.argsort(positions, kind="stable")
    size = int(finder.settings["sketch_size"])
    word_store, char_store = SketchStore(size=size), SketchStore(size=size)
    keep = chosen[shingled.rows]
    word_store.append(shingled.rows[keep], shingled.hashes[keep], count)
    keep = chosen[shingled.char_rows]
    char_store.append(shingled.char_rows[keep], shingled.char_hashes[keep], count)
    return BlockFeatures(
        keys=shingled.exact_keys.astype(np.uint64),
        short=short,
        empty=shingled.empty.copy(),
        band_rows=positions[order].astype(np.int64),
        band_keys=np.concatenate((words[1], chars[1]))[order].astype(np.uint64),
        words=word_store,
        chars=char_store,
        ids=list(ids),
    )


def pair_similarity(
    features: BlockFeatures,
    left: np.ndarray,
    other: tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]],
) -> np.ndarray:
    """Similarity of each left position with the i-th sketch of ``other`` (word and character
    sketches, as :meth:`BlockFeatures.sketches` gives them): the higher of the two measures,
    as the local finder verifies a pair."""
    right = np.arange(left.size, dtype=np.int64)
    words = features.words.similarity(left, right, other=other[0])
    chars = features.chars.similarity(left, right, other=other[1])
    return np.maximum(words, chars)


@sizeof.register(BlockFeatures)
def _sizeof(features: BlockFeatures) -> int:
    return features.nbytes
