"""The flag threshold rule of LogisticHead: a stated precision (the default) or, with
``precision=None``, the best cross-validated F1; through TrainingOptions and `moderation train`.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.base import clone

from moderation.cli import main
from moderation.errors import ModelError
from moderation.judge.heads import LogisticHead, threshold_for_f1, threshold_for_precision
from moderation.judge.persist import card_path
from moderation.train.corpora import read_labeled
from moderation.train.trainer import TrainingOptions, format_card_markdown, train_and_save
from tests.support import FIXTURES

TINY = FIXTURES / "tiny_labeled.jsonl"

# Scores in ascending order; cutting at 0.3 flags 0.3-0.6: precision 3/4, recall 1, F1 6/7,
# the best. Precision 0.9 is first reached at 0.5 (precision 1, recall 2/3, F1 0.8).
LABELS = np.array([0, 0, 1, 0, 1, 1])
SCORES = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])


def _noisy_flag(seed: int = 0, rows: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """Two overlapping classes, so that no threshold is perfect and the rules differ."""
    rng = np.random.default_rng(seed)
    y = (rng.random(rows) < 0.3).astype(int)
    X = rng.normal(size=(rows, 8)) + y[:, np.newaxis] * np.linspace(0.2, 1.0, 8)  # noqa: N806
    return X, y


def test_threshold_for_f1_picks_the_f1_best_cut() -> None:
    threshold, stats = threshold_for_f1(LABELS, SCORES)
    assert threshold == pytest.approx(0.3)
    assert stats == pytest.approx({"precision": 0.75, "recall": 1.0, "f1": 6 / 7})
    threshold, stats = threshold_for_precision(LABELS, SCORES, 0.9)
    assert threshold == pytest.approx(0.5)
    assert stats == pytest.approx({"precision": 1.0, "recall": 2 / 3, "f1": 0.8})


def test_threshold_for_f1_takes_the_lowest_of_tied_cuts() -> None:
    labels, scores = np.array([1, 0, 1]), np.array([0.2, 0.5, 0.8])
    # 0.2: P 2/3 R 1 -> F1 0.8; 0.5: P 1/2 R 1/2 -> 0.5; 0.8: P 1 R 1/2 -> 2/3.
    assert threshold_for_f1(labels, scores)[0] == pytest.approx(0.2)
    labels, scores = np.array([1, 0, 0, 1]), np.array([0.1, 0.2, 0.3, 0.4])
    # 0.1: P 1/2 R 1 -> 2/3; 0.2: 0.4; 0.3: 0.5; 0.4: P 1 R 1/2 -> 2/3, tied with 0.1.
    assert threshold_for_f1(labels, scores)[0] == pytest.approx(0.1)


def test_f1_rule_moves_only_the_threshold() -> None:
    """C, weights, calibration and the removal cut do not depend on the rule; the review cut
    is the F1-best one, whose cross-validated F1 is at least that of the precision cut."""
    X, y = _noisy_flag()  # noqa: N806
    by_precision = LogisticHead(cv=3, precision=0.95, min_flagged=0).fit(X, y)
    by_f1 = LogisticHead(cv=3, precision=None, min_flagged=0).fit(X, y)
    assert by_f1.C_ == by_precision.C_
    np.testing.assert_array_equal(by_f1.coef_, by_precision.coef_)
    np.testing.assert_array_equal(by_f1.calibration_coef_, by_precision.calibration_coef_)
    assert by_f1.remove_threshold_ == by_precision.remove_threshold_
    assert by_f1.cv_metrics_["f1"] > by_precision.cv_metrics_["f1"]
    assert by_f1.cv_metrics_["precision"] < 0.95 <= by_precision.cv_metrics_["precision"]
    assert by_f1.threshold_ < by_precision.threshold_
    assert by_f1.cv_metrics_["precision_target"] is None
    assert by_f1.cv_metrics_["precision_target_met"] is None
    assert by_precision.cv_metrics_["precision_target_met"] is True
    flagged = by_f1.predict(X) == 1
    assert np.array_equal(flagged, by_f1.predict_proba(X)[:, 1] >= by_f1.threshold_)


def test_unreachable_precision_falls_back_to_the_f1_cut_and_says_so() -> None:
    X, y = _noisy_flag(seed=1)  # noqa: N806
    X = X[:, :1] * 0.1  # noqa: N806 - nearly no signal: precision 1.0 is out of reach
    strict = LogisticHead(cv=3, precision=1.0).fit(X, y)
    best = LogisticHead(cv=3, precision=None).fit(X, y)
    assert strict.cv_metrics_["precision_target_met"] is False
    assert strict.threshold_ == best.threshold_
    assert strict.cv_metrics_["f1"] == best.cv_metrics_["f1"]


def test_the_default_rule_is_the_stated_precision() -> None:
    assert LogisticHead().get_params()["precision"] == 0.9
    assert TrainingOptions().precision == {"spam": 0.9, "incitement": 0.8}
    assert clone(LogisticHead(precision=None)).get_params()["precision"] is None


@pytest.mark.parametrize("precision", [0.0, 1.5, -0.1, float("nan"), "f1", True])
def test_bad_precisions_are_refused_at_fit_not_at_init(precision) -> None:
    head = LogisticHead(cv=3, precision=precision)  # stores only, as scikit-learn asks
    X, y = _noisy_flag(rows=60)  # noqa: N806
    with pytest.raises(ModelError, match="precision"):
        head.fit(X, y)


def test_a_precision_on_too_few_flagged_rows_does_not_count() -> None:
    # Precision 0.9 is reached at 0.5 by two flagged rows; with min_flagged=3 only at 0.3,
    # where three rows are flagged but the precision is 3/4: not reached, so no threshold.
    assert threshold_for_precision(LABELS, SCORES, 0.9, min_flagged=2)[0] == pytest.approx(0.5)
    assert threshold_for_precision(LABELS, SCORES, 0.9, min_flagged=3)[0] is None
    assert threshold_for_precision(LABELS, SCORES, 0.75, min_flagged=4)[0] == pytest.approx(0.3)
    X, y = _noisy_flag()  # noqa: N806
    lax = LogisticHead(cv=3, precision=0.95, min_flagged=0).fit(X, y)
    strict = LogisticHead(cv=3, precision=0.95, min_flagged=len(y)).fit(X, y)
    assert lax.cv_metrics_["precision_target_met"] is True
    assert strict.cv_metrics_["precision_target_met"] is False  # falls back to F1-best
    assert strict.threshold_ == LogisticHead(cv=3, precision=None).fit(X, y).threshold_


def test_the_c_grid_grows_past_a_winning_end() -> None:
    X, y = _noisy_flag(rows=200)  # noqa: N806
    head = LogisticHead(cv=3, Cs=(2.0**-8,)).fit(X, y)  # one C at the lower bound: up only
    assert head.Cs_tried_[0] == 2.0**-8 and len(head.Cs_tried_) >= 2
    assert head.Cs_tried_ == sorted(head.Cs_tried_)
    assert all(b / a == 4.0 for a, b in zip(head.Cs_tried_, head.Cs_tried_[1:], strict=False))
    assert head.C_ in head.Cs_tried_
    if head.Cs_tried_[-1] != head.C_:  # it stopped because the next C was no better
        assert head.Cs_tried_[-2] == head.C_


def test_an_f1_head_survives_its_plain_state() -> None:
    X, y = _noisy_flag()  # noqa: N806
    head = LogisticHead(cv=3, precision=None).fit(X, y)
    again = LogisticHead.from_state(head.to_state())
    assert again.get_params()["precision"] is None
    assert again.threshold_ == head.threshold_
    np.testing.assert_array_equal(again.predict(X), head.predict(X))


def test_training_options_take_none_per_flag(tmp_path) -> None:
    options = TrainingOptions(precision={"spam": 0.9, "incitement": None}, cv=3)
    model = tmp_path / "m.npz"  # .npz: the state goes through JSON, where None must survive
    card = train_and_save(read_labeled([TINY]), model, options)
    assert card["heads"]["incitement"]["cv_metrics"]["precision_target"] is None
    assert card["heads"]["spam"]["cv_metrics"]["precision_target"] == 0.9
    markdown = format_card_markdown(card)
    assert "F1-best, no precision target" in markdown
    # spam's precision target: its own rule (reached, or not on this tiny corpus and said so)
    met = card["heads"]["spam"]["cv_metrics"]["precision_target_met"]
    assert markdown.count("F1-best") == (1 if met else 2)
    result = CliRunner().invoke(main, ["score", "--model", str(model), str(TINY)])
    assert result.exit_code == 0, result.output


def test_train_command_reads_flag_equals_f1(tmp_path) -> None:
    out = tmp_path / "m.joblib"
    args = ["train", "--data", str(TINY), "-o", str(out), "--cv", "3"]
    result = CliRunner().invoke(main, [*args, "--precision", "spam=0.5", "--precision", "spam=F1"])
    assert result.exit_code == 0, result.output
    heads = json.loads(card_path(out).read_text())["heads"]
    assert heads["spam"]["cv_metrics"]["precision_target"] is None  # the last value wins
    assert heads["incitement"]["cv_metrics"]["precision_target"] == 0.8
    for bad in ("spam=best", "views=f1"):
        result = CliRunner().invoke(main, [*args, "--precision", bad])
        assert result.exit_code == 2 and "FLAG=VALUE" in result.output


def test_train_command_refuses_precision_zero(tmp_path) -> None:
    args = ["train", "--data", str(TINY), "-o", str(tmp_path / "m.joblib"), "--precision"]
    result = CliRunner().invoke(main, [*args, "spam=0"])
    assert result.exit_code == 2 and "above 0" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_grouped_folds_that_would_leave_a_class_out_fall_back_to_stratified_folds() -> None:
    # Two files, one holding only positives: keeping each file in one fold would train a fold
    # on one class. The head uses stratified folds then, and still fits.
    X, y = _noisy_flag(rows=60)  # noqa: N806
    groups = np.where(y == 1, "moderator.sqlite", "corpus.jsonl")
    head = LogisticHead(cv=2, Cs=(1.0,), precision=None).fit(X, y, groups=groups)
    folds = head._folds(X, y, groups)
    assert all(set(y[train]) == {0, 1} for train, _ in folds)
    grouped_ok = np.array(["a", "b", "c", "d"] * 15)
    assert all(
        len(set(grouped_ok[test])) == 2 for _, test in head._folds(X, y, grouped_ok)
    )  # groups that allow it are still kept whole: two of four files per test fold
