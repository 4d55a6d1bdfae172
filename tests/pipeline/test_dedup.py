"""pipeline.dedup and pipeline.parsed without the CLI: rows, clusters, index, rejections."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from moderation.errors import OptionsError
from moderation.parse import ParseOptions
from moderation.pipeline.dedup import COLUMNS, dedup
from moderation.pipeline.options import DedupOptions
from moderation.pipeline.parsed import write_parsed
from tests.support import FIXTURES, SEEDS

DUMPS = FIXTURES / "dedup"


def _rows(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_dedup_writes_rows_and_the_clusters_file(tmp_path: Path) -> None:
    out, clusters = tmp_path / "out.jsonl", tmp_path / "clusters.jsonl"
    result = dedup(DUMPS / "campaign.jsonl", DedupOptions(clusters_path=clusters), out)
    rows = {row["id"]: row for row in _rows(out.read_text())}
    assert list(rows["c1"]) == list(COLUMNS)
    assert (rows["c2"]["match"], rows["c2"]["duplicate_of"]) == ("exact", "c1")
    assert rows["c1"]["cluster_size"] == 4 and rows["u1"]["cluster_size"] == 1
    written = {row["first_id"]: row for row in _rows(clusters.read_text())}
    assert {first: row["kind"] for first, row in written.items()} == {
        cluster.first_id: cluster.kind for cluster in result.clusters
    }
    assert written["c1"]["kind"] == "campaign" and written["f1"]["kind"] == "flood"
    assert (result.comments, result.rejected, result.clusters_written) == (11, 0, True)
    assert "3 clusters (campaign 1, flood 1, short 1)" in result.render()
    assert "  cluster " not in result.render()  # they are in the file
    listed = dedup(DUMPS / "campaign.jsonl", DedupOptions(), io.StringIO())
    assert listed.render().count("  cluster ") == 3


def test_dedup_with_an_index_finds_the_earlier_run(tmp_path: Path) -> None:
    options = DedupOptions(index_path=tmp_path / "seen.sqlite")
    dedup(DUMPS / "day1.jsonl", options, io.StringIO())
    second = io.StringIO()
    result = dedup(DUMPS / "day2.jsonl", options, second)
    rows = {row["id"]: row for row in _rows(second.getvalue())}
    assert (rows["d2-1"]["match"], rows["d2-1"]["duplicate_of"]) == ("earlier-run", "d1-3")
    assert any(cluster.earlier_run for cluster in result.clusters)


def test_dedup_reports_rejections_and_keeps_the_stories(tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text((DUMPS / "campaign.jsonl").read_text() + '{"id": "x", "text": \n')
    told: list[str] = []
    options = DedupOptions(rejects=tmp_path / "rej.jsonl")
    result = dedup(dump, options, io.StringIO(), notify=told.append)
    assert result.rejected == 1 and len(told) == 1 and told[0].startswith("error: ")
    assert json.loads((tmp_path / "rej.jsonl").read_text())["line"] == 12
    stories = dedup(SEEDS, DedupOptions(), io.StringIO()).stories
    assert any(len(article_ids) == 2 for article_ids in stories.values())


def test_write_parsed_counts_records_and_refuses_articles_in_csv() -> None:
    stream = io.StringIO()
    result = write_parsed(SEEDS, ParseOptions(articles=True), stream)
    assert (result.counts["comment"], result.counts["article"], result.rejected) == (12, 5, 0)
    assert len(stream.getvalue().splitlines()) == 17
    assert result.render() == "parsed 12 comments, 5 articles; 0 rejected"
    with pytest.raises(OptionsError, match="articles"):
        write_parsed(SEEDS, ParseOptions(articles=True), io.StringIO(), output_format="csv")
