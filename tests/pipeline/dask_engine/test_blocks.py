"""Inputs cut into blocks and parsed block by block give the records the local engine parses:
JSONL and CSV (quoted line breaks, a broken quote) in ranges, fsspec URLs, whole pages."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from moderation.parse import ParseOptions, parse
from moderation.records import Record
from tests.pipeline.dask_engine.data import write_csv, write_jsonl
from tests.support import FIXTURES

pytest.importorskip("distributed")

from moderation.pipeline.dask_engine.blocks import expand_inputs  # noqa: E402
from moderation.pipeline.dask_engine.planning import plan_blocks  # noqa: E402
from moderation.pipeline.dask_engine.reading import parse_block  # noqa: E402

OPTIONS = ParseOptions(articles=True)


@pytest.fixture(scope="module")
def client():  # noqa: ANN201 - an in-process distributed.Client
    from distributed import Client

    with Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as c:
        yield c


def _comparable(records: list[Record], source: str | None = None) -> list[dict]:
    """Records as dicts, without ``position`` (numbered within each block, and in no row);
    with ``source``, every source renamed to it."""
    rows = []
    for record in records:
        if source is not None and hasattr(record, "source"):
            record = dataclasses.replace(record, source=source)  # type: ignore[arg-type]
        row = record.to_dict()
        row.pop("position", None)
        rows.append(row)
    return rows


def _blocks_parse(client, inputs: list[str], blocksize: int) -> tuple[int, list[Record]]:  # noqa: ANN001
    blocks = plan_blocks(client, expand_inputs(inputs), OPTIONS, blocksize)
    return len(blocks), [r for block in blocks for r in parse_block(block, OPTIONS).records]


@pytest.mark.parametrize("blocksize", [300, 2000, 10**7])
def test_jsonl_ranges_parse_as_the_whole_file(client, tmp_path: Path, blocksize: int) -> None:  # noqa: ANN001
    path = tmp_path / "dump.jsonl"
    write_jsonl(path, count=150)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # a byte-order mark, read once
    count, records = _blocks_parse(client, [str(path)], blocksize)
    assert count > 1 if blocksize < 10**4 else count == 1
    local = list(parse([str(path)], OPTIONS))
    assert _comparable(records) == _comparable(local)
    assert any(r.record == "rejection" and r.line > 100 for r in local)  # lines that count
    assert any(r.record == "comment" and r.id.startswith("dump/") for r in local)  # made-up ids


@pytest.mark.parametrize("blocksize", [200, 1500])
def test_csv_records_with_line_breaks_are_never_cut(client, tmp_path: Path, blocksize: int) -> None:  # noqa: ANN001
    path = tmp_path / "dump.csv"
    write_csv(path, count=80)
    count, records = _blocks_parse(client, [str(path)], blocksize)
    local = list(parse([str(path)], OPTIONS))
    assert count > 2
    assert _comparable(records) == _comparable(local)
    assert any("\n" in getattr(r, "text", "") for r in local)


def test_a_broken_csv_quote_keeps_the_rest_of_the_file_whole(client, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "broken.csv"
    write_csv(path, count=80)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = len(lines) // 2
    lines.insert(broken, 'x1,"this quote never closes,u1,a1\n')
    path.write_text("".join(lines), encoding="utf-8")
    blocks = plan_blocks(client, expand_inputs([str(path)]), OPTIONS, 200)
    records = [r for block in blocks for r in parse_block(block, OPTIONS).records]
    local = list(parse([str(path)], OPTIONS))
    assert _comparable(records) == _comparable(local)
    assert blocks[-1].end == path.stat().st_size and blocks[-1].first_line <= broken + 1
    assert any("quoting" in getattr(r, "reason", "") for r in local)


def test_fsspec_urls_read_as_local_files(client, tmp_path: Path) -> None:  # noqa: ANN001
    import fsspec

    write_jsonl(tmp_path / "dump.jsonl", count=60)
    shutil.copy(FIXTURES / "html" / "wordpress_nested.html", tmp_path / "page.html")
    memory = fsspec.filesystem("memory")
    for name in ("dump.jsonl", "page.html"):
        memory.pipe(f"/moderation-test/{name}", (tmp_path / name).read_bytes())
    try:
        count, records = _blocks_parse(client, ["memory://moderation-test/"], 500)
        local = list(parse([str(tmp_path / "dump.jsonl"), str(tmp_path / "page.html")], OPTIONS))
        assert count > 2
        assert _comparable(records, "x") == _comparable(local, "x")
        assert {r.source for r in records if r.record == "comment"} == {
            "memory:///moderation-test/dump.jsonl",
            "memory:///moderation-test/page.html",
        }
    finally:
        memory.rm("/moderation-test", recursive=True)


def test_missing_inputs_and_globs_are_reported_as_locally(client, tmp_path: Path) -> None:  # noqa: ANN001
    write_jsonl(tmp_path / "one.jsonl", count=20)
    write_jsonl(tmp_path / "two.jsonl", count=20, seed=2)
    inputs = [str(tmp_path / "*.jsonl"), str(tmp_path / "missing.jsonl")]
    _, records = _blocks_parse(client, inputs, 10**6)
    paths = [str(tmp_path / "one.jsonl"), str(tmp_path / "two.jsonl"), inputs[1]]
    local = list(parse(paths, OPTIONS))
    assert _comparable(records) == _comparable(local)
    assert records[-1].record == "rejection" and "no such file" in records[-1].reason
