"""`moderation dedup`, and duplicates and stories in `moderation score`, through click."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from moderation.cli import main
from tests.support import FIXTURES, SEEDS

DUMPS = FIXTURES / "dedup"


def _rows(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def test_score_marks_the_seed_repeat_and_the_syndicated_stories() -> None:
    result = CliRunner().invoke(main, ["score", str(SEEDS)])
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert len(rows) == 12  # one row per comment: articles are not rows
    by_id = {row["id"].split("_", 1)[0] + "/" + row["id"].rsplit("/", 1)[1]: row for row in rows}
    nine, ten = by_id["001/9"], by_id["001/10"]
    assert nine["duplicate_of"] is None and ten["duplicate_of"] == nine["id"]
    assert nine["cluster_id"] == ten["cluster_id"] is not None
    others = [row for key, row in by_id.items() if key not in ("001/9", "001/10")]
    assert all(row["duplicate_of"] is None for row in others)
    assert len({row["cluster_id"] for row in others} | {nine["cluster_id"]}) == 11
    assert {row["story_id"] for row in rows if row["id"].startswith("000")} == {
        row["story_id"] for row in rows if row["id"].startswith("001")
    }
    stories = [line for line in result.stderr.splitlines() if line.startswith("  story ")]
    assert any("002_" in line and "003_" in line for line in stories)
    assert any("000_" in line and "001_" in line and "002_" not in line for line in stories)
    assert "duplicates: 1 comments repeat an earlier one (1 clusters)" in result.stderr


def test_dedup_writes_a_row_per_comment_and_names_floods_and_campaigns(tmp_path: Path) -> None:
    clusters = tmp_path / "clusters.jsonl"
    result = CliRunner().invoke(
        main, ["dedup", str(DUMPS / "campaign.jsonl"), "--clusters", str(clusters)]
    )
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in _rows(result.stdout)}
    assert list(next(iter(rows.values()))) == [
        "id",
        "article_id",
        "author",
        "duplicate_of",
        "cluster_id",
        "cluster_size",
        "similarity",
        "match",
        "story_id",
    ]
    assert rows["c2"]["match"] == "exact" and rows["c2"]["duplicate_of"] == "c1"
    assert rows["c4"]["match"] == "near" and 0.8 <= rows["c4"]["similarity"] < 1
    assert rows["c1"]["cluster_size"] == 4 and rows["c1"]["duplicate_of"] is None
    assert rows["f2"]["match"] == "exact" and rows["f3"]["match"] == "near"
    assert rows["s2"]["match"] == "short-exact" and rows["s3"]["match"] == "short-exact"
    assert rows["u1"]["cluster_size"] == 1 and rows["u1"]["match"] is None
    summaries = {s["first_id"]: s for s in _rows(clusters.read_text())}
    assert summaries["c1"]["kind"] == "campaign" and summaries["c1"]["authors"] == 4
    assert summaries["f1"]["kind"] == "flood" and summaries["f1"]["authors"] == 1
    assert summaries["s1"]["kind"] == "short"
    assert "3 clusters (campaign 1, flood 1, short 1)" in result.stderr


def test_dedup_csv_and_threshold(tmp_path: Path) -> None:
    dump = str(DUMPS / "campaign.jsonl")
    result = CliRunner().invoke(main, ["dedup", dump, "--output-format", "csv"])
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.exit_code == 0 and len(table) == 11 and table[1]["match"] == "exact"
    strict = CliRunner().invoke(main, ["dedup", dump, "--threshold", "1"])
    assert {row["id"]: row["match"] for row in _rows(strict.stdout)}["c4"] is None
    bad = CliRunner().invoke(main, ["dedup", dump, "--threshold", "0"])
    assert bad.exit_code == 2 and "(0, 1]" in bad.output


def test_two_runs_over_two_dumps_with_one_index(tmp_path: Path) -> None:
    index = str(tmp_path / "seen.sqlite")
    first = CliRunner().invoke(main, ["dedup", str(DUMPS / "day1.jsonl"), "--index", index])
    assert first.exit_code == 0, first.output
    assert all(row["match"] in (None, "exact") for row in _rows(first.stdout))
    second = CliRunner().invoke(main, ["dedup", str(DUMPS / "day2.jsonl"), "--index", index])
    assert second.exit_code == 0, second.output
    rows = {row["id"]: row for row in _rows(second.stdout)}
    assert (rows["d2-1"]["match"], rows["d2-1"]["duplicate_of"]) == ("earlier-run", "d1-3")
    assert (rows["d2-3"]["match"], rows["d2-3"]["duplicate_of"]) == ("earlier-run", "d1-1")
    assert (rows["d2-4"]["match"], rows["d2-4"]["duplicate_of"]) == ("earlier-run", "d1-6")
    assert rows["d2-2"]["match"] is None and rows["d2-5"]["duplicate_of"] == "d2-2"
    assert "began in an earlier run with d1-3" in second.stderr
    scored = CliRunner().invoke(
        main, ["score", str(DUMPS / "day2.jsonl"), "--index", index, "--dedup-threshold", "0.8"]
    )
    assert scored.exit_code == 0, scored.output
    assert _rows(scored.stdout)[0]["duplicate_of"] == "d1-3"
    other = CliRunner().invoke(
        main, ["dedup", str(DUMPS / "day2.jsonl"), "--index", index, "--threshold", "0.5"]
    )
    assert other.exit_code == 1 and "other settings" in other.output


def test_index_readonly_without_an_index_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["dedup", "--index-readonly", str(SEEDS)])
    assert result.exit_code == 2
    assert "--index-readonly looks up an index: give it with --index DB" in result.output


def test_parse_score_and_dedup_share_the_reading_options() -> None:
    for name in ("parse", "score", "dedup"):
        help_text = CliRunner().invoke(main, [name, "--help"], terminal_width=200).output
        for option in ("--format", "--field", "--html-text", "--strict", "--rejects", "--quiet"):
            assert option in help_text, (name, option)
