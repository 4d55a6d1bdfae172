"""RejectionLog: told at once through a callback, written in step with checkpoints."""

from __future__ import annotations

import io
import json

from moderation.pipeline.rejections import RejectionLog
from moderation.records import Rejection


def test_deferred_rows_wait_for_the_records_before_them() -> None:
    stream = io.StringIO()
    told: list[str] = []
    log = RejectionLog(stream=stream, deferred=True, notify=told.append)
    log.add(Rejection("a.jsonl", "invalid JSON", line=3), 3)
    log.add(Rejection("a.jsonl", "no text", line=9), 9)
    assert told == ["error: a.jsonl:3: invalid JSON", "error: a.jsonl:9: no text"]
    assert stream.getvalue() == ""  # nothing before a checkpoint says records are done
    log.flush(until=5)
    assert [json.loads(line)["line"] for line in stream.getvalue().splitlines()] == [3]
    log.flush()
    assert [json.loads(line)["line"] for line in stream.getvalue().splitlines()] == [3, 9]
    log.close()
    assert not stream.closed  # the caller's stream stays open
    assert log.count == 2


def test_a_file_log_writes_at_once_and_is_closed(tmp_path) -> None:
    path = tmp_path / "rejects.jsonl"
    with RejectionLog(path) as log:
        log.add(Rejection("b.txt", "binary file"))
        assert log.count == 1
    assert json.loads(path.read_text())["reason"] == "binary file"
    with RejectionLog() as silent:  # no file, no callback: only counted
        silent.add(Rejection("c.txt", "empty"))
    assert silent.count == 1
