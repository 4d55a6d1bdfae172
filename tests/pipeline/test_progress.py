"""The progress bar's input meter and the terminal table, without a terminal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from moderation.pipeline.progress import InputMeter, NoProgress, progress_for
from moderation.pipeline.writers import RowWriter, TableWriter


def test_meter_adds_the_files_before_to_the_offset_of_the_open_one(tmp_path: Path) -> None:
    if not Path("/proc/self/fdinfo").is_dir():
        pytest.skip("read offsets are seen through /proc/self/fdinfo (Linux)")
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_bytes(b"x" * 1000)
    second.write_bytes(b"y" * 3000)
    meter = InputMeter([first, second])
    assert meter.total == 4000 and meter.read() == 0
    with second.open("rb") as stream:
        stream.raw.read(1200)
        assert meter.read() == 2200
    assert meter.read() == 2200  # closed: never less than at the last look


def test_standard_input_has_no_known_size_and_no_bar_costs_nothing() -> None:
    assert InputMeter("-").total is None
    assert isinstance(progress_for("-", "scored", False), NoProgress)


def test_table_cuts_ids_at_the_start_and_texts_at_the_end() -> None:
    stream = io.StringIO()
    table = TableWriter(stream, width=80)
    row = {"id": "article-0123456789abcdef/17", "action": "remove", "flags": ["spam"]}
    table.write({**row, "stance": "neutral", "text": "Buy now\n\n" + "cheap " * 40})
    header, line = stream.getvalue().splitlines()
    assert header.split() == ["id", "action", "flags", "stance", "text"]
    assert line.startswith("…456789abcdef/17 remove  spam") and len(line) == 80
    assert "Buy now cheap" in line and line.endswith("…")


def test_row_writer_writes_a_table_when_asked() -> None:
    stream = io.StringIO()
    RowWriter(stream, "table").write({"id": "c1", "action": "approve", "flags": [], "text": "ok"})
    assert stream.getvalue().splitlines()[1].split() == ["c1", "approve", "-", "ok"]
