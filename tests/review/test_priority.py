"""The queue's order: remove, review, the model's least sure, the rest."""

from __future__ import annotations

import json

import pytest

from moderation.errors import ModelError
from moderation.review.dumps import scored_row
from moderation.review.priority import (
    TIER_REMOVE,
    TIER_REST,
    TIER_REVIEW,
    TIER_UNSURE,
    Thresholds,
    certainty,
    priority,
    queue_order,
)
from tests.review.support import scored

THRESHOLDS = Thresholds({"spam": 0.5, "incitement": 0.5}, {"spam": 0.9, "incitement": None})


def _row(**fields):
    return scored_row(scored("x", "text", **fields), 1)


def test_tiers_follow_action_then_certainty() -> None:
    assert priority(_row(action="remove", spam=0.95), THRESHOLDS)[0] == TIER_REMOVE
    assert priority(_row(action="review", spam=0.6), THRESHOLDS)[0] == TIER_REVIEW
    assert priority(_row(scores=(0.4, 0.35, 0.25)), THRESHOLDS)[0] == TIER_UNSURE
    assert priority(_row(scores=(0.98, 0.01, 0.01)), THRESHOLDS)[0] == TIER_REST
    near_flag = _row(spam=0.45, scores=(0.98, 0.01, 0.01))  # sure of stance, near spam's 0.5
    assert priority(near_flag, THRESHOLDS)[0] == TIER_UNSURE


def test_certainty_is_the_nearest_boundary_in_log_odds() -> None:
    tie = _row(scores=(0.45, 0.45, 0.10))
    assert certainty(tie, THRESHOLDS) == pytest.approx(0.0)
    at_threshold = _row(spam=0.5, scores=(0.98, 0.01, 0.01))
    assert certainty(at_threshold, THRESHOLDS) == pytest.approx(0.0, abs=1e-9)
    far = _row(spam=0.001, incitement=0.001, scores=(0.98, 0.01, 0.01))
    assert certainty(far, THRESHOLDS) > 3


def test_queue_order_puts_least_sure_first_within_a_tier() -> None:
    rows = [
        _row(scores=(0.98, 0.01, 0.01)),
        _row(scores=(0.5, 0.4, 0.1)),
        _row(action="review", spam=0.55),
        _row(scores=(0.45, 0.44, 0.11)),
        _row(action="remove", spam=0.99),
    ]
    assert queue_order(rows, THRESHOLDS) == [4, 2, 3, 1, 0]


def test_thresholds_come_from_the_model_card(tmp_path) -> None:
    bundled = Thresholds.from_card()
    assert 0 < bundled.review["spam"] < 1 and 0 < bundled.review["incitement"] < 1
    card = tmp_path / "m.card.json"
    card.write_text(json.dumps({"heads": {"spam": {"threshold": 0.3}}}), encoding="utf-8")
    with pytest.raises(ModelError, match="m.card.json"):
        Thresholds.from_card(tmp_path / "m.joblib")


def test_the_bundled_model_path_is_the_judge_s() -> None:
    from moderation.judge.persist import DEFAULT_MODEL, card_path
    from moderation.review.priority import BUNDLED_MODEL

    assert BUNDLED_MODEL == DEFAULT_MODEL and card_path(DEFAULT_MODEL).is_file()


def test_the_stance_order_follows_the_stance_margin_whatever_the_tier() -> None:
    rows = [
        _row(scores=(0.98, 0.01, 0.01)),
        _row(action="remove", spam=0.99, scores=(0.6, 0.3, 0.1)),
        _row(scores=(0.45, 0.44, 0.11)),
    ]
    assert queue_order(rows, THRESHOLDS, "stance") == [2, 1, 0]
    assert queue_order(rows, THRESHOLDS) == [1, 2, 0]
