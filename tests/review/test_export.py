"""Decisions as labeled rows: the export, the database reader that yields the same rows, and
the round trip into training."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from moderation.cli import main
from moderation.review import decisions
from moderation.review.export import decision_rows, is_review_db, read_review_db
from moderation.review.priority import Thresholds
from moderation.review.store import load_dump, open_store
from moderation.train.corpora import read_labeled
from tests.review.support import small_queue, write_dump

THRESHOLDS = Thresholds({"spam": 0.137, "incitement": 0.306}, {"spam": 0.71, "incitement": 0.88})


@pytest.fixture
def decided(tmp_path):
    path = tmp_path / "r.sqlite"
    connection = open_store(path)
    load_dump(connection, write_dump(tmp_path / "s.jsonl", small_queue()), THRESHOLDS)
    keys = {row["id"]: row["key"] for row in connection.execute("SELECT id, key FROM comments")}
    decisions.decide(connection, keys["c1"], "approve", "ann")
    decisions.decide(connection, keys["c1"], "stance:neutral", "ann")
    decisions.decide(connection, keys["c2"], "remove", "ann")  # model: incitement
    decisions.decide(connection, keys["c4"], "approve", "ann")  # model said spam: wrong
    decisions.decide(connection, keys["c3"], "remove", "ann")  # no flag: gives no label
    decisions.decide(connection, keys["c8"], "remove", "ann")
    decisions.undo(connection, "ann")  # c8 back to undecided
    connection.close()
    return path


def test_export_writes_the_latest_decision_per_comment(decided, tmp_path) -> None:
    out = tmp_path / "labels.jsonl"
    result = CliRunner().invoke(main, ["review", "export", str(decided), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 3 labeled rows" in result.stderr and "1 decisions gave no label" in result.stderr
    rows = {row["id"]: row for row in map(json.loads, out.read_text().splitlines())}
    assert set(rows) == {"c1", "c2", "c4"}
    assert {row["source"] for row in rows.values()} == {"moderator"}
    assert (rows["c1"]["spam"], rows["c1"]["incitement"], rows["c1"]["stance"]) == (0, 0, "neutral")
    assert (rows["c2"]["spam"], rows["c2"]["incitement"]) == (None, 1)
    assert rows["c4"]["spam"] == 0 and rows["c4"]["decision"] == "approve"
    assert rows["c4"]["text"] == "Check my channel for the truth"
    assert rows["c2"]["reviewer"] == "ann" and rows["c2"]["target"] == "russia_ukraine"


def test_the_database_reader_yields_what_reading_the_export_gives(decided, tmp_path) -> None:
    out = tmp_path / "labels.jsonl"
    CliRunner().invoke(main, ["review", "export", str(decided), "-o", str(out)])
    from_file = read_labeled([out])
    from_db = list(read_review_db(decided))
    assert [row.labels() for row in read_labeled([decided])] == [r.labels() for r in from_file]
    assert [row.labels() for row in from_db] == [row.labels() for row in from_file]
    assert len(from_db) == 3 and is_review_db(decided) and not is_review_db(out)
    assert list(decision_rows(decided))[0]["id"] == "c1"


def test_export_refuses_what_is_not_a_review_database(tmp_path) -> None:
    text = tmp_path / "x.sqlite"
    text.write_text("hello", encoding="utf-8")
    result = CliRunner().invoke(main, ["review", "export", str(text)])
    assert result.exit_code == 1 and "not a review database" in result.stderr
    assert "Traceback" not in result.output


def test_exported_labels_train_a_model(decided, tmp_path) -> None:
    """The round trip into training: the exported rows, read by read_labeled beside a small
    corpus, train a model whose card counts them."""
    from moderation.train.trainer import TrainingOptions, train_moderator

    out = tmp_path / "labels.jsonl"
    CliRunner().invoke(main, ["review", "export", str(decided), "-o", str(out)])
    corpus = tmp_path / "corpus.jsonl"
    lines = []
    for i in range(12):
        lines.append(
            {
                "text": f"subscribe to my channel number {i} now",
                "spam": 1,
                "incitement": 0,
                "stance": "neutral",
            }
        )
        lines.append(
            {
                "text": f"we should bomb city {i} and kill them",
                "spam": 0,
                "incitement": 1,
                "stance": "pro_russia",
            }
        )
        lines.append(
            {
                "text": f"slava ukraini, the defenders of town {i} hold",
                "spam": 0,
                "incitement": 0,
                "stance": "pro_ukraine",
            }
        )
    corpus.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    rows = read_labeled([corpus, out])
    moderator, card = train_moderator(rows, TrainingOptions(cv=2, n_jobs=1))
    assert str(out) in card["data"]["files"]
    assert card["data"]["rows_used"] == len(lines) + 3
    counts = card["data"]["label_counts"]
    assert counts["spam"] == {"0": 26, "1": 12}  # c1 and c4 approved: not spam
    assert counts["incitement"] == {"0": 26, "1": 13}  # c2 removed for its incitement flag
    assert counts["stance:russia_ukraine"]["neutral"] == 13  # c1's stance
    assert moderator.thresholds["spam"] is not None
