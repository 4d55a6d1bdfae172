"""pipeline.score without the CLI: rows, duplicates, rejections, resume, and the iterator form."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from moderation.cli import main
from moderation.errors import OptionsError
from moderation.pipeline.options import ScoreOptions
from moderation.pipeline.score import score, score_records
from moderation.records import Rejection
from moderation.verdict import Verdict
from tests.support import SEEDS

BROKEN = '{"id": "broken", "text": '


class Interrupted(Exception):
    """Stands in for Ctrl-C or a crash in the middle of a run."""


def _texts(count: int) -> list[str]:
    texts = [
        json.loads(line)["text"]
        for path in sorted((SEEDS / "labeled").glob("part-*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(texts) >= count
    return texts[:count]


def _dump(tmp_path: Path, count: int = 150, copies_every: int = 10, broken_every: int = 40):
    """A dump of corpus texts with exact copies of earlier ones and broken lines among them.

    Returns the path and, line by line, what each is: a comment id, a copy's original id, or
    None for a broken line.
    """
    lines, kinds = [], []
    for number, text in enumerate(_texts(count)):
        lines.append(json.dumps({"id": f"c{number}", "text": text, "article_id": f"a{number % 4}"}))
        kinds.append((f"c{number}", None))
        if number % copies_every == 9:
            original = number - 5
            copy = {"id": f"copy{number}", "text": _texts(count)[original], "article_id": "a9"}
            lines.append(json.dumps(copy))
            kinds.append((f"copy{number}", f"c{original}"))
        if number % broken_every == 3:
            lines.append(BROKEN)
            kinds.append(None)
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, kinds


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_score_writes_a_row_per_comment_marks_copies_and_reports_rejections(tmp_path) -> None:
    dump, kinds = _dump(tmp_path)
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    told: list[str] = []
    options = ScoreOptions(batch_size=32, rejects=rejects)
    result = score(dump, options, out, notify=told.append)

    rows = _rows(out)
    comments = [kind for kind in kinds if kind is not None]
    assert [row["id"] for row in rows] == [comment_id for comment_id, _ in comments]
    copies = {comment_id: original for comment_id, original in comments if original}
    for row in rows:
        if row["id"] in copies:
            assert row["duplicate_of"] == copies[row["id"]]
    broken_lines = [number for number, kind in enumerate(kinds, start=1) if kind is None]
    assert [json.loads(line)["line"] for line in rejects.read_text().splitlines()] == broken_lines
    assert result.rejected == len(broken_lines) == len(told) > 0
    assert all(line.startswith(f"error: {dump}:") for line in told)
    assert result.rows == len(rows) and result.resumed_from == 0
    assert f"scored {len(rows)} comments; {len(broken_lines)} rejected" in result.render()
    assert f"duplicates: {len(copies)} comments repeat an earlier one" in result.render()
    assert not (tmp_path / "out.jsonl.partial").exists()


def test_score_writes_what_the_command_writes_to_a_file_or_a_stream(tmp_path) -> None:
    dump, _ = _dump(tmp_path, count=60)
    stream = io.StringIO()
    result = score([dump], ScoreOptions(output_format="csv"), stream)
    command_out = tmp_path / "command.csv"
    args = ["score", str(dump), "-o", str(command_out), "--output-format", "csv"]
    command = CliRunner().invoke(main, args)
    assert command.exit_code == 1  # the broken lines were reported
    assert stream.getvalue() == command_out.read_text(encoding="utf-8")
    assert result.render() in command.stderr


def test_an_interrupted_run_resumes_from_its_last_checkpoint(tmp_path) -> None:
    dump, kinds = _dump(tmp_path, count=300, broken_every=25)
    reference, reference_rejects = tmp_path / "reference.jsonl", tmp_path / "reference-rej.jsonl"
    score(dump, ScoreOptions(batch_size=20, rejects=reference_rejects), reference)

    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    options = ScoreOptions(batch_size=20, rejects=rejects)

    crashed: list[str] = []

    def crash_at_the_seventh_rejection(line: str) -> None:
        crashed.append(line)
        if len(crashed) == 7:
            raise Interrupted

    with pytest.raises(Interrupted):
        score(dump, options, out, notify=crash_at_the_seventh_rejection)
    assert not out.exists()
    checkpoint = json.loads((tmp_path / "out.jsonl.partial.json").read_text())
    assert 0 < checkpoint["records"] < len(kinds)

    told: list[str] = []
    options = ScoreOptions(batch_size=20, rejects=rejects, resume=True)
    resumed = score(dump, options, out, notify=told.append)
    assert told[0] == f"resuming {out}: {checkpoint['records']} input records were done"
    assert resumed.resumed_from == checkpoint["records"]
    assert 0 < resumed.rows < len(_rows(reference))
    assert out.read_bytes() == reference.read_bytes()
    assert rejects.read_bytes() == reference_rejects.read_bytes()
    assert not (tmp_path / "out.jsonl.partial.json").exists()


def test_a_resume_needs_an_output_file(tmp_path) -> None:
    dump, _ = _dump(tmp_path, count=5)
    with pytest.raises(OptionsError, match="resume=True"):
        score(dump, ScoreOptions(resume=True), "-")
    with pytest.raises(OptionsError, match="resume=True"):
        next(score_records(dump, ScoreOptions(resume=True)))


@pytest.mark.parametrize("jobs", [1, 2])
def test_score_records_gives_verdicts_and_rejections_in_input_order(tmp_path, jobs) -> None:
    dump, kinds = _dump(tmp_path, count=120, broken_every=15)
    with dump.open("a", encoding="utf-8") as stream:  # a rejection after the last comment
        stream.write(BROKEN + "\n")
    kinds.append(None)
    records = list(score_records(dump, ScoreOptions(batch_size=16, jobs=jobs)))
    assert [None if isinstance(r, Rejection) else r.id for r in records] == [
        None if kind is None else kind[0] for kind in kinds
    ]
    assert all(isinstance(r, Rejection | Verdict) for r in records)
    written = io.StringIO()
    score(dump, ScoreOptions(batch_size=16), written)
    verdicts = [r for r in records if isinstance(r, Verdict)]
    assert [v.to_dict() for v in verdicts] == [
        json.loads(line) for line in written.getvalue().splitlines()
    ]
