"""What the pages show of a comment: its text in marked segments, scores, flags, parent and
cluster, and its decision state in words. Plain values only; the templates escape them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from moderation.labels import DEFAULT_TARGET, FLAGS, UNSUPPORTED_LANGUAGE
from moderation.review import queue
from moderation.review.decisions import State, labels_of, stance_labels
from moderation.review.highlight import Segment, highlight
from moderation.review.priority import TIER_NAMES

# Keys 1, 2, 3 give these stances for the default target (other targets: their label order).
DEFAULT_STANCE_KEYS = ("pro_ukraine", "neutral", "pro_russia")


def stance_keys(target: str) -> tuple[str, ...]:
    """The stances keys 1, 2, 3... give for ``target``."""
    labels = stance_labels(target)
    if target == DEFAULT_TARGET and set(labels) == set(DEFAULT_STANCE_KEYS):
        return DEFAULT_STANCE_KEYS
    return labels


def model_flags(row: sqlite3.Row) -> list[str]:
    """The flags the model raised on a stored comment."""
    return [flag for flag in row["flags"].strip(",").split(",") if flag]


def state_text(state: State, flags: Sequence[str]) -> str:
    """A decision state in words, e.g. ``removed · spam yes · stance pro_russia``."""
    if state.summary is None:
        return "undecided"
    words = {"approve": "approved", "remove": "removed", None: "labels only"}[state.action]
    parts = [words]
    for flag, value in labels_of(state, flags).items():
        if value is not None:
            parts.append(f"{flag} {'yes' if value else 'no'}")
    if state.stance:
        parts.append(f"stance {state.stance}")
    return " · ".join(parts)


def state_json(key: int, state: State, flags: Sequence[str]) -> dict[str, Any]:
    """What the page's script needs to show a comment's new state."""
    return {"key": key, "decision": state.summary or "", "text": state_text(state, flags)}


@dataclass(frozen=True, slots=True)
class Card:
    """One comment as the queue and the detail page show it (``judged`` false: the model did
    not judge it, its language is not one the model knows, so it has no scores to show)."""

    row: sqlite3.Row
    segments: list[Segment]
    reasons: dict[str, list[tuple[str, float]]]
    stance_scores: dict[str, float]
    flags: list[str]
    tier: str
    state: str
    stances: tuple[str, ...]
    parent: sqlite3.Row | None
    cluster: queue.ClusterSummary | None
    judged: bool = True

    @property
    def key(self) -> int:
        return int(self.row["key"])


def _states(connection: sqlite3.Connection, rows: Sequence[sqlite3.Row]) -> dict[int, State]:
    ids = [row["decision_id"] for row in rows if row["decision_id"] is not None]
    if not ids:
        return {}
    found = connection.execute(
        f"SELECT * FROM decisions WHERE id IN ({', '.join('?' * len(ids))})", ids
    ).fetchall()
    return {row["comment_key"]: State.of(row) for row in found}


def cards(connection: sqlite3.Connection, rows: Sequence[sqlite3.Row]) -> list[Card]:
    """Cards for stored comments, with their parents, clusters and states looked up."""
    parents = queue.parents(connection, rows)
    clusters = queue.clusters(connection, rows)
    states = _states(connection, rows)
    out = []
    for row in rows:
        reasons = queue.reasons(row)
        reasons.pop(UNSUPPORTED_LANGUAGE, None)  # shown as "not judged", it marks no word
        flags = model_flags(row)
        out.append(
            Card(
                row=row,
                segments=highlight(row["text"], reasons),
                reasons=reasons,
                stance_scores=json.loads(row["stance_scores"]),
                flags=flags,
                tier=TIER_NAMES[row["tier"]],
                state=state_text(states.get(row["key"], State()), flags),
                stances=stance_keys(row["target"]),
                parent=parents.get(row["key"]),
                cluster=clusters.get(row["key"]),
                judged=row["spam"] is not None,
            )
        )
    return out


__all__ = ["FLAGS", "Card", "cards", "model_flags", "stance_keys", "state_json", "state_text"]
