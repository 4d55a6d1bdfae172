"""Bad estimator settings and unusable labels raise ModelError / DataError (ValueErrors, as
scikit-learn asks), naming the bad value and the valid ones, at fit time."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.errors import DataError, ModelError
from moderation.judge.features import CommentFeaturiser
from moderation.judge.heads import LogisticHead

TEXTS = ["nuke them all", "peace now", "nuke it", "peace talks now"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"word_ngram_max": 3}, r"word_ngram_max=3: use 1 or 2"),
        ({"char_ngram_range": (4, 2)}, r"char_ngram_range=\(4, 2\): .*1 <= low <= high <= 8"),
        ({"char_ngram_range": (1, 9)}, r"char_ngram_range=\(1, 9\)"),
        ({"n_buckets": 100}, r"n_buckets=100: use a value in \[2\*\*10, 2\*\*31\]"),
    ],
)
def test_featuriser_names_the_bad_parameter(params, message) -> None:
    featuriser = CommentFeaturiser(**params)  # stores only
    with pytest.raises(ModelError, match=message):
        featuriser.fit(TEXTS)


def _flag_rows(rows: int = 40) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = np.arange(rows) % 2
    return rng.normal(size=(rows, 3)) + y[:, np.newaxis], y


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"Cs": ()}, r"Cs=\(\): give one or more positive values"),
        ({"Cs": (1.0, -2.0)}, r"Cs=\(1.0, -2.0\)"),
        ({"cv": 1}, r"cv=1: use a whole number of folds, 2 or more"),
        ({"cv": 2.5}, r"cv=2.5"),
        ({"remove_precision": 0.0}, r"remove_precision=0.0: use values in \(0, 1\]"),
    ],
)
def test_head_names_the_bad_parameter(params, message) -> None:
    X, y = _flag_rows()  # noqa: N806
    with pytest.raises(ModelError, match=message):
        LogisticHead(**params).fit(X, y)


def test_head_says_which_labels_cannot_train_it() -> None:
    X, y = _flag_rows()  # noqa: N806
    with pytest.raises(DataError, match=r"two classes or more; got \[0\]"):
        LogisticHead(cv=3).fit(X, np.zeros_like(y))
    few = np.array([1, 1] + [0] * 38)
    with pytest.raises(DataError, match="rarest class has 2 rows, fewer than cv=3 .* cv to 2"):
        LogisticHead(cv=3).fit(X, few)
    with pytest.raises(ValueError, match="rarest class"):  # still a ValueError for scikit-learn
        LogisticHead(cv=3).fit(X, few)
