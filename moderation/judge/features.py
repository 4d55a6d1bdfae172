"""The featuriser: hashed word 1-2-grams (of word stems) and character 2-5-grams, TF-IDF,
dense signals.

:class:`CommentFeaturiser` is a scikit-learn transformer put together from modules with one
job each: :mod:`.tokens` (tokenising), :mod:`.stems` (Snowball stems, remembered per token),
:mod:`.ngrams` (hashing n-grams of a whole batch in NumPy), :mod:`.signals` (the dense
signals: style bins and the violent-act cues of :mod:`.cues`), :mod:`.memo` (the per-chunk
cache),
:mod:`.matrix` (the CSR output) and :mod:`.spans` (crediting n-grams to words, for
explanations). The only fitted state is the set of hash buckets seen in training and their
idf, two plain arrays that load the same under any library version.

Scoring speed comes from three things, none of which changes the output (pinned bit for bit
against the first implementation by ``tests/pipeline/test_speed_equivalence.py``): tokens and
char n-grams are worked out once per distinct whitespace-separated chunk (:mod:`.memo`); the
sparse matrix is built directly (:mod:`.matrix`); explanations credit a whole batch's n-grams
to words with integer keys (:mod:`.spans`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from moderation.errors import ModelError
from moderation.hashing import hash_strings
from moderation.judge.arrays import distinct_sorted
from moderation.judge.cues import token_classes
from moderation.judge.fitted import require_fitted
from moderation.judge.matrix import count_entries, tfidf_values, with_dense_columns
from moderation.judge.memo import ChunkMemo
from moderation.judge.ngrams import (
    HashedGrams,
    bigram_hashes,
    buckets_of,
    char_grams,
    word_grams,
)
from moderation.judge.signals import DENSE_NAMES, dense_signals
from moderation.judge.spans import BatchGrams, BatchSpans, batch_spans
from moderation.judge.stems import check_language, stem_tokens
from moderation.judge.tokens import TOKEN_PATTERN, tokenize, tokenize_batch
from moderation.normalise import normalise, normalise_batch

# Distinct chunks remembered per featuriser before the memo starts again (at most ~55 MB).
CHUNK_MEMO_SIZE = 1 << 17

__all__ = [
    "CHUNK_MEMO_SIZE",
    "DENSE_NAMES",
    "TOKEN_PATTERN",
    "BatchGrams",
    "BatchSpans",
    "CommentFeaturiser",
    "HashedGrams",
    "char_grams",
    "dense_signals",
    "hash_strings",
    "stem_tokens",
    "tokenize",
    "tokenize_batch",
    "word_grams",
]


class CommentFeaturiser(TransformerMixin, BaseEstimator):
    """Hashed word and character n-gram TF-IDF plus dense signals, for comment text.

    Parameters
    ----------
    word_ngram_max : int, default=2
        Word n-grams from 1 to this length (1 or 2).
    char_ngram_range : tuple of int, default=(2, 5)
        Lengths of character n-grams, taken inside word boundaries.
    n_buckets : int, default=2**22
        Size of the hash space.
    min_df : int, default=2
        Buckets seen in fewer training comments are dropped.
    sublinear_tf : bool, default=True
        Use ``1 + log(tf)`` instead of raw counts.
    dense : bool, default=True
        Append :data:`DENSE_NAMES` signals.
    stem_language : str or None, default="en"
        Word n-grams are of Snowball stems in this language (ISO 639-1, see
        :data:`~moderation.judge.stems.SNOWBALL`); ``None``: of the words as written. The
        violent-act cues are English: they are computed only with ``"en"``.

    Attributes
    ----------
    buckets_ : ndarray of int64
        Sorted hash buckets kept after fitting (word buckets, then char buckets offset by
        ``n_buckets``); column ``j`` of the output is ``buckets_[j]``.
    idf_ : ndarray of float32
        Inverse document frequency of each kept bucket.
    n_word_features_ : int
        How many of the kept buckets are word n-grams.

    Notes
    -----
    :meth:`transform` remembers, per featuriser, the columns of up to
    :data:`CHUNK_MEMO_SIZE` distinct whitespace-separated chunks of normalised text (a cache,
    not part of the model: the output is the same with or without it).

    Examples
    --------
    >>> featuriser = CommentFeaturiser(min_df=1).fit(["nuke them", "peace now", "nuke it"])
    >>> featuriser.transform(["nuke them all"]).shape[0]
    1
    """

    def __init__(
        self,
        *,
        word_ngram_max: int = 2,
        char_ngram_range: tuple[int, int] = (2, 5),
        n_buckets: int = 2**22,
        min_df: int = 2,
        sublinear_tf: bool = True,
        dense: bool = True,
        stem_language: str | None = "en",
    ) -> None:
        self.word_ngram_max = word_ngram_max
        self.char_ngram_range = char_ngram_range
        self.n_buckets = n_buckets
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.dense = dense
        self.stem_language = stem_language

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_lookup_table", None)
        state.pop("_chunk_memo", None)
        return state

    def _check_params(self) -> None:
        if self.word_ngram_max not in (1, 2):
            raise ModelError(f"word_ngram_max={self.word_ngram_max!r}: use 1 or 2")
        low, high = self.char_ngram_range
        if not 1 <= low <= high <= 8:
            raise ModelError(
                f"char_ngram_range={self.char_ngram_range!r}: use (low, high) with "
                "1 <= low <= high <= 8"
            )
        if not 2**10 <= self.n_buckets <= 2**31:
            raise ModelError(f"n_buckets={self.n_buckets!r}: use a value in [2**10, 2**31]")
        check_language(self.stem_language)

    def cue_classes(self, tokens: list[str], stems: list[str]) -> np.ndarray:
        """The :mod:`.cues` classes of tokens (their violent words: English only)."""
        if self.stem_language == "en":
            return token_classes(tokens, stems)
        return token_classes(tokens, [""] * len(tokens))

    # -- hash buckets and their columns --------------------------------------------------

    def _word_buckets(self, hashes: np.ndarray) -> np.ndarray:
        return buckets_of(hashes, self.n_buckets)

    def _char_buckets(self, hashes: np.ndarray) -> np.ndarray:
        return buckets_of(hashes, self.n_buckets) + self.n_buckets

    def _lookup(self) -> np.ndarray:
        """Column of every hash bucket (-1 where dropped); built once, not part of the model."""
        table = getattr(self, "_lookup_table", None)
        if table is None or table.size != 2 * self.n_buckets:
            table = np.full(2 * self.n_buckets, -1, dtype=np.int32)
            table[self.buckets_] = np.arange(self.buckets_.size, dtype=np.int32)
            self._lookup_table = table
        return table

    def _word_columns(self, hashes: np.ndarray) -> np.ndarray:
        """Output column of each word n-gram hash (-1 when its bucket was not kept)."""
        return self._lookup()[self._word_buckets(hashes)]

    def _char_columns(self, hashes: np.ndarray) -> np.ndarray:
        """Output column of each char n-gram hash (-1 when its bucket was not kept)."""
        return self._lookup()[self._char_buckets(hashes)]

    # -- fitting -------------------------------------------------------------------------

    def fit(self, texts: Sequence[str], y: object = None) -> CommentFeaturiser:
        """Learn which buckets occur in at least ``min_df`` comments, and their idf.

        Raises
        ------
        ModelError
            A parameter is outside its valid values.
        """
        self._check_params()
        normalised = normalise_batch([str(text) for text in texts])
        document_frequency = self._document_frequency(normalised)
        kept = np.flatnonzero(document_frequency >= self.min_df)
        n_documents = len(normalised)
        idf = np.log((1 + n_documents) / (1 + document_frequency[kept])) + 1
        self.buckets_ = kept.astype(np.int64)
        self.idf_ = idf.astype(np.float32)
        self.n_word_features_ = int(np.searchsorted(kept, self.n_buckets))
        self.__dict__.pop("_chunk_memo", None)
        self.__dict__.pop("_lookup_table", None)
        return self

    def _document_frequency(self, normalised: Sequence[str]) -> np.ndarray:
        """In how many documents each of the ``2 * n_buckets`` buckets (word, char) occurs."""
        tokens, counts = tokenize_batch(normalised)
        words = word_grams(stem_tokens(tokens, self.stem_language), counts, self.word_ngram_max)
        chars = char_grams(normalised, *self.char_ngram_range)
        rows = np.concatenate((words.rows, chars.rows)).astype(np.int64)
        buckets = np.concatenate(
            (self._word_buckets(words.hashes), self._char_buckets(chars.hashes))
        )
        keys = distinct_sorted(np.sort(rows * (2 * self.n_buckets) + buckets))
        return np.bincount(keys % (2 * self.n_buckets), minlength=2 * self.n_buckets)

    @property
    def n_features_out_(self) -> int:
        """Columns of :meth:`transform`'s output."""
        return int(self.buckets_.size) + (len(DENSE_NAMES) if self.dense else 0)

    def violent_word_column(self) -> int | None:
        """The column set when a comment has a violent word (the ``violent`` cue)."""
        return self._english_signal_column("violent")

    def promotion_column(self) -> int | None:
        """The column set when a comment promotes something (:mod:`.promotion`)."""
        return self._english_signal_column("promotion")

    def _english_signal_column(self, name: str) -> int | None:
        """The column of dense signal ``name``, or ``None`` when this featuriser has no dense
        signals or is not English (the violent and promotional words are English stems)."""
        require_fitted(self, "buckets_")
        if not self.dense or self.stem_language != "en":
            return None
        return int(self.buckets_.size) + DENSE_NAMES.index(name)

    # -- the n-grams of a batch ----------------------------------------------------------

    def _memo(self) -> ChunkMemo:
        memo = getattr(self, "_chunk_memo", None)
        if memo is None or not memo.fits(self):
            memo = ChunkMemo(self, CHUNK_MEMO_SIZE)
            self._chunk_memo = memo
        return memo

    def batch_grams(self, normalised: Sequence[str]) -> BatchGrams:
        """The fitted n-grams of normalised texts, in the order explanations credit them."""
        require_fitted(self, "idf_")
        chunk_lists = [text.split() for text in normalised]
        n_rows = len(chunk_lists)
        chunk_counts = np.fromiter(map(len, chunk_lists), dtype=np.int64, count=n_rows)
        chunks = list(itertools.chain.from_iterable(chunk_lists))
        chunk_rows = np.repeat(np.arange(n_rows, dtype=np.int32), chunk_counts)
        found = self._memo().gather(chunks, self)
        token_rows = np.repeat(chunk_rows, found.token_lengths)
        if self.word_ngram_max < 2:
            bigrams, bigram_rows = np.zeros(0, np.uint64), np.zeros(0, np.int64)
        else:
            bigrams, bigram_rows = bigram_hashes(found.token_hashes, token_rows)
        return BatchGrams(
            token_rows=token_rows,
            token_hashes=found.token_hashes,
            token_columns=found.token_columns,
            token_classes=found.token_classes,
            bigram_rows=bigram_rows,
            bigram_columns=self._word_columns(bigrams),
            char_rows=np.repeat(chunk_rows, found.char_lengths),
            char_columns=found.char_columns,
            char_chunks=np.repeat(np.arange(len(chunks)), found.char_lengths),
            token_counts=np.bincount(token_rows, minlength=n_rows),
            chunk_counts=chunk_counts,
            char_counts=np.bincount(chunk_rows, found.char_lengths, n_rows).astype(np.int64),
            token_strings=found.token_strings,
            chunk_strings=found.chunk_strings,
            dense_strings=found.dense_strings,
            strings=found.strings,
        )

    # -- transforming --------------------------------------------------------------------

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """TF-IDF rows (word and char blocks each L2-normalised), then dense signals."""
        check_is_fitted(self, "idf_")
        raw = [str(text) for text in texts]
        return self._transform(raw, normalise_batch(raw))[0]

    def transform_normalised(self, raw: Sequence[str], normalised: Sequence[str]) -> sp.csr_matrix:
        """Like :meth:`transform` for texts already passed through :func:`normalise`."""
        check_is_fitted(self, "idf_")
        return self._transform(list(raw), [t.replace("\x00", " ") for t in normalised])[0]

    def transform_with_grams(
        self, texts: Sequence[str], normalised: Sequence[str] | None = None
    ) -> tuple[sp.csr_matrix, BatchGrams]:
        """:meth:`transform`, and the batch's n-grams for :meth:`batch_spans`; ``normalised``:
        the texts' :func:`normalise_batch`, when the caller has it already."""
        require_fitted(self, "idf_")
        raw = [str(text) for text in texts]
        return self._transform(raw, list(normalised) if normalised else normalise_batch(raw))

    def _tfidf(self, grams: BatchGrams, n_rows: int) -> tuple[np.ndarray, ...]:
        """CSR arrays (indptr, indices, data) of the TF-IDF block of a batch's n-grams, and
        each row's number of word n-gram entries."""
        token_known = grams.token_columns >= 0
        bigram_known = grams.bigram_columns >= 0
        rows = np.concatenate(
            (grams.token_rows[token_known], grams.bigram_rows[bigram_known], grams.char_rows)
        )
        columns = np.concatenate(
            (
                grams.token_columns[token_known],
                grams.bigram_columns[bigram_known],
                grams.char_columns,
            )
        )
        n_columns = max(int(self.buckets_.size), 1)
        indptr, indices, counts, entry_rows = count_entries(rows, columns, n_rows, n_columns)
        word_entries = np.bincount(entry_rows[indices < self.n_word_features_], minlength=n_rows)
        data = tfidf_values(
            counts,
            indices,
            entry_rows,
            n_rows,
            idf=self.idf_,
            n_word_columns=self.n_word_features_,
            sublinear_tf=self.sublinear_tf,
        )
        return indptr, indices, data, word_entries

    def _transform(self, raw: list[str], normalised: list[str]) -> tuple[sp.csr_matrix, BatchGrams]:
        n_rows = len(normalised)
        grams = self.batch_grams(normalised)
        indptr, indices, data, word_entries = self._tfidf(grams, n_rows)
        n_columns = int(self.buckets_.size)
        if not self.dense:
            matrix = sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_columns))
            return matrix, grams
        signals = dense_signals(
            raw, grams.token_hashes, grams.token_counts, grams.token_classes, word_entries
        )
        return with_dense_columns(indptr, indices, data, signals, n_columns), grams

    # -- explanations --------------------------------------------------------------------

    def batch_spans(self, grams: BatchGrams, rows: Sequence[int]) -> BatchSpans:
        """The fitted n-grams of some documents of a batch, each credited to a word (char
        n-grams: the whitespace-separated word they sit in) or word pair, for explanations.

        Parameters
        ----------
        grams : BatchGrams
            :meth:`batch_grams` of the whole batch.
        rows : sequence of int
            The documents to explain, in the order wanted.

        Returns
        -------
        BatchSpans
            Per document (in the order of ``rows``): its tokens, then its word pairs, then the
            char n-grams word by word (by length, then position), as :meth:`feature_spans`.
        """
        return batch_spans(
            grams, rows, word_ngram_max=self.word_ngram_max, n_columns=int(self.buckets_.size)
        )

    def feature_spans(self, text: str) -> list[tuple[int, str]]:
        """Columns of one comment's n-grams with the word (or word pair) each belongs to.

        Char n-grams are credited to the word they sit in, so reasons read as words, not
        fragments. Used by explanations.
        """
        check_is_fitted(self, "idf_")
        normalised = [normalise(text)]
        spans = self.batch_spans(self.batch_grams(normalised), [0])
        return [
            (column, spans.text(label))
            for column, label in zip(spans.columns.tolist(), spans.labels.tolist(), strict=True)
        ]
