"""What the faster main process of `moderation score` does beside the rows it writes.

Checkpoints are synced by a background thread: they must still name only bytes on disk, come in
order, and report a failed sync. The run keeps its startup objects out of garbage collection and
must leave the collector as it found it. Rows are the same with one worker process or two.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

import moderation.pipeline.checkpoint as checkpoint
from moderation.cli import main
from moderation.pipeline.checkpoint import ResumableOutput
from moderation.pipeline.runtime import PRELOAD
from tests.support import ROOT, SEEDS


def _state(output: ResumableOutput) -> dict:
    return json.loads(output.state_path.read_text(encoding="utf-8"))


def test_a_checkpoint_names_the_bytes_written_before_it(tmp_path) -> None:
    rejects = tmp_path / "rejects.jsonl"
    output = ResumableOutput(tmp_path / "out.jsonl", {"inputs": ["x"]}, rejects=rejects)
    output.stream.write("row 1\nrow 2\n")
    assert output.rejects is not None
    output.rejects.write("rejected\n")
    output.checkpoint(3)
    output._wait()
    assert _state(output)["records"] == 3
    assert _state(output)["output_bytes"] == len("row 1\nrow 2\n")
    assert _state(output)["rejects_bytes"] == len("rejected\n")
    output.stream.write("row 3\n")
    output.checkpoint(5)
    output.close()  # waits for the checkpoint being written
    assert _state(output)["records"] == 5
    assert _state(output)["output_bytes"] == len("row 1\nrow 2\nrow 3\n")


def test_a_failed_sync_is_raised_by_the_next_checkpoint_and_finish(tmp_path, monkeypatch) -> None:
    def broken(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    output = ResumableOutput(tmp_path / "out.jsonl", {"inputs": ["x"]})
    monkeypatch.setattr(checkpoint.os, "fsync", broken)
    output.stream.write("row\n")
    output.checkpoint(1)  # the sync fails in the background
    with pytest.raises(OSError, match="No space"):
        output.checkpoint(2)
    output.checkpoint(3)
    with pytest.raises(OSError, match="No space"):
        output.finish()
    output.close()  # closing after a failure does not raise again
    assert not (tmp_path / "out.jsonl").exists()


def test_resumed_output_finishes_after_its_last_checkpoint(tmp_path) -> None:
    output = ResumableOutput(tmp_path / "out.jsonl", {"inputs": ["x"]})
    for number in range(1, 6):
        output.stream.write(f"row {number}\n")
        output.checkpoint(number)
    output.finish()
    assert (tmp_path / "out.jsonl").read_text() == "".join(f"row {n}\n" for n in range(1, 6))
    assert not output.state_path.exists() and not output.partial.exists()


def _dump(tmp_path, count: int = 120):
    lines = [
        line
        for path in sorted((SEEDS / "labeled").glob("part-*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    texts = [json.loads(line)["text"] for line in lines[:count]]
    assert len(texts) == count
    path = tmp_path / "dump.jsonl"
    rows = [{"id": f"c{i}", "article_id": f"a{i % 3}", "text": t} for i, t in enumerate(texts)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_score_leaves_the_garbage_collector_as_it_found_it(tmp_path) -> None:
    dump = _dump(tmp_path)
    assert gc.get_freeze_count() == 0
    result = CliRunner().invoke(main, ["score", str(dump), "-o", str(tmp_path / "a.jsonl")])
    assert result.exit_code == 0, result.output
    assert gc.get_freeze_count() == 0
    gc.freeze()  # someone else's frozen objects stay frozen
    try:
        frozen = gc.get_freeze_count()
        result = CliRunner().invoke(main, ["score", str(dump), "-o", str(tmp_path / "b.jsonl")])
        assert result.exit_code == 0, result.output
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_one_or_two_jobs_write_the_same_bytes_with_checkpoints(tmp_path) -> None:
    dump = _dump(tmp_path, 400)
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}.jsonl"
        args = ["score", str(dump), "-o", str(out), "--jobs", jobs, "--batch-size", "37"]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) == 400


def test_the_command_and_the_pipeline_import_no_model_code_before_the_forkserver() -> None:
    """The forkserver that preloads the model code is started before this process imports it
    (runtime.start_forkserver): the command and the pipeline modules must not import it."""
    heavy = ("numpy", "sklearn", "moderation.judge.moderator", "moderation.pipeline.workers")
    code = (
        "import sys, moderation.cli, moderation.pipeline.score, moderation.pipeline.dedup\n"
        f"print(sorted(name for name in {heavy!r} if name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
    assert "moderation.judge.moderator" in PRELOAD
