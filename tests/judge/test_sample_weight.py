"""LogisticHead.fit(sample_weight=...): every fit (folds, calibration, final) and the
out-of-fold metrics that set the thresholds count a row as many times as its weight."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from moderation.errors import DataError
from moderation.judge import heads as heads_module
from moderation.judge.heads import LogisticHead, threshold_for_precision


def _flag_rows(rows: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(rows) < 0.35).astype(int)
    return rng.normal(size=(rows, 5)) + y[:, np.newaxis] * np.linspace(0.3, 1.2, 5), y


def test_a_weight_of_two_fits_like_a_duplicated_row() -> None:
    X, y = _flag_rows()  # noqa: N806
    weights = np.where(np.arange(y.size) % 3 == 0, 2.0, 1.0)
    repeat = weights.astype(int)
    params = {"Cs": (1.0,), "class_weight": None, "cv": 3}
    weighted = LogisticHead(**params).fit(X, y, sample_weight=weights)
    duplicated = LogisticHead(**params).fit(np.repeat(X, repeat, axis=0), np.repeat(y, repeat))
    np.testing.assert_allclose(weighted.coef_, duplicated.coef_, rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(weighted.intercept_, duplicated.intercept_, atol=1e-3)
    unweighted = LogisticHead(**params).fit(X, y)
    assert np.abs(weighted.coef_ - unweighted.coef_).max() > 1e-2  # the weights mattered


class _RecordingRegression(LogisticRegression):
    """LogisticRegression that records the rows and weights of every fit."""

    fits: list[tuple[int, np.ndarray | None]] = []

    def fit(self, X, y, sample_weight=None):  # noqa: N803
        _RecordingRegression.fits.append((len(y), sample_weight))
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("classes", [2, 3])
def test_every_fit_gets_the_weights_of_its_rows(monkeypatch, classes) -> None:
    X, y = _flag_rows()  # noqa: N806
    if classes == 3:
        y = np.where(X[:, 0] > 1.0, 2, y)
    weights = 1.0 + (np.arange(y.size) % 4)
    monkeypatch.setattr(heads_module, "LogisticRegression", _RecordingRegression)
    _RecordingRegression.fits = []
    head = LogisticHead(Cs=(1.0, 4.0), cv=3).fit(X, y, sample_weight=weights)
    fits = _RecordingRegression.fits
    # each C tried (the grid and any beyond its ends) on each fold, the calibrator (a stance
    # head fits two, unweighted and weighted by class, and keeps one), the model
    calibrators = 1 if classes == 2 else 2
    assert len(fits) == len(head.Cs_tried_) * 3 + calibrators + 1
    assert all(w is not None and w.size == size for size, w in fits)
    assert fits[-1][1] is not None and np.array_equal(fits[-1][1], weights)  # the final model
    for _, calibration_weights in fits[-1 - calibrators : -1]:  # the calibrators
        assert calibration_weights is not None and np.array_equal(calibration_weights, weights)
    total = sum(float(w.sum()) for _, w in fits[:3])  # one C: its three folds
    assert total == pytest.approx(2 * weights.sum())  # each row trains in two of three folds


def test_thresholds_use_weighted_precision() -> None:
    labels = np.array([0, 0, 1, 0, 1, 1])
    scores = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    assert threshold_for_precision(labels, scores, 0.9)[0] == pytest.approx(0.5)
    # The positive at 0.3 counting ten times: cutting at 0.3 gives precision 12/13.
    weights = np.array([1, 1, 10, 1, 1, 1], dtype=float)
    threshold, stats = threshold_for_precision(labels, scores, 0.9, weights)
    assert threshold == pytest.approx(0.3)
    assert stats["precision"] == pytest.approx(12 / 13)


@pytest.mark.parametrize(
    "weights", [np.ones(5), -np.ones(120), np.zeros(120), np.full(120, np.nan)]
)
def test_bad_weights_are_refused(weights) -> None:
    X, y = _flag_rows()  # noqa: N806
    with pytest.raises(DataError, match=r"sample_weight must hold one positive number per row"):
        LogisticHead(cv=3).fit(X, y, sample_weight=weights)
