"""py3langid's ranking of many texts at once, with the same answers as its ``rank`` per text.

py3langid walks each text's bytes through a state machine in a Python loop (about 100 µs for a
200-character comment), then scores the n-grams it found with NumPy. Here the walk advances
every text of a batch one byte per NumPy step, so the Python loop runs once per byte position
of the longest text instead of once per byte of every text. A NumPy step costs about as much
as walking a byte of :data:`PYTHON_BELOW` texts in Python, so once fewer texts than that are
still being walked (a request of one comment, the tail of a batch), their remaining bytes
are walked in Python, as py3langid walks them. The scoring after the walk is
py3langid's own arithmetic on the same arrays in the same order (each text's n-grams in the
order of their first appearance, as its ``Counter`` holds them), so the probabilities are
bit-for-bit those of ``rank``.

The walk reads py3langid's model tables, which are not its public interface: when they are
missing, or when a few probe texts do not rank exactly as ``rank`` ranks them (a release that
changed its model or its arithmetic), :class:`BatchRanker` ranks each text with ``rank``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np

Ranking = Sequence[tuple[str, float]]
# Texts that exercise several scripts, an all-capitals text and one without any n-gram.
_PROBES = (
    "Das ist die beste Nachricht des Tages",
    "this is plainly english text about the news",
    "Это лучшая новость дня",
    "今天的新闻很好",
    "ΑΥΤΟ ΕΙΝΑΙ ΚΑΛΟ",
    "",
    "ok",
)
# Fewer texts than this still being walked: their remaining bytes are walked in Python.
PYTHON_BELOW = 12
_TABLES = ("tk_nextmove", "tk_output", "tk_row", "nb_ptc", "nb_pc", "nb_classes", "_alias_pairs")


class BatchRanker:
    """Rank texts by language as ``identifier.rank`` does, many at a time.

    Parameters
    ----------
    identifier : py3langid.langid.LanguageIdentifier
        Loaded with ``norm_probs=True`` and restricted to its languages already.
    """

    def __init__(self, identifier: Any, python_below: int = PYTHON_BELOW) -> None:
        self.identifier = identifier
        self.python_below = python_below
        self.batched = all(hasattr(identifier, name) for name in _TABLES) and bool(
            getattr(identifier, "_norm_probs", False)
        )
        if self.batched:
            typecode = identifier.tk_nextmove.typecode  # an array.array
            self._nextmove = np.frombuffer(identifier.tk_nextmove, dtype=np.dtype(typecode))
            self._output = np.asarray(identifier.tk_output, dtype=np.int64)
            self._rowbase = np.asarray(identifier.tk_row, dtype=np.int64) << 8
            self._row_starts = self._rowbase.tolist()  # the same, as Python ints for the tail walk
            # The n-gram weights as float32 rows: py3langid's float16 columns are converted
            # (exactly) by every product; gathering rows of this copy is ~30 times faster.
            self._weights = np.ascontiguousarray(identifier.nb_ptc, dtype=np.float32)
            # The first column of each language (py3langid folds aliases into it).
            classes = identifier.nb_classes
            first = {c: i for i, c in reversed(list(enumerate(classes)))}
            self._columns = np.asarray(sorted(first.values()))
            self.batched = self._probes_agree()

    def _probes_agree(self) -> bool:
        """The probe texts rank as ``rank`` ranks them, walked by NumPy steps alone and by
        Python alone."""
        probes = list(_PROBES)
        expected = [self.identifier.rank(text) for text in probes]
        return all(
            self._rank_batched(probes, python_below) == expected
            for python_below in (0, len(probes) + 1)
        )

    def rank(self, texts: Sequence[str]) -> list[Ranking]:
        """Each text's languages by probability, best first (``identifier.rank`` of each)."""
        if not self.batched:
            return [self.identifier.rank(text) for text in texts]
        return self._rank_batched(texts, self.python_below)

    def _rank_batched(self, texts: Sequence[str], python_below: int) -> list[Ranking]:
        encoded = [_encode(text) for text in texts]
        counted = _count_by_text(*self._walk(encoded, python_below), len(encoded))
        scores = self._probabilities(encoded, counted)
        columns = self._columns
        order = columns[np.argsort(-scores[:, columns], axis=1, kind="stable")]
        classes = self.identifier.nb_classes
        return [LazyRanking(classes, o, r) for o, r in zip(order, scores, strict=True)]

    def _probabilities(
        self, encoded: Sequence[bytes], counted: list[tuple[np.ndarray, np.ndarray]]
    ) -> np.ndarray:
        """py3langid's ``_decide`` for every text: one row of probabilities each, computed
        element for element as it computes them (each text's product alone, in its order)."""
        identifier = self.identifier
        scores = np.zeros((len(encoded), len(identifier.nb_classes)), dtype=np.float32)
        for row, (ids, counts) in enumerate(counted):
            if ids.size:
                product = np.log1p(counts.astype(np.float32)) @ self._weights[ids]
                scores[row] = product + identifier.nb_pc
        lengths = np.fromiter(map(len, encoded), dtype=np.float64, count=len(encoded))
        scores *= (1.0 / np.sqrt(np.maximum(lengths, 1))).astype(np.float32)[:, np.newaxis]
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        for i, j in identifier._alias_pairs:
            scores[:, i] += scores[:, j]
            scores[:, j] = 0.0
        return scores

    def _walk(self, encoded: Sequence[bytes], python_below: int) -> tuple[np.ndarray, np.ndarray]:
        """Every n-gram id the texts' bytes reach and the text it is in, in the order of the
        byte positions where they are reached; once fewer than ``python_below`` texts are
        still being walked, their remaining bytes are walked in Python."""
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        order = np.argsort(-lengths, kind="stable")  # longest first: the active texts are a prefix
        longest = int(lengths.max()) if len(encoded) else 0
        table = np.zeros((len(encoded), longest), dtype=np.int64)
        for row, index in enumerate(order):
            data = encoded[index]
            table[row, : len(data)] = np.frombuffer(data, dtype=np.uint8)
        # Texts longer than each position: -lengths is ascending in this order.
        actives = np.searchsorted(-lengths[order], -np.arange(longest), side="left")
        states = np.zeros(len(encoded), dtype=np.int64)
        rows, features = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)]
        for position, active in enumerate(actives.tolist()):
            if active < python_below:
                for row in range(active):  # each text's later n-grams after its earlier ones
                    index = int(order[row])
                    found = self._walk_rest(encoded[index], position, int(states[row]))
                    rows.append(np.full(len(found), index, dtype=np.int64))
                    features.append(np.asarray(found, dtype=np.int64))
                break
            current = self._nextmove[self._rowbase[states[:active]] + table[:active, position]]
            states[:active] = current
            found = self._output[current]
            hit = np.flatnonzero(found >= 0)
            rows.append(order[hit])
            features.append(found[hit])
        return np.concatenate(rows), np.concatenate(features)

    def _walk_rest(self, data: bytes, position: int, state: int) -> list[int]:
        """The n-gram ids reached from byte ``position`` of ``data`` on, starting in
        ``state``: py3langid's own loop (``visit_counts``)."""
        nextmove, row_starts, output = (
            self.identifier.tk_nextmove,
            self._row_starts,
            self.identifier.tk_output,
        )
        found = []
        for byte in data[position:]:
            state = nextmove[row_starts[state] + byte]
            feature = output[state]
            if feature >= 0:
                found.append(feature)
        return found


class LazyRanking(Sequence[tuple[str, float]]):
    """One text's ``(language, probability)`` pairs, best first, made when read: a detector
    mostly reads only the first."""

    def __init__(self, classes: Sequence[str], order: np.ndarray, scores: np.ndarray) -> None:
        self.classes, self.order, self.scores = classes, order, scores

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        column = int(self.order[index])
        return self.classes[column], float(self.scores[column])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


def _encode(text: str) -> bytes:
    """The bytes py3langid reads for ``text``: lower case if all capitals, NFC, UTF-8."""
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")


def _count_by_text(
    rows: np.ndarray, features: np.ndarray, count: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each text's distinct n-gram ids and their counts, in the order of their first
    appearance in the text (the order of py3langid's ``Counter``)."""
    width = int(features.max()) + 1 if features.size else 1
    keys, first, counts = np.unique(rows * width + features, return_index=True, return_counts=True)
    text = keys // width
    order = np.lexsort((first, text))  # by text, then by first appearance
    ids, counts, text = (keys % width)[order].astype(np.intp), counts[order], text[order]
    bounds = np.searchsorted(text, np.arange(count + 1))
    return [
        (ids[bounds[i] : bounds[i + 1]], counts[bounds[i] : bounds[i + 1]]) for i in range(count)
    ]
