"""The store and its queue: loading, reuse on restart, order, filters, and pages served by
the queue index rather than a sort."""

from __future__ import annotations

import sqlite3

import pytest

from moderation.review import queue
from moderation.review.priority import Thresholds
from moderation.review.store import ReviewError, load_dump, open_store
from tests.review.support import scored, small_queue, write_dump

THRESHOLDS = Thresholds({"spam": 0.137, "incitement": 0.306}, {"spam": 0.71, "incitement": 0.88})


@pytest.fixture
def store(tmp_path):
    connection = open_store(tmp_path / "r.sqlite")
    result = load_dump(connection, write_dump(tmp_path / "s.jsonl", small_queue()), THRESHOLDS)
    yield connection, result.dump_id
    connection.close()


def _ids(rows) -> list[str]:
    return [row["id"] for row in rows]


def test_queue_lists_remove_then_review_then_the_rest(store) -> None:
    connection, dump = store
    rows, total = queue.page(connection, queue.QueueFilter(), [dump])
    assert total == 11
    actions = [row["action"] for row in rows]
    assert actions[0] == "remove" and set(actions[1:9]) == {"review"}
    assert set(_ids(rows[9:])) == {"c1", "c3"}
    assert _ids(rows[9:]) == ["c3", "c1"]  # c3's stance is the least sure


def test_filters_narrow_the_queue(store) -> None:
    connection, dump = store

    def ids(**params: str) -> set[str]:
        rows, total = queue.page(connection, queue.QueueFilter.from_params(params), [dump])
        assert total == len(rows)
        return set(_ids(rows))

    assert ids(action="remove") == {"c2"}
    assert ids(flag="incitement") == {"c2"}
    assert ids(stance="pro_russia") == {"c2"}
    assert ids(cluster="camp") == {"c5", "c6", "c7"}
    assert ids(author="bot2") == {"c6"}
    assert ids(article="a2") == {"c5", "c7"}
    assert ids(q="CHANNEL") == {"c4", "c8", "c9"}
    assert ids(q="100%") == set() and ids(q="_") == set()  # LIKE wildcards are literal
    with pytest.raises(ReviewError, match="status"):
        queue.QueueFilter.from_params({"status": "gone"})


def test_pages_walk_the_queue_index_without_sorting(store) -> None:
    connection, dump = store
    for filters in (queue.QueueFilter(), queue.QueueFilter(status="all", action="review")):
        sql, values = queue.page_query(filters, [dump])
        plan = " | ".join(
            row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, [*values, 50, 0])
        )
        assert "USING INDEX comments_queue" in plan and "TEMP B-TREE" not in plan, plan
    first, _ = queue.page(connection, queue.QueueFilter(), [dump], 1, size=4)
    second, _ = queue.page(connection, queue.QueueFilter(), [dump], 2, size=4)
    everything, _ = queue.page(connection, queue.QueueFilter(), [dump], 1, size=100)
    assert _ids(first + second) == _ids(everything[:8])


def test_a_reloaded_dump_is_reused_and_a_changed_one_is_new(tmp_path) -> None:
    path = write_dump(tmp_path / "s.jsonl", small_queue())
    connection = open_store(tmp_path / "r.sqlite")
    first = load_dump(connection, path, THRESHOLDS)
    again = load_dump(connection, path, THRESHOLDS)
    assert again.reused and again.dump_id == first.dump_id and again.rows == 11
    changed = load_dump(connection, write_dump(tmp_path / "t.jsonl", small_queue()[:3]), THRESHOLDS)
    assert not changed.reused and changed.dump_id != first.dump_id
    assert connection.execute("SELECT count(*) FROM comments").fetchone()[0] == 14


def test_repeated_ids_and_unreadable_files_are_reported(tmp_path) -> None:
    rows = [scored("same", "one"), scored("same", "two"), scored("other", "three")]
    connection = open_store(tmp_path / "r.sqlite")
    result = load_dump(connection, write_dump(tmp_path / "s.jsonl", rows), THRESHOLDS)
    assert result.rows == 2 and [r.line for r in result.rejections] == [2]
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(ReviewError, match="no scored comment"):
        load_dump(connection, empty, THRESHOLDS)
    assert connection.execute("SELECT count(*) FROM dumps").fetchone()[0] == 1  # rolled back
    not_db = tmp_path / "x.sqlite"
    not_db.write_bytes(b"this is not a database at all, just some bytes" * 40)
    with pytest.raises(ReviewError, match="not a review database"):
        open_store(not_db)


def test_a_hundred_thousand_comments_load_into_an_indexed_queue(tmp_path) -> None:
    """The scale the review must serve: the rows are stored, the first page comes from the
    index (no sort of 100,000 rows) and holds the remove tier first."""
    actions, spams = ("remove", "review", "approve", "approve"), (0.99, 0.5, 0.01, 0.01)
    rows = (
        scored(
            f"n{i}",
            f"comment number {i}",
            action=actions[i % 4],
            spam=spams[i % 4],
            scores=(0.34, 0.33, 0.33) if i % 7 == 0 else (0.9, 0.05, 0.05),
            article=f"a{i % 500}",
        )
        for i in range(100_000)
    )
    connection = open_store(tmp_path / "big.sqlite")
    result = load_dump(connection, write_dump(tmp_path / "big.jsonl", rows), THRESHOLDS)
    assert result.rows == 100_000 and not result.rejections
    sql, values = queue.page_query(queue.QueueFilter(), [result.dump_id])
    steps = [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, [*values, 50, 0])]
    assert steps == ["SCAN comments USING INDEX comments_queue"]
    page, total = queue.page(connection, queue.QueueFilter(), [result.dump_id])
    assert total == 100_000 and len(page) == queue.PAGE_SIZE
    assert {row["action"] for row in page} == {"remove"}
    assert isinstance(connection, sqlite3.Connection)


def test_the_stance_order_puts_the_least_sure_stance_first(store) -> None:
    connection, dump = store
    filters = queue.QueueFilter.from_params({"order": "stance", "action": "approve"})
    rows, total = queue.page(connection, filters, [dump])
    assert _ids(rows) == ["c3", "c1"] and total == 2  # margins 0.1 and 0.8
    everything, _ = queue.page(connection, queue.QueueFilter(order="stance"), [dump])
    margins = [row["margin"] for row in everything]
    assert margins == sorted(margins) and everything[0]["action"] != "remove"
    sql, values = queue.page_query(queue.QueueFilter(order="stance"), [dump])
    plan = " | ".join(
        row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, [*values, 50, 0])
    )
    assert "USING INDEX comments_margin" in plan and "TEMP B-TREE" not in plan, plan
    with pytest.raises(ReviewError, match="order"):
        queue.QueueFilter.from_params({"order": "loudest"})
