"""The stance (several-class) head of LogisticHead: C chosen by class-weighted log-loss, and a
calibration weighted like the head or not, whichever gives the most probable class the better
out-of-fold macro-F1 (unweighted, the priors come back and the majority class can swallow the
others)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, log_loss
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


def _calibrations(head: LogisticHead, X: np.ndarray, y: np.ndarray) -> dict:  # noqa: N803
    """Per class weighting, the calibration fitted on the head's out-of-fold scores and the
    out-of-fold macro-F1 of its most probable class."""
    scores = head._cross_validate(X, y, None, head._folds(X, y, None), [head.C_])[head.C_][1]
    found = {}
    for class_weight in (None, "balanced"):
        calibrator = LogisticRegression(C=100.0, max_iter=1000, class_weight=class_weight)
        calibrator.fit(scores, y)
        predicted = calibrator.classes_[np.argmax(calibrator.decision_function(scores), axis=1)]
        found[class_weight] = (f1_score(y, predicted, average="macro"), calibrator.coef_)
    return found


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_stance_calibration_is_the_weighting_with_the_better_macro_f1(seed: int) -> None:
    """Both weightings are fitted on the out-of-fold scores; the head keeps the one whose
    most probable class has the better out-of-fold macro-F1 (unweighted on ties)."""
    X, y = _imbalanced_stance(seed)  # noqa: N806
    head = LogisticHead(cv=3).fit(X, y)
    found = _calibrations(head, X, y)
    better = "balanced" if found["balanced"][0] > found[None][0] + 1e-12 else None
    np.testing.assert_allclose(head.calibration_coef_, found[better][1])
    np.testing.assert_allclose(head.predict_proba(X).sum(axis=1), 1.0)


def test_weighted_calibration_wins_where_the_majority_swallows_the_rest() -> None:
    """Three overlapping classes, 70 % of one: putting the priors back sends most rows to the
    majority class, so the weighted calibration has the better macro-F1 and is kept, and the
    head's stance is the weighted model's choice."""
    X, y = _imbalanced_stance()  # noqa: N806
    head = LogisticHead(cv=3).fit(X, y)
    found = _calibrations(head, X, y)
    assert found["balanced"][0] > found[None][0]
    raw = head.classes_[np.argmax(head.decision_function(X), axis=1)]
    assert np.mean(raw == head.predict(X)) >= 0.9


def test_flag_calibration_is_unweighted() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(400) < 0.2).astype(int)
    X = rng.normal(size=(400, 4)) + y[:, np.newaxis]  # noqa: N806
    head = LogisticHead(cv=3, precision=None).fit(X, y)
    scores = head._cross_validate(X, y, None, head._folds(X, y, None), [head.C_])[head.C_][1]
    expected = LogisticRegression(C=100.0, max_iter=1000).fit(scores, y)
    np.testing.assert_allclose(head.calibration_coef_, expected.coef_)


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
