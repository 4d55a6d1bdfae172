"""LogisticHead's ``requires``: a row without the required column (incitement: a violent word)
is flagged only at the removal threshold's confidence; the card says so and gives both metrics.
"""

from __future__ import annotations

import numpy as np
import pytest

from moderation.errors import ModelError
from moderation.judge.heads import LogisticHead
from moderation.judge.moderator import Moderator
from moderation.train.corpora import read_labeled
from moderation.train.trainer import (
    TrainingOptions,
    format_card_markdown,
    required_column,
    train_moderator,
)
from tests.support import FIXTURES


def _flag_data(seed: int = 0, rows: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Overlapping classes over 6 columns, and a last 0/1 column most positives have."""
    rng = np.random.default_rng(seed)
    y = (rng.random(rows) < 0.3).astype(int)
    X = rng.normal(size=(rows, 6)) + y[:, np.newaxis] * 1.2  # noqa: N806
    required = np.where(y == 1, rng.random(rows) < 0.8, rng.random(rows) < 0.3)
    return np.column_stack((X, required.astype(float))), y


def test_rows_without_the_column_need_the_removal_threshold() -> None:
    X, y = _flag_data()  # noqa: N806
    plain = LogisticHead(cv=3, min_flagged=0).fit(X, y)
    head = LogisticHead(cv=3, min_flagged=0, requires=X.shape[1] - 1).fit(X, y)
    # The requirement changes no choice: C, calibration and thresholds are the plain head's.
    assert head.C_ == plain.C_
    assert head.threshold_ == pytest.approx(plain.threshold_)
    closed = X[:, -1] == 0
    before = plain.predict_proba(X)[:, 1]
    after = head.predict_proba(X)[:, 1]
    np.testing.assert_allclose(after[~closed], before[~closed])
    strict = head.remove_threshold_ if head.remove_threshold_ is not None else np.inf
    dropped = closed & (before < strict)
    assert dropped.any() and np.all(after[dropped] == 0.0)
    np.testing.assert_allclose(after[closed & ~dropped], before[closed & ~dropped])
    # Flags raised by the plain head on closed rows below the removal cut are gone.
    lost = dropped & (before >= plain.threshold_)
    assert lost.any()
    assert not np.any(head.predict(X)[lost])


def test_cv_metrics_are_those_of_the_rule_and_survive_a_round_trip() -> None:
    X, y = _flag_data(seed=1)  # noqa: N806
    head = LogisticHead(cv=3, min_flagged=0, requires=X.shape[1] - 1).fit(X, y)
    metrics = head.cv_metrics_
    assert metrics["rows_with_required_column"] == int(np.sum(X[:, -1] != 0))
    # Fewer flags: recall cannot rise; the plain rule's figures are kept beside.
    assert metrics["recall"] <= metrics["without_requirement"]["recall"] + 1e-12
    restored = LogisticHead.from_state(head.to_state())
    assert restored.requires == X.shape[1] - 1
    np.testing.assert_allclose(restored.predict_proba(X), head.predict_proba(X), rtol=1e-5)


def test_only_a_two_class_head_requires_a_column() -> None:
    X, _ = _flag_data()  # noqa: N806
    y = np.arange(X.shape[0]) % 3
    with pytest.raises(ModelError, match="two-class"):
        LogisticHead(cv=3, requires=0).fit(X, y)


def test_training_options_decide_the_requirements() -> None:
    rows = read_labeled([FIXTURES / "tiny_labeled.jsonl"])
    gated, card = train_moderator(rows, TrainingOptions(cv=2, n_jobs=1))
    column = gated.featuriser.violent_word_column()
    assert column is not None
    assert gated.heads["incitement"].requires == column
    assert gated.heads["spam"].requires == gated.featuriser.promotion_column()
    assert gated.heads["stance:russia_ukraine"].requires is None
    assert "no violent word is flagged only at the remove threshold" in format_card_markdown(card)
    options = TrainingOptions(
        cv=2, n_jobs=1, incitement_needs_violent_word=False, spam_needs_promotion=False
    )
    plain, card = train_moderator(rows, options)
    assert plain.heads["incitement"].requires is None
    assert plain.heads["spam"].requires is None
    assert required_column("incitement", plain.featuriser, options) is None
    assert "only at the remove threshold" not in format_card_markdown(card)


def test_the_default_model_needs_a_violent_word_for_everyday_incitement() -> None:
    """Comments without a violent word that the model trained without the requirement
    flagged on function words and register alone (0.72, 0.54, 0.42, 0.36 against a threshold
    of 0.33); and calls with one, still flagged."""
    default = Moderator.load()
    assert default.heads["incitement"].requires == default.featuriser.violent_word_column()
    calm = [
        "I hope he gets what he deserves in court",
        "I know a lot of people who wish her the worst",
        "Get them out of the stadium",
        "Please leave my girlfriend alone",
    ]
    calls = ["start killing them", "I will punch you in the face when I see you"]
    verdicts = default.score(calm + calls)
    assert [("incitement" in v.flags) for v in verdicts] == [False] * 4 + [True] * 2


def test_sparse_and_dense_rows_are_read_alike() -> None:
    """The CSR fast path that finds the rows with the column agrees with plain indexing, also
    where the column holds a stored zero."""
    from scipy import sparse

    X, y = _flag_data(seed=2)  # noqa: N806
    column = X.shape[1] - 1
    head = LogisticHead(cv=3, min_flagged=0, requires=column).fit(X, y)
    stored = sparse.csr_matrix(X)
    zeroed = np.flatnonzero(stored.indices == column)[:3]
    stored.data[zeroed] = 0.0  # stored, not eliminated
    X[np.searchsorted(stored.indptr, zeroed, side="right") - 1, column] = 0.0
    np.testing.assert_array_equal(head._open_rows(stored), head._open_rows(X))
    np.testing.assert_allclose(head.predict_proba(stored), head.predict_proba(X), rtol=1e-6)
