"""Featurise comments: hashed word 1-2-grams and character 2-5-grams, TF-IDF, dense signals.

The n-grams are hashed in NumPy over a whole batch at once (no Python loop per n-gram), which
is what makes scoring fast; the only fitted state is the set of hash buckets seen in training
and their idf, two plain arrays that load the same under any library version. Matches of two
n-grams on one bucket are possible but rare at the default ``2**22`` buckets.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from moderation.normalise import URL_TOKEN, normalise

# Words, placeholders, emoji and runs of punctuation: TweetTokenizer's families, one regex.
TOKEN_PATTERN = re.compile(
    r"_(?:url|email|user|num)_|[^\W\d_]+(?:['’][^\W\d_]+)*|\d+|#\w+"
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF]|[!?]+|[^\w\s]"
)
_PRIME = np.uint64(0x100000001B3)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_WORD_SEED = np.uint64(0x9E3779B97F4A7C15)
_CHAR_SEED = np.uint64(0x632BE59BD9B4E019)
DENSE_NAMES = ("links", "capitals", "repetition", "exclamations", "length", "digits")


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads polynomial hashes evenly over the buckets."""
    values = values ^ (values >> np.uint64(30))
    values = values * _MIX_1
    values = values ^ (values >> np.uint64(27))
    values = values * _MIX_2
    return values ^ (values >> np.uint64(31))


def _powers(length: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.cumprod(np.full(max(length, 1), _PRIME, dtype=np.uint64)) // _PRIME


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def hash_strings(strings: Sequence[str], seed: np.uint64) -> np.ndarray:
    """Hash each string the way the batch featuriser hashes an n-gram of the same text.

    >>> hash_strings(["kill", "kill"], _CHAR_SEED)[0] == hash_strings(["kill"], _CHAR_SEED)[0]
    True
    """
    lengths = np.fromiter((len(s) for s in strings), dtype=np.int64, count=len(strings))
    codes = _codepoints("".join(strings))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    position = np.arange(codes.size) - np.repeat(starts, lengths)
    with np.errstate(over="ignore"):
        terms = codes * _powers(int(lengths.max(initial=1)))[position]
        sums = np.add.reduceat(terms, starts) if codes.size else np.zeros(0, np.uint64)
    sums = np.where(lengths > 0, sums, np.uint64(0))
    return _mix(sums ^ (seed + lengths.astype(np.uint64)))


@dataclass(frozen=True, slots=True)
class HashedGrams:
    """Rows (documents) and hashes of every n-gram occurrence in a batch."""

    rows: np.ndarray
    hashes: np.ndarray


def word_grams(token_lists: Sequence[Sequence[str]], max_n: int) -> HashedGrams:
    """Hash word 1..max_n-grams of tokenised documents (max_n is 1 or 2)."""
    counts = np.fromiter((len(t) for t in token_lists), dtype=np.int64, count=len(token_lists))
    flat = [token for tokens in token_lists for token in tokens]
    if not flat:
        empty = np.zeros(0, np.int64)
        return HashedGrams(empty, empty.astype(np.uint64))
    unigram = hash_strings(flat, _WORD_SEED)
    rows = np.repeat(np.arange(len(token_lists)), counts)
    all_rows, all_hashes = [rows], [unigram]
    if max_n >= 2 and unigram.size > 1:
        same_doc = rows[1:] == rows[:-1]
        with np.errstate(over="ignore"):
            bigram = _mix(unigram[:-1] * _PRIME + unigram[1:] + _WORD_SEED)
        all_rows.append(rows[1:][same_doc])
        all_hashes.append(bigram[same_doc])
    return HashedGrams(np.concatenate(all_rows), np.concatenate(all_hashes))


def char_grams(texts: Sequence[str], min_n: int, max_n: int) -> HashedGrams:
    """Hash character min_n..max_n-grams inside word boundaries (like ``char_wb``).

    Each word is padded with one space on both sides; n-grams never cross a word.
    """
    padded = [" " + " ".join(text.split()) + " " for text in texts]
    lengths = np.fromiter((len(p) + 1 for p in padded), dtype=np.int64, count=len(padded))
    codes = _codepoints("\x00".join(padded) + "\x00")
    size = codes.size
    is_space = codes == 32
    is_break = codes == 0
    space_sum = np.concatenate(([0], np.cumsum(is_space)))
    break_sum = np.concatenate(([0], np.cumsum(is_break)))
    row_of = np.repeat(np.arange(len(padded)), lengths)
    powers = _powers(max_n)
    all_rows, all_hashes = [], []
    running = np.zeros(size, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for n in range(1, max_n + 1):
            count = size - n + 1
            if count <= 0:
                break
            running = running[:count] + codes[n - 1 : n - 1 + count] * powers[n - 1]
            if n < min_n:
                continue
            start = np.arange(count)
            spaces = space_sum[start + n] - space_sum[start]
            interior = spaces - is_space[start] - is_space[start + n - 1]
            valid = (break_sum[start + n] == break_sum[start]) & (interior == 0) & (spaces < n)
            all_rows.append(row_of[start[valid]])
            all_hashes.append(_mix(running[valid] ^ (_CHAR_SEED + np.uint64(n))))
    if not all_rows:
        empty = np.zeros(0, np.int64)
        return HashedGrams(empty, empty.astype(np.uint64))
    return HashedGrams(np.concatenate(all_rows), np.concatenate(all_hashes))


def tokenize(text: str) -> list[str]:
    """Split normalised text into words, placeholders, emoji and punctuation runs."""
    return TOKEN_PATTERN.findall(text)


def dense_signals(raw_texts: Sequence[str], normalised: Sequence[str]) -> np.ndarray:
    """A few scaled signals n-grams miss: links, shouting, repetition, length, digits."""
    out = np.zeros((len(raw_texts), len(DENSE_NAMES)), dtype=np.float64)
    for i, (raw, norm) in enumerate(zip(raw_texts, normalised, strict=True)):
        letters = sum(ch.isalpha() for ch in raw)
        upper = sum(ch.isupper() for ch in raw)
        tokens = norm.split()
        out[i] = (
            min(norm.count(URL_TOKEN), 3) / 3,
            upper / letters if letters >= 8 else 0.0,
            1 - len(set(tokens)) / len(tokens) if len(tokens) >= 4 else 0.0,
            min(raw.count("!"), 10) / 10,
            min(math.log1p(len(raw)) / 8, 1.0),
            sum(ch.isdigit() for ch in raw) / max(len(raw), 1),
        )
    return out


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

    Attributes
    ----------
    buckets_ : ndarray of int64
        Sorted hash buckets kept after fitting (word buckets, then char buckets offset by
        ``n_buckets``); column ``j`` of the output is ``buckets_[j]``.
    idf_ : ndarray of float32
        Inverse document frequency of each kept bucket.
    n_word_features_ : int
        How many of the kept buckets are word n-grams.

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
    ) -> None:
        self.word_ngram_max = word_ngram_max
        self.char_ngram_range = char_ngram_range
        self.n_buckets = n_buckets
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.dense = dense

    def _check_params(self) -> None:
        low, high = self.char_ngram_range
        if self.word_ngram_max not in (1, 2):
            raise ValueError(f"word_ngram_max={self.word_ngram_max!r}: use 1 or 2")
        if not 1 <= low <= high <= 8:
            raise ValueError(
                f"char_ngram_range={self.char_ngram_range!r}: use 1 <= low <= high <= 8"
            )
        if not 2**10 <= self.n_buckets <= 2**31:
            raise ValueError(f"n_buckets={self.n_buckets!r}: use a value in [2**10, 2**31]")

    def _bucket_counts(self, normalised: Sequence[str]) -> sp.csr_matrix:
        """Occurrence counts per (document, bucket); char buckets offset by n_buckets."""
        tokens = [tokenize(text) for text in normalised]
        words = word_grams(tokens, self.word_ngram_max)
        chars = char_grams(normalised, *self.char_ngram_range)
        size = np.uint64(self.n_buckets)
        rows = np.concatenate((words.rows, chars.rows))
        columns = np.concatenate(
            (
                (words.hashes % size).astype(np.int64),
                (chars.hashes % size).astype(np.int64) + self.n_buckets,
            )
        )
        data = np.ones(rows.size, dtype=np.float32)
        shape = (len(normalised), 2 * self.n_buckets)
        matrix = sp.csr_matrix((data, (rows, columns)), shape=shape)
        matrix.sum_duplicates()
        return matrix

    def fit(self, texts: Sequence[str], y: object = None) -> CommentFeaturiser:
        """Learn which buckets occur in at least ``min_df`` comments, and their idf."""
        self._check_params()
        normalised = [normalise(text) for text in texts]
        counts = self._bucket_counts(normalised)
        document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
        kept = np.flatnonzero(document_frequency >= self.min_df)
        n_documents = len(normalised)
        idf = np.log((1 + n_documents) / (1 + document_frequency[kept])) + 1
        self.buckets_ = kept.astype(np.int64)
        self.idf_ = idf.astype(np.float32)
        self.n_word_features_ = int(np.searchsorted(kept, self.n_buckets))
        return self

    @property
    def n_features_out_(self) -> int:
        """Columns of :meth:`transform`'s output."""
        return int(self.buckets_.size) + (len(DENSE_NAMES) if self.dense else 0)

    def _columns(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Keep the fitted buckets, renumbered to 0..len(buckets_)-1."""
        positions = np.searchsorted(self.buckets_, counts.indices)
        positions = np.minimum(positions, self.buckets_.size - 1)
        known = self.buckets_[positions] == counts.indices
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        return sp.csr_matrix(
            (counts.data[known], (rows[known], positions[known])),
            shape=(counts.shape[0], self.buckets_.size),
        )

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """TF-IDF rows (word and char blocks each L2-normalised), then dense signals."""
        check_is_fitted(self, "idf_")
        raw = [str(text) for text in texts]
        normalised = [normalise(text) for text in raw]
        return self.transform_normalised(raw, normalised)

    def transform_normalised(self, raw: Sequence[str], normalised: Sequence[str]) -> sp.csr_matrix:
        """Like :meth:`transform` for texts already passed through :func:`normalise`."""
        check_is_fitted(self, "idf_")
        matrix = self._columns(self._bucket_counts(normalised)).astype(np.float32)
        if self.sublinear_tf:
            np.log(matrix.data, out=matrix.data)
            matrix.data += 1
        matrix = matrix.multiply(self.idf_[np.newaxis, :]).tocsr()
        is_word = np.arange(self.buckets_.size) < self.n_word_features_
        column_is_word = is_word[matrix.indices]
        squares = matrix.data.astype(np.float64) ** 2
        rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        word_norm = np.sqrt(np.bincount(rows, squares * column_is_word, matrix.shape[0]))
        char_norm = np.sqrt(np.bincount(rows, squares * ~column_is_word, matrix.shape[0]))
        norms = np.where(column_is_word, word_norm[rows], char_norm[rows])
        matrix.data /= np.maximum(norms, 1e-12).astype(np.float32)
        if not self.dense:
            return matrix
        signals = sp.csr_matrix(dense_signals(raw, normalised).astype(np.float32))
        return sp.hstack((matrix, signals), format="csr")

    def feature_spans(self, text: str) -> list[tuple[int, str]]:
        """Columns of one comment's n-grams with the word (or word pair) each belongs to.

        Char n-grams are credited to the word they sit in, so reasons read as words, not
        fragments. Used by explanations.
        """
        check_is_fitted(self, "idf_")
        normalised = normalise(text)
        tokens = tokenize(normalised)
        grams: list[tuple[int, str]] = []
        size = self.n_buckets
        unigram = hash_strings(tokens, _WORD_SEED) if tokens else np.zeros(0, np.uint64)
        for token, value in zip(tokens, unigram, strict=True):
            grams.append((int(value % np.uint64(size)), token))
        if self.word_ngram_max >= 2 and len(tokens) > 1:
            with np.errstate(over="ignore"):
                bigram = _mix(unigram[:-1] * _PRIME + unigram[1:] + _WORD_SEED)
            for i, value in enumerate(bigram):
                grams.append((int(value % np.uint64(size)), f"{tokens[i]} {tokens[i + 1]}"))
        low, high = self.char_ngram_range
        for word in normalised.split():
            padded = f" {word} "
            pieces = [
                padded[i : i + n]
                for n in range(low, high + 1)
                for i in range(len(padded) - n + 1)
                if padded[i : i + n].strip() and " " not in padded[i + 1 : i + n - 1]
            ]
            for value in hash_strings(pieces, _CHAR_SEED) if pieces else ():
                grams.append((int(value % np.uint64(size)) + size, word))
        positions = np.searchsorted(self.buckets_, [bucket for bucket, _ in grams])
        result = []
        for (bucket, label), position in zip(grams, positions, strict=True):
            if position < self.buckets_.size and self.buckets_[position] == bucket:
                result.append((int(position), label))
        return result
