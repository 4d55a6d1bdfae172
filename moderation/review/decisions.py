"""Moderators' decisions: each key press is one row, written in its own transaction.

A decision row holds the comment's whole state after the press (action and the labels the
moderator set), so the latest row not undone is the comment's state and the rows before it are
its history. What a state means as training labels is :func:`labels_of`: labels the moderator
set count as they are; approving says neither flag applies; removing confirms the flags the
model raised. Stance counts only when the moderator set it.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from moderation.labels import DEFAULT_TARGET, FLAGS, STANCE_LABELS
from moderation.review.store import ReviewError, now, transaction

ACTIONS = ("approve", "remove")
TOGGLES = tuple(f"toggle:{flag}" for flag in FLAGS)
STANCE_OP = "stance:"
BULK_OPS = ("approve", "remove", "remove:spam")


@dataclass(frozen=True, slots=True)
class State:
    """A comment's decision state: the action taken and the labels set by a moderator."""

    action: str | None = None
    spam: int | None = None
    incitement: int | None = None
    stance: str | None = None

    @classmethod
    def of(cls, row: sqlite3.Row | None) -> State:
        if row is None:
            return cls()
        return cls(row["action"], row["spam"], row["incitement"], row["stance"])

    @property
    def summary(self) -> str | None:
        """The comments table's ``decision`` column: the action, or ``labeled``, or None."""
        if self.action is not None:
            return self.action
        if any(v is not None for v in (self.spam, self.incitement, self.stance)):
            return "labeled"
        return None


def labels_of(state: State, model_flags: Iterable[str]) -> dict[str, int | None]:
    """The flag labels a state gives: set ones, else 0 when approved, else the model's flags
    when removed, else ``None`` (no label)."""
    flagged = set(model_flags)
    out: dict[str, int | None] = {}
    for flag in FLAGS:
        value = getattr(state, flag)
        if value is None and state.action == "approve":
            value = 0
        elif value is None and state.action == "remove" and flag in flagged:
            value = 1
        out[flag] = value
    return out


def stance_labels(target: str) -> tuple[str, ...]:
    """The stance labels a moderator may give for ``target``."""
    return STANCE_LABELS.get(target, STANCE_LABELS[DEFAULT_TARGET])


def _comment(connection: sqlite3.Connection, key: int) -> sqlite3.Row:
    row = connection.execute(
        "SELECT key, target, flags, decision_id FROM comments WHERE key = ?", (key,)
    ).fetchone()
    if row is None:
        raise ReviewError(f"no comment with key {key} in this review database")
    return row


def _current(connection: sqlite3.Connection, comment: sqlite3.Row) -> State:
    if comment["decision_id"] is None:
        return State()
    return State.of(
        connection.execute(
            "SELECT * FROM decisions WHERE id = ?", (comment["decision_id"],)
        ).fetchone()
    )


def apply_op(state: State, op: str, model_flags: Iterable[str], target: str) -> State:
    """The state after one key press.

    Raises
    ------
    ReviewError
        ``op`` is not one of the operations (named in the message).
    """
    if op in ACTIONS:
        return State(op, state.spam, state.incitement, state.stance)
    if op == "remove:spam":
        return State("remove", 1, state.incitement, state.stance)
    if op in TOGGLES:
        flag = op.split(":", 1)[1]
        shown = labels_of(state, model_flags)[flag]
        if shown is None:
            shown = int(flag in set(model_flags))
        values = {"spam": state.spam, "incitement": state.incitement, flag: 1 - shown}
        return State(state.action, values["spam"], values["incitement"], state.stance)
    if op.startswith(STANCE_OP) and op[len(STANCE_OP) :] in stance_labels(target):
        return State(state.action, state.spam, state.incitement, op[len(STANCE_OP) :])
    stances = [STANCE_OP + label for label in stance_labels(target)]
    raise ReviewError(f"unknown decision {op!r}; use one of {(*ACTIONS, *TOGGLES, *stances)}")


def _record(
    connection: sqlite3.Connection,
    comment: sqlite3.Row,
    op: str,
    reviewer: str,
    batch: str,
    stamp: str,
) -> State:
    state = apply_op(
        _current(connection, comment), op, comment["flags"].strip(",").split(","), comment["target"]
    )
    decision_id = connection.execute(
        "INSERT INTO decisions (comment_key, op, action, spam, incitement, stance, target, "
        "reviewer, at, batch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            comment["key"],
            op,
            state.action,
            state.spam,
            state.incitement,
            state.stance,
            comment["target"],
            reviewer,
            stamp,
            batch,
        ),
    ).lastrowid
    connection.execute(
        "UPDATE comments SET decision = ?, decision_id = ? WHERE key = ?",
        (state.summary, decision_id, comment["key"]),
    )
    return state


def decide(connection: sqlite3.Connection, key: int, op: str, reviewer: str) -> State:
    """Record one decision on one comment, committed before this returns."""
    with transaction(connection):
        return _record(connection, _comment(connection, key), op, reviewer, uuid.uuid4().hex, now())


def decide_cluster(connection: sqlite3.Connection, key: int, op: str, reviewer: str) -> list[int]:
    """Apply ``op`` to every copy in the comment's duplicate cluster, in one transaction (one
    undo step); returns the keys decided.

    Raises
    ------
    ReviewError
        ``op`` is not a bulk operation.
    """
    if op not in BULK_OPS:
        raise ReviewError(f"unknown bulk decision {op!r}; use one of {BULK_OPS}")
    with transaction(connection):
        first = connection.execute(
            "SELECT dump_id, cluster_id FROM comments WHERE key = ?", (key,)
        ).fetchone()
        if first is None:
            raise ReviewError(f"no comment with key {key} in this review database")
        members = connection.execute(
            "SELECT key, target, flags, decision_id FROM comments WHERE dump_id = ? AND "
            "(cluster_id = ? OR key = ?) ORDER BY seq",
            (first["dump_id"], first["cluster_id"], key),
        ).fetchall()
        batch, stamp = uuid.uuid4().hex, now()
        for member in members:
            _record(connection, member, op, reviewer, batch, stamp)
    return [member["key"] for member in members]


def _restore(connection: sqlite3.Connection, key: int) -> None:
    latest = connection.execute(
        "SELECT * FROM decisions WHERE comment_key = ? AND undone_at IS NULL "
        "ORDER BY id DESC LIMIT 1",
        (key,),
    ).fetchone()
    connection.execute(
        "UPDATE comments SET decision = ?, decision_id = ? WHERE key = ?",
        (State.of(latest).summary, latest["id"] if latest else None, key),
    )


def undo(connection: sqlite3.Connection, reviewer: str) -> list[int]:
    """Undo the reviewer's latest decision (a whole bulk action at once); the rows stay in the
    history, marked undone. Returns the keys whose state changed (none when nothing is left)."""
    with transaction(connection):
        last = connection.execute(
            "SELECT batch FROM decisions WHERE reviewer = ? AND undone_at IS NULL "
            "ORDER BY id DESC LIMIT 1",
            (reviewer,),
        ).fetchone()
        if last is None:
            return []
        keys = [
            row["comment_key"]
            for row in connection.execute(
                "SELECT DISTINCT comment_key FROM decisions WHERE batch = ?", (last["batch"],)
            )
        ]
        connection.execute(
            "UPDATE decisions SET undone_at = ? WHERE batch = ? AND undone_at IS NULL",
            (now(), last["batch"]),
        )
        for key in keys:
            _restore(connection, key)
    return keys


def state_of(connection: sqlite3.Connection, key: int) -> State:
    """A comment's current state."""
    return _current(connection, _comment(connection, key))


def history(connection: sqlite3.Connection, key: int) -> list[sqlite3.Row]:
    """Every decision on a comment, oldest first, undone ones included."""
    return connection.execute(
        "SELECT * FROM decisions WHERE comment_key = ? ORDER BY id", (key,)
    ).fetchall()
