"""The engine options and their refusals, the Parquet index's refusals, and the merge rule of
clusters (no cluster needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from moderation.errors import DuplicatesError, OptionsError
from moderation.pipeline.engine import run_dedup, run_score
from moderation.pipeline.options import DedupOptions, ScoreOptions

pytest.importorskip("pyarrow")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ScoreOptions(engine="spark"), "engine='spark'"),
        (lambda: ScoreOptions(scheduler="tcp://127.0.0.1:8786"), "engine='dask'"),
        (lambda: ScoreOptions(engine="dask", resume=True), "resume"),
        (lambda: DedupOptions(jobs=2), "engine='dask'"),
        (lambda: DedupOptions(engine="dask", blocksize=0), "blocksize=0"),
    ],
)
def test_options_refuse_what_does_not_fit(make, message: str) -> None:  # noqa: ANN001
    with pytest.raises(OptionsError, match=message):
        make()


def test_the_local_engine_refuses_a_folder_output(tmp_path: Path) -> None:
    with pytest.raises(OptionsError, match="folder"):
        run_score(["x.jsonl"], ScoreOptions(), f"{tmp_path}/")
    with pytest.raises(OptionsError, match="folder"):
        run_dedup(["x.jsonl"], DedupOptions(), tmp_path)


def test_the_parquet_index_refuses_other_settings_and_a_sqlite_file(tmp_path: Path) -> None:
    from moderation.dedup import DuplicateFinder
    from moderation.pipeline.dask_engine.parquet_index import ParquetIndex

    settings = DuplicateFinder().settings
    ParquetIndex(str(tmp_path / "index"), settings)
    with pytest.raises(DuplicatesError, match="other settings"):
        ParquetIndex(str(tmp_path / "index"), DuplicateFinder(threshold=0.5).settings)
    (tmp_path / "index.sqlite").write_bytes(b"SQLite format 3\x00")
    with pytest.raises(DuplicatesError, match="is a file"):
        ParquetIndex(str(tmp_path / "index.sqlite"), settings)
    with pytest.raises(DuplicatesError, match="no such folder"):
        ParquetIndex(str(tmp_path / "missing"), settings, readonly=True)


def test_merged_clusters_root_at_an_earlier_run_first_then_the_earliest_row() -> None:
    """Row 3 matches row 0 best and row 2 (whose cluster began in an earlier run) too: the
    streamed answer keeps 3 with 0; merged, all three join the earlier run's cluster."""
    from moderation.pipeline.dask_engine.resolve import Matches, resolve

    matches = Matches(
        earlier_rows=np.array([2]),
        earlier_values=np.array([1.0]),
        earlier_ids=["old"],
        earlier_keys=np.array([7], dtype=np.uint64),
        left=np.array([3, 3]),
        right=np.array([0, 2]),
        values=np.array([0.9, 0.85]),
    )
    resolution = resolve(matches)
    assert resolution.rows.tolist() == [0, 2, 3]
    assert resolution.root.tolist() == [0, 2, 0]
    assert resolution.final.tolist() == [2, 2, 2]
    assert resolution.kind == ["near", "earlier-run", "near"]
    assert round(float(resolution.similarity[0]), 3) == 0.85  # the link that joined 0's cluster
    assert resolution.sizes[1] == 3
