"""Credit a batch's fitted n-grams to the words they come from, for explanations.

A token and a word pair are credited to themselves, a char n-gram to the whitespace-separated
word (chunk) it sits in, a dense signal to its ``"[name]"``; so reasons read as words, not
fragments. Everything is keyed by integers (texts are numbered once, in the chunk memo), so a
whole batch's flagged comments are credited at once, without re-featurising any of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from moderation.hashing import ragged_indices
from moderation.judge.arrays import in_document_order
from moderation.judge.signals import DENSE_NAMES


@dataclass(frozen=True, slots=True)
class BatchGrams:
    """The fitted n-grams of a batch, in the order explanations credit them.

    Tokens, word bigrams and char n-grams each row-major (tokens hashed by their stems, with
    their :mod:`.cues` classes); ``*_rows`` give the document,
    ``*_columns`` the output column (-1 when the n-gram was not seen in training; char n-grams
    not seen are left out) and ``char_chunks`` the index of the whitespace-separated chunk
    (within all the batch's chunks) that a char n-gram lies in. ``token_strings`` and
    ``chunk_strings`` number each token's and chunk's text in ``strings`` (``dense_strings``:
    the ``"[signal]"`` names), so that equal texts have equal numbers.
    """

    token_rows: np.ndarray
    token_hashes: np.ndarray
    token_columns: np.ndarray
    token_classes: np.ndarray
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


@dataclass(frozen=True, slots=True)
class _Part:
    """One row-major part of a batch (tokens, word pairs, chunks or char n-grams): how many
    items each document has, and the index of its first one."""

    counts: np.ndarray
    first: np.ndarray

    @classmethod
    def of(cls, counts: np.ndarray) -> _Part:
        return cls(counts, np.cumsum(counts) - counts)

    def select(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The items of documents ``rows``, in that order, and each item's place in ``rows``."""
        places = np.repeat(np.arange(rows.size), self.counts[rows])
        return ragged_indices(self.first[rows], self.counts[rows]), places


@dataclass(frozen=True, slots=True)
class _Selection:
    """The parts of a batch, and the items of the documents being explained in each.

    Each document has *units*, what its n-grams are credited to: its tokens, word pairs,
    chunks and dense signal names, in that order; ``unit_base`` is each selected document's
    first unit when the selected documents' units are laid end to end.
    """

    rows: np.ndarray
    tokens: _Part
    pairs: _Part
    chunks: _Part
    chars: _Part
    token_items: tuple[np.ndarray, np.ndarray]
    pair_items: tuple[np.ndarray, np.ndarray]
    chunk_items: tuple[np.ndarray, np.ndarray]
    char_items: tuple[np.ndarray, np.ndarray]
    unit_base: np.ndarray


def _select(grams: BatchGrams, rows: np.ndarray, word_ngram_max: int) -> _Selection:
    """Lay out the batch's parts and pick the items of documents ``rows`` in each."""
    token_counts = grams.token_counts
    pair_counts = np.maximum(token_counts - 1, 0) if word_ngram_max >= 2 else 0 * token_counts
    tokens, pairs, chunks, chars = map(
        _Part.of, (token_counts, pair_counts, grams.chunk_counts, grams.char_counts)
    )
    units_per_place = (token_counts + pair_counts + grams.chunk_counts)[rows] + len(DENSE_NAMES)
    return _Selection(
        rows,
        tokens,
        pairs,
        chunks,
        chars,
        token_items=tokens.select(rows),
        pair_items=pairs.select(rows),
        chunk_items=chunks.select(rows),
        char_items=chars.select(rows),
        unit_base=np.cumsum(units_per_place) - units_per_place,
    )


def _unit_keys(grams: BatchGrams, selection: _Selection) -> tuple[np.ndarray, np.ndarray]:
    """Each selected document's units in order, as keys (a text's number, or for a word pair
    ``(first + 1) << 32 | second``), and each unit's place. Equal keys of a document are one
    label."""
    rows = selection.rows
    tokens, token_places = selection.token_items
    pairs, pair_places = selection.pair_items
    chunks, chunk_places = selection.chunk_items
    pair_firsts = selection.pairs.first[rows][pair_places]
    first_tokens = selection.tokens.first[rows][pair_places] + pairs - pair_firsts
    second_strings = grams.token_strings[first_tokens + 1]
    pair_keys = (grams.token_strings[first_tokens] + 1 << 32) | second_strings
    dense_places = np.repeat(np.arange(rows.size), len(DENSE_NAMES))
    dense_counts = np.full(rows.size, len(DENSE_NAMES), dtype=np.int64)
    return in_document_order(
        [
            (token_places, grams.token_strings[tokens], selection.tokens.counts[rows]),
            (pair_places, pair_keys, selection.pairs.counts[rows]),
            (chunk_places, grams.chunk_strings[chunks], selection.chunks.counts[rows]),
            (dense_places, np.tile(grams.dense_strings, rows.size), dense_counts),
        ]
    )


def _credit(
    columns: np.ndarray, places: np.ndarray, units: np.ndarray, base: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The fitted ones of some n-grams (columns, places, unit of each within its document;
    ``base``: each place's first unit) as places and (column, label) rows."""
    known = columns >= 0
    places, units = places[known], units[known]
    return places, np.stack((columns[known], labels[base[places] + units]))


def _credited_grams(
    grams: BatchGrams, selection: _Selection, unit_labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The selected documents' fitted n-grams, document by document (tokens, pairs, then
    char n-grams), as places and a (column, label) pair each."""
    rows, base = selection.rows, selection.unit_base
    tokens, token_places = selection.token_items
    pairs, pair_places = selection.pair_items
    chars, char_places = selection.char_items
    token_counts, pair_counts = selection.tokens.counts[rows], selection.pairs.counts[rows]
    token_units = tokens - selection.tokens.first[rows][token_places]
    pair_units = pairs - selection.pairs.first[rows][pair_places]
    chunk_units = grams.char_chunks[chars] - selection.chunks.first[rows][char_places]
    parts = [
        _credit(grams.token_columns[tokens], token_places, token_units, base, unit_labels),
        _credit(
            grams.bigram_columns[pairs], pair_places, pair_units, base + token_counts, unit_labels
        ),
        _credit(
            grams.char_columns[chars],
            char_places,
            chunk_units,
            base + token_counts + pair_counts,
            unit_labels,
        ),
    ]
    counts = [np.bincount(places, minlength=rows.size) for places, _ in parts]
    return in_document_order([(p, v, c) for (p, v), c in zip(parts, counts, strict=True)])


def batch_spans(
    grams: BatchGrams, rows: Sequence[int], *, word_ngram_max: int, n_columns: int
) -> BatchSpans:
    """The fitted n-grams of documents ``rows`` of a batch, each credited to a word (char
    n-grams: the whitespace-separated word they sit in) or word pair.

    Per document (in the order of ``rows``): its tokens, then its word pairs, then the char
    n-grams word by word (by length, then position), as
    :meth:`~moderation.judge.features.CommentFeaturiser.feature_spans`.
    """
    selection = _select(grams, np.asarray(rows, dtype=np.int64), word_ngram_max)
    rows = selection.rows
    unit_places, unit_keys = _unit_keys(grams, selection)
    distinct_keys, compact = np.unique(unit_keys, return_inverse=True)
    n_keys = max(distinct_keys.size, 1)
    labels, unit_labels = np.unique(unit_places * n_keys + compact, return_inverse=True)
    span_places, span_values = _credited_grams(grams, selection, unit_labels)
    dense_first = (
        selection.unit_base
        + (selection.tokens.counts + selection.pairs.counts + selection.chunks.counts)[rows]
    )
    return BatchSpans(
        documents=rows,
        rows=rows[span_places],
        columns=span_values[0],
        labels=span_values[1],
        label_places=labels // n_keys,
        label_keys=distinct_keys[labels % n_keys],
        strings=grams.strings,
        dense_labels=unit_labels[dense_first[:, np.newaxis] + np.arange(len(DENSE_NAMES))],
        n_columns=n_columns,
    )
