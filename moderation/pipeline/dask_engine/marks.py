"""Each block's share of the resolved clusters, and how a row reads its cluster from it.

The driver sends a block only its touched rows (those in a match), each with its streamed
and final answer; a row that is not there is a cluster of its own. Ids and keys of other
rows (the first comments of clusters) are filled in by the driver, a row's own by the block.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from moderation.pipeline.dask_engine.features import BlockFeatures
from moderation.pipeline.dask_engine.resolve import EARLIER, Resolution, cluster_name

# (id, exact-text key) of a row; None where the row itself is meant.
Name = tuple[str | None, int] | None


@dataclass(frozen=True, slots=True)
class Final:
    """A row's match after the whole run: what ``moderation dedup`` writes."""

    duplicate_of: str | None
    cluster_id: str | None
    similarity: float | None
    match: str | None
    cluster_size: int | None


@dataclass
class BlockMarks:
    """The touched rows of one block, by position: streamed root and final answer."""

    streamed: dict[int, Name] = field(default_factory=dict)
    final: dict[int, tuple[Name, float | None, str | None, int, bool]] = field(default_factory=dict)

    def streamed_match(self, features: BlockFeatures, position: int) -> tuple[str | None, ...]:
        """``(duplicate_of, cluster_id)`` as the streaming finder gives them."""
        if features.empty[position]:
            return None, None
        name = self.streamed.get(position)
        if name is None:
            return None, cluster_name(features.keys[position])
        return name[0], cluster_name(name[1])

    def final_match(self, features: BlockFeatures, position: int) -> Final:
        """The final match, as ``DuplicateFinder.final_matches`` gives it."""
        if features.empty[position]:
            return Final(None, None, None, None, None)
        found = self.final.get(position)
        if found is None:
            return Final(None, cluster_name(features.keys[position]), None, None, 1)
        name, similarity, match, size, _ = found
        if name is None:
            return Final(None, cluster_name(features.keys[position]), similarity, match, size)
        return Final(name[0], cluster_name(name[1]), similarity, match, size)

    def index_root(self, features: BlockFeatures, position: int) -> tuple[str | None, int]:
        """The (id, key) of the streamed root, as a fingerprint index records a comment."""
        name = self.streamed.get(position)
        if name is None:
            return features.ids[position], int(features.keys[position])
        return name


def _name(
    row: int, root: int, resolution: Resolution, names: Mapping[int, tuple[str | None, int]]
) -> Name:
    if root in resolution.external:
        return resolution.external[root]
    return None if root == row else names[root]


def block_marks(
    resolution: Resolution,
    names: Mapping[int, tuple[str | None, int]],
    low: int,
    high: int,
) -> BlockMarks:
    """The marks of the run rows ``[low, high)`` (one block's); ``names`` gives the id and key
    of every row :meth:`Resolution.roots_wanted` named."""
    marks = BlockMarks()
    begin, end = np.searchsorted(resolution.rows, [low, high])
    for at in range(int(begin), int(end)):
        row = int(resolution.rows[at])
        position = row - low
        root, final = int(resolution.root[at]), int(resolution.final[at])
        name = _name(row, root, resolution, names)
        if name is not None:
            marks.streamed[position] = name
        earlier = final in resolution.external
        kind = EARLIER if earlier else resolution.kind[at]
        value = float(resolution.similarity[at])
        similarity = None if kind is None or value != value else round(value, 3)
        size = int(resolution.sizes[np.searchsorted(resolution.rows, final)])
        marks.final[position] = (
            _name(row, final, resolution, names),
            similarity,
            kind,
            size,
            earlier,
        )
    return marks
