"""Find exact and near-duplicate comments (floods and copy-paste campaigns) in one streaming pass.

:class:`DuplicateFinder` matches each batch in these steps (the modules named hold the work):

1. **Shingle** (:mod:`~moderation.dedup.shingles`). Each text is canonicalised (the featuriser's
   normalisation, then punctuation and emoji dropped) and hashed to a 64-bit exact-text key; it
   gets its set of words as shingles and, when it has few words (fewer than ``char_words``
   distinct words), the set of its character bigrams too. A text written mostly in a script
   without spaces (Chinese, Japanese, Thai) has the characters (Han) or character bigrams
   (kana, Thai...) of its runs as words.
2. **Exact.** A table of keys (:class:`~moderation.dedup.first_seen.FirstSeenTable`) gives the
   first comment with the same text. Texts shorter than ``min_words`` words ("First!", "lol")
   are matched only this way.
3. **Exact, earlier runs** (:mod:`~moderation.dedup.earlier_runs`). With a
   :class:`~moderation.dedup.index.FingerprintIndex`, the same lookup runs against the comments
   of earlier runs, which win over this run's (they came first).
4. **Near** (:mod:`~moderation.dedup.near`). The first copy of each text above the length floor
   gets MinHash band keys; texts sharing a key with it, in this run or an earlier one, are
   candidates, verified on bottom-k sketches of the shingle sets. Pairs at or above
   ``threshold`` match.
5. **Roots.** A comment joins the cluster of its best match (highest similarity; ties to the
   earlier one); the batch goes into the per-comment record
   (:class:`~moderation.dedup.ledger.MatchLedger`) and, with an index, into the index in one
   transaction. Matches are read out by :mod:`~moderation.dedup.matches`.

A cluster's first comment, by stream position, is final as soon as it is seen: ``duplicate_of``
and ``cluster_id`` never change later, so rows can be written as batches complete. After the
stream, :meth:`DuplicateFinder.final_matches` merges clusters a later comment bridged
(:mod:`~moderation.dedup.merging`). Memory holds per comment what every later one looks up in
compact form (about 30 bytes of record, 8 bytes per spilled column, Bloom filter bits of its
keys); band keys, text keys, sketches and ids beyond bounded buffers go to a temporary folder
(:mod:`~moderation.dedup.spill`) and are read back only for candidates. Time is linear in the
comments.

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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from moderation.batching import batched
from moderation.dedup.earlier_runs import earlier_exact, earlier_near, record_batch
from moderation.dedup.index import EarlierComment, FingerprintIndex
from moderation.dedup.ledger import MatchLedger
from moderation.dedup.matches import (
    EMPTY_TEXT,
    KIND_CODES,
    MATCH_KINDS,
    NO_KIND,
    DuplicateMatch,
    read_matches,
)
from moderation.dedup.merging import final_clusters, final_roots
from moderation.dedup.near import NearMatcher
from moderation.dedup.settings import (
    DEFAULT_CHAR_WORDS,
    DEFAULT_HAN_NGRAM,
    DEFAULT_MIN_WORDS,
    DEFAULT_NO_SPACE_NGRAM,
    DEFAULT_THRESHOLD,
    STORY_THRESHOLD,
    check_settings,
    make_hasher,
)
from moderation.dedup.shingles import DuplicatesError, ShingledBatch, shingle_batch
from moderation.dedup.spill import SpillDir
from moderation.dedup.spilled_table import DEFAULT_BUFFER_KEYS, SpilledFirstSeen

__all__ = [
    "DEFAULT_CHAR_WORDS",
    "DEFAULT_HAN_NGRAM",
    "DEFAULT_MIN_WORDS",
    "DEFAULT_NO_SPACE_NGRAM",
    "DEFAULT_THRESHOLD",
    "MATCH_KINDS",
    "STORY_THRESHOLD",
    "DuplicateFinder",
    "DuplicateMatch",
    "DuplicatesError",
]


@dataclass(slots=True)
class _Batch:
    """A batch while it is matched, by position in the batch: stream row, exact-text key,
    under the length floor, first copy of its text so far, the row it matched (its own when
    none), similarity, match-kind code, earlier-run clusters, its band keys (with their
    positions), and verified matches it did not take (links between clusters)."""

    rows: np.ndarray
    keys: np.ndarray
    short: np.ndarray
    first_copy: np.ndarray
    parent: np.ndarray
    similarity: np.ndarray
    kind: np.ndarray
    external: dict[int, EarlierComment] = field(default_factory=dict)
    key_positions: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    band_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    links: tuple[np.ndarray, ...] = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))

    @property
    def start(self) -> int:
        """Stream row of the batch's first text."""
        return int(self.rows[0])


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
    no_space_ngram : int, default=2
        A text written mostly in scripts without spaces between words counts character n-grams
        of its runs as its words: runs of kana, Thai, Lao, Khmer or Myanmar letters give
        n-grams of this length (letters that spell sounds are too common alone: on texts built
        from Thai word frequencies, different texts share 0.5 or more of their letters in half
        of all pairs, of their bigrams in 3 of 8 million). 0 turns this off: such a text is
        then split at punctuation only, so a comment of a few clauses stays under
        ``min_words`` and one changed character makes it a different text.
    han_ngram : int, default=1
        The same for runs of Han characters (Chinese, kanji), each a morpheme much like a word.
        On 17,410 real Chinese reviews with 3,000 copies planted, one character changed in each,
        single characters find 0.999 of the copies, bigrams 0.934, trigrams 0.816 (0.633 with
        ``no_space_ngram=0``), and every one of the 35 links they add between the reviews
        themselves joins a near copy.
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
    buffer_keys : int, default=131072
        Band keys (and, separately, text keys) held in memory; beyond, they are spilled to
        sorted files on disk (see :mod:`~moderation.dedup.spilled_table`). Sketches and ids
        spill past a 1 MiB tail each; 0 keeps everything in memory. Answers do not depend on
        it.
    spill_dir : str or Path, optional
        Where the temporary spill folder is made (default the system's temporary folder); it
        is removed by :meth:`close`, or when the finder is collected.

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
        no_space_ngram: int = DEFAULT_NO_SPACE_NGRAM,
        han_ngram: int = DEFAULT_HAN_NGRAM,
        num_perm: int = 100,
        bands: int | None = None,
        rows_per_band: int | None = None,
        sketch_size: int = 128,
        measure: str = "jaccard",
        seed: int = 1,
        index: FingerprintIndex | None = None,
        buffer_keys: int = DEFAULT_BUFFER_KEYS,
        spill_dir: str | Path | None = None,
    ) -> None:
        self.threshold = threshold
        self.min_words = min_words
        self.ngram_range = tuple(ngram_range)
        self.char_words = char_words
        self.char_ngram = char_ngram
        self.no_space_ngram = no_space_ngram
        self.han_ngram = han_ngram
        self.num_perm = num_perm
        self.bands = bands
        self.rows_per_band = rows_per_band
        self.sketch_size = sketch_size
        self.measure = measure
        self.seed = seed
        self.index = index
        self.buffer_keys = buffer_keys
        self.spill_dir = spill_dir
        check_settings(
            threshold=threshold,
            min_words=min_words,
            measure=measure,
            char_words=char_words,
            char_ngram=char_ngram,
            no_space_ngram=no_space_ngram,
            han_ngram=han_ngram,
            ngram_range=ngram_range,
        )
        self._hasher = make_hasher(
            threshold=threshold,
            num_perm=num_perm,
            bands=bands,
            rows_per_band=rows_per_band,
            seed=seed,
        )
        self._spill = SpillDir(spill_dir)
        spill = self._spill if buffer_keys > 0 else None
        self._near = NearMatcher(
            self._hasher,
            threshold=threshold,
            measure=measure,
            sketch_size=sketch_size,
            spill=spill,
            buffer_keys=buffer_keys,
        )
        self._texts = SpilledFirstSeen(spill, buffer_keys=buffer_keys, stem="texts")
        self._ledger = MatchLedger(spill)
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
            buffer_keys=1 << 14,
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
            "no_space_ngram": self.no_space_ngram,
            "han_ngram": self.han_ngram,
        }

    def __len__(self) -> int:
        return len(self._ledger)

    def id_of(self, row: int) -> str | None:
        """The id the comment at stream ``row`` was added with."""
        return self._ledger.ids[row]

    def ids_of(self, rows: Sequence[int] | np.ndarray) -> list[str | None]:
        """The ids of the comments at some stream rows, in order (one read for many)."""
        return self._ledger.ids.take(rows)

    @property
    def nbytes(self) -> int:
        """Bytes held in memory by the finder's tables and arrays (spilled parts excluded)."""
        return self._texts.nbytes + self._near.nbytes + self._ledger.nbytes

    @property
    def spill(self) -> SpillDir:
        """The temporary folder where band keys, text keys, sketches and ids beyond the
        in-memory buffers go (made on first use)."""
        return self._spill

    def close(self) -> None:
        """Remove the spill folder; the finder cannot be used afterwards."""
        self._texts.close()
        self._near.close()
        self._ledger.ids.close()
        self._spill.close()

    # -- preparing ----------------------------------------------------------------------------

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
            no_space_ngram=self.no_space_ngram,
            han_ngram=self.han_ngram,
        )

    def _shingled(self, texts: Sequence[str], shingled: ShingledBatch | None) -> ShingledBatch:
        """``shingled`` after checking it fits the texts and the settings, or a fresh one."""
        if shingled is None:
            return self.prepare(texts)
        options = (
            *self.ngram_range,
            self.char_ngram,
            self.char_words,
            self.no_space_ngram,
            self.han_ngram,
        )
        if shingled.options != options or len(shingled) != len(texts):
            raise DuplicatesError(
                f"shingled batch of {len(shingled)} texts with options {shingled.options} for "
                f"{len(texts)} texts and options {options}: prepare it with this finder"
            )
        return shingled

    def _ids(self, count: int, ids: Sequence[str | None] | None) -> Sequence[str | None]:
        """The batch's ids: as given (one per text), or the stream positions as strings."""
        if ids is None:
            start = len(self)
            return [str(start + i) for i in range(count)]
        if len(ids) != count:
            raise DuplicatesError(f"{len(ids)} ids for {count} texts: give one id per text")
        return ids

    # -- matching -----------------------------------------------------------------------------

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
        ids = self._ids(len(texts), ids)
        shingled = self._shingled(texts, shingled)
        if not len(shingled):
            return []
        batch = self._match_exact(shingled)
        if self.index is not None:
            self._match_earlier_exact(batch)
        self._match_near(batch, shingled)
        for position in batch.external:
            batch.kind[position] = KIND_CODES["earlier-run"]
        self._store(batch, ids)
        if self.index is not None and not self.index.readonly:
            record_batch(
                self.index,
                self._ledger,
                self._near,
                rows=batch.rows,
                keys=batch.keys,
                key_positions=batch.key_positions,
                band_keys=batch.band_keys,
            )
        roots = np.frombuffer(self._ledger.roots, dtype=np.int64)
        matches = read_matches(self._ledger, batch.rows, roots)
        del roots
        return matches

    def _match_exact(self, shingled: ShingledBatch) -> _Batch:
        """Step 1: each text's first copy in this run, by exact-text key (empty texts never
        match; a repeat under the length floor is ``short-exact``)."""
        count = len(shingled)
        start = len(self)
        rows = np.arange(start, start + count, dtype=np.int64)
        keys = shingled.exact_keys
        matchable = ~shingled.empty
        short = shingled.word_counts < self.min_words
        owners = rows.copy()
        owners[matchable] = self._texts.first_rows(keys[matchable], rows[matchable])
        repeat = owners != rows
        kind = np.full(count, NO_KIND, dtype=np.int8)
        kind[repeat & short] = KIND_CODES["short-exact"]
        kind[repeat & ~short] = KIND_CODES["exact"]
        kind[~matchable] = EMPTY_TEXT
        return _Batch(
            rows=rows,
            keys=keys,
            short=short,
            first_copy=matchable & ~repeat,
            parent=owners.copy(),
            similarity=np.where(repeat, 1.0, np.nan),
            kind=kind,
        )

    def _match_earlier_exact(self, batch: _Batch) -> None:
        """Step 2: first copies whose text an earlier run had join that run's cluster."""
        assert self.index is not None
        for position, comment in earlier_exact(self.index, batch.keys, batch.first_copy).items():
            batch.external[position] = comment
            batch.similarity[position] = 1.0

    def _match_near(self, batch: _Batch, shingled: ShingledBatch) -> None:
        """Step 3: near duplicates of the first copies of texts above the length floor, in this
        run and in earlier ones (an earlier run's match wins)."""
        eligible = batch.first_copy & ~batch.short
        eligible[list(batch.external)] = False
        self._near.add_sketches(eligible, shingled)
        if not eligible.any():
            return
        batch.key_positions, batch.band_keys = self._near.band_keys(eligible, shingled)
        key_rows = batch.rows[batch.key_positions]
        verified = self._near.within_run(key_rows, batch.band_keys)
        if self.index is not None:
            found = earlier_near(self.index, self._near, key_rows, batch.band_keys)
            for row, (comment, value) in found.items():
                batch.external[row - batch.start] = comment
                batch.similarity[row - batch.start] = round(value, 3)
        self._take_best(batch, *verified)

    @staticmethod
    def _take_best(
        batch: _Batch, left: np.ndarray, right: np.ndarray, values: np.ndarray, best: np.ndarray
    ) -> None:
        """Each row without an earlier-run match takes its best verified match in this run; the
        other verified matches are kept as links between clusters."""
        start = batch.start
        used = best & ~np.isin(left - start, list(batch.external))
        batch.links = (left[~used], right[~used], values[~used])
        for row, match_row, value in zip(
            left[used].tolist(), right[used].tolist(), values[used].tolist(), strict=True
        ):
            batch.parent[row - start] = match_row
            batch.similarity[row - start] = round(value, 3)
            batch.kind[row - start] = KIND_CODES["near"]

    def _roots(self, batch: _Batch) -> np.ndarray:
        """Step 4: cluster roots, following parents inside the batch (rows of earlier batches
        already point at their root)."""
        start = batch.start
        root = batch.parent.copy()
        before = root < start
        if before.any():
            root[before] = self._ledger.roots_of(root[before])
        while True:
            inside = root >= start
            following = root.copy()
            following[inside] = root[root[inside] - start]
            if np.array_equal(following, root):
                return root
            root = following

    def _store(self, batch: _Batch, ids: Sequence[str | None]) -> None:
        """Step 5: record the batch and the links it made between clusters."""
        self._ledger.append(
            roots=self._roots(batch),
            keys=batch.keys,
            similarity=batch.similarity,
            kinds=batch.kind,
            short=batch.short,
            ids=ids,
            external=batch.external,
        )
        self._ledger.keep_links(*batch.links)

    # -- after the stream ---------------------------------------------------------------------

    def final_roots(self) -> np.ndarray:
        """Cluster root of every row after merging clusters that a later comment joined.

        In a stream, a comment that matches two clusters joins its best match; here such
        clusters become one, rooted at their earliest comment (a cluster that began in an
        earlier run comes first).
        """
        return final_roots(self._ledger)

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
            self._final = (len(self), *final_clusters(self._ledger))
        _, roots, sizes, joined = self._final
        wanted = np.arange(roots.size) if rows is None else np.fromiter(rows, dtype=np.int64)
        return read_matches(self._ledger, wanted, roots, sizes, joined)

    def add(
        self, texts: Iterable[str], ids: Iterable[str | None] | None = None, batch_size: int = 1000
    ) -> list[DuplicateMatch]:
        """Match any number of texts, ``batch_size`` at a time; returns every streamed match."""
        texts = list(texts)
        start = len(self)
        id_list = list(ids) if ids is not None else [str(start + i) for i in range(len(texts))]
        matches: list[DuplicateMatch] = []
        begin = 0
        for part in batched(texts, batch_size):
            matches.extend(self.add_batch(part, id_list[begin : begin + len(part)]))
            begin += len(part)
        return matches
