"""LogisticHead.fit(on_fold=...): each cross-validation fit is reported as it ends (the hook of
training's progress bar), without changing the head or being kept on it."""

from __future__ import annotations

import pickle

import numpy as np

from moderation.judge.heads import LogisticHead


def _rows(rows: int = 90, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(rows) < 0.4).astype(int)
    return rng.normal(size=(rows, 4)) + y[:, np.newaxis], y


def test_every_fold_fit_is_reported_once_in_order() -> None:
    X, y = _rows()  # noqa: N806
    calls: list[tuple[int, int]] = []
    head = LogisticHead(cv=3).fit(X, y, on_fold=lambda done, total: calls.append((done, total)))
    fits = 3 * len(head.Cs_tried_)  # the grid may have been extended past a winning end
    assert [done for done, _ in calls] == list(range(1, fits + 1))
    assert calls[-1] == (fits, fits)
    assert all(done <= total for done, total in calls)


def test_the_hook_changes_nothing_and_is_not_kept() -> None:
    X, y = _rows()  # noqa: N806
    hooked = LogisticHead(cv=3).fit(X, y, on_fold=lambda done, total: None)
    plain = LogisticHead(cv=3).fit(X, y)
    np.testing.assert_array_equal(hooked.coef_, plain.coef_)
    assert hooked.threshold_ == plain.threshold_
    assert pickle.loads(pickle.dumps(hooked)).C_ == plain.C_  # nothing unpicklable kept
