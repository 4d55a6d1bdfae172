"""Candidate pairs with their right row's sketches: each pair once, the sketches packed into
one Arrow buffer per column, read back as the Python bytes columns of the index read."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyarrow")

from moderation.pipeline.dask_engine.features import DedupSettings, block_features  # noqa: E402
from moderation.pipeline.dask_engine.matching import (  # noqa: E402
    PACKED,
    _sketches_of,
    _with_right_sketches,
    sketch_columns,
)

TEXTS = [
    "the council voted again tonight on the new bus lanes along the river road",
    "the council voted again tonight on the new bus lanes along the river street",
    "ok",
    "a completely different comment about the weather and the trains this week",
]


def _features():  # noqa: ANN202 - a BlockFeatures
    return block_features(TEXTS * 3, [f"c{i}" for i in range(12)], DedupSettings(0.8, 5))


def test_each_pair_carries_its_right_sketches_once_and_packed() -> None:
    features, base = _features(), 100
    # Pairs as they come to the right row's block: one per band key they share, so repeated.
    part = pd.DataFrame(
        {"left": [107, 105, 107, 109, 105, 107]},
        index=pd.Index([101, 100, 101, 103, 100, 101], name="right"),
    )
    attached = _with_right_sketches(part, features, base)

    pairs = list(zip(attached["left"], attached["right"], strict=True))
    assert sorted(pairs) == pairs == [(105, 100), (107, 101), (109, 103)]
    # No Python object per pair: each column's values sit in one Arrow buffer.
    assert attached["wv"].dtype == PACKED and attached["cv"].dtype == PACKED
    expected = _sketches_of(pd.DataFrame(sketch_columns(features, np.array([0, 1, 3]))))
    for got, want in zip(_sketches_of(attached), expected, strict=True):
        for got_array, want_array in zip(got, want, strict=True):
            assert np.array_equal(got_array, want_array)
    # A slice of a packed column (a partition cut out of a shuffle) reads back its own rows.
    tail = _sketches_of(attached.iloc[1:])
    assert np.array_equal(tail[0][1], expected[0][1][1:])


def test_a_block_without_pairs_gives_an_empty_packed_frame() -> None:
    empty = pd.DataFrame({"left": np.zeros(0, np.int64)}, index=pd.Index([], dtype=np.int64))
    attached = _with_right_sketches(empty, _features(), 0)
    assert len(attached) == 0 and attached["wv"].dtype == PACKED
