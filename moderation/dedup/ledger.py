"""The finder's per-comment record, in compact typed arrays.

A streaming run may see millions of comments, and every answer (streamed or final) is read back
from this record, so it is kept as flat ``array`` columns (about 30 bytes per comment plus the
id) rather than objects: cluster root, exact-text key, similarity, match-kind code and
length-floor flag per comment; the verified matches that joined two different clusters (merged
at the end); the earlier-run cluster of the comments that began one; and each comment's row in
the fingerprint index.

Views of the columns (``np.frombuffer``) must be dropped before the next append: an ``array``
cannot grow while a view of it is alive.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence

import numpy as np

from moderation.dedup.index import EarlierComment
from moderation.dedup.spill import IdColumn, SpillDir

__all__ = ["MatchLedger"]


class MatchLedger:
    """Append-only record of every comment the finder has matched, one batch at a time.

    Attributes
    ----------
    roots, keys, similarity, kinds, short : array
        Per comment: cluster root (stream row), exact-text key, similarity to its match (NaN
        for none), match-kind code (see :mod:`moderation.dedup.matches`), under the length
        floor (0/1).
    ids : IdColumn
        The id each comment was added with (``ids[row]``, ``ids.take(rows)``); spilled to
        disk with ``spill``.
    links, link_similarity : array
        Verified matches between rows of different clusters, as flat (row, row) pairs, and
        their similarity.
    external : dict of int to EarlierComment
        Rows whose cluster began in an earlier run, with that cluster.
    index_rows : array
        Each comment's row in the fingerprint index (when one is written).
    """

    def __init__(self, spill: SpillDir | None = None) -> None:
        self.roots = array("q")
        self.keys = array("Q")
        self.similarity = array("f")
        self.kinds = array("b")
        self.short = array("b")
        self.ids = IdColumn(spill)
        self.links = array("q")
        self.link_similarity = array("f")
        self.external: dict[int, EarlierComment] = {}
        self.index_rows = array("q")

    def __len__(self) -> int:
        return len(self.roots)

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays and the ids in memory (earlier-run clusters excluded)."""
        arrays = (
            self.roots,
            self.keys,
            self.similarity,
            self.kinds,
            self.short,
            self.links,
            self.link_similarity,
            self.index_rows,
        )
        return sum(a.itemsize * len(a) for a in arrays) + self.ids.nbytes

    def append(
        self,
        *,
        roots: np.ndarray,
        keys: np.ndarray,
        similarity: np.ndarray,
        kinds: np.ndarray,
        short: np.ndarray,
        ids: Sequence[str | None],
        external: Mapping[int, EarlierComment],
    ) -> None:
        """Record a batch (``external`` by position in the batch)."""
        start = len(self.roots)
        for position, comment in external.items():
            self.external[start + position] = comment
        self.roots.frombytes(roots.astype(np.int64).tobytes())
        self.keys.frombytes(keys.astype(np.uint64).tobytes())
        self.similarity.frombytes(similarity.astype(np.float32).tobytes())
        self.kinds.frombytes(kinds.astype(np.int8).tobytes())
        self.short.frombytes(short.astype(np.int8).tobytes())
        self.ids.extend(ids)

    def keep_links(self, left: np.ndarray, right: np.ndarray, values: np.ndarray) -> None:
        """Keep the verified matches (row pairs) that join two different clusters."""
        if not left.size:
            return
        roots = np.frombuffer(self.roots, dtype=np.int64)
        differ = roots[left] != roots[right]
        pairs = np.stack((left[differ], right[differ]), axis=1)
        del roots
        self.links.frombytes(pairs.astype(np.int64).tobytes())
        self.link_similarity.frombytes(values[differ].astype(np.float32).tobytes())

    def roots_of(self, rows: np.ndarray) -> np.ndarray:
        """The recorded cluster roots of some rows (a copy)."""
        return np.frombuffer(self.roots, dtype=np.int64)[rows]

    def add_index_rows(self, first_row: int, count: int) -> None:
        """Note that the last ``count`` comments are index rows ``first_row`` onwards."""
        self.index_rows.frombytes(np.arange(first_row, first_row + count, dtype=np.int64).tobytes())
