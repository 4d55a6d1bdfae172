"""The dashboard's numbers, counted in SQL over the dumps under review: actions, flags and
stances per dump and per article, stances over time, the largest campaigns, and how often the
moderators' decisions agree with the model."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from moderation.labels import FLAGS
from moderation.review.decisions import State, labels_of

ARTICLES_SHOWN = 30
# The stance the counts give a comment the model did not judge (its language is not known).
NOT_JUDGED = "not judged"
# The stance column as the dashboard counts it.
_STANCE = f"CASE WHEN spam IS NULL THEN '{NOT_JUDGED}' ELSE stance END AS stance"
CAMPAIGNS_SHOWN = 15


@dataclass(slots=True)
class Counts:
    """Actions, flags and stances of one dump or one article."""

    name: str
    comments: int = 0
    actions: Counter = field(default_factory=Counter)
    flags: Counter = field(default_factory=Counter)
    stances: Counter = field(default_factory=Counter)
    decided: int = 0


@dataclass(frozen=True, slots=True)
class Campaign:
    """A duplicate cluster with copies: its size, spread and one copy's text."""

    dump_id: int
    cluster_id: str
    copies: int
    authors: int
    articles: int
    text: str
    key: int


@dataclass(frozen=True, slots=True)
class Agreement:
    """For one label: decisions that give it, and how many of them agree with the model."""

    label: str
    decided: int
    agree: int


def _in(dump_ids: Sequence[int]) -> str:
    # "+dump_id": scan the table rather than walk an index on dump_id row by row (slower when
    # one dump is most of the table, as it usually is).
    return f"+dump_id IN ({', '.join('?' * len(dump_ids))})"


def counts(
    connection: sqlite3.Connection, dump_ids: Sequence[int], by: str
) -> dict[object, Counts]:
    """Counts per ``dump_id`` or per ``article_id``, grouped in SQL in one pass."""
    if by not in ("dump_id", "article_id"):
        raise ValueError(f"by={by!r}: use 'dump_id' or 'article_id'")
    out: dict[object, Counts] = {}
    rows = connection.execute(
        f"SELECT {by} AS name, action, flags, {_STANCE}, count(*) AS n, count(decision) AS d "
        f"FROM comments WHERE {_in(dump_ids)} GROUP BY {by}, action, flags, stance",
        list(dump_ids),
    )
    for row in rows:
        entry = out.setdefault(row["name"], Counts(str(row["name"] or "(none)")))
        entry.comments += row["n"]
        entry.decided += row["d"]
        entry.actions[row["action"]] += row["n"]
        entry.stances[row["stance"]] += row["n"]
        for flag in row["flags"].strip(",").split(","):
            if flag:
                entry.flags[flag] += row["n"]
    return out


def per_dump(connection: sqlite3.Connection, dump_ids: Sequence[int]) -> list[Counts]:
    """Counts per dump, named by the file each was loaded from, in loading order."""
    by_id = counts(connection, dump_ids, "dump_id")
    paths = {row["id"]: row["path"] for row in connection.execute("SELECT id, path FROM dumps")}
    for dump_id, entry in by_id.items():
        entry.name = paths.get(dump_id, entry.name)
    return [by_id[dump_id] for dump_id in sorted(by_id)]  # type: ignore[type-var]


def top_articles(per_article: dict[object, Counts], limit: int = ARTICLES_SHOWN) -> list[Counts]:
    """The articles with the most comments (ties by name)."""
    return sorted(per_article.values(), key=lambda c: (-c.comments, c.name))[:limit]


def stances_over_time(
    connection: sqlite3.Connection, dump_ids: Sequence[int]
) -> dict[str, Counter]:
    """Comments per day (the first ten characters of ``created_at``) and stance; empty when no
    comment has a time."""
    rows = connection.execute(
        f"SELECT substr(created_at, 1, 10) AS day, {_STANCE}, count(*) AS n FROM comments "
        f"WHERE {_in(dump_ids)} AND created_at IS NOT NULL GROUP BY day, stance ORDER BY day",
        list(dump_ids),
    )
    out: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        out[row["day"]][row["stance"]] += row["n"]
    return dict(out)


def campaigns(
    connection: sqlite3.Connection, dump_ids: Sequence[int], limit: int = CAMPAIGNS_SHOWN
) -> list[Campaign]:
    """The largest duplicate clusters (two copies or more), largest first."""
    rows = connection.execute(
        f"SELECT dump_id, cluster_id, count(*) AS copies, count(DISTINCT author) AS authors, "
        f"count(DISTINCT article_id) AS articles, min(key) AS key FROM comments "
        f"WHERE {_in(dump_ids)} AND cluster_id IS NOT NULL GROUP BY dump_id, cluster_id "
        f"HAVING copies > 1 ORDER BY copies DESC, key LIMIT ?",
        [*dump_ids, limit],
    ).fetchall()
    out = []
    for row in rows:
        text = connection.execute("SELECT text FROM comments WHERE key = ?", (row["key"],))
        out.append(
            Campaign(
                row["dump_id"],
                row["cluster_id"],
                row["copies"],
                row["authors"],
                row["articles"],
                text.fetchone()[0],
                row["key"],
            )
        )
    return out


def agreement(connection: sqlite3.Connection, dump_ids: Sequence[int]) -> list[Agreement]:
    """Per flag, and for stance: decisions that give the label, and how many agree with the
    model (the flag raised or not; the same stance). Comments the model did not judge are
    left out: it said nothing to agree with."""
    rows = connection.execute(
        f"SELECT c.flags, c.stance AS model_stance, d.action, d.spam, d.incitement, d.stance "
        f"FROM comments c JOIN decisions d ON d.id = c.decision_id "
        f"WHERE c.dump_id IN ({', '.join('?' * len(dump_ids))}) AND c.spam IS NOT NULL",
        list(dump_ids),
    )
    decided: Counter = Counter()
    agree: Counter = Counter()
    for row in rows:
        model_flags = row["flags"].strip(",").split(",")
        labels = labels_of(State.of(row), model_flags)
        for flag in FLAGS:
            if labels[flag] is not None:
                decided[flag] += 1
                agree[flag] += int(labels[flag] == int(flag in model_flags))
        if row["stance"] is not None:
            decided["stance"] += 1
            agree["stance"] += int(row["stance"] == row["model_stance"])
    return [Agreement(label, decided[label], agree[label]) for label in (*FLAGS, "stance")]
