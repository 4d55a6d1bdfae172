"""Find exact and near-duplicate comments (floods and copy-paste campaigns) in one streaming pass.

How a batch is matched:

1. **Exact.** Each text is canonicalised (:mod:`moderation.dedup.shingles`: the featuriser's
   normalisation, then punctuation and emoji dropped) and hashed to a 64-bit key; a table of
   keys (:class:`~moderation.dedup.first_seen.FirstSeenTable`) gives the first comment with the same
   text. Texts shorter than ``min_words`` words ("First!", "lol") are matched only this way.
2. **Near.** Longer texts get their set of words as shingles, a MinHash signature and LSH band keys
   (:class:`~moderation.dedup.minhash.MinHasher`); texts of few words (fewer than ``char_words``
   distinct words) also get the set of their character bigrams, with its own signature and band
   keys. A second table gives, for each band key, the first comment that had it. Every
   candidate pair is then verified on bottom-k sketches of the shingle sets
   (:class:`~moderation.dedup.sketches.SketchStore`): the Jaccard similarity of the two word
   sets or, when both texts have few words, of the two character bigram sets if that is higher
   (one typo
   in a six-word text leaves 5/7 = 0.71 of the word set but about 0.85 of the bigrams). It is
   exact for sets of up to ``sketch_size`` shingles, an estimate beyond. Pairs at or above
   ``threshold`` match. Bigram bands rather than one-word-deletion keys, because most pairs of
   texts of few words that only bigrams bring to 0.8 differ by two words or more (in the
   benchmark corpora 207 of 326: a retweet prefix, "nothin" / "nothing", "wit" / "with").
3. **Earlier runs.** With a :class:`~moderation.dedup.index.FingerprintIndex`, the same
   two lookups run against the comments of earlier runs, which win over this run's (they came
   first); the batch is then added to the index in one transaction.

A comment joins the cluster of its best match (highest similarity; ties to the earlier one), and
a cluster's first comment, by stream position, is final as soon as it is seen: ``duplicate_of``
and ``cluster_id`` never change later, so rows can be written as batches complete. Memory is
about 300 bytes per comment (table slots, sketch values, a few per-comment numbers, and the
id), about 500 more for the first copy of a text of few words (its bigram sketch and band
keys); time is linear in the comments.

Matches are approximate: a near-duplicate pair is found with probability
``1 - (1 - J ** rows_per_band) ** bands`` (0.9997 at J = 0.8 with the defaults; J of the word
sets, or of the bigram sets for two texts of few words), and similarity of texts longer than
``sketch_size`` shingles is estimated.

Typo tolerance has a price: in a text of few words, a one-letter change that makes another real
word ("can" / "cant", "he" / "she", "not" / "now") looks like a typo and matches, and so can a
changed short word whose letters recur in the rest of a text of 7 to 11 words ("Stop the war and
bring our soldiers home" / "Start the war ...": 0.85), while a changed word in a shorter text
("a great song" / "a bad song", "love" / "hate", "Putin" / "Biden") does not.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import numpy as np

from moderation.dedup.first_seen import FirstSeenTable
from moderation.dedup.index import EarlierComment, FingerprintIndex, NewComment
from moderation.dedup.minhash import MinHasher, banding_for
from moderation.dedup.shingles import DuplicatesError, ShingledBatch, shingle_batch
from moderation.dedup.sketches import MEASURES, SketchStore

__all__ = [
    "DEFAULT_CHAR_WORDS",
    "DEFAULT_MIN_WORDS",
    "DEFAULT_THRESHOLD",
    "MATCH_KINDS",
    "STORY_THRESHOLD",
    "DuplicateFinder",
    "DuplicateMatch",
    "DuplicatesError",
]

DEFAULT_THRESHOLD = 0.8
DEFAULT_MIN_WORDS = 5
DEFAULT_CHAR_WORDS = 12
STORY_THRESHOLD = 0.7
MatchKind = Literal["exact", "near", "short-exact", "earlier-run"]
MATCH_KINDS: tuple[str, ...] = ("exact", "near", "short-exact", "earlier-run")


def cluster_name(key: int) -> str:
    """The printable cluster id of an exact-text key: 16 hex digits."""
    return f"{int(key) & 0xFFFFFFFFFFFFFFFF:016x}"


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    """What the finder knows about one comment.

    Attributes
    ----------
    row : int
        0-based position of the comment in the stream.
    duplicate_of : str or None
        Id of the first comment of its cluster (in an earlier run for ``"earlier-run"``);
        ``None`` for a cluster's first comment.
    cluster_id : str or None
        The cluster: the exact-text key of its first comment, so that the same text gets the same
        cluster id in every run. A comment with no duplicate is a cluster of one and has its own.
        ``None`` only for texts with nothing visible.
    similarity : float or None
        1.0 for an exact repeat; for a near duplicate, the Jaccard similarity (approximate for
        long texts) with the comment it matched: of the word sets or, for two texts of few
        words, of the character bigram sets if higher; ``None`` for a cluster's first comment.
    match : {"exact", "near", "short-exact", "earlier-run"} or None
        How it matched: ``short-exact`` is an exact repeat of a text under the length floor;
        ``earlier-run`` means its cluster began in an earlier run (via the index).
    root : int
        Stream row of the first comment of its cluster in this run (its own row if first).
    short : bool
        The text is under the length floor (only matched exactly).
    cluster_size : int or None
        Comments of this run in the cluster; only in :meth:`DuplicateFinder.final_matches`.
    """

    row: int
    duplicate_of: str | None
    cluster_id: str | None
    similarity: float | None
    match: MatchKind | None
    root: int
    short: bool
    cluster_size: int | None = None


_NO_KIND = -1
_KIND_CODES = {kind: code for code, kind in enumerate(MATCH_KINDS)}
_EMPTY_TEXT = -2


class DuplicateFinder:
    """Cluster exact and near-duplicate texts incrementally, batch by batch.

    Parameters
    ----------
    threshold : float, default=0.8
        Smallest similarity (Jaccard of word shingle sets, or containment; for two texts of few
        words the higher of that and the Jaccard of their character n-gram sets) for a near
        match.
    min_words : int, default=5
        Texts with fewer canonical words are matched only exactly (reported ``short-exact``).
    ngram_range : (int, int), default=(1, 1)
        Word n-grams used as shingles. Single words tolerate a typo or a changed word best
        (one changed word in ten keeps Jaccard 0.82); longer n-grams also weigh word order.
    char_words : int, default=12
        Texts with fewer distinct words than this (and at least ``min_words`` words) are also
        compared on their character n-grams, which tolerate typos: below about 12 words a
        single changed word takes word-set Jaccard under 0.8. 0 turns this off.
    char_ngram : int, default=2
        Length of those character n-grams. A typo changes two or three bigrams but three to
        five trigrams: with trigrams the exact reference of the quality benchmark reaches
        recall 0.979 over all planted pairs (under the 0.98 target), with bigrams 0.985.
    num_perm : int, default=100
        MinHash functions available for banding.
    bands, rows_per_band : int, optional
        LSH banding (see :class:`~moderation.dedup.minhash.MinHasher`). By default derived from the
        threshold by :func:`~moderation.dedup.minhash.banding_for`: 20 bands of 5 at 0.8, so that a
        pair at the threshold becomes a candidate with probability 0.999 or more.
    sketch_size : int, default=128
        Shingle hashes kept per text for verification; similarity is exact up to this many.
    measure : {"jaccard", "containment"}, default="jaccard"
        Containment (overlap over the smaller set) suits articles, not comments.
    seed : int, default=1
        Seed of the MinHash functions.
    index : FingerprintIndex, optional
        Comments of earlier runs to match against; this run's comments are added to it
        unless it is read-only. Open it with ``settings=finder.settings``.

    Attributes
    ----------
    settings : dict
        The hashing settings a fingerprint index must share with this finder.

    Raises
    ------
    DuplicatesError
        When a setting is out of range (the message names it and the valid range).

    Examples
    --------
    >>> finder = DuplicateFinder()
    >>> text = "Peace talks now: the only way to deal with a bully is to stand up to him together"
    >>> matches = finder.add_batch(
    ...     [text, text.upper() + "!!", text.replace("him", "them"), "Peace talks now"],
    ...     ids=["a", "b", "c", "d"])
    >>> [(m.duplicate_of, m.match, m.similarity) for m in matches]
    [(None, None, None), ('a', 'exact', 1.0), ('a', 'near', 0.882), (None, None, None)]
    >>> [m.match for m in finder.add_batch(["I really love this new song", "I realy love this "
    ...  "new song", "I really hate this new song"], ids=["e", "f", "g"])]  # a typo, a new word
    [None, 'near', None]
    """

    def __init__(
        self,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        min_words: int = DEFAULT_MIN_WORDS,
        ngram_range: tuple[int, int] = (1, 1),
        char_words: int = DEFAULT_CHAR_WORDS,
        char_ngram: int = 2,
        num_perm: int = 100,
        bands: int | None = None,
        rows_per_band: int | None = None,
        sketch_size: int = 128,
        measure: str = "jaccard",
        seed: int = 1,
        index: FingerprintIndex | None = None,
    ) -> None:
        self.threshold = threshold
        self.min_words = min_words
        self.ngram_range = tuple(ngram_range)
        self.char_words = char_words
        self.char_ngram = char_ngram
        self.num_perm = num_perm
        self.bands = bands
        self.rows_per_band = rows_per_band
        self.sketch_size = sketch_size
        self.measure = measure
        self.seed = seed
        self.index = index
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise DuplicatesError(f"threshold={threshold!r}: must be a number in (0, 1], e.g. 0.8")
        if not 0.0 < threshold <= 1.0:
            raise DuplicatesError(f"threshold={threshold!r}: must be in (0, 1], e.g. 0.8")
        if isinstance(min_words, bool) or not isinstance(min_words, int) or min_words < 1:
            raise DuplicatesError(f"min_words={min_words!r}: must be an integer >= 1, e.g. 5")
        if measure not in MEASURES:
            raise DuplicatesError(f"measure={measure!r}: use one of {MEASURES}")
        for name, value, low in (("char_words", char_words, 0), ("char_ngram", char_ngram, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise DuplicatesError(f"{name}={value!r}: must be an integer >= {low}")
        if len(self.ngram_range) != 2 or not 1 <= self.ngram_range[0] <= self.ngram_range[1]:
            raise DuplicatesError(
                f"ngram_range={ngram_range!r}: need (low, high), 1 <= low <= high"
            )
        if bands is None and rows_per_band is None:
            bands, rows_per_band = banding_for(threshold, num_perm)
            num_perm = bands * rows_per_band
        elif bands is None or rows_per_band is None:
            raise DuplicatesError(
                f"bands={bands!r}, rows_per_band={rows_per_band!r}: give both or neither"
            )
        self._hasher = MinHasher(
            num_perm=num_perm, bands=bands, rows_per_band=rows_per_band, seed=seed
        )
        self._sketches = SketchStore(size=sketch_size)
        self._char_sketches = SketchStore(size=sketch_size)
        self._texts = FirstSeenTable()
        self._bands = FirstSeenTable()
        # Per comment: cluster root (row), exact-text key, similarity, match kind, short flag.
        self._roots = array("q")
        self._keys = array("Q")
        self._similarity = array("f")
        self._kinds = array("b")
        self._short = array("b")
        self._ids: list[str | None] = []
        # Verified matches between different clusters (merged by final_matches).
        self._links = array("q")
        self._link_similarity = array("f")
        self._external: dict[int, EarlierComment] = {}
        self._index_rows = array("q")
        self._final: tuple[int, np.ndarray, np.ndarray, dict[int, float]] | None = None

    @classmethod
    def for_stories(cls, *, threshold: float = STORY_THRESHOLD, seed: int = 1) -> DuplicateFinder:
        """A finder for article bodies: word 3-gram shingles and containment, so that a wire
        story inside a longer syndicated copy (extra paragraphs, captions) still matches."""
        return cls(
            threshold=threshold,
            min_words=20,
            ngram_range=(3, 3),
            char_words=0,
            num_perm=64,
            bands=32,
            rows_per_band=2,
            sketch_size=1024,
            measure="containment",
            seed=seed,
        )

    @property
    def settings(self) -> dict[str, Any]:
        """Settings that decide the fingerprints (an index must be made with the same)."""
        return {
            "seed": self.seed,
            "bands": self._hasher.bands,
            "rows_per_band": self._hasher.rows_per_band,
            "ngram_range": list(self.ngram_range),
            "sketch_size": self.sketch_size,
            "char_words": self.char_words,
            "char_ngram": self.char_ngram,
        }

    def __len__(self) -> int:
        return len(self._roots)

    def id_of(self, row: int) -> str | None:
        """The id the comment at stream ``row`` was added with."""
        return self._ids[row]

    @property
    def nbytes(self) -> int:
        """Bytes held by the finder's tables and arrays (the id strings excluded)."""
        arrays = (
            self._roots,
            self._keys,
            self._similarity,
            self._kinds,
            self._short,
            self._links,
            self._link_similarity,
            self._index_rows,
        )
        return (
            self._texts.nbytes
            + self._bands.nbytes
            + self._sketches.nbytes
            + self._char_sketches.nbytes
            + sum(a.itemsize * len(a) for a in arrays)
        )

    # -- matching ---------------------------------------------------------------------------

    def prepare(self, texts: Sequence[str]) -> ShingledBatch:
        """Canonicalise and shingle texts for :meth:`add_batch` (``shingled=``).

        The result depends on the texts and this finder's settings only, and pickles, so that
        worker processes can prepare batches while one process matches them.

        >>> finder = DuplicateFinder()
        >>> texts = ["Peace talks now, before winter comes", "peace talks now before winter comes"]
        >>> [m.match for m in finder.add_batch(texts, shingled=finder.prepare(texts))]
        [None, 'exact']
        """
        return self.preparer()(texts)

    def preparer(self) -> Callable[[Sequence[str]], ShingledBatch]:
        """:meth:`prepare` as a picklable function of the texts alone, for worker processes
        (the finder itself holds tables and perhaps an open index, which do not travel)."""
        return partial(
            shingle_batch,
            ngram_range=self.ngram_range,
            char_ngram=self.char_ngram,
            char_words=self.char_words,
        )

    def _shingled(self, texts: Sequence[str], shingled: ShingledBatch | None) -> ShingledBatch:
        """``shingled`` after checking it fits the texts and the settings, or a fresh one."""
        if shingled is None:
            return self.prepare(texts)
        options = (*self.ngram_range, self.char_ngram, self.char_words)
        if shingled.options != options or len(shingled) != len(texts):
            raise DuplicatesError(
                f"shingled batch of {len(shingled)} texts with options {shingled.options} for "
                f"{len(texts)} texts and options {options}: prepare it with this finder"
            )
        return shingled

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
        signatures = self._hasher.signatures(remap[rows[mask]], hashes[mask], positions.size)
        keys = self._hasher.band_keys(signatures, salt=salt)
        return np.repeat(positions, self._hasher.bands), keys.ravel()

    def _band_keys(
        self, eligible: np.ndarray, shingled: ShingledBatch
    ) -> tuple[np.ndarray, np.ndarray]:
        """Band keys of the eligible texts, ordered by batch position: word bands for each, and
        character bands (salted apart) for those with few words. Returns (positions, keys)."""
        words = self._set_keys(eligible, shingled.rows, shingled.hashes, salt=0)
        chars = self._set_keys(eligible, shingled.char_rows, shingled.char_hashes, salt=1)
        positions = np.concatenate((words[0], chars[0]))
        keys = np.concatenate((words[1], chars[1]))
        order = np.argsort(positions, kind="stable")
        return positions[order], keys[order]

    def _pair_similarity(
        self,
        left: np.ndarray,
        right: np.ndarray,
        other: tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]] | None = None,
    ) -> np.ndarray:
        """Similarity of row pairs: Jaccard (or containment) of the word shingle sets, or of the
        character n-gram sets when both texts have them (few words) and it is higher. With
        ``other`` (word and character sketches of an index), ``right`` indexes those."""
        words = self._sketches.similarity(
            left, right, other=None if other is None else other[0], measure=self.measure
        )
        chars = self._char_sketches.similarity(
            left, right, other=None if other is None else other[1], measure=self.measure
        )
        return np.maximum(words, chars)

    def _verified(
        self, left: np.ndarray, right: np.ndarray, similarity: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Pairs at or above the threshold, ordered best first per left row, and which are best."""
        good = similarity >= self.threshold - 1e-9
        left, right, similarity = left[good], right[good], similarity[good]
        order = np.lexsort((right, -similarity, left))
        left, right, similarity = left[order], right[order], similarity[order]
        best = np.ones(left.size, dtype=bool)
        best[1:] = left[1:] != left[:-1]
        return left, right, similarity, best

    def _earlier_near(self, key_rows: np.ndarray, keys: np.ndarray) -> dict[int, tuple[int, float]]:
        """Best earlier-run match of each stream row in ``key_rows``, by its band ``keys`` and
        the sketches stored in the index."""
        assert self.index is not None
        found = self.index.first_rows(keys, table="bands")
        if not found:
            return {}
        pairs = sorted(
            {
                (row, found[key])
                for row, key in zip(key_rows.tolist(), keys.tolist(), strict=True)
                if key in found
            }
        )
        left = np.array([pair[0] for pair in pairs], dtype=np.int64)
        earlier = np.array([pair[1] for pair in pairs], dtype=np.int64)
        distinct, where = np.unique(earlier, return_inverse=True)
        rows = distinct.tolist()
        sketches = (self.index.sketches(rows), self.index.sketches(rows, kind="chars"))
        similarity = self._pair_similarity(left, where.ravel(), other=sketches)
        left, earlier, similarity, best = self._verified(left, earlier, similarity)
        return {
            int(a): (int(b), float(v))
            for a, b, v in zip(left[best], earlier[best], similarity[best], strict=True)
        }

    def add_batch(
        self,
        texts: Sequence[str],
        ids: Sequence[str | None] | None = None,
        shingled: ShingledBatch | None = None,
    ) -> list[DuplicateMatch]:
        """Match a batch against everything seen so far (and within itself), then add it.

        Parameters
        ----------
        texts : sequence of str
            The comments, in stream order.
        ids : sequence of str or None, optional
            Their ids (what ``duplicate_of`` reports); default the stream position as a string.
        shingled : ShingledBatch, optional
            ``self.prepare(texts)``, computed beforehand (e.g. in a worker process); by default
            the texts are prepared here.

        Returns
        -------
        list of DuplicateMatch
            One per text, in order. ``duplicate_of`` and ``cluster_id`` are final: later
            batches never change them (``final_matches`` may merge clusters afterwards).

        Raises
        ------
        DuplicatesError
            When ``ids`` and ``texts`` differ in length, or ``shingled`` was prepared from other
            texts or with other settings.
        """
        count = len(texts)
        start = len(self._roots)
        if ids is None:
            ids = [str(start + i) for i in range(count)]
        elif len(ids) != count:
            raise DuplicatesError(f"{len(ids)} ids for {count} texts: give one id per text")
        rows = np.arange(start, start + count, dtype=np.int64)
        shingled = self._shingled(texts, shingled)
        keys = shingled.exact_keys
        matchable = ~shingled.empty
        short = shingled.word_counts < self.min_words

        # 1. exact repeats within this run
        owners = rows.copy()
        owners[matchable] = self._texts.first_rows(keys[matchable], rows[matchable])
        first_copy = matchable & (owners == rows)
        parent = owners.copy()
        similarity = np.where(owners != rows, 1.0, np.nan)
        kind = np.full(count, _NO_KIND, dtype=np.int8)
        kind[(owners != rows) & short] = _KIND_CODES["short-exact"]
        kind[(owners != rows) & ~short] = _KIND_CODES["exact"]
        kind[~matchable] = _EMPTY_TEXT
        external: dict[int, EarlierComment] = {}

        # 2. exact repeats of earlier runs
        if self.index is not None and first_copy.any():
            earlier_rows = self.index.first_rows(keys[first_copy], table="texts")
            known = self.index.comments(list(earlier_rows.values()))
            for position in np.flatnonzero(first_copy).tolist():
                earlier = earlier_rows.get(int(keys[position]))
                if earlier is not None and earlier in known:
                    external[position] = known[earlier]
                    similarity[position] = 1.0

        # 3. near duplicates: first copies of texts above the length floor
        eligible = first_copy & ~short
        eligible[list(external)] = False
        keep = eligible[shingled.rows]
        self._sketches.append(shingled.rows[keep], shingled.hashes[keep], count)
        keep = eligible[shingled.char_rows]
        self._char_sketches.append(shingled.char_rows[keep], shingled.char_hashes[keep], count)
        key_positions, band_keys = np.zeros(0, np.int64), np.zeros(0, np.uint64)
        links = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
        if eligible.any():
            key_positions, band_keys = self._band_keys(eligible, shingled)
            left = rows[key_positions]
            right = self._bands.first_rows(band_keys, left)
            pairs = np.unique(np.stack((left, right), axis=1)[left != right], axis=0)
            values = self._pair_similarity(pairs[:, 0], pairs[:, 1])
            left, right, values, best = self._verified(pairs[:, 0], pairs[:, 1], values)
            if self.index is not None:
                earlier_near = self._earlier_near(rows[key_positions], band_keys)
                known = self.index.comments([earlier for earlier, _ in earlier_near.values()])
                for row, (earlier, value) in earlier_near.items():
                    if earlier in known:
                        external[row - start] = known[earlier]
                        similarity[row - start] = round(value, 3)
            used = best & ~np.isin(left - start, list(external))
            links = (left[~used], right[~used], values[~used])
            for row, match_row, value in zip(
                left[used].tolist(), right[used].tolist(), values[used].tolist(), strict=True
            ):
                parent[row - start] = match_row
                similarity[row - start] = round(value, 3)
                kind[row - start] = _KIND_CODES["near"]
        for position in external:
            kind[position] = _KIND_CODES["earlier-run"]

        # 4. roots: follow parents inside the batch; earlier rows already point at their root
        root = parent.copy()
        before = root < start
        if before.any():
            root[before] = np.frombuffer(self._roots, dtype=np.int64)[root[before]]
        while True:
            inside = root >= start
            following = root.copy()
            following[inside] = root[root[inside] - start]
            if np.array_equal(following, root):
                break
            root = following
        for position, comment in external.items():
            self._external[start + position] = comment
        self._roots.frombytes(root.tobytes())
        self._keys.frombytes(keys.astype(np.uint64).tobytes())
        self._similarity.frombytes(similarity.astype(np.float32).tobytes())
        self._kinds.frombytes(kind.tobytes())
        self._short.frombytes(short.astype(np.int8).tobytes())
        self._ids.extend(ids)
        self._keep_links(*links)

        if self.index is not None and not self.index.readonly:
            self._record(rows, root, keys, key_positions, band_keys)
        roots = np.frombuffer(self._roots, dtype=np.int64)
        matches = self._matches(rows, roots)
        del roots
        return matches

    def _keep_links(self, left: np.ndarray, right: np.ndarray, values: np.ndarray) -> None:
        """Keep the verified matches that join two different clusters."""
        if not left.size:
            return
        roots = np.frombuffer(self._roots, dtype=np.int64)
        differ = roots[left] != roots[right]
        pairs = np.stack((left[differ], right[differ]), axis=1)
        self._links.frombytes(pairs.astype(np.int64).tobytes())
        self._link_similarity.frombytes(values[differ].astype(np.float32).tobytes())
        del roots

    @staticmethod
    def _blobs(store: SketchStore, rows: np.ndarray) -> list[tuple[int, bytes] | None]:
        """Each row's sketch as (set size, bytes) for the index, or None when it has none."""
        values, lengths, sizes = store.take(rows)
        ends = np.cumsum(lengths)
        return [
            (int(size), values[end - length : end].tobytes()) if length else None
            for end, length, size in zip(
                ends.tolist(), lengths.tolist(), sizes.tolist(), strict=True
            )
        ]

    def _record(
        self,
        rows: np.ndarray,
        root: np.ndarray,
        keys: np.ndarray,
        key_positions: np.ndarray,
        band_keys: np.ndarray,
    ) -> None:
        """Add the batch to the fingerprint index (one transaction)."""
        assert self.index is not None
        start = int(rows[0])
        words = self._blobs(self._sketches, rows)
        chars = self._blobs(self._char_sketches, rows)
        index_rows = np.frombuffer(self._index_rows, dtype=np.int64)
        comments = []
        for position, row in enumerate(rows.tolist()):
            first = int(root[position])
            earlier = self._external.get(first)
            word_sketch, char_sketch = words[position], chars[position]
            comments.append(
                NewComment(
                    id=self._ids[row],
                    text_key=int(keys[position]),
                    root_row=earlier.root_row
                    if earlier is not None
                    else (int(index_rows[first]) if first < start else None),
                    root_position=first - start if earlier is None and first >= start else None,
                    set_size=word_sketch[0] if word_sketch else None,
                    sketch=word_sketch[1] if word_sketch else None,
                    char_set_size=char_sketch[0] if char_sketch else None,
                    char_sketch=char_sketch[1] if char_sketch else None,
                )
            )
        del index_rows
        first_row = self.index.add(comments, key_positions, band_keys)
        self._index_rows.frombytes(
            np.arange(first_row, first_row + len(comments), dtype=np.int64).tobytes()
        )

    def _matches(
        self,
        rows: np.ndarray,
        roots: np.ndarray,
        sizes: np.ndarray | None = None,
        joined: Mapping[int, float] | None = None,
    ) -> list[DuplicateMatch]:
        """Build the matches of some rows from the stored state and the given roots; ``joined``
        gives former roots merged into another cluster and their similarity."""
        joined = joined or {}
        keys = np.frombuffer(self._keys, dtype=np.uint64)
        similarity = np.frombuffer(self._similarity, dtype=np.float32)
        kinds = np.frombuffer(self._kinds, dtype=np.int8)
        short = np.frombuffer(self._short, dtype=np.int8)
        matches = []
        for row in rows.tolist():
            first = int(roots[row])
            earlier = self._external.get(first)
            code = int(kinds[row])
            value = float(similarity[row])
            if row in joined:
                code, value = _KIND_CODES["near"], joined[row]
            if code == _EMPTY_TEXT:
                duplicate_of = cluster_id = match = None
            elif earlier is not None:
                duplicate_of, cluster_id = earlier.root_id, cluster_name(earlier.root_key)
                match = "earlier-run"
            else:
                duplicate_of = self._ids[first] if first != row else None
                cluster_id = cluster_name(keys[first])
                match = MATCH_KINDS[code] if code >= 0 else None
            matches.append(
                DuplicateMatch(
                    row=row,
                    duplicate_of=duplicate_of,
                    cluster_id=cluster_id,
                    similarity=None if match is None or value != value else round(value, 3),
                    match=match,  # type: ignore[arg-type]
                    root=first,
                    short=bool(short[row]),
                    cluster_size=None if sizes is None or cluster_id is None else int(sizes[first]),
                )
            )
        return matches

    def final_roots(self) -> np.ndarray:
        """Cluster root of every row after merging clusters that a later comment joined.

        In a stream, a comment that matches two clusters joins its best match; here such
        clusters become one, rooted at their earliest comment (a cluster that began in an
        earlier run comes first).
        """
        roots = np.array(self._roots, dtype=np.int64)
        links = np.frombuffer(self._links, dtype=np.int64).reshape(-1, 2)
        if not links.size:
            return roots
        # Rank roots: clusters from earlier runs first, then by stream position.
        rank = np.arange(roots.size, dtype=np.int64) + len(self._external) + 1
        for order, row in enumerate(sorted(self._external)):
            rank[row] = order
        parent = {int(r): int(r) for r in np.unique(roots[links.ravel()])}

        def find(node: int) -> int:
            while parent[node] != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return node

        for a, b in roots[links].tolist():
            a, b = find(a), find(b)
            if a != b:
                keep, drop = (a, b) if rank[a] <= rank[b] else (b, a)
                parent[drop] = keep
        mapping = {node: find(node) for node in parent}
        moved = np.array([node for node, top in mapping.items() if node != top], dtype=np.int64)
        if moved.size:
            lookup = np.arange(roots.size, dtype=np.int64)
            lookup[moved] = [mapping[int(node)] for node in moved]
            roots = lookup[roots]
        return roots

    def final_matches(self, rows: Iterable[int] | None = None) -> list[DuplicateMatch]:
        """Matches after the whole stream: clusters merged, with their final sizes.

        A former cluster root merged into an earlier cluster becomes a ``near`` match of it,
        with the similarity of the match that joined the two.

        Parameters
        ----------
        rows : iterable of int, optional
            Rows wanted (default all); ask in slices to keep memory flat on large runs.
        """
        if self._final is None or self._final[0] != len(self):
            self._final = (len(self), *self._resolve())
        _, roots, sizes, joined = self._final
        wanted = np.arange(roots.size) if rows is None else np.fromiter(rows, dtype=np.int64)
        return self._matches(wanted, roots, sizes, joined)

    def _resolve(self) -> tuple[np.ndarray, np.ndarray, dict[int, float]]:
        """Final roots, cluster sizes, and the former roots merged away with their similarity."""
        roots = self.final_roots()
        sizes = np.bincount(roots, minlength=roots.size)
        streamed = np.frombuffer(self._roots, dtype=np.int64)
        merged = np.flatnonzero(
            (roots != np.arange(roots.size)) & (streamed == np.arange(roots.size))
        )
        joined: dict[int, float] = {}
        if merged.size:  # former roots: the best similarity of a match joining their cluster
            links = np.frombuffer(self._links, dtype=np.int64).reshape(-1, 2)
            values = np.frombuffer(self._link_similarity, dtype=np.float32)
            best: dict[int, float] = {}
            for (a, b), value in zip(streamed[links].tolist(), values.tolist(), strict=True):
                for node in (a, b):
                    best[node] = max(best.get(node, 0.0), value)
            joined = {node: best.get(node, float("nan")) for node in merged.tolist()}
            del links, values
        del streamed
        return roots, sizes, joined

    def add(
        self, texts: Iterable[str], ids: Iterable[str | None] | None = None, batch_size: int = 1000
    ) -> list[DuplicateMatch]:
        """Match any number of texts, ``batch_size`` at a time; returns every streamed match."""
        texts = list(texts)
        start = len(self)
        id_list = list(ids) if ids is not None else [str(start + i) for i in range(len(texts))]
        matches: list[DuplicateMatch] = []
        for begin in range(0, len(texts), batch_size):
            end = begin + batch_size
            matches.extend(self.add_batch(texts[begin:end], id_list[begin:end]))
        return matches
