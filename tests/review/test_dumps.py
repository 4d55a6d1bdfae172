"""Reading `moderation score` outputs back: JSONL and CSV give the same rows; bad rows are
reported with their line, never dropped."""

from __future__ import annotations

import dataclasses
import json

from moderation.records import Rejection
from moderation.review.dumps import read_scored
from tests.review.support import scored, small_queue, write_dump


def test_csv_reads_back_as_the_jsonl_does(tmp_path) -> None:
    rows = [*small_queue(), scored("f1", '=HYPERLINK("http://x.example")', author="@bob")]
    from_jsonl = list(read_scored(write_dump(tmp_path / "s.jsonl", rows)))
    from_csv = list(read_scored(write_dump(tmp_path / "s.csv", rows, "csv")))
    assert len(from_jsonl) == len(rows)
    assert all(not isinstance(row, Rejection) for row in from_jsonl)
    without_lines = [dataclasses.replace(row, line=0) for row in from_csv]
    assert without_lines == [dataclasses.replace(row, line=0) for row in from_jsonl]
    assert from_csv[-1].text.startswith("=HYPERLINK") and from_csv[-1].author == "@bob"
    assert from_jsonl[1].flags == ("incitement",) and from_jsonl[1].reasons["incitement"]


def test_bad_rows_are_rejected_with_their_line(tmp_path) -> None:
    good = scored("ok", "fine")
    path = tmp_path / "bad.jsonl"
    write_dump(path, [good])
    with path.open("a", encoding="utf-8") as stream:
        stream.write("{not json\n")
        stream.write('{"id": "x", "spam": 0.1}\n')  # no text
        stream.write('["a", "list"]\n')
        bad_action = {**good, "id": "y", "action": "delete"}
        stream.write(json.dumps(bad_action) + "\n")
        stream.write('{"id": "z", "text": "t", "spam": 7, "incitement": 0}\n')
    items = list(read_scored(path))
    assert [type(item).__name__ for item in items] == ["ScoredRow"] + ["Rejection"] * 5
    assert [item.line for item in items[1:]] == [2, 3, 4, 5, 6]
    reasons = " | ".join(item.reason for item in items[1:])
    for words in ("unreadable row", "needs 'id' and 'text'", "JSON object", "'delete'", "'spam'"):
        assert words in reasons
