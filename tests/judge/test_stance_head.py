"""The stance (several-class) head of LogisticHead: C chosen by class-weighted log-loss, and a
calibration weighted like the head, so that the most probable class stays the weighted
model's choice instead of drifting to the majority class."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import log_loss
from sklearn.utils.class_weight import compute_sample_weight

from moderation.judge.heads import LogisticHead, _softmax

CLASSES = np.array(["against", "favor", "neutral"])


def _imbalanced_stance(seed: int = 0, rows: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Three overlapping classes, one of them 70 % of the rows."""
    rng = np.random.default_rng(seed)
    y = CLASSES[rng.choice(3, size=rows, p=[0.7, 0.15, 0.15])]
    centres = {"against": 0.0, "favor": 0.6, "neutral": -0.6}
    X = rng.normal(size=(rows, 6))  # noqa: N806
    X[:, 0] += np.array([centres[label] for label in y])
    X[:, 1] += np.where(y == "neutral", 0.6, 0.0)
    return X, y


def test_calibrated_stance_keeps_the_weighted_models_choice() -> None:
    """Unweighted calibration would learn the priors back and send most rows to the majority
    class; weighted like the head, predict() agrees with the weighted model's argmax."""
    X, y = _imbalanced_stance()  # noqa: N806
    head = LogisticHead(cv=3).fit(X, y)
    raw = head.classes_[np.argmax(head.decision_function(X), axis=1)]
    calibrated = head.predict(X)
    assert np.mean(raw == calibrated) >= 0.9
    minority = np.isin(calibrated, ["favor", "neutral"])
    assert minority.mean() >= 0.9 * np.isin(raw, ["favor", "neutral"]).mean()
    # the probabilities are still probabilities
    np.testing.assert_allclose(head.predict_proba(X).sum(axis=1), 1.0)


def test_stance_c_is_chosen_by_class_weighted_log_loss() -> None:
    """Each C's quality is minus the class-weighted log-loss of its out-of-fold scores, and
    the chosen C is the one with the best quality."""
    X, y = _imbalanced_stance(seed=1)  # noqa: N806
    head = LogisticHead(cv=3, Cs=(0.01, 1.0)).fit(X, y)
    folds = head._folds(X, y, None)
    results = head._cross_validate(X, y, None, folds, head.Cs_tried_)
    weights = compute_sample_weight("balanced", y)
    for quality, scores in results.values():
        expected = -log_loss(y, _softmax(scores), labels=head.classes_, sample_weight=weights)
        assert quality == pytest.approx(expected)
    assert max(results, key=lambda c: results[c][0]) == head.C_
