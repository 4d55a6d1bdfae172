"""Remember what each whitespace-separated chunk of normalised text contributes to features.

A token never contains whitespace, so a text's tokens are its chunks' tokens in order, and
char n-grams stay inside a chunk by definition: both can be worked out once per distinct chunk
and reused. Comments repeat most of their chunks ("the", "is", "Putin"), so a batch only
hashes the few it has not seen. A cache, not part of the model: the featuriser's output is the
same with or without it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from moderation.hashing import ragged_indices
from moderation.judge.arrays import GrowingArray
from moderation.judge.ngrams import char_hashes, padded_codes, token_hashes
from moderation.judge.signals import DENSE_LABELS
from moderation.judge.stems import stem_tokens
from moderation.judge.tokens import tokenize_batch

if TYPE_CHECKING:
    from moderation.judge.features import CommentFeaturiser


@dataclass(frozen=True, slots=True)
class ChunkGrams:
    """What a sequence of chunks contributes, concatenated chunk by chunk.

    ``token_lengths`` and ``char_lengths`` say how many tokens and fitted char n-grams each
    chunk has; the ``token_*`` arrays run over all the chunks' tokens (``token_hashes``: of
    their stems; ``token_classes``: their :mod:`.cues` bits), ``char_columns`` over their
    fitted char n-grams; ``chunk_strings``, ``token_strings`` and ``dense_strings``
    number texts in ``strings``.
    """

    token_lengths: np.ndarray
    token_hashes: np.ndarray
    token_strings: np.ndarray
    token_columns: np.ndarray
    token_classes: np.ndarray
    chunk_strings: np.ndarray
    char_lengths: np.ndarray
    char_columns: np.ndarray
    dense_strings: np.ndarray
    strings: list[str]


class ChunkMemo:
    """What each distinct chunk contributes, computed once, for up to ``capacity`` chunks.

    Stored per chunk: its tokens' word hashes (of their stems), columns (-1 when not fitted)
    and :mod:`.cues` classes, and the
    columns of its fitted char n-grams in the order of
    :meth:`~moderation.judge.features.CommentFeaturiser.feature_spans` (by length, then
    position). Chunk and token texts are also numbered (``strings``), so explanations can
    group n-grams by word with integers. When a batch would take the memo past ``capacity``
    chunks it starts again, empty.

    Parameters
    ----------
    featuriser : CommentFeaturiser
        The fitted featuriser whose columns are remembered.
    capacity : int
        Most distinct chunks remembered at once.
    """

    def __init__(self, featuriser: CommentFeaturiser, capacity: int) -> None:
        self.buckets = featuriser.buckets_
        # The parameters as values (the featuriser has no nested estimators): fits() reads
        # them each batch, and get_params() costs ~0.14 ms a call (it inspects the signature).
        self.param_names = tuple(featuriser.get_params(deep=False))
        self.params = self._param_values(featuriser)
        self.capacity = capacity
        self.lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        # New objects, not cleared ones: a batch still holding the old list keeps valid numbers.
        self.strings: list[str] = []
        self.string_ids: dict[str, int] = {}
        self.dense_strings = self._number(DENSE_LABELS)
        self.ids: dict[str, int] = {}
        self.chunk_strings = GrowingArray(np.int64)
        self.token_strings = GrowingArray(np.int64)
        self.token_start = GrowingArray(np.int64, 0)
        self.token_hashes = GrowingArray(np.uint64)
        self.token_columns = GrowingArray(np.int32)
        self.token_classes = GrowingArray(np.uint16)
        self.char_start = GrowingArray(np.int64, 0)
        self.char_columns = GrowingArray(np.int32)

    def _number(self, texts: list[str]) -> np.ndarray:
        """The number of each text in ``strings``, adding new ones."""
        table = self.string_ids
        new = [text for text in dict.fromkeys(texts) if text not in table]
        table.update(zip(new, range(len(self.strings), len(self.strings) + len(new)), strict=True))
        self.strings.extend(new)
        return np.fromiter(map(table.__getitem__, texts), np.int64, len(texts))

    def fits(self, featuriser: CommentFeaturiser) -> bool:
        """Whether this memo was made for ``featuriser`` as it is fitted now."""
        return featuriser.buckets_ is self.buckets and self._param_values(featuriser) == self.params

    def _param_values(self, featuriser: CommentFeaturiser) -> list[Any]:
        return [getattr(featuriser, name) for name in self.param_names]

    def _add_tokens(self, chunks: list[str], featuriser: CommentFeaturiser) -> None:
        tokens, counts = tokenize_batch(chunks)
        stems = stem_tokens(tokens, featuriser.stem_language)
        hashes = token_hashes(stems)
        self.token_hashes.extend(hashes)
        self.token_classes.extend(featuriser.cue_classes(tokens, stems))
        self.token_strings.extend(self._number(tokens))
        self.chunk_strings.extend(self._number(chunks))
        self.token_columns.extend(featuriser._word_columns(hashes))
        self.token_start.extend(self.token_start.view()[-1] + np.cumsum(counts))

    def _add_char_grams(self, chunks: list[str], featuriser: CommentFeaturiser) -> None:
        codes, row_of = padded_codes(chunks)
        grams = char_hashes(codes, row_of, *featuriser.char_ngram_range)
        columns = featuriser._char_columns(grams.hashes)
        known = columns >= 0
        rows = grams.rows[known]
        order = np.argsort(rows, kind="stable")
        self.char_columns.extend(columns[known][order])
        per_chunk = np.bincount(rows, minlength=len(chunks))
        self.char_start.extend(self.char_start.view()[-1] + np.cumsum(per_chunk))

    def _add(self, chunks: list[str], featuriser: CommentFeaturiser) -> None:
        self._add_tokens(chunks, featuriser)
        self._add_char_grams(chunks, featuriser)
        self.ids.update(zip(chunks, range(len(self.ids), len(self.ids) + len(chunks)), strict=True))

    def resolve(self, chunks: list[str], featuriser: CommentFeaturiser) -> np.ndarray:
        """Ids of ``chunks``, adding those not seen yet (call with ``lock`` held)."""
        found = list(map(self.ids.get, chunks))
        if None in found:
            missing = list(
                dict.fromkeys(c for c, i in zip(chunks, found, strict=True) if i is None)
            )
            if len(self.ids) + len(missing) > self.capacity:
                self._reset()
                missing = list(dict.fromkeys(chunks))
            if missing:
                self._add(missing, featuriser)
            found = list(map(self.ids.__getitem__, chunks))
        return np.fromiter(found, dtype=np.int64, count=len(found))

    def gather(self, chunks: list[str], featuriser: CommentFeaturiser) -> ChunkGrams:
        """What ``chunks`` contribute, in their order, adding the chunks not seen yet."""
        with self.lock:
            ids = self.resolve(chunks, featuriser)
            token_start = self.token_start.view()
            char_start = self.char_start.view()
            token_lengths = token_start[ids + 1] - token_start[ids]
            tokens = ragged_indices(token_start[ids], token_lengths)
            char_lengths = char_start[ids + 1] - char_start[ids]
            chars = ragged_indices(char_start[ids], char_lengths)
            return ChunkGrams(
                token_lengths=token_lengths,
                token_hashes=self.token_hashes.view()[tokens],
                token_strings=self.token_strings.view()[tokens],
                token_columns=self.token_columns.view()[tokens],
                token_classes=self.token_classes.view()[tokens],
                chunk_strings=self.chunk_strings.view()[ids],
                char_lengths=char_lengths,
                char_columns=self.char_columns.view()[chars],
                dense_strings=self.dense_strings,
                strings=self.strings,
            )
