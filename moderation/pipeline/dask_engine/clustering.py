"""The run's duplicate matches on the cluster, then resolved on the driver.

Runs the shuffles of :mod:`~moderation.pipeline.dask_engine.matching` (and the lookups of an
earlier runs' index) and brings back the matches, resolves them into clusters
(:mod:`~moderation.pipeline.dask_engine.resolve`), fetches the ids and keys of the clusters'
first comments from their blocks, and cuts the answer into each block's marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from moderation.pipeline.dask_engine.features import BlockFeatures
from moderation.pipeline.dask_engine.marks import BlockMarks, block_marks
from moderation.pipeline.dask_engine.matching import (
    EARLIER,
    NEW_BAND,
    PAIR,
    RunRows,
    band_groups,
    chosen,
    exact_groups,
    verify_pairs,
)
from moderation.pipeline.dask_engine.resolve import Matches, Resolution, resolve

if TYPE_CHECKING:
    from distributed import Client

    from moderation.pipeline.dask_engine.parquet_index import ParquetIndex


def _excluded_by_block(rows: RunRows, excluded: np.ndarray) -> list[np.ndarray]:
    cuts = np.searchsorted(excluded, rows.bases)
    return [excluded[cuts[b] : cuts[b + 1]] for b in range(len(rows.features))]


def _column(frame: pd.DataFrame, name: str, dtype: type) -> np.ndarray:
    return frame[name].to_numpy(dtype) if len(frame) else np.zeros(0, dtype)


@dataclass
class Clusters:
    """The run's clusters: resolved, cut into each block's marks (futures of
    :class:`BlockMarks` on the workers), and each block's rows that an index must not record
    again (repeats, and texts an earlier run had)."""

    resolution: Resolution
    marks: list[Any]
    excluded: list[np.ndarray]


def find_matches(
    rows: RunRows, threshold: float, index: ParquetIndex | None = None
) -> tuple[Matches, np.ndarray]:
    """Repeats, earlier-run matches and verified pairs of the whole run, and the rows whose
    band keys do not count (repeats, texts an earlier run had); with an index being written,
    its new band keys are written on the way."""
    import dask

    if rows.total == 0:  # nothing to match (and no partition to match in)
        return Matches(), np.zeros(0, np.int64)
    groups = exact_groups(rows)
    repeats = groups[groups["row"] != groups["owner"]][["row", "owner", "short"]]
    firsts = groups[groups["row"] == groups["owner"]][["key", "row"]]
    earlier_exact = index.exact(firsts) if index is not None else None
    repeats, earlier_exact = dask.compute(repeats, earlier_exact)
    excluded = np.unique(
        np.concatenate((_column(repeats, "row", np.int64), _earlier_rows(earlier_exact)))
    )
    indexed = index is not None
    groups = band_groups(
        rows,
        _excluded_by_block(rows, excluded),
        indexed=indexed,
        index_bands=index.table("bands") if indexed else None,
    )
    verified = verify_pairs(rows, chosen(groups, PAIR, "left", "right"), threshold)
    near = index.near(rows, chosen(groups, EARLIER, "row", "entry"), threshold) if indexed else []
    writes = index.write_bands(chosen(groups, NEW_BAND, "row", "band")) if indexed else []
    found = dask.compute(*verified, *near, *writes)
    pairs = _concat(found[: len(verified)])
    earlier_frames = [earlier_exact, *found[len(verified) : len(verified) + len(near)]]
    earlier = _concat([frame for frame in earlier_frames if frame is not None])
    matches = Matches(
        repeat_rows=_column(repeats, "row", np.int64),
        repeat_owners=_column(repeats, "owner", np.int64),
        repeat_short=_column(repeats, "short", bool),
        earlier_rows=_column(earlier, "row", np.int64),
        earlier_values=_column(earlier, "value", np.float64),
        earlier_ids=earlier["root_id"].tolist() if len(earlier) else [],
        earlier_keys=_column(earlier, "root_key", np.uint64),
        left=_column(pairs, "left", np.int64),
        right=_column(pairs, "right", np.int64),
        values=_column(pairs, "value", np.float64),
    )
    return matches, excluded


def _earlier_rows(frame: pd.DataFrame | None) -> np.ndarray:
    return np.zeros(0, np.int64) if frame is None else _column(frame, "row", np.int64)


def _concat(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    frames = [frame for frame in frames if len(frame)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def names_of(features: BlockFeatures, positions: list[int]) -> list[tuple[str | None, int]]:
    """The id and exact-text key of some positions of a block (run on its worker)."""
    return [(features.ids[p], int(features.keys[p])) for p in positions]


def block_marks_all(client: Client, rows: RunRows, resolution: Resolution) -> list[BlockMarks]:
    """Every block's marks, the ids and keys of the clusters' first comments fetched from the
    blocks that hold them."""
    wanted = resolution.roots_wanted()
    blocks = rows.block_of(wanted)
    asked = []
    for block in np.unique(blocks).tolist():
        chosen = wanted[blocks == block]
        positions = (chosen - rows.bases[block]).tolist()
        asked.append((chosen, client.submit(names_of, rows.features[block], positions, pure=False)))
    names: dict[int, tuple[str | None, int]] = {}
    for chosen, future in asked:
        names.update(zip(chosen.tolist(), future.result(), strict=True))
    return [
        block_marks(resolution, names, int(rows.bases[b]), int(rows.bases[b + 1]))
        for b in range(len(rows.features))
    ]


def cluster_run(
    client: Client, rows: RunRows, threshold: float, index: ParquetIndex | None = None
) -> Clusters:
    """The run's clusters, each block's marks, and each block's rows an index leaves out."""
    matches, excluded = find_matches(rows, threshold, index)
    resolution = resolve(matches)
    marks = block_marks_all(client, rows, resolution)
    # Sent to the workers ahead of the tasks that read them, not inside each task (where the
    # scheduler would hold them).
    scattered = client.scatter(marks, hash=False) if marks else []
    return Clusters(resolution, scattered, _excluded_by_block(rows, excluded))
