"""Comments the model did not judge (a language its heads do not know): `moderation score`
writes them with no scores and action review; the review reads them, puts them first in the
review tier, shows their language instead of scores, and exports the moderator's labels."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import warnings

import pytest
from click.testing import CliRunner

from moderation.cli import main
from moderation.records import Rejection
from moderation.review import dashboard, decisions, queue
from moderation.review.app import Settings, create_app
from moderation.review.dumps import read_scored
from moderation.review.export import decision_rows
from moderation.review.priority import NOT_JUDGED, TIER_REVIEW, Thresholds
from moderation.review.store import SCHEMA, SCHEMA_VERSION, load_dump, open_store
from tests.review.support import not_judged, scored, small_queue, write_dump

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from starlette.testclient import TestClient

THRESHOLDS = Thresholds({"spam": 0.137, "incitement": 0.306}, {"spam": 0.71, "incitement": 0.88})
GERMAN = "Die sollte man alle erschießen, diese Verräter."


def test_what_the_scorer_writes_for_an_unsupported_language_loads(tmp_path) -> None:
    comments = tmp_path / "x.jsonl"
    comments.write_text(json.dumps({"id": "1", "text": GERMAN}) + "\n", encoding="utf-8")
    out = tmp_path / "xs.jsonl"
    result = CliRunner().invoke(main, ["score", str(comments), "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text(encoding="utf-8"))
    assert (written["spam"], written["language"], written["action"]) == (None, "de", "review")
    connection = open_store(tmp_path / "r.sqlite")
    loaded = load_dump(connection, out, THRESHOLDS)
    assert loaded.rows == 1 and loaded.rejections == []
    row = connection.execute("SELECT * FROM comments").fetchone()
    assert row["spam"] is None and row["incitement"] is None and row["language"] == "de"
    assert (row["tier"], row["certainty"], row["margin"]) == (TIER_REVIEW, NOT_JUDGED, 0.0)


def test_jsonl_and_csv_read_not_judged_rows_alike(tmp_path) -> None:
    rows = [scored("old", "a dump from before languages"), not_judged("de1", GERMAN)]
    from_jsonl = list(read_scored(write_dump(tmp_path / "s.jsonl", rows)))
    from_csv = list(read_scored(write_dump(tmp_path / "s.csv", rows, "csv")))
    assert [dataclasses.replace(r, line=0) for r in from_csv] == [
        dataclasses.replace(r, line=0) for r in from_jsonl
    ]
    old, german = from_jsonl
    assert old.language is None and old.judged and old.spam == 0.01
    assert not german.judged and (german.spam, german.incitement) == (None, None)
    assert german.language == "de" and german.stance == "" and german.stance_scores == {}


def test_null_scores_need_the_reason_and_come_together(tmp_path) -> None:
    no_reason = {**not_judged("a", GERMAN), "reasons": {}}
    half = {**not_judged("b", GERMAN), "spam": 0.2}
    items = list(read_scored(write_dump(tmp_path / "s.jsonl", [no_reason, half])))
    assert all(isinstance(item, Rejection) for item in items)
    assert "unsupported_language" in items[0].reason
    assert "'incitement' must be a score in [0, 1]; got None" in items[1].reason


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "r.sqlite"
    connection = open_store(path)
    rows = [*small_queue(), not_judged("de1", GERMAN, author="hans")]
    dump = load_dump(connection, write_dump(tmp_path / "s.jsonl", rows), THRESHOLDS).dump_id
    yield path, connection, dump
    connection.close()


def test_not_judged_comments_lead_the_review_tier(store) -> None:
    _, connection, dump = store
    rows, total = queue.page(connection, queue.QueueFilter(), [dump])
    assert total == 12
    assert [row["id"] for row in rows[:2]] == ["c2", "de1"]  # after remove, before the rest
    assert [row["action"] for row in rows[2:9]] == ["review"] * 7
    assert queue.page(connection, queue.QueueFilter(action="review"), [dump])[0][0]["id"] == "de1"


def test_the_page_shows_the_language_instead_of_scores(store) -> None:
    path, connection, dump = store
    key = connection.execute("SELECT key FROM comments WHERE id = 'de1'").fetchone()[0]
    client = TestClient(create_app(Settings(path, (dump,), "ann", "tok", "csrf")))
    client.get("/?token=tok")
    queue_page = client.get("/").text
    card = queue_page[queue_page.index(f'id="c{key}"') :].split("</article>")[0]
    assert "not judged by the model (unsupported language: de)" in card
    assert '<span class="badge language" title="language">de</span>' in card
    assert "margin" not in card and "<dt>spam</dt>" not in card
    assert "unsupported_language" not in card  # a reason with no words is not listed
    detail = client.get(f"/comment/{key}").text
    assert "not judged by the model" in detail and "History" in detail
    assert "not judged 1" in client.get("/dashboard").text
    assert client.get("/chart/agreement.png").status_code == 200


def test_decisions_on_not_judged_comments_export_with_their_language(store) -> None:
    path, connection, dump = store
    keys = {row["id"]: row["key"] for row in connection.execute("SELECT id, key FROM comments")}
    decisions.decide(connection, keys["de1"], "toggle:incitement", "ann")
    decisions.decide(connection, keys["de1"], "remove", "ann")
    decisions.decide(connection, keys["de1"], "stance:pro_ukraine", "ann")
    decisions.decide(connection, keys["c1"], "approve", "ann")
    rows = {row["id"]: row for row in decision_rows(path)}
    german = rows["de1"]
    assert (german["spam"], german["incitement"], german["stance"]) == (None, 1, "pro_ukraine")
    assert german["language"] == "de" and german["decision"] == "remove"
    assert "language" not in rows["c1"]  # the dump did not say
    agreement = {a.label: a for a in dashboard.agreement(connection, [dump])}
    assert agreement["incitement"].decided == 1 and agreement["stance"].decided == 0


# The comments table as schema 1 wrote it (scores NOT NULL, no language).
_V1_COMMENTS = """
CREATE TABLE comments (
    key INTEGER PRIMARY KEY, dump_id INTEGER NOT NULL REFERENCES dumps(id),
    seq INTEGER NOT NULL, id TEXT NOT NULL, article_id TEXT, parent_id TEXT, author TEXT,
    created_at TEXT, text TEXT NOT NULL, target TEXT NOT NULL, stance TEXT NOT NULL,
    stance_scores TEXT NOT NULL, margin REAL NOT NULL, spam REAL NOT NULL,
    incitement REAL NOT NULL, flags TEXT NOT NULL, action TEXT NOT NULL, reasons TEXT NOT NULL,
    cluster_id TEXT, duplicate_of TEXT, tier INTEGER NOT NULL, certainty REAL NOT NULL,
    decision TEXT, decision_id INTEGER, UNIQUE (dump_id, id)
);
INSERT INTO meta (key, value) VALUES ('schema', '1');
INSERT INTO dumps VALUES (1, 'old.jsonl', 'abc', 1, 0, '2026-01-01T00:00:00.000Z');
INSERT INTO comments VALUES (7, 1, 0, 'o1', NULL, NULL, NULL, NULL, 'old text',
    'russia_ukraine', 'neutral', '{}', 1.0, 0.01, 0.02, ',,', 'approve', '{}', NULL, NULL,
    3, 2.5, 'approve', 1);
INSERT INTO decisions VALUES (1, 7, 'approve', 'approve', NULL, NULL, NULL,
    'russia_ukraine', 'ann', '2026-01-01T00:00:01.000Z', 'b1', NULL);
"""


def test_a_schema_1_store_is_rebuilt_keeping_its_rows_and_decisions(tmp_path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as old:
        old.executescript(_V1_COMMENTS.split("INSERT", 1)[0] + SCHEMA)
        old.executescript("INSERT" + _V1_COMMENTS.split("INSERT", 1)[1])
    connection = open_store(path)
    schema = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
    assert schema == str(SCHEMA_VERSION) == "2"
    kept = connection.execute("SELECT * FROM comments").fetchone()
    assert (kept["key"], kept["id"], kept["decision_id"], kept["language"]) == (7, "o1", 1, None)
    loaded = load_dump(
        connection, write_dump(tmp_path / "s.jsonl", [not_judged("d", GERMAN)]), THRESHOLDS
    )
    assert loaded.rows == 1
    decisions.decide(connection, 7, "remove", "ann")  # the key still names the comment
    indexes = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"comments_queue", "comments_parent"} <= indexes and "comments_v2" not in indexes
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    connection.close()
