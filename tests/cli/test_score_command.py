"""`moderation score` and `moderation train` through click's test runner."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from moderation.cli import main
from tests.support import FIXTURES, ROOT, SEEDS


def test_score_seeds_prints_a_verdict_per_comment_and_a_summary() -> None:
    result = CliRunner().invoke(main, ["score", str(SEEDS)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 12
    assert {
        "id",
        "stance",
        "stance_scores",
        "spam",
        "incitement",
        "flags",
        "action",
        "reasons",
        "duplicate_of",
        "cluster_id",
    } <= set(rows[0])
    assert rows[-1]["flags"] == ["incitement"] and rows[-1]["reasons"]["incitement"]
    assert "scored 12 comments; 0 rejected" in result.stderr
    assert "flags:   incitement 1" in result.stderr


def test_score_reads_parse_output_and_writes_csv(tmp_path) -> None:
    parsed = tmp_path / "parsed.jsonl"
    CliRunner().invoke(main, ["parse", str(SEEDS), "-o", str(parsed)])
    result = CliRunner().invoke(main, ["score", str(parsed), "--output-format", "csv"])
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(table) == 12 and table[-1]["flags"] == "incitement"
    assert json.loads(table[0]["stance_scores"])


def test_score_thresholds_and_errors(tmp_path) -> None:
    result = CliRunner().invoke(main, ["score", str(SEEDS), "--threshold", "spam=0"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert all("spam" in row["flags"] for row in rows)
    result = CliRunner().invoke(main, ["score", str(SEEDS), "--threshold", "spam=2"])
    assert result.exit_code == 2 and "FLAG=VALUE" in result.output
    result = CliRunner().invoke(main, ["score", str(SEEDS), "--model", str(tmp_path / "no.joblib")])
    assert result.exit_code == 1 and "no such model file" in result.output


def test_train_command_writes_model_and_card(tmp_path) -> None:
    out = tmp_path / "m.joblib"
    data = str(FIXTURES / "tiny_labeled.jsonl")
    result = CliRunner().invoke(main, ["train", "--data", data, "-o", str(out), "--cv", "3"])
    assert result.exit_code == 0, result.output
    assert "cross-validated metrics" in result.stdout and "macro-F1" in result.stdout
    card = json.loads((tmp_path / "m.card.json").read_text())
    assert card["data"]["rows_used"] == 40
    result = CliRunner().invoke(main, ["score", "--model", str(out), str(SEEDS)])
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 12


def test_train_takes_several_data_paths_after_one_flag(tmp_path) -> None:
    out = tmp_path / "m.joblib"
    tiny = str(FIXTURES / "tiny_labeled.jsonl")
    copy = tmp_path / "copy.jsonl"
    copy.write_text((FIXTURES / "tiny_labeled.jsonl").read_text())
    args = ["train", "--data", tiny, str(copy), "-o", str(out), "--cv", "3"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "m.card.json").read_text())
    assert card["data"]["rows_given"] == 80 and card["data"]["rows_used"] == 40


def test_heads_missing_from_the_data_come_from_the_corpus_only() -> None:
    from moderation.train.corpora import LabeledRow
    from moderation.train.trainer import missing_heads, supplement

    given = [LabeledRow("buy now", spam=1), LabeledRow("nice song", spam=0)]
    assert missing_heads(given) == ["incitement", "stance:russia_ukraine"]
    corpus = [LabeledRow("x", stance="neutral", spam=1, incitement=0)]
    rows = supplement(given, corpus, missing_heads(given))
    assert rows[:2] == given
    assert (rows[2].spam, rows[2].incitement, rows[2].stance) == (None, 0, "neutral")


def _rounded(value):
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return round(value, 6) if isinstance(value, float) else value


@pytest.mark.slow
def test_default_training_reproduces_the_committed_card(tmp_path, monkeypatch) -> None:
    """python train.py rebuilds the default model from the repository; the card's numbers match."""
    monkeypatch.chdir(ROOT)
    out = tmp_path / "default.joblib"
    result = CliRunner().invoke(main, ["train", "-o", str(out)])
    assert result.exit_code == 0, result.output
    committed = json.loads((ROOT / "models" / "default.card.json").read_text())
    rebuilt = json.loads((tmp_path / "default.card.json").read_text())
    assert rebuilt["data"]["sha256"] == committed["data"]["sha256"]
    assert _rounded(rebuilt["heads"]) == _rounded(committed["heads"])
    assert f"{committed['heads']['spam']['cv_metrics']['f1']:.3f}" in result.stdout
