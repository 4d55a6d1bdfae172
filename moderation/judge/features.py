"""Featurise comments: hashed word 1-2-grams and character 2-5-grams, TF-IDF, dense signals.

The n-grams are hashed in NumPy over a whole batch at once (no Python loop per n-gram), which
is what makes scoring fast; the only fitted state is the set of hash buckets seen in training
and their idf, two plain arrays that load the same under any library version. Matches of two
n-grams on one bucket are possible but rare at the default ``2**22`` buckets.

Scoring speed comes from three things, none of which changes the output (pinned bit for bit
against the first implementation by ``tests/pipeline/test_speed_equivalence.py``):

- tokens and char n-grams never cross whitespace, so they are worked out once per distinct
  whitespace-separated chunk and remembered (``_ChunkMemo``); a batch only hashes the chunks it
  has not seen;
- the sparse matrix is built directly: one sort of integer (row, column) keys gives the counts
  in canonical CSR order, and TF-IDF and the two per-block norms are computed with the same
  float operations, in the same order, as the scipy code it replaced;
- explanations (:meth:`CommentFeaturiser.batch_spans`) credit the n-grams of a whole batch's
  flagged comments to words with integer keys, instead of re-featurising each comment.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from moderation.hashing import PRIME, codepoints, hash_strings, mix64, powers, ragged_indices
from moderation.normalise import URL_TOKEN, normalise, normalise_batch

# Words, placeholders, emoji and runs of punctuation: TweetTokenizer's families, one regex.
TOKEN_PATTERN = re.compile(
    r"_(?:url|email|user|num)_|[^\W\d_]+(?:['’][^\W\d_]+)*|\d+|#\w+"
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF]|[!?]+|[^\w\s]"
)
_WORD_SEED = np.uint64(0x9E3779B97F4A7C15)
_CHAR_SEED = np.uint64(0x632BE59BD9B4E019)
DENSE_NAMES = ("links", "capitals", "repetition", "exclamations", "length", "digits")


@dataclass(frozen=True, slots=True)
class HashedGrams:
    """Rows (documents) and hashes of every n-gram occurrence in a batch."""

    rows: np.ndarray
    hashes: np.ndarray


def word_grams(tokens: Sequence[str], counts: np.ndarray, max_n: int) -> HashedGrams:
    """Hash word 1..max_n-grams (max_n is 1 or 2) of a batch's tokens, ``counts`` per document."""
    if not tokens:
        empty = np.zeros(0, np.int64)
        return HashedGrams(empty, empty.astype(np.uint64))
    unigram = hash_strings(tokens, _WORD_SEED)
    rows = np.repeat(np.arange(counts.size), counts)
    all_rows, all_hashes = [rows], [unigram]
    if max_n >= 2 and unigram.size > 1:
        same_doc = rows[1:] == rows[:-1]
        with np.errstate(over="ignore"):
            bigram = mix64(unigram[:-1] * PRIME + unigram[1:] + _WORD_SEED)
        all_rows.append(rows[1:][same_doc])
        all_hashes.append(bigram[same_doc])
    return HashedGrams(np.concatenate(all_rows), np.concatenate(all_hashes))


def _char_hashes(codes: np.ndarray, row_of: np.ndarray, min_n: int, max_n: int) -> HashedGrams:
    """Char n-grams of padded words whose code points are ``codes`` (spaces between words and
    on both ends, NUL after each document; ``row_of`` gives each position's document).

    An n-gram starting at ``s`` is kept when it stays inside one document, has no space inside
    and is not all spaces: it may end at most on the first space after ``s`` (or just before the
    first NUL), so each start needs one bound, ``longest``, and each length one comparison.
    """
    size = codes.size
    is_space = codes == 32
    positions = np.arange(size)
    stops = np.where(is_space | (codes == 0), positions, size)
    next_stop = np.append(np.minimum.accumulate(stops[::-1])[::-1][1:], size)
    ends_on_space = np.append(is_space, False)[next_stop]
    longest = next_stop - positions + ends_on_space.astype(np.int64)
    longest[codes == 0] = 0
    weights = powers(max_n)
    all_rows, all_hashes = [], []
    starts = np.flatnonzero(longest >= 1)
    with np.errstate(over="ignore"):
        running = codes[starts].copy()
        for n in range(1, max_n + 1):
            if n > 1:
                keep = longest[starts] >= n
                starts = starts[keep]
                running = running[keep] + codes[starts + n - 1] * weights[n - 1]
            if n < min_n:
                continue
            if n == 1:  # a lone space is all spaces
                valid = ~is_space[starts]
            elif n == 2:  # two spaces: the padding of an empty document
                valid = ~(is_space[starts] & is_space[starts + 1])
            else:
                valid = slice(None)
            all_rows.append(row_of[starts[valid]])
            all_hashes.append(mix64(running[valid] ^ (_CHAR_SEED + np.uint64(n))))
    if not all_rows:
        empty = np.zeros(0, np.int64)
        return HashedGrams(empty, empty.astype(np.uint64))
    return HashedGrams(np.concatenate(all_rows), np.concatenate(all_hashes))


def _padded_codes(words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Code points of ``" " + text + " "`` per text, each followed by a NUL; and each
    position's document. ``words`` must already have single spaces between words."""
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 3
    codes = codepoints(" " + " \x00 ".join(words) + " \x00") if words else np.zeros(0, np.uint64)
    return codes, np.repeat(np.arange(len(words)), lengths)


def char_grams(texts: Sequence[str], min_n: int, max_n: int) -> HashedGrams:
    """Hash character min_n..max_n-grams inside word boundaries (like ``char_wb``).

    Each word is padded with one space on both sides; n-grams never cross a word.
    """
    codes, row_of = _padded_codes([" ".join(text.split()) for text in texts])
    return _char_hashes(codes, row_of, min_n, max_n)


def tokenize(text: str) -> list[str]:
    """Split normalised text into words, placeholders, emoji and punctuation runs."""
    return TOKEN_PATTERN.findall(text)


def tokenize_batch(normalised: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Tokens of a whole batch in one regex pass, and how many belong to each document."""
    tokens = TOKEN_PATTERN.findall("\x00".join(normalised) + "\x00")  # NUL is its own token
    ends = np.flatnonzero(np.fromiter((t == "\x00" for t in tokens), dtype=bool, count=len(tokens)))
    counts = np.diff(np.concatenate(([-1], ends))) - 1
    return [t for t in tokens if t != "\x00"], counts


def _in_ranges(codes: np.ndarray, ranges: Sequence[tuple[int, int]]) -> np.ndarray:
    mask = np.zeros(codes.size, dtype=bool)
    for low, high in ranges:
        mask |= (codes >= low) & (codes <= high)
    return mask


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


def _dense_signals(
    raw_texts: Sequence[str],
    normalised: Sequence[str],
    token_hashes: np.ndarray,
    counts: np.ndarray,
) -> np.ndarray:
    """:func:`dense_signals` given the tokens' word hashes instead of the tokens."""
    n = len(raw_texts)
    lengths = np.fromiter(map(len, raw_texts), dtype=np.int64, count=n)
    codes = codepoints("".join(raw_texts))
    doc = np.repeat(np.arange(n), lengths)
    classes = _LETTER_TABLE[np.minimum(codes, 0xD800)]
    n_letters = np.bincount(doc, weights=(classes & _IS_LETTER) != 0, minlength=n)
    n_upper = np.bincount(doc, weights=(classes & _IS_UPPER) != 0, minlength=n)
    n_digits = np.bincount(doc, weights=(codes >= 48) & (codes <= 57), minlength=n)
    n_exclamations = np.bincount(doc, weights=codes == 33, minlength=n)
    rows = np.repeat(np.arange(n), counts)
    keys = np.sort((rows.astype(np.uint64) << np.uint64(40)) | (token_hashes >> np.uint64(24)))
    n_distinct = np.bincount((_distinct(keys) >> np.uint64(40)).astype(np.int64), minlength=n)
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

    Computed for the whole batch at once from code points (case and letters approximated
    for the Latin, Greek and Cyrillic scripts).
    """
    hashes = hash_strings(tokens, _WORD_SEED) if tokens else np.zeros(0, np.uint64)
    return _dense_signals(raw_texts, normalised, hashes, np.asarray(counts, dtype=np.int64))


def _distinct(keys: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array (``np.unique`` without its hashing)."""
    first = np.ones(keys.size, dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    return keys[first]


def _in_document_order(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """Interleave parts document by document: a document's items of the first part, then of
    the second, and so on. Each part is (places, values, items per place), its places in
    ascending order; values may have leading axes (the last one runs over the items)."""
    totals = sum(counts for _, _, counts in parts)
    start = np.cumsum(totals) - totals
    size = int(np.sum(totals))
    first = parts[0][1]
    places_out = np.empty(size, dtype=np.int64)
    values_out = np.empty(first.shape[:-1] + (size,), dtype=first.dtype)
    before = np.zeros_like(start)
    for places, values, counts in parts:
        rank = np.arange(places.size) - (np.cumsum(counts) - counts)[places]
        at = start[places] + before[places] + rank
        places_out[at] = places
        values_out[..., at] = values
        before = before + counts
    return places_out, values_out


class _Growing:
    """A NumPy array that grows by doubling (amortised appends)."""

    def __init__(self, dtype: type, first: int | None = None) -> None:
        self.data = np.empty(1024, dtype=dtype)
        self.size = 0
        if first is not None:
            self.extend(np.array([first], dtype=dtype))

    def extend(self, values: np.ndarray) -> None:
        end = self.size + values.size
        if end > self.data.size:
            grown = np.empty(max(end, 2 * self.data.size), dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : end] = values
        self.size = end

    def view(self) -> np.ndarray:
        return self.data[: self.size]


_DENSE_LABELS = [f"[{name}]" for name in DENSE_NAMES]

# Distinct chunks remembered per featuriser before the memo starts again (at most ~55 MB).
CHUNK_MEMO_SIZE = 1 << 17


class _ChunkMemo:
    """What each whitespace-separated chunk of normalised text contributes, computed once.

    A token never contains whitespace, so a text's tokens are its chunks' tokens in order, and
    char n-grams stay inside a chunk by definition: both can be worked out per distinct chunk
    and reused. Comments repeat most of their chunks ("the", "is", "Putin"), so a batch only
    hashes the few it has not seen. Stored per chunk: its tokens' word hashes and columns (-1
    when not fitted), and the columns of its fitted char n-grams in the order of
    :meth:`CommentFeaturiser.feature_spans` (by length, then position). Chunk and token texts
    are also numbered (``strings``), so explanations can group n-grams by word with integers.
    """

    def __init__(self, featuriser: CommentFeaturiser) -> None:
        self.buckets = featuriser.buckets_
        self.params = featuriser.get_params()
        self.lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        # New objects, not cleared ones: a batch still holding the old list keeps valid numbers.
        self.strings: list[str] = []
        self.string_ids: dict[str, int] = {}
        self.dense_strings = self._number(_DENSE_LABELS)
        self.ids: dict[str, int] = {}
        self.chunk_strings = _Growing(np.int64)
        self.token_strings = _Growing(np.int64)
        self.token_start = _Growing(np.int64, 0)
        self.token_hashes = _Growing(np.uint64)
        self.token_columns = _Growing(np.int32)
        self.char_start = _Growing(np.int64, 0)
        self.char_columns = _Growing(np.int32)

    def _number(self, texts: list[str]) -> np.ndarray:
        """The number of each text in ``strings``, adding new ones."""
        table = self.string_ids
        new = [text for text in dict.fromkeys(texts) if text not in table]
        table.update(zip(new, range(len(self.strings), len(self.strings) + len(new)), strict=True))
        self.strings.extend(new)
        return np.fromiter(map(table.__getitem__, texts), np.int64, len(texts))

    def fits(self, featuriser: CommentFeaturiser) -> bool:
        return featuriser.buckets_ is self.buckets and featuriser.get_params() == self.params

    def _add(self, chunks: list[str], featuriser: CommentFeaturiser) -> None:
        lookup = featuriser._lookup()
        tokens, counts = tokenize_batch(chunks)
        hashes = hash_strings(tokens, _WORD_SEED) if tokens else np.zeros(0, np.uint64)
        self.token_hashes.extend(hashes)
        self.token_strings.extend(self._number(tokens))
        self.chunk_strings.extend(self._number(chunks))
        self.token_columns.extend(lookup[featuriser._word_buckets(hashes)])
        self.token_start.extend(self.token_start.view()[-1] + np.cumsum(counts))
        codes, row_of = _padded_codes(chunks)
        grams = _char_hashes(codes, row_of, *featuriser.char_ngram_range)
        columns = lookup[featuriser._char_buckets(grams.hashes)]
        known = columns >= 0
        rows = grams.rows[known]
        order = np.argsort(rows, kind="stable")
        self.char_columns.extend(columns[known][order])
        per_chunk = np.bincount(rows, minlength=len(chunks))
        self.char_start.extend(self.char_start.view()[-1] + np.cumsum(per_chunk))
        self.ids.update(zip(chunks, range(len(self.ids), len(self.ids) + len(chunks)), strict=True))

    def resolve(self, chunks: list[str], featuriser: CommentFeaturiser) -> np.ndarray:
        """Ids of ``chunks``, adding those not seen yet (call with ``lock`` held)."""
        found = list(map(self.ids.get, chunks))
        if None in found:
            missing = list(
                dict.fromkeys(c for c, i in zip(chunks, found, strict=True) if i is None)
            )
            if len(self.ids) + len(missing) > CHUNK_MEMO_SIZE:
                self._reset()
                missing = list(dict.fromkeys(chunks))
            if missing:
                self._add(missing, featuriser)
            found = list(map(self.ids.__getitem__, chunks))
        return np.fromiter(found, dtype=np.int64, count=len(found))


@dataclass(frozen=True, slots=True)
class BatchGrams:
    """The fitted n-grams of a batch, in the order explanations credit them.

    Tokens, word bigrams and char n-grams each row-major; ``*_rows`` give the document,
    ``*_columns`` the output column (-1 when the n-gram was not seen in training; char n-grams
    not seen are left out) and ``char_chunks`` the index of the whitespace-separated chunk
    (within all the batch's chunks) that a char n-gram lies in. ``token_strings`` and
    ``chunk_strings`` number each token's and chunk's text in ``strings`` (``dense_strings``:
    the ``"[signal]"`` names), so that equal texts have equal numbers.
    """

    token_rows: np.ndarray
    token_hashes: np.ndarray
    token_columns: np.ndarray
    bigram_rows: np.ndarray
    bigram_columns: np.ndarray
    char_rows: np.ndarray
    char_columns: np.ndarray
    char_chunks: np.ndarray
    token_counts: np.ndarray
    chunk_counts: np.ndarray
    char_counts: np.ndarray
    token_strings: np.ndarray
    chunk_strings: np.ndarray
    dense_strings: np.ndarray
    strings: list[str]


@dataclass(frozen=True, slots=True)
class BatchSpans:
    """Fitted n-grams of some documents, each credited to a word or word pair.

    Attributes
    ----------
    documents : ndarray of int64
        The documents (batch rows), in the order asked for; a document's *place* is its
        position here.
    rows, columns : ndarray of int64
        Document and output column of each n-gram: documents in the order asked for and,
        within one, in the order of :meth:`CommentFeaturiser.feature_spans`.
    labels : ndarray of int64
        The label (a word or word pair of one document) each n-gram is credited to.
    label_places : ndarray of int64
        Each label's document (its place).
    label_keys : ndarray of int64
        Each label's text: its number in ``strings``, or ``(first + 1) << 32 | second`` for a
        word pair; see :meth:`text`.
    strings : list of str
        Texts of tokens and chunks, by number.
    dense_labels : ndarray of int64, shape (documents, len(DENSE_NAMES))
        Each document's labels ``"[links]"``, ``"[capitals]"``... for the dense signals.
    n_columns : int
        Output columns that are n-grams (the dense signals follow).
    """

    documents: np.ndarray
    rows: np.ndarray
    columns: np.ndarray
    labels: np.ndarray
    label_places: np.ndarray
    label_keys: np.ndarray
    strings: list[str]
    dense_labels: np.ndarray
    n_columns: int

    def text(self, label: int) -> str:
        """The word or word pair of a label."""
        key = int(self.label_keys[label])
        if key >> 32:
            return f"{self.strings[(key >> 32) - 1]} {self.strings[key & 0xFFFFFFFF]}"
        return self.strings[key]


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
    ) -> None:
        self.word_ngram_max = word_ngram_max
        self.char_ngram_range = char_ngram_range
        self.n_buckets = n_buckets
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.dense = dense

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_lookup_table", None)
        state.pop("_chunk_memo", None)
        return state

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

    def _word_buckets(self, hashes: np.ndarray) -> np.ndarray:
        size = self.n_buckets
        if size & (size - 1) == 0:  # a power of two: the same as the remainder, faster
            return (hashes & np.uint64(size - 1)).astype(np.int64)
        return (hashes % np.uint64(size)).astype(np.int64)

    def _char_buckets(self, hashes: np.ndarray) -> np.ndarray:
        return self._word_buckets(hashes) + self.n_buckets

    def _bigram_hashes(self, hashes: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Word bigram hashes of consecutive tokens of one document, and their documents."""
        if self.word_ngram_max < 2 or hashes.size < 2:
            empty = np.zeros(0, np.int64)
            return empty.astype(np.uint64), empty
        same_doc = rows[1:] == rows[:-1]
        with np.errstate(over="ignore"):
            bigram = mix64(hashes[:-1] * PRIME + hashes[1:] + _WORD_SEED)
        return bigram[same_doc], rows[1:][same_doc]

    def fit(self, texts: Sequence[str], y: object = None) -> CommentFeaturiser:
        """Learn which buckets occur in at least ``min_df`` comments, and their idf."""
        self._check_params()
        normalised = normalise_batch([str(text) for text in texts])
        tokens, counts = tokenize_batch(normalised)
        words = word_grams(tokens, counts, self.word_ngram_max)
        chars = char_grams(normalised, *self.char_ngram_range)
        rows = np.concatenate((words.rows, chars.rows)).astype(np.int64)
        buckets = np.concatenate(
            (self._word_buckets(words.hashes), self._char_buckets(chars.hashes))
        )
        keys = _distinct(np.sort(rows * (2 * self.n_buckets) + buckets))
        document_frequency = np.bincount(keys % (2 * self.n_buckets), minlength=2 * self.n_buckets)
        kept = np.flatnonzero(document_frequency >= self.min_df)
        n_documents = len(normalised)
        idf = np.log((1 + n_documents) / (1 + document_frequency[kept])) + 1
        self.buckets_ = kept.astype(np.int64)
        self.idf_ = idf.astype(np.float32)
        self.n_word_features_ = int(np.searchsorted(kept, self.n_buckets))
        self.__dict__.pop("_chunk_memo", None)
        self.__dict__.pop("_lookup_table", None)
        return self

    @property
    def n_features_out_(self) -> int:
        """Columns of :meth:`transform`'s output."""
        return int(self.buckets_.size) + (len(DENSE_NAMES) if self.dense else 0)

    def _lookup(self) -> np.ndarray:
        """Column of every hash bucket (-1 where dropped); built once, not part of the model."""
        table = getattr(self, "_lookup_table", None)
        if table is None or table.size != 2 * self.n_buckets:
            table = np.full(2 * self.n_buckets, -1, dtype=np.int32)
            table[self.buckets_] = np.arange(self.buckets_.size, dtype=np.int32)
            self._lookup_table = table
        return table

    def _memo(self) -> _ChunkMemo:
        memo = getattr(self, "_chunk_memo", None)
        if memo is None or not memo.fits(self):
            memo = _ChunkMemo(self)
            self._chunk_memo = memo
        return memo

    def batch_grams(self, normalised: Sequence[str]) -> BatchGrams:
        """The fitted n-grams of normalised texts, in the order explanations credit them."""
        check_is_fitted(self, "idf_")
        chunk_lists = [text.split() for text in normalised]
        chunk_counts = np.fromiter(map(len, chunk_lists), dtype=np.int64, count=len(chunk_lists))
        chunks = list(itertools.chain.from_iterable(chunk_lists))
        chunk_rows = np.repeat(np.arange(len(chunk_lists), dtype=np.int32), chunk_counts)
        memo = self._memo()
        with memo.lock:
            ids = memo.resolve(chunks, self)
            token_start = memo.token_start.view()
            char_start = memo.char_start.view()
            token_lengths = token_start[ids + 1] - token_start[ids]
            tokens = ragged_indices(token_start[ids], token_lengths)
            token_hashes = memo.token_hashes.view()[tokens]
            token_strings = memo.token_strings.view()[tokens]
            token_columns = memo.token_columns.view()[tokens]
            chunk_strings = memo.chunk_strings.view()[ids]
            strings, dense_strings = memo.strings, memo.dense_strings
            char_lengths = char_start[ids + 1] - char_start[ids]
            char_columns = memo.char_columns.view()[ragged_indices(char_start[ids], char_lengths)]
        token_rows = np.repeat(chunk_rows, token_lengths)
        bigrams, bigram_rows = self._bigram_hashes(token_hashes, token_rows)
        return BatchGrams(
            token_rows=token_rows,
            token_hashes=token_hashes,
            token_columns=token_columns,
            bigram_rows=bigram_rows,
            bigram_columns=self._lookup()[self._word_buckets(bigrams)],
            char_rows=np.repeat(chunk_rows, char_lengths),
            char_columns=char_columns,
            char_chunks=np.repeat(np.arange(ids.size), char_lengths),
            token_counts=np.bincount(token_rows, minlength=len(chunk_lists)),
            chunk_counts=chunk_counts,
            char_counts=np.bincount(chunk_rows, char_lengths, len(chunk_lists)).astype(np.int64),
            token_strings=token_strings,
            chunk_strings=chunk_strings,
            dense_strings=dense_strings,
            strings=strings,
        )

    def _tfidf(self, grams: BatchGrams, n_rows: int) -> tuple[np.ndarray, ...]:
        """CSR arrays (indptr, indices, data) of the TF-IDF block: counts per (row, column),
        ``1 + log`` of them times idf, word and char blocks each L2-normalised per row. Indices
        are sorted and the arithmetic is that of the scipy matrices it replaces, in the same
        order, so the values are the same to the last bit."""
        n_columns = max(int(self.buckets_.size), 1)
        dtype = np.int32 if (n_rows + 1) * n_columns < 2**31 else np.int64
        token_known = grams.token_columns >= 0
        bigram_known = grams.bigram_columns >= 0
        rows = np.concatenate(
            (grams.token_rows[token_known], grams.bigram_rows[bigram_known], grams.char_rows)
        ).astype(dtype)
        columns = np.concatenate(
            (
                grams.token_columns[token_known],
                grams.bigram_columns[bigram_known],
                grams.char_columns,
            )
        ).astype(dtype)
        keys = rows * dtype(n_columns)
        keys += columns
        keys.sort()
        first = np.empty(keys.size, dtype=bool)
        first[:1] = True
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        counts = np.diff(starts, append=keys.size)
        keys = keys[starts]
        row_bounds = np.arange(n_rows + 1, dtype=dtype) * dtype(n_columns)
        indptr = np.searchsorted(keys, row_bounds).astype(np.int64)
        entry_rows = np.repeat(np.arange(n_rows, dtype=dtype), np.diff(indptr))
        indices = (keys - entry_rows * dtype(n_columns)).astype(np.int32)
        data = counts.astype(np.float32)
        if self.sublinear_tf:
            np.log(data, out=data)
            data += 1
        data *= self.idf_[indices]
        # Both norms in one pass: bin 2r holds row r's word squares, 2r + 1 its char squares,
        # each summed in index order as the per-block sums of the original.
        column_is_char = indices >= self.n_word_features_
        bins = entry_rows.astype(np.int64) * 2 + column_is_char
        squares = np.square(data, dtype=np.float64)
        norms = np.sqrt(np.bincount(bins, squares, 2 * n_rows))[bins]
        data /= np.maximum(norms, 1e-12).astype(np.float32)
        return indptr, indices, data

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """TF-IDF rows (word and char blocks each L2-normalised), then dense signals."""
        check_is_fitted(self, "idf_")
        raw = [str(text) for text in texts]
        return self._transform(raw, normalise_batch(raw))[0]

    def transform_normalised(self, raw: Sequence[str], normalised: Sequence[str]) -> sp.csr_matrix:
        """Like :meth:`transform` for texts already passed through :func:`normalise`."""
        check_is_fitted(self, "idf_")
        return self._transform(list(raw), [t.replace("\x00", " ") for t in normalised])[0]

    def transform_with_grams(self, texts: Sequence[str]) -> tuple[sp.csr_matrix, BatchGrams]:
        """:meth:`transform`, and the batch's n-grams for :meth:`batch_spans`."""
        check_is_fitted(self, "idf_")
        raw = [str(text) for text in texts]
        return self._transform(raw, normalise_batch(raw))

    def _transform(self, raw: list[str], normalised: list[str]) -> tuple[sp.csr_matrix, BatchGrams]:
        n_rows = len(normalised)
        grams = self.batch_grams(normalised)
        indptr, indices, data = self._tfidf(grams, n_rows)
        n_columns = int(self.buckets_.size)
        if not self.dense:
            matrix = sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_columns))
            return matrix, grams
        signals = _dense_signals(raw, normalised, grams.token_hashes, grams.token_counts)
        signals = signals.astype(np.float32)
        dense_rows, dense_columns = np.nonzero(signals)
        per_row = np.bincount(dense_rows, minlength=n_rows)
        dense_before = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(per_row, out=dense_before[1:])
        total = indices.size + dense_rows.size
        sparse_rows = np.repeat(np.arange(n_rows), np.diff(indptr))
        sparse_at = np.arange(indices.size) + dense_before[sparse_rows]
        dense_at = (
            indptr[dense_rows + 1]
            + dense_before[dense_rows]
            + (np.arange(dense_rows.size) - dense_before[dense_rows])
        )
        all_indices = np.empty(total, dtype=np.int32)
        all_data = np.empty(total, dtype=np.float32)
        all_indices[sparse_at], all_data[sparse_at] = indices, data
        all_indices[dense_at] = dense_columns + n_columns
        all_data[dense_at] = signals[dense_rows, dense_columns]
        matrix = sp.csr_matrix(
            (all_data, all_indices, indptr + dense_before),
            shape=(n_rows, n_columns + len(DENSE_NAMES)),
        )
        return matrix, grams

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
        rows = np.asarray(rows, dtype=np.int64)
        token_counts = grams.token_counts
        bigram_counts = (
            np.maximum(token_counts - 1, 0) if self.word_ngram_max >= 2 else 0 * token_counts
        )
        token_first = np.cumsum(token_counts) - token_counts
        bigram_first = np.cumsum(bigram_counts) - bigram_counts
        chunk_first = np.cumsum(grams.chunk_counts) - grams.chunk_counts
        char_first = np.cumsum(grams.char_counts) - grams.char_counts
        dense_counts = np.full(token_counts.size, len(DENSE_NAMES), dtype=np.int64)

        def ranges(first: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """The selected documents' indices in one row-major part, and their places."""
            places = np.repeat(np.arange(rows.size), counts[rows])
            return ragged_indices(first[rows], counts[rows]), places

        # Units (what n-grams are credited to), per document in order: its tokens, word
        # pairs, chunks and signal names, each as a key: a text's number, or for a pair
        # (first + 1) << 32 | second. Equal keys of one document are one label.
        tokens, token_places = ranges(token_first, token_counts)
        pairs, pair_places = ranges(bigram_first, bigram_counts)
        first_tokens = token_first[rows][pair_places] + pairs - bigram_first[rows][pair_places]
        chunks, chunk_places = ranges(chunk_first, grams.chunk_counts)
        unit_parts = [
            (token_places, grams.token_strings[tokens]),
            (
                pair_places,
                (grams.token_strings[first_tokens] + 1 << 32)
                | grams.token_strings[first_tokens + 1],
            ),
            (chunk_places, grams.chunk_strings[chunks]),
            (
                np.repeat(np.arange(rows.size), len(DENSE_NAMES)),
                np.tile(grams.dense_strings, rows.size),
            ),
        ]
        unit_counts = [token_counts, bigram_counts, grams.chunk_counts, dense_counts]
        unit_places, unit_keys = _in_document_order(
            [(p, k, c[rows]) for (p, k), c in zip(unit_parts, unit_counts, strict=True)]
        )
        distinct_keys, compact = np.unique(unit_keys, return_inverse=True)
        labels, unit_labels = np.unique(
            unit_places * max(distinct_keys.size, 1) + compact, return_inverse=True
        )
        units_per_place = sum(c[rows] for c in unit_counts)
        unit_base = np.cumsum(units_per_place) - units_per_place
        unit_offsets = (0, token_counts, token_counts + bigram_counts)
        dense_units = (unit_base + (token_counts + bigram_counts + grams.chunk_counts)[rows])[
            :, np.newaxis
        ] + np.arange(len(DENSE_NAMES))
        # The n-grams: the selected documents' fitted ones, credited to their unit's label.
        chars, char_places = ranges(char_first, grams.char_counts)
        gram_parts = []
        for (indices, places), part_columns, units, offset in (
            (
                (tokens, token_places),
                grams.token_columns,
                tokens - token_first[rows][token_places],
                0,
            ),
            (
                (pairs, pair_places),
                grams.bigram_columns,
                pairs - bigram_first[rows][pair_places],
                1,
            ),
            (
                (chars, char_places),
                grams.char_columns,
                grams.char_chunks[chars] - chunk_first[rows][char_places],
                2,
            ),
        ):
            columns = part_columns[indices]
            known = columns >= 0
            places, units = places[known], units[known]
            if offset:
                units = units + unit_offsets[offset][rows][places]
            gram_parts.append(
                (places, np.stack((columns[known], unit_labels[unit_base[places] + units])))
            )
        counts = [np.bincount(p, minlength=rows.size) for p, _ in gram_parts]
        span_places, span_values = _in_document_order(
            [(p, v, c) for (p, v), c in zip(gram_parts, counts, strict=True)]
        )
        return BatchSpans(
            documents=rows,
            rows=rows[span_places],
            columns=span_values[0],
            labels=span_values[1],
            label_places=labels // max(distinct_keys.size, 1),
            label_keys=distinct_keys[labels % max(distinct_keys.size, 1)],
            strings=grams.strings,
            dense_labels=unit_labels[dense_units],
            n_columns=int(self.buckets_.size),
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
