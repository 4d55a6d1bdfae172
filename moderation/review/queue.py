"""The queue as pages of SQL: filters become WHERE clauses with parameters, the order is the
``comments_queue`` index (tier, certainty, position), so a page of 100,000 comments costs one
index walk and never a sort or a list in memory.

``order=stance`` orders by the stance margin instead (the ``comments_margin`` index: the
comments whose two likeliest stances are nearest first), for a moderator reviewing stance:
the default order puts comments near a flag's threshold first, which says nothing of how sure
the model is of their stance. Comments the model did not judge have margin 0: first in it too.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from moderation.labels import FLAGS
from moderation.review.store import ReviewError

PAGE_SIZE = 50
STATUSES = ("undecided", "decided", "all")
ACTIONS = ("remove", "review", "approve")
ORDERS = {"": "ORDER BY tier, certainty, seq", "stance": "ORDER BY margin, seq"}
ORDER = ORDERS[""]


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the moderator narrowed the queue to; empty strings mean "any"."""

    status: str = "undecided"
    article: str = ""
    flag: str = ""
    action: str = ""
    stance: str = ""
    cluster: str = ""
    author: str = ""
    q: str = ""
    order: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> QueueFilter:
        """Read the filter from query parameters, checking the closed choices.

        Raises
        ------
        ReviewError
            A status, flag or action outside its choices (named in the message).
        """
        values = {f.name: str(params.get(f.name, "") or "").strip() for f in fields(cls)}
        values["status"] = values["status"] or "undecided"
        closed = (("status", STATUSES), ("flag", FLAGS), ("action", ACTIONS))
        for name, choices in (*closed, ("order", tuple(o for o in ORDERS if o))):
            if values[name] and values[name] not in choices:
                raise ReviewError(f"{name}={values[name]!r}: use one of {choices}")
        return cls(**values)

    def params(self) -> dict[str, str]:
        """The non-empty fields, for links that keep the filter."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where(filters: QueueFilter, dump_ids: Sequence[int]) -> tuple[str, list[Any]]:
    """The WHERE clause and its parameters: only the dumps under review, then each filter."""
    # "+dump_id": the dump is never the index to search by, so an unfiltered page walks the
    # queue index in order instead of sorting every comment of the dump.
    clauses = [f"+dump_id IN ({', '.join('?' * len(dump_ids))})"]
    values: list[Any] = list(dump_ids)
    if filters.status == "undecided":
        clauses.append("decision IS NULL")
    elif filters.status == "decided":
        clauses.append("decision IS NOT NULL")
    for column, value in (
        ("article_id", filters.article),
        ("action", filters.action),
        ("stance", filters.stance),
        ("cluster_id", filters.cluster),
        ("author", filters.author),
    ):
        if value:
            clauses.append(f"{column} = ?")
            values.append(value)
    if filters.flag:
        clauses.append("flags LIKE ?")
        values.append(f"%,{filters.flag},%")
    if filters.q:
        clauses.append("text LIKE ? ESCAPE '\\'")
        values.append(_like(filters.q))
    return " AND ".join(clauses), values


def page_query(filters: QueueFilter, dump_ids: Sequence[int]) -> tuple[str, list[Any]]:
    """SQL for one page of the queue (LIMIT and OFFSET are the last two parameters)."""
    clause, values = where(filters, dump_ids)
    return f"SELECT * FROM comments WHERE {clause} {ORDERS[filters.order]} LIMIT ? OFFSET ?", values


def page(
    connection: sqlite3.Connection,
    filters: QueueFilter,
    dump_ids: Sequence[int],
    number: int = 1,
    size: int = PAGE_SIZE,
) -> tuple[list[sqlite3.Row], int]:
    """One page of the queue and how many comments match the filter in all."""
    sql, values = page_query(filters, dump_ids)
    rows = connection.execute(sql, [*values, size, (max(number, 1) - 1) * size]).fetchall()
    clause, values = where(filters, dump_ids)
    total = connection.execute(f"SELECT count(*) FROM comments WHERE {clause}", values).fetchone()
    return rows, int(total[0])


def comment(connection: sqlite3.Connection, key: int) -> sqlite3.Row:
    """One comment by its key.

    Raises
    ------
    ReviewError
        No comment has that key.
    """
    row = connection.execute("SELECT * FROM comments WHERE key = ?", (key,)).fetchone()
    if row is None:
        raise ReviewError(f"no comment with key {key} in this review database")
    return row


def parents(connection: sqlite3.Connection, rows: Sequence[sqlite3.Row]) -> dict[int, sqlite3.Row]:
    """The comment each row replies to, by the row's key (rows without one are left out)."""
    out = {}
    for row in rows:
        if row["parent_id"]:
            parent = connection.execute(
                "SELECT * FROM comments WHERE dump_id = ? AND id = ?",
                (row["dump_id"], row["parent_id"]),
            ).fetchone()
            if parent is not None:
                out[row["key"]] = parent
    return out


@dataclass(frozen=True, slots=True)
class ClusterSummary:
    """A duplicate cluster: how many copies, by how many authors, under how many articles."""

    cluster_id: str
    copies: int
    authors: int
    articles: int


def clusters(
    connection: sqlite3.Connection, rows: Sequence[sqlite3.Row]
) -> dict[int, ClusterSummary]:
    """The cluster of each row with copies (single comments are left out), by the row's key."""
    out = {}
    for row in rows:
        if row["cluster_id"] is None:
            continue
        stats = connection.execute(
            "SELECT count(*), count(DISTINCT author), count(DISTINCT article_id) FROM comments "
            "WHERE dump_id = ? AND cluster_id = ?",
            (row["dump_id"], row["cluster_id"]),
        ).fetchone()
        if stats[0] > 1:
            out[row["key"]] = ClusterSummary(row["cluster_id"], *stats)
    return out


def thread(connection: sqlite3.Connection, row: sqlite3.Row, limit: int = 500) -> list[sqlite3.Row]:
    """The comments of the row's article, in dump order (at most ``limit``)."""
    if row["article_id"] is None:
        return [row]
    return connection.execute(
        "SELECT * FROM comments WHERE dump_id = ? AND article_id = ? ORDER BY seq LIMIT ?",
        (row["dump_id"], row["article_id"], limit),
    ).fetchall()


def cluster_members(
    connection: sqlite3.Connection, row: sqlite3.Row, limit: int = 500
) -> list[sqlite3.Row]:
    """The copies in the row's duplicate cluster, in dump order (at most ``limit``)."""
    if row["cluster_id"] is None:
        return [row]
    return connection.execute(
        "SELECT * FROM comments WHERE dump_id = ? AND cluster_id = ? ORDER BY seq LIMIT ?",
        (row["dump_id"], row["cluster_id"], limit),
    ).fetchall()


def reasons(row: sqlite3.Row) -> dict[str, list[tuple[str, float]]]:
    """The row's reasons: per raised flag, its n-grams and weights."""
    decoded = json.loads(row["reasons"])
    return {flag: [(str(p[0]), float(p[1])) for p in pairs] for flag, pairs in decoded.items()}
