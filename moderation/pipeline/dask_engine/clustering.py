"""The run's duplicate matches on the cluster, then resolved on the driver.

Runs the shuffles of :mod:`~moderation.pipeline.dask_engine.matching` (and the lookups of an
earlier runs' index) and brings back the matches, resolves them into clusters
(:mod:`~moderation.pipeline.dask_engine.resolve`), fetches the ids and keys of the clusters'
first comments from their blocks, and cuts the answer into each block's marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from moderation.pipeline.dask_engine.features import BlockFeatures
from moderation.pipeline.dask_engine.marks import BlockMarks, block_marks
from moderation.pipeline.dask_engine.matching import (
    RunRows,
    band_pairs,
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


def find_matches(rows: RunRows, threshold: float, index: ParquetIndex | None = None) -> Matches:
    """Repeats, earlier-run matches and verified pairs of the whole run."""
    import dask

    groups = exact_groups(rows)
    repeats = groups[groups["row"] != groups["owner"]][["row", "owner", "short"]]
    firsts = groups[groups["row"] == groups["owner"]][["key", "row"]]
    earlier_exact = index.exact(firsts) if index is not None else None
    repeats, earlier_exact = dask.compute(repeats, earlier_exact)
    excluded = np.concatenate((_column(repeats, "row", np.int64), _earlier_rows(earlier_exact)))
    excluded = np.unique(excluded)
    bands, pairs = band_pairs(rows, _excluded_by_block(rows, excluded))
    verified = verify_pairs(rows, pairs, threshold)
    near = index.near(rows, bands, threshold) if index is not None else []
    found = dask.compute(*verified, *near)
    pairs_found = _concat(found[: len(verified)])
    earlier = _concat(
        [frame for frame in (earlier_exact, *found[len(verified) :]) if frame is not None]
    )
    return Matches(
        repeat_rows=_column(repeats, "row", np.int64),
        repeat_owners=_column(repeats, "owner", np.int64),
        repeat_short=_column(repeats, "short", bool),
        earlier_rows=_column(earlier, "row", np.int64),
        earlier_values=_column(earlier, "value", np.float64),
        earlier_ids=earlier["root_id"].tolist() if len(earlier) else [],
        earlier_keys=_column(earlier, "root_key", np.uint64),
        left=_column(pairs_found, "left", np.int64),
        right=_column(pairs_found, "right", np.int64),
        values=_column(pairs_found, "value", np.float64),
    )


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
) -> tuple[Resolution, list[BlockMarks]]:
    """The run's clusters, and each block's marks."""
    resolution = resolve(find_matches(rows, threshold, index))
    return resolution, block_marks_all(client, rows, resolution)
