"""Interrupted runs: a scoring run killed with SIGKILL resumes with no gap and no duplicate row."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from click.testing import CliRunner

from moderation.cli import main
from tests.support import ROOT, SEEDS

BATCH = 100


def _dump(tmp_path, copies: int = 6):
    """A dump of real-looking comments: the project corpus, repeated (so duplicates span the
    kill point), with broken lines among them (so rejections do too)."""
    texts = [
        json.loads(line)["text"]
        for path in sorted((SEEDS / "labeled").glob("part-*.jsonl"))
        for line in path.open(encoding="utf-8")
    ]
    lines = []
    for copy in range(copies):
        for number, text in enumerate(texts[:1500]):
            lines.append(
                json.dumps(
                    {"id": f"c{copy}-{number}", "text": text, "article_id": f"a{number % 40}"}
                )
            )
            if number % 250 == 7:
                lines.append('{"id": "broken", "text": ')
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _score_args(dump, out, rejects):
    return [
        "score",
        str(dump),
        "-o",
        str(out),
        "--rejects",
        str(rejects),
        "--batch-size",
        str(BATCH),
    ]


def test_killed_run_resumes_with_no_gap_and_no_duplicate(tmp_path) -> None:
    dump = _dump(tmp_path)
    reference = tmp_path / "reference.jsonl"
    reference_rejects = tmp_path / "reference-rejects.jsonl"
    result = CliRunner().invoke(main, _score_args(dump, reference, reference_rejects))
    assert result.exit_code == 1  # rejections were reported
    expected = reference.read_text(encoding="utf-8").splitlines()
    assert len(expected) == 9000

    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    checkpoint = tmp_path / "out.jsonl.partial.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "moderation", *_score_args(dump, out, rejects)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if (
            checkpoint.exists()
            and json.loads(checkpoint.read_text() or "{}").get("records", 0) > 2000
        ):
            break
        time.sleep(0.02)
    assert process.poll() is None, "the run finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert not out.exists()
    partial_rows = (tmp_path / "out.jsonl.partial").read_text(encoding="utf-8").splitlines()
    assert 0 < len(partial_rows) < len(expected)

    resumed = CliRunner().invoke(main, [*_score_args(dump, out, rejects), "--resume"])
    assert resumed.exit_code == 1, resumed.output
    assert "resuming" in resumed.stderr
    assert out.read_text(encoding="utf-8").splitlines() == expected
    assert rejects.read_text() == reference_rejects.read_text()
    assert not checkpoint.exists() and not (tmp_path / "out.jsonl.partial").exists()


def test_resume_refuses_other_options_and_needs_a_file(tmp_path) -> None:
    dump = tmp_path / "d.jsonl"
    dump.write_text('{"id": "1", "text": "hello there"}\n')
    out = tmp_path / "o.jsonl"
    (tmp_path / "o.jsonl.partial").write_text("")
    state = {"version": 1, "records": 0, "output_bytes": 0, "fingerprint": {"inputs": ["other"]}}
    (tmp_path / "o.jsonl.partial.json").write_text(json.dumps(state))
    result = CliRunner().invoke(main, ["score", str(dump), "-o", str(out), "--resume"])
    assert result.exit_code == 1 and "started with other inputs or options" in result.output
    result = CliRunner().invoke(main, ["score", str(dump), "--resume"])
    assert result.exit_code == 2 and "give -o FILE" in result.output
    # No checkpoint: --resume simply starts from the beginning.
    (tmp_path / "o.jsonl.partial.json").unlink()
    result = CliRunner().invoke(main, ["score", str(dump), "-o", str(out), "--resume"])
    assert result.exit_code == 0 and len(out.read_text().splitlines()) == 1
