"""`moderation parse` through click's test runner."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from moderation.cli import main
from tests.support import FIXTURES, SEEDS


def test_parse_seeds_prints_twelve_comments() -> None:
    result = CliRunner().invoke(main, ["parse", str(SEEDS)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 12
    assert {row["record"] for row in rows} == {"comment"}
    assert "parsed 12 comments; 0 rejected" in result.stderr


def test_parse_writes_articles_and_csv(tmp_path) -> None:
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["parse", str(SEEDS), "--articles", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sum(row["record"] == "article" for row in rows) == 5

    result = CliRunner().invoke(main, ["parse", str(SEEDS), "--output-format", "csv"])
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(table) == 12 and table[0]["format"] == "text"


def test_bad_input_is_reported_others_carry_on_and_exit_is_nonzero(tmp_path) -> None:
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\x00\x00\x00binary")
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"Title\n\nGood line.\n\nLeave a reply\n\nCaf\xe9 au lait\n")
    rejects = tmp_path / "rejects.jsonl"
    page = FIXTURES / "pages" / "tribune_numbered.txt"
    result = CliRunner().invoke(
        main, ["parse", str(binary), str(latin), str(page), "--rejects", str(rejects)]
    )
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4  # the good page still parsed, the Latin-1 line recovered
    assert rows[0]["text"] == "Café au lait"
    assert f"error: {binary}: binary file" in result.stderr
    assert f"warning: {latin}: line(s) 7 are not UTF-8; read as Windows-1252" in result.stderr
    rejected = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [(r["source"], r["line"]) for r in rejected] == [(str(binary), None)]


def test_strict_stops_at_the_first_problem(tmp_path) -> None:
    missing = tmp_path / "missing.txt"
    result = CliRunner().invoke(main, ["parse", "--strict", str(missing), str(SEEDS)])
    assert result.exit_code == 1
    assert "no such file" in result.output
    assert result.stdout == ""


def test_stdin_and_bad_field_option() -> None:
    page = "A title\n\nThe story.\n\nLeave a reply\n\nNice one.\n"
    result = CliRunner().invoke(main, ["parse", "-"], input=page)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["text"] == "Nice one."
    result = CliRunner().invoke(main, ["parse", "-", "--field", "bogus=x"], input=page)
    assert result.exit_code == 2 and "ROLE=COLUMN" in result.output


def test_csv_output_neutralises_formulas() -> None:
    page = 'A title\n\nThe story.\n\nLeave a reply\n\n=HYPERLINK("http://x.example")\n'
    result = CliRunner().invoke(main, ["parse", "-", "--output-format", "csv"], input=page)
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert row["text"].startswith("'=HYPERLINK")
