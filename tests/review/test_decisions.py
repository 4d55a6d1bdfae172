"""Decisions: one committed row per key press, history kept, undo, bulk actions on a
campaign, and what a decision means as labels."""

from __future__ import annotations

import pytest

from moderation.review import decisions
from moderation.review.decisions import State, labels_of
from moderation.review.priority import Thresholds
from moderation.review.store import ReviewError, load_dump, open_store
from tests.review.support import small_queue, write_dump

THRESHOLDS = Thresholds({"spam": 0.137, "incitement": 0.306}, {"spam": 0.71, "incitement": 0.88})


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "r.sqlite"
    connection = open_store(path)
    load_dump(connection, write_dump(tmp_path / "s.jsonl", small_queue()), THRESHOLDS)
    keys = {row["id"]: row["key"] for row in connection.execute("SELECT id, key FROM comments")}
    yield connection, keys, path
    connection.close()


def test_labels_follow_the_action_unless_set() -> None:
    assert labels_of(State("approve"), ["spam"]) == {"spam": 0, "incitement": 0}
    assert labels_of(State("remove"), ["spam"]) == {"spam": 1, "incitement": None}
    assert labels_of(State("remove", incitement=1), []) == {"spam": None, "incitement": 1}
    assert labels_of(State(None, spam=0), ["spam"]) == {"spam": 0, "incitement": None}
    assert labels_of(State(), ["spam"]) == {"spam": None, "incitement": None}


def test_each_press_is_a_row_and_the_latest_counts(store) -> None:
    connection, keys, _ = store
    key = keys["c4"]  # the model flagged spam
    assert decisions.decide(connection, key, "remove", "ann") == State("remove")
    assert decisions.decide(connection, key, "toggle:spam", "ann") == State("remove", spam=0)
    assert decisions.decide(connection, key, "toggle:spam", "ann") == State("remove", spam=1)
    state = decisions.decide(connection, key, "stance:pro_russia", "ann")
    assert state == State("remove", spam=1, stance="pro_russia")
    assert decisions.decide(connection, key, "toggle:incitement", "ann").incitement == 1
    history = decisions.history(connection, key)
    assert [row["op"] for row in history][:2] == ["remove", "toggle:spam"]
    assert {row["reviewer"] for row in history} == {"ann"} and all(row["at"] for row in history)
    row = connection.execute("SELECT decision FROM comments WHERE key = ?", (key,)).fetchone()
    assert row["decision"] == "remove"
    with pytest.raises(ReviewError, match="unknown decision 'stance:pro_mars'"):
        decisions.decide(connection, key, "stance:pro_mars", "ann")
    assert len(decisions.history(connection, key)) == 5  # the refused press wrote nothing


def test_undo_walks_back_one_reviewer_s_decisions(store) -> None:
    connection, keys, _ = store
    decisions.decide(connection, keys["c1"], "approve", "ann")
    decisions.decide(connection, keys["c3"], "remove", "bob")
    decisions.decide(connection, keys["c1"], "remove", "ann")
    assert decisions.undo(connection, "ann") == [keys["c1"]]
    assert decisions.state_of(connection, keys["c1"]) == State("approve")
    assert decisions.undo(connection, "ann") == [keys["c1"]]
    assert decisions.state_of(connection, keys["c1"]) == State()
    assert decisions.undo(connection, "ann") == []
    assert decisions.state_of(connection, keys["c3"]) == State("remove")  # bob's stays
    history = decisions.history(connection, keys["c1"])
    assert len(history) == 2 and all(row["undone_at"] for row in history)
    undecided = connection.execute("SELECT decision FROM comments WHERE key = ?", (keys["c1"],))
    assert undecided.fetchone()[0] is None


def test_bulk_removes_every_copy_and_undoes_at_once(store) -> None:
    connection, keys, _ = store
    decided = decisions.decide_cluster(connection, keys["c6"], "remove:spam", "ann")
    assert sorted(decided) == sorted(keys[k] for k in ("c5", "c6", "c7"))
    for key in decided:
        assert decisions.state_of(connection, key) == State("remove", spam=1)
    batches = {row[0] for row in connection.execute("SELECT batch FROM decisions")}
    assert len(batches) == 1
    assert sorted(decisions.undo(connection, "ann")) == sorted(decided)
    assert all(decisions.state_of(connection, key) == State() for key in decided)
    with pytest.raises(ReviewError, match="bulk"):
        decisions.decide_cluster(connection, keys["c6"], "toggle:spam", "ann")


def test_decisions_survive_reopening_the_store(store) -> None:
    connection, keys, path = store
    decisions.decide(connection, keys["c2"], "approve", "ann")
    other = open_store(path)  # as a restarted server would, while this one is still open
    assert decisions.state_of(other, keys["c2"]) == State("approve")
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other.close()
