"""Verdicts filled with the duplicate finder's answers as they stream past."""

from __future__ import annotations

from moderation.dedup import DuplicateFinder
from moderation.pipeline.marking import mark_duplicates
from moderation.verdict import Verdict

BASE = (
    "The ceasefire will not hold unless both armies pull back their heavy artillery from the "
    "front line and let observers from neutral countries check every position."
)
OTHER = (
    "Grain prices in Africa doubled this spring because the ports stayed closed, and the aid "
    "agencies say the next harvest will not be enough to feed everyone."
)


def test_mark_duplicates_fills_verdicts_in_order() -> None:
    verdicts = [
        Verdict(id=f"v{i}", text=text, target="t", stance="neutral", stance_scores={}, spam=0.0,
                incitement=0.0, article_id="art")
        for i, text in enumerate([BASE, OTHER, BASE + "!"])
    ]  # fmt: skip
    marked = list(
        mark_duplicates(verdicts, DuplicateFinder(), story_ids={"art": "s1"}, batch_size=2)
    )
    assert [v.id for v in marked] == ["v0", "v1", "v2"]
    assert [v.duplicate_of for v in marked] == [None, None, "v0"]
    assert marked[0].cluster_id == marked[2].cluster_id and {v.story_id for v in marked} == {"s1"}
