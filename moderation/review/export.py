"""Moderators' decisions as labeled training rows.

``moderation review export DB -o labels.jsonl`` writes one project-format row per decided
comment (its latest decision not undone), with ``"source": "moderator"``:
``{"id", "text", "stance", "spam", "incitement", "target", "source", "decision", "reviewer",
"decided_at"}``, and ``"language"`` when the scored dump gave the comment's (training reads
the labels and ignores it; it tells which decisions were on comments in which language, the
ones the model did not judge included); labels follow
:func:`moderation.review.decisions.labels_of`, and a decision that gives no label (removed,
but no flag raised and none set) is counted, not written.
:func:`read_review_db` yields the same rows as :class:`~moderation.train.corpora.LabeledRow`
straight from the database, read the way ``read_labeled`` reads the exported file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moderation.pipeline.writers import json_line, open_output
from moderation.review.decisions import State, labels_of
from moderation.review.store import ReviewError, connect

MODERATOR_SOURCE = "moderator"
_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True, slots=True)
class ExportResult:
    """How many decided comments were written, and how many gave no label."""

    rows: int
    unlabeled: int


def is_review_db(path: str | Path) -> bool:
    """Whether ``path`` is an SQLite file (the training reader's cue to read it as a review
    database rather than as text)."""
    try:
        with Path(path).open("rb") as stream:
            return stream.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False


def _open(path: str | Path) -> sqlite3.Connection:
    if not is_review_db(path):
        raise ReviewError(f"{path}: not a review database (SQLite file written by `review`)")
    connection = connect(path)
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    if not {"comments", "decisions"} <= tables:
        connection.close()
        raise ReviewError(f"{path}: an SQLite file without the review tables")
    return connection


def _decided(connection: sqlite3.Connection) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(decision id, row or None when it gives no label), oldest decision first."""
    query = (
        "SELECT c.id AS comment_id, c.text, c.target, c.flags, c.language, "
        "d.id AS decision_id, d.action, "
        "d.spam, d.incitement, d.stance, d.reviewer, d.at FROM comments c "
        "JOIN decisions d ON d.id = c.decision_id ORDER BY d.id"
    )
    for row in connection.execute(query):
        labels = labels_of(State.of(row), row["flags"].strip(",").split(","))
        if row["stance"] is None and all(value is None for value in labels.values()):
            yield row["decision_id"], None
            continue
        language = {"language": row["language"]} if row["language"] else {}
        yield (
            row["decision_id"],
            {
                "id": row["comment_id"],
                "text": row["text"],
                "stance": row["stance"],
                "spam": labels["spam"],
                "incitement": labels["incitement"],
                "target": row["target"],
                "source": MODERATOR_SOURCE,
                "decision": row["action"] or "labels",
                "reviewer": row["reviewer"],
                "decided_at": row["at"],
                **language,
            },
        )


def decision_rows(path: str | Path) -> Iterator[dict[str, Any]]:
    """The labeled rows of a review database, oldest decision first.

    Raises
    ------
    ReviewError
        ``path`` is not a review database.
    """
    connection = _open(path)
    try:
        for _, row in _decided(connection):
            if row is not None:
                yield row
    finally:
        connection.close()


def export_labels(path: str | Path, output: str | Path) -> ExportResult:
    """Write the decisions as JSONL (atomically; ``-`` for standard output)."""
    connection = _open(path)
    written = unlabeled = 0
    try:
        with open_output(output) as stream:
            for _, row in _decided(connection):
                if row is None:
                    unlabeled += 1
                else:
                    stream.write(json_line(row))
                    written += 1
    finally:
        connection.close()
    return ExportResult(written, unlabeled)


def read_review_db(path: str | Path) -> Iterator[Any]:
    """The decisions as :class:`~moderation.train.corpora.LabeledRow`, parsed exactly as
    ``read_labeled`` parses the exported JSONL (the same checks and fields)."""
    from moderation.train.corpora import _project_row

    for number, row in enumerate(decision_rows(path), start=1):
        yield _project_row(row, f"{path}: decision {number}", str(path), number)
