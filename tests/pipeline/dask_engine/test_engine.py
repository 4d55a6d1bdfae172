"""The Dask engine against the local one, on one 2-worker cluster on 127.0.0.1 for the module:
the same rows, rejections, clusters and summaries; a worker killed mid-run; earlier runs
through the Parquet index."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from moderation.cli import main
from moderation.parse import ParseOptions
from moderation.pipeline.engine import run_dedup, run_score
from moderation.pipeline.options import DedupOptions, ScoreOptions
from tests.pipeline.dask_engine.data import BLOCKSIZE, write_inputs, write_jsonl

pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

from moderation.pipeline.dask_engine.blocks import expand_inputs  # noqa: E402
from moderation.pipeline.dask_engine.planning import plan_blocks  # noqa: E402


@pytest.fixture(scope="module")
def cluster():  # noqa: ANN201 - a distributed.LocalCluster
    from distributed import LocalCluster

    # The scheduler runs in this process: its log lines would reach what a command prints.
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.ERROR)
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as local_cluster:
        yield local_cluster
    logger.setLevel(level)


@pytest.fixture(scope="module")
def client(cluster):  # noqa: ANN001, ANN201 - the test's own client of the cluster
    from distributed import Client

    with Client(cluster, set_as_default=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_inputs(tmp_path_factory.mktemp("dask") / "inputs")


def _score(engine: str, inputs: Path, out: Path, scheduler: str | None = None) -> str:
    """Score with either engine; the output, rejects and summary as one comparable text."""
    options = ScoreOptions(
        engine=engine, scheduler=scheduler, blocksize=BLOCKSIZE, rejects=str(out) + ".rejects"
    )
    result = run_score([str(inputs)], options, str(out))
    rejects = Path(str(out) + ".rejects").read_text(encoding="utf-8")
    return out.read_text(encoding="utf-8") + rejects + result.render()


@pytest.fixture(scope="module")
def local_score(inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return _score("local", inputs, tmp_path_factory.mktemp("local") / "scores.jsonl")


def _rows(text: str) -> dict[str, dict]:
    """The rows of an output (its lines that are JSON objects with an id), by id."""
    rows = (json.loads(line) for line in text.splitlines() if line.startswith("{"))
    return {row["id"]: row for row in rows if "id" in row}


def test_score_rows_are_the_local_engines(cluster, client, inputs, local_score, tmp_path):  # noqa: ANN001
    from moderation.pipeline.dask_engine.model_cache import loads

    before = client.run(loads)
    scored = _score("dask", inputs, tmp_path / "scores.jsonl", cluster.scheduler_address)
    after = client.run(loads)

    assert scored == local_score
    assert '"record":"rejection"' in scored  # there were rejections to compare
    blocks = plan_blocks(client, expand_inputs([inputs]), ParseOptions(), BLOCKSIZE)
    assert len(blocks) > 3 * len(after)
    # One load per worker process at most, not one per block.
    assert all(after[worker] - before.get(worker, 0) <= 1 for worker in after)
    # The chain (see data.py), streamed: C keeps its own cluster, B joins C, its best match.
    rows = _rows(scored)
    assert rows["chainC"]["duplicate_of"] is None
    assert rows["chainB"]["duplicate_of"] == "chainC"


def test_dedup_command_writes_parts_and_the_local_clusters(cluster, inputs, tmp_path):  # noqa: ANN001
    runner = CliRunner()
    local = runner.invoke(
        main,
        [
            "dedup",
            str(inputs),
            "-o",
            str(tmp_path / "local.jsonl"),
            "--clusters",
            str(tmp_path / "local-clusters.jsonl"),
        ],
    )
    parts = tmp_path / "parts"
    dask = runner.invoke(
        main,
        [
            "dedup",
            str(inputs),
            "-o",
            f"{parts}/",
            "--engine",
            "dask",
            "--scheduler",
            cluster.scheduler_address,
            "--blocksize",
            str(BLOCKSIZE),
            "--clusters",
            str(tmp_path / "dask-clusters.jsonl"),
        ],
    )
    assert (dask.exit_code, dask.output) == (local.exit_code, local.output)
    manifest = json.loads((parts / "manifest.json").read_text(encoding="utf-8"))
    names = [part["part"] for part in manifest["parts"]]
    assert sorted(p.name for p in parts.glob("part-*")) == names
    assert len(names) > len(list(inputs.iterdir()))  # the dumps were cut into blocks
    gathered = "".join((parts / name).read_text(encoding="utf-8") for name in names)
    assert gathered == (tmp_path / "local.jsonl").read_text(encoding="utf-8")
    assert manifest["rows"] == len(gathered.splitlines())
    assert manifest["rejections"] > 0
    clusters = (tmp_path / "dask-clusters.jsonl").read_bytes()
    assert clusters == (tmp_path / "local-clusters.jsonl").read_bytes() and clusters
    # The chain (see data.py), merged over the whole run: C and B both join A's cluster.
    rows = _rows(gathered)
    assert (rows["chainC"]["duplicate_of"], rows["chainC"]["match"]) == ("chainA", "near")
    assert rows["chainB"]["duplicate_of"] == "chainA"


def _held_scores(client) -> str | None:  # noqa: ANN001
    """A worker holding a block's verdicts, if any does yet."""
    for worker, keys in client.has_what().items():
        if any(str(key).startswith("scored_rows") for key in keys):
            return worker
    return None


def test_a_worker_killed_mid_run_is_replaced(cluster, client, inputs, local_score, tmp_path):  # noqa: ANN001
    pids = client.run(os.getpid)
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["text"] = _score(
                "dask", inputs, tmp_path / "scores.jsonl", cluster.scheduler_address
            )
        except BaseException as error:  # handed to the test's thread below
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    victim = None
    for _ in range(1200):  # at most two minutes
        victim = _held_scores(client)
        if victim is not None or not thread.is_alive():
            break
        time.sleep(0.1)
    assert victim is not None and thread.is_alive(), "no verdicts were held mid-run"
    os.kill(pids[victim], signal.SIGKILL)
    thread.join(timeout=600)
    assert not thread.is_alive()
    assert "error" not in outcome, outcome.get("error")
    assert outcome["text"] == local_score  # every row once, as the local engine wrote it
    client.wait_for_workers(2, timeout=120)
    assert pids[victim] not in client.run(os.getpid).values()


def test_the_parquet_index_flags_an_earlier_runs_repeats(cluster, tmp_path):  # noqa: ANN001
    """Two runs on each engine: the second flags the first's repeats (earlier-run), the Dask
    engine through its Parquet index exactly as the local one through SQLite."""
    write_jsonl(tmp_path / "all.jsonl", count=320, seed=3)
    lines = (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "day1.jsonl").write_text("".join(lines[:160]), encoding="utf-8")
    (tmp_path / "day2.jsonl").write_text("".join(lines[160:]), encoding="utf-8")
    for day in ("day1", "day2"):
        for engine, index in (("local", "index.sqlite"), ("dask", "index/")):
            options = DedupOptions(
                engine=engine,
                scheduler=cluster.scheduler_address if engine == "dask" else None,
                blocksize=BLOCKSIZE,
                index_path=str(tmp_path / index),
            )
            out = tmp_path / f"{day}-{engine}.jsonl"
            result = run_dedup([str(tmp_path / f"{day}.jsonl")], options, str(out))
            out.write_text(out.read_text(encoding="utf-8") + result.render(), encoding="utf-8")
        local = (tmp_path / f"{day}-local.jsonl").read_text(encoding="utf-8")
        assert (tmp_path / f"{day}-dask.jsonl").read_text(encoding="utf-8") == local
    assert '"match":"earlier-run"' not in (tmp_path / "day1-dask.jsonl").read_text()
    assert '"match":"earlier-run"' in (tmp_path / "day2-dask.jsonl").read_text()
    assert sorted(p.name for p in (tmp_path / "index").iterdir()) == [
        "bands",
        "runs",
        "settings.json",
        "sketches",
        "texts",
    ]


def test_strict_stops_at_the_first_problem_in_input_order(cluster, tmp_path):  # noqa: ANN001
    from moderation.errors import ParseError
    from moderation.parse import ParseOptions

    write_jsonl(tmp_path / "a.jsonl", count=80, seed=5)  # its broken lines come first
    (tmp_path / "b.jsonl").write_text("{broken\n", encoding="utf-8")
    strict = ParseOptions(strict=True, articles=True)
    errors = []
    for engine in ("local", "dask"):
        options = DedupOptions(
            engine=engine,
            scheduler=cluster.scheduler_address if engine == "dask" else None,
            blocksize=500,
            parse_options=strict,
        )
        with pytest.raises(ParseError) as raised:
            run_dedup([str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")], options, "-")
        errors.append(str(raised.value))
    assert errors[0] == errors[1] and "a.jsonl:6:" in errors[0]


def test_inputs_without_comments(cluster, tmp_path):  # noqa: ANN001
    (tmp_path / "bad.jsonl").write_text("{broken\n", encoding="utf-8")
    outputs = []
    for engine in ("local", "dask"):
        options = DedupOptions(
            engine=engine, scheduler=cluster.scheduler_address if engine == "dask" else None
        )
        result = run_dedup([str(tmp_path / "bad.jsonl")], options, str(tmp_path / engine))
        outputs.append(((tmp_path / engine).read_text(encoding="utf-8"), result.render()))
    assert outputs[0] == outputs[1] and "0 comments; 1 rejected" in outputs[0][1]
