"""The judgement on one comment: typed, JSON-ready, one per input comment."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Action = Literal["approve", "review", "remove"]


@dataclass(slots=True)
class Verdict:
    """What the model says of one comment, and why.

    Attributes
    ----------
    id, article_id, parent_id : str or None
        The comment's ids, as parsed (``id`` is the position for bare texts).
    text : str
        The comment text that was judged.
    target : str
        The stance target whose head judged the comment.
    stance : str
        Most probable stance label; ``stance_scores`` holds every label's probability.
    spam, incitement : float
        Calibrated probabilities of each flag.
    flags : list of str
        Flags whose score reached their threshold.
    action : {"approve", "review", "remove"}
        ``remove`` when a flag reached its removal threshold, ``review`` when any flag is
        raised, else ``approve``.
    reasons : dict
        For each raised flag, the n-grams that pushed the score up most, with their weight.
    duplicate_of, cluster_id : str or None
        Filled by the duplicates stage: the first comment of the comment's cluster of exact or
        near copies (``None`` for that first comment) and the cluster's id.
    story_id : str or None
        The story of the comment's article: syndicated copies of one story share it (``None``
        when the input has no article text).
    truncated : bool
        The text was longer than the scorer's limit and only its start was judged.
    """

    id: str | None
    text: str
    target: str
    stance: str
    stance_scores: dict[str, float]
    spam: float
    incitement: float
    flags: list[str] = field(default_factory=list)
    action: Action = "approve"
    reasons: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    article_id: str | None = None
    parent_id: str | None = None
    duplicate_of: str | None = None
    cluster_id: str | None = None
    story_id: str | None = None
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (reasons as ``[[ngram, weight], ...]`` lists)."""
        row = asdict(self)
        row["reasons"] = {
            flag: [list(pair) for pair in pairs] for flag, pairs in self.reasons.items()
        }
        return row
