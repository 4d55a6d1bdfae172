"""Candidate duplicates across the cluster: Dask DataFrame shuffles on exact-text keys and on
LSH band keys, and the verification of every candidate pair on its sketches.

Rows are numbered across the run (a block's first row is the number of comments before it).
The local finder's answers, restated for the whole run at once:

- a comment repeats the first comment with the same exact-text key (shuffle on the key, the
  smallest row of each group);
- the rows whose band keys count are the first copies of texts above the length floor that no
  earlier run holds; for each band key, the first such row that had it is every other's
  candidate (shuffle on the band key, the smallest row of each group);
- a candidate pair matches when the similarity of the two sketches reaches the threshold: the
  pairs go to the block of their right row (``set_index`` on block boundaries), pick up its
  sketches, then to the block of their left row, whose own sketches they are compared with.

What comes back to the driver is small: repeats, verified pairs and earlier-run matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from moderation.pipeline.dask_engine.features import BlockFeatures, pair_similarity

if TYPE_CHECKING:
    import dask.dataframe as dd
    from distributed import Future

# A verified match counts from this far below the threshold, as in the local finder.
TOLERANCE = 1e-9
# Sketch values of many rows in one Arrow buffer (see :func:`packed_sketch_columns`).
PACKED = pd.ArrowDtype(pa.large_binary())


@dataclass(frozen=True)
class RunRows:
    """The blocks' features on the cluster and where each block's rows start.

    Attributes
    ----------
    features : list of Future
        Each block's :class:`BlockFeatures`, in block order.
    bases : ndarray of int64
        The run's row number of each block's first comment (one more entry: the total).
    """

    features: Sequence[Future]
    bases: np.ndarray

    @property
    def total(self) -> int:
        return int(self.bases[-1])

    def filled(self) -> list[int]:
        """The blocks that have comments."""
        return [b for b in range(len(self.features)) if self.bases[b + 1] > self.bases[b]]

    def divisions(self) -> tuple[int, ...]:
        """Row boundaries of the blocks that have comments, for ``set_index``."""
        starts = [int(self.bases[b]) for b in self.filled()]
        return (*starts, self.total - 1)

    def block_of(self, rows: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.bases, rows, side="right") - 1


def _exact_frame(features: BlockFeatures, base: int) -> pd.DataFrame:
    matchable = np.flatnonzero(~features.empty)
    return pd.DataFrame(
        {
            "key": features.grouping_keys[matchable],
            "row": matchable.astype(np.int64) + base,
            "short": features.short[matchable],
        }
    )


def _with_owner(part: pd.DataFrame) -> pd.DataFrame:
    owner = part.groupby("key", sort=False)["row"].transform("min")
    return part.assign(owner=owner.astype(np.int64))


def _band_frame(features: BlockFeatures, base: int, excluded: np.ndarray) -> pd.DataFrame:
    rows = features.band_rows + base
    keep = ~np.isin(rows, excluded)
    return pd.DataFrame({"band": features.band_keys[keep], "row": rows[keep]})


# What a row of the band groups holds: an in-run candidate pair (a: left row, b: right row),
# an earlier run's candidate (a: row, b: index entry), or a band key new to the index (a: its
# first row, band).
PAIR, EARLIER, NEW_BAND = 0, 1, 2


def _band_groups(part: pd.DataFrame) -> pd.DataFrame:
    """Per band key, the first row that had it: every other row's candidate; and, against an
    earlier runs' index (``entry``, -1 where the key is not there), the index's candidates
    and the keys it does not have yet."""
    rows = part["row"].to_numpy(np.int64)
    first = part.groupby("band", sort=False)["row"].transform("min").to_numpy(np.int64)
    entry = part["entry"].fillna(-1).to_numpy(np.int64) if "entry" in part else None
    pieces = [(PAIR, rows != first, rows, first)]
    if entry is not None:
        pieces.append((EARLIER, entry >= 0, rows, entry))
        pieces.append((NEW_BAND, (entry < 0) & (rows == first), rows, np.zeros_like(rows)))
    bands = part["band"].to_numpy(np.uint64)
    return pd.DataFrame(
        {
            "what": np.concatenate([np.full(int(m.sum()), w, np.int8) for w, m, _, _ in pieces]),
            "a": np.concatenate([a[m] for _, m, a, _ in pieces]),
            "b": np.concatenate([b[m] for _, m, _, b in pieces]),
            "band": np.concatenate([bands[m] for _, m, _, _ in pieces]),
        }
    )


def _frame(
    rows: RunRows, make: Any, meta: pd.DataFrame, extras: Sequence[Any] | None = None
) -> dd.DataFrame:
    """A Dask frame with one partition per block, made by ``make(features, base[, extra])``
    on the block's worker."""
    import dask.dataframe as dd
    from dask import delayed

    parts = [
        delayed(make)(future, int(rows.bases[b]), *(() if extras is None else (extras[b],)))
        for b, future in enumerate(rows.features)
    ]
    return dd.from_delayed(parts, meta=meta, verify_meta=False)


def exact_groups(rows: RunRows) -> dd.DataFrame:
    """Every matchable row with the first row of its exact-text key (``owner``)."""
    meta = pd.DataFrame(
        {
            "key": np.zeros(0, np.uint64),
            "row": np.zeros(0, np.int64),
            "short": np.zeros(0, bool),
        }
    )
    shuffled = _frame(rows, _exact_frame, meta).shuffle(on="key")
    return shuffled.map_partitions(_with_owner, meta=meta.assign(owner=np.zeros(0, np.int64)))


def band_groups(
    rows: RunRows,
    excluded: Sequence[np.ndarray],
    *,
    indexed: bool = False,
    index_bands: dd.DataFrame | None = None,
) -> dd.DataFrame:
    """The band keys of the rows that count (all above the floor but each block's
    ``excluded`` rows), brought together by key and read as :func:`_band_groups` reads them:
    a shuffle, or with an index (``indexed``) a merge with its band keys (``index_bands``,
    None while it has none)."""
    meta = pd.DataFrame({"band": np.zeros(0, np.uint64), "row": np.zeros(0, np.int64)})
    bands = _frame(rows, _band_frame, meta, excluded)
    if not indexed:
        grouped = bands.shuffle(on="band")
    elif index_bands is None:
        grouped = bands.assign(entry=np.int64(-1)).shuffle(on="band")
    else:
        # Shuffled first: a merge may broadcast a small right side and keep the left's
        # partitions as they are, and every row of a band key must be in one partition.
        grouped = bands.shuffle(on="band").merge(
            index_bands, left_on="band", right_on="band_key", how="left"
        )
        grouped = grouped[["band", "row", "entry"]]
    out = pd.DataFrame(
        {
            "what": np.zeros(0, np.int8),
            "a": np.zeros(0, np.int64),
            "b": np.zeros(0, np.int64),
            "band": np.zeros(0, np.uint64),
        }
    )
    return grouped.map_partitions(_band_groups, meta=out)


def chosen(groups: dd.DataFrame, what: int, first: str, second: str) -> dd.DataFrame:
    """One kind of row of the band groups, its columns named."""
    picked = groups[groups["what"] == what]
    columns = {"a": first, "b": second} if second != "band" else {"a": first}
    names = ["a", "b"] if second != "band" else ["band", "a"]
    return picked[names].rename(columns=columns)


def sketch_columns(features: BlockFeatures, positions: np.ndarray) -> dict[str, Any]:
    """The sketches of some positions as columns: values (bytes) and set size, per kind."""
    columns: dict[str, Any] = {}
    for prefix, (values, lengths, sizes) in zip("wc", features.sketches(positions), strict=True):
        ends = np.cumsum(lengths)
        columns[f"{prefix}v"] = [
            values[end - length : end].tobytes()
            for end, length in zip(ends.tolist(), lengths.tolist(), strict=True)
        ]
        columns[f"{prefix}s"] = sizes.astype(np.int64)
    return columns


def packed_sketch_columns(features: BlockFeatures, positions: np.ndarray) -> dict[str, Any]:
    """The sketches of some positions as :func:`sketch_columns` gives them, but each kind's
    values as one Arrow binary column over a single buffer: no Python object per row (a
    candidate pair carries a copy of its right row's sketches, and there are several pairs
    per comment)."""
    columns: dict[str, Any] = {}
    for prefix, (values, lengths, sizes) in zip("wc", features.sketches(positions), strict=True):
        offsets = np.concatenate(([0], np.cumsum(lengths, dtype=np.int64) * 4))
        data = np.ascontiguousarray(values, dtype=np.uint32)
        array = pa.Array.from_buffers(
            pa.large_binary(), len(lengths), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
        )
        columns[f"{prefix}v"] = pd.Series(array, dtype=PACKED, copy=False)
        columns[f"{prefix}s"] = sizes.astype(np.int64)
    return columns


def _unpacked(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Values (uint32) and lengths of a column of sketch values, packed or Python bytes."""
    if isinstance(column.dtype, pd.ArrowDtype):
        array = pa.chunked_array(column.array._pa_array).combine_chunks()  # noqa: SLF001
        array = array.cast(pa.large_binary())
        offsets = np.frombuffer(array.buffers()[1], np.int64)[
            array.offset : array.offset + len(array) + 1
        ]
        data = np.frombuffer(array.buffers()[2] or b"", np.uint8)[offsets[0] : offsets[-1]]
        return data.view(np.uint32), np.diff(offsets) // 4
    blobs = column.tolist()
    values = np.frombuffer(b"".join(blobs), dtype=np.uint32)
    return values, np.fromiter((len(blob) // 4 for blob in blobs), np.int64, len(blobs))


def _sketches_of(columns: pd.DataFrame) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """Sketch columns back as (values, lengths, set sizes), per kind."""
    kinds = []
    for prefix in "wc":
        values, lengths = _unpacked(columns[f"{prefix}v"])
        kinds.append((values, lengths, columns[f"{prefix}s"].to_numpy(np.int64)))
    return kinds[0], kinds[1]


def _with_right_sketches(part: pd.DataFrame, features: BlockFeatures, base: int) -> pd.DataFrame:
    """Each distinct pair of one right block (a pair found through several band keys comes
    once) with its right row's sketches, packed."""
    pairs = np.column_stack((part["left"].to_numpy(np.int64), part.index.to_numpy(np.int64)))
    pairs = np.unique(pairs, axis=0) if len(pairs) else pairs.reshape(0, 2)
    columns = {"left": pairs[:, 0], "right": pairs[:, 1]}
    return pd.DataFrame({**columns, **packed_sketch_columns(features, pairs[:, 1] - base)})


def _verified(
    part: pd.DataFrame, features: BlockFeatures, base: int, threshold: float, best: bool
) -> pd.DataFrame:
    """The pairs of one block's left rows (each once) that reach the threshold, with their
    similarity in ``value``; with ``best``, only each left row's best (ties to the smaller
    right), as the finder takes an earlier run's match."""
    frame = part.reset_index()
    _, first = np.unique(frame[["left", "right"]].to_numpy(np.int64), axis=0, return_index=True)
    frame = frame.iloc[np.sort(first)]
    values = pair_similarity(features, frame["left"].to_numpy(np.int64) - base, _sketches_of(frame))
    kept = frame.drop(columns=["wv", "ws", "cv", "cs"]).assign(value=values)
    kept = kept[values >= threshold - TOLERANCE]
    if best:
        kept = kept.sort_values(["left", "value", "right"], ascending=[True, False, True])
        kept = kept.drop_duplicates("left")
    return kept.reset_index(drop=True)


def _sketch_meta(**columns: Any) -> pd.DataFrame:
    return pd.DataFrame(
        {
            **columns,
            "wv": pd.Series([], dtype=PACKED),
            "ws": np.zeros(0, np.int64),
            "cv": pd.Series([], dtype=PACKED),
            "cs": np.zeros(0, np.int64),
        }
    )


def verify_by_left(
    rows: RunRows, attached: dd.DataFrame, threshold: float, *, best: bool = False
) -> list[Any]:
    """Delayed frames, one per block with comments, of the pairs of ``attached`` (``left``,
    ``right`` and the right side's sketch columns) that the left rows' sketches verify."""
    from dask import delayed

    filled = rows.filled()
    by_left = attached.set_index("left", divisions=rows.divisions())
    return [
        delayed(_verified)(part, rows.features[b], int(rows.bases[b]), threshold, best)
        for b, part in zip(filled, by_left.to_delayed(), strict=True)
    ]


def verify_pairs(rows: RunRows, pairs: dd.DataFrame, threshold: float) -> list[Any]:
    """Delayed frames of the verified in-run pairs (``left``, ``right``, ``value``), one per
    block: the pairs go to their right row's block for its sketches, then to the left's."""
    import dask.dataframe as dd
    from dask import delayed

    by_right = pairs.set_index("right", divisions=rows.divisions())
    attached = [
        delayed(_with_right_sketches)(part, rows.features[b], int(rows.bases[b]))
        for b, part in zip(rows.filled(), by_right.to_delayed(), strict=True)
    ]
    meta = _sketch_meta(left=np.zeros(0, np.int64), right=np.zeros(0, np.int64))
    frame = dd.from_delayed(attached, meta=meta, verify_meta=False)
    return verify_by_left(rows, frame, threshold)
