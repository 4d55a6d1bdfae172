"""Where a comment goes in the queue: ``remove`` first, then ``review``, then the comments the
model is least sure of, then the rest.

How sure the model is of a comment is its *certainty*: the smallest distance, in log-odds, from
any decision boundary the comment is near. For a flag, that is the distance of its score from
the flag's review and removal thresholds; for stance, the log-odds between the two most
probable labels (0 when they tie). Both are log-odds, so they compare: a certainty of 1 means
the nearest boundary is a factor e of odds away. Comments below :data:`UNSURE` form the third
tier; every tier is ordered by certainty, least sure first, then by position in the dump.

A comment the model did not judge (a language its heads do not know: no scores, action
``review``) has no distance to measure; it gets :data:`NOT_JUDGED`, below every measured
certainty, so it leads its tier instead of being buried under the comments that have scores.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from moderation.errors import ModelError
from moderation.labels import FLAGS

# Below this certainty (log-odds) a comment the model approves still goes before the rest.
UNSURE = 1.0
# The certainty of a comment the model did not judge: below any distance (those are >= 0).
NOT_JUDGED = -1.0
TIER_REMOVE, TIER_REVIEW, TIER_UNSURE, TIER_REST = 0, 1, 2, 3
TIER_NAMES = {
    TIER_REMOVE: "remove",
    TIER_REVIEW: "review",
    TIER_UNSURE: "unsure",
    TIER_REST: "rest",
}
_EPSILON = 1e-6
# moderation.judge.persist.DEFAULT_MODEL, named here so that reading thresholds does not import
# the model code (scikit-learn and all).
BUNDLED_MODEL = Path(__file__).resolve().parents[2] / "models" / "default.joblib"


class Scored(Protocol):
    """What :func:`priority` reads of a scored comment."""

    action: str
    stance_scores: dict[str, float]
    spam: float | None
    incitement: float | None


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Each flag's review threshold and removal threshold (``None``: the model has none)."""

    review: dict[str, float]
    remove: dict[str, float | None]

    @classmethod
    def from_card(cls, model_path: str | Path | None = None) -> Thresholds:
        """The thresholds in a model's card (the bundled model's when ``model_path`` is None).

        Only the JSON card is read, never the model file, so this runs no code from it.

        Raises
        ------
        ModelError
            The card is missing, unreadable or lacks a flag's threshold.
        """
        model = Path(model_path) if model_path is not None else BUNDLED_MODEL
        card = model.with_name(model.stem + ".card.json")  # as moderation.judge.persist names it
        try:
            heads = json.loads(card.read_text(encoding="utf-8"))["heads"]
            review = {flag: float(heads[flag]["threshold"]) for flag in FLAGS}
            remove = {flag: heads[flag].get("remove_threshold") for flag in FLAGS}
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ModelError(
                f"{card}: cannot read the flags' thresholds from this model card ({error!r})"
            ) from error
        return cls(review, {k: None if v is None else float(v) for k, v in remove.items()})

    def logits(self) -> dict[str, tuple[float, ...]]:
        """Each flag's thresholds in log-odds (computed once: loading calls this per row)."""
        key = (tuple(self.review.items()), tuple(self.remove.items()))
        cached = _LOGITS.get(key)
        if cached is None:
            cached = {}
            for flag in FLAGS:
                values = (self.review.get(flag), self.remove.get(flag))
                cached[flag] = tuple(_logit(t) for t in values if t is not None)
            _LOGITS[key] = cached
        return cached


_LOGITS: dict[tuple, dict[str, tuple[float, ...]]] = {}


def _logit(p: float) -> float:
    p = min(max(p, _EPSILON), 1 - _EPSILON)
    return math.log(p / (1 - p))


def stance_margin(scores: dict[str, float]) -> float:
    """Probability of the most probable stance minus the second's (1 with a single label)."""
    ranked = sorted(scores.values(), reverse=True)
    return ranked[0] - ranked[1] if len(ranked) > 1 else 1.0


def judged(row: Scored) -> bool:
    """Whether the model scored the comment (a language it does not know: no flag scores)."""
    return all(getattr(row, flag) is not None for flag in FLAGS)


def certainty(row: Scored, thresholds: Thresholds) -> float:
    """Log-odds distance of the comment from the nearest flag threshold or stance tie
    (:data:`NOT_JUDGED` when the model did not score it)."""
    if not judged(row):
        return NOT_JUDGED
    distances = []
    for flag, boundaries in thresholds.logits().items():
        score = _logit(getattr(row, flag))
        distances.extend(abs(score - boundary) for boundary in boundaries)
    ranked = sorted(row.stance_scores.values(), reverse=True)
    if len(ranked) > 1:
        distances.append(math.log(max(ranked[0], _EPSILON) / max(ranked[1], _EPSILON)))
    return min(distances) if distances else math.inf


def priority(row: Scored, thresholds: Thresholds) -> tuple[int, float, float]:
    """``(tier, certainty, stance margin)``: the queue sorts on tier, then certainty (a comment
    the model did not judge: its action's tier, first in it, and margin 0)."""
    sure = certainty(row, thresholds)
    if row.action == "remove":
        tier = TIER_REMOVE
    elif row.action == "review":
        tier = TIER_REVIEW
    else:
        tier = TIER_UNSURE if sure < UNSURE else TIER_REST
    margin = stance_margin(row.stance_scores) if judged(row) else 0.0
    return tier, (sure if math.isfinite(sure) else 1e9), margin


def queue_order(rows: list[Any], thresholds: Thresholds, order: str = "") -> list[int]:
    """Indices of ``rows`` in queue order, or with ``order="stance"`` by stance margin (what
    the store's indexes give, for in-memory use)."""
    keys = []
    for index, row in enumerate(rows):
        tier, sure, margin = priority(row, thresholds)
        keys.append((margin, index) if order == "stance" else (tier, sure, index))
    return [key[-1] for key in sorted(keys)]
