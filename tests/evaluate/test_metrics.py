"""Evaluation metrics against hand-computed values, and `moderation evaluate` end to end."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import average_precision_score, matthews_corrcoef, roc_auc_score

from moderation.cli import main
from moderation.errors import DataError
from moderation.evaluate.metrics import (
    average_precision,
    binary_metrics,
    brier_score,
    confusion_matrix,
    multiclass_metrics,
    precision_recall_points,
    reliability_curve,
    roc_auc,
)
from moderation.judge.heads import precision_recall_by_threshold, threshold_for_f1
from moderation.train.corpora import read_labeled
from moderation.train.trainer import TrainingOptions, train_and_save
from tests.support import FIXTURES

TINY = FIXTURES / "tiny_labeled.jsonl"

# Six comments: flagged at 0.5 are the last three; TP 0.8, 0.9; FP 0.7; FN 0.35; TN 0.1, 0.4.
LABELS = [0, 0, 1, 1, 0, 1]
SCORES = [0.1, 0.4, 0.35, 0.8, 0.7, 0.9]


def test_binary_metrics_match_hand_computed_values() -> None:
    m = binary_metrics(LABELS, SCORES, threshold=0.5)
    assert m["confusion"] == [[2, 1], [1, 2]]
    assert (m["rows"], m["positives"]) == (6, 3)
    assert m["precision"] == pytest.approx(2 / 3)
    assert m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3)
    assert m["macro_f1"] == pytest.approx(2 / 3)  # the negative class: 2 of 3 either way too
    assert m["accuracy"] == pytest.approx(4 / 6)
    assert m["mcc"] == pytest.approx((2 * 2 - 1 * 1) / 9)  # (TP*TN - FP*FN) / sqrt(3*3*3*3)
    # Positive/negative pairs ranked right: 0.35 beats 0.1 only, 0.8 and 0.9 beat all three.
    assert m["roc_auc"] == pytest.approx(7 / 9)
    # Recall steps of 1/3 at precisions 1 (0.9), 1 (0.8) and 3/5 (0.35).
    assert m["pr_auc"] == pytest.approx(1 / 3 + 1 / 3 + 1 / 3 * 3 / 5)
    squares = [0.1**2, 0.4**2, 0.65**2, 0.2**2, 0.7**2, 0.1**2]
    assert m["brier"] == pytest.approx(sum(squares) / 6)
    # The same figures from scikit-learn, as a second opinion.
    assert m["roc_auc"] == pytest.approx(roc_auc_score(LABELS, SCORES))
    assert m["pr_auc"] == pytest.approx(average_precision_score(LABELS, SCORES))
    assert m["mcc"] == pytest.approx(matthews_corrcoef(LABELS, np.array(SCORES) >= 0.5))


def test_binary_edge_cases() -> None:
    assert roc_auc([0, 1], [0.5, 0.5]) == 0.5  # a tie counts one half
    assert roc_auc([1, 1], [0.2, 0.9]) is None  # one class: no ROC curve
    assert average_precision([0, 0], [0.2, 0.9]) is None
    nothing_flagged = binary_metrics([0, 1], [0.1, 0.2], threshold=0.9)
    assert nothing_flagged["precision"] == 0.0 and nothing_flagged["f1"] == 0.0
    assert nothing_flagged["mcc"] == 0.0
    assert brier_score([1, 0], [1.0, 0.0]) == 0.0
    assert binary_metrics([0, 1], [0.5, 0.5], threshold=0.5)["confusion"] == [[0, 1], [0, 1]]


def test_evaluate_and_the_model_card_share_one_precision_recall_curve() -> None:
    """The report's curve is the one the head's thresholds were chosen on, point for point."""
    rng = np.random.default_rng(0)
    labels = (rng.random(200) < 0.3).astype(int)
    scores = np.round(rng.random(200) * 0.6 + labels * 0.3, 2)  # ties included
    points = precision_recall_points(labels, scores)
    precision, recall, threshold = precision_recall_by_threshold(labels, scores)
    assert np.array_equal(points["threshold"], threshold[::-1])
    assert np.array_equal(points["precision"], precision[::-1])
    assert np.array_equal(points["recall"], recall[::-1])
    assert (np.diff(points["threshold"]) < 0).all()
    cut, stats = threshold_for_f1(labels, scores)
    at = np.flatnonzero(points["threshold"] == cut)[0]
    assert (points["precision"][at], points["recall"][at]) == (stats["precision"], stats["recall"])
    assert average_precision(labels, scores) == average_precision_score(labels, scores)
    with pytest.raises(DataError, match="need a positive row; got 2 rows, all labeled 0"):
        precision_recall_points([0, 0], [0.2, 0.9])


def test_multiclass_metrics_match_hand_computed_values() -> None:
    labels = ["a", "b", "c", "a"]
    probabilities = np.array(
        [
            [0.6, 0.3, 0.1],  # a, predicted a
            [0.2, 0.5, 0.3],  # b, predicted b
            [0.5, 0.1, 0.4],  # c, predicted a
            [0.3, 0.4, 0.3],  # a, predicted b
        ]
    )
    m = multiclass_metrics(labels, probabilities, ["a", "b", "c"])
    assert m["confusion"] == [[1, 1, 0], [0, 1, 0], [1, 0, 0]]
    a, b, c = (m["per_class"][k] for k in "abc")
    assert (a["precision"], a["recall"], a["f1"]) == pytest.approx((0.5, 0.5, 0.5))
    assert (b["precision"], b["recall"], b["f1"]) == pytest.approx((0.5, 1.0, 2 / 3))
    assert (c["precision"], c["recall"], c["f1"]) == (0.0, 0.0, 0.0)
    assert m["macro_f1"] == pytest.approx((0.5 + 2 / 3 + 0) / 3)
    assert m["accuracy"] == 0.5
    # Per row, squared distance to the one-hot truth: 0.26, 0.38, 0.62, 0.74.
    assert m["brier"] == pytest.approx((0.26 + 0.38 + 0.62 + 0.74) / 4)
    # One-vs-rest: a is ranked right in 3 of 4 pairs, b and c in all of theirs.
    assert (a["roc_auc"], b["roc_auc"], c["roc_auc"]) == pytest.approx((0.75, 1.0, 1.0))
    assert m["roc_auc"] == pytest.approx((0.75 + 1 + 1) / 3)
    assert [a["support"], b["support"], c["support"]] == [2, 1, 1]


def test_reliability_curve_and_confusion_matrix() -> None:
    curve = reliability_curve([0, 0, 1, 1, 1], [0.05, 0.15, 0.12, 0.95, 1.0], bins=10)
    assert curve["count"].tolist() == [1, 2, 2]  # bins [0, .1), [.1, .2), [.9, 1]
    assert curve["positive_rate"].tolist() == [0.0, 0.5, 1.0]
    assert curve["mean_score"].tolist() == pytest.approx([0.05, 0.135, 0.975])
    matrix = confusion_matrix(["x", "y", "y"], ["y", "y", "x"], ["x", "y"])
    assert matrix.tolist() == [[0, 1], [1, 1]]


def test_evaluation_modules_do_not_import_matplotlib() -> None:
    code = (
        "import sys, moderation.cli, moderation.evaluate.metrics, moderation.evaluate.report; "
        "sys.exit('matplotlib' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# -- the command ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("model") / "tiny.joblib"
    train_and_save(read_labeled([TINY]), path, TrainingOptions(cv=3))
    return str(path)


def _table_line(output: str, head: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.startswith(head + " "))
    return line.split()


def test_evaluate_prints_a_table_equal_to_its_json_and_draws_a_report(tiny_model, tmp_path) -> None:
    json_path, report = tmp_path / "out.json", tmp_path / "out.html"
    args = ["evaluate", str(TINY), "--model", tiny_model, "--json", str(json_path)]
    result = CliRunner().invoke(main, [*args, "--report", str(report)])
    assert result.exit_code == 0, result.output
    document = json.loads(json_path.read_text())
    assert document["rows"] == 40 and not document["skipped"]
    keys = ("threshold", "precision", "recall", "f1", "macro_f1", "roc_auc", "pr_auc", "brier")
    for flag in ("spam", "incitement"):
        metrics = document["heads"][flag]
        cells = _table_line(result.stdout, flag)
        assert [int(cells[1]), int(cells[2])] == [metrics["rows"], metrics["positives"]]
        assert cells[3:11] == [f"{metrics[k]:.3f}" for k in keys]
        assert f"{metrics['mcc']:.3f}" == cells[11]
        (tn, fp), (fn, tp) = metrics["confusion"]
        assert f"[[{tn} {fp}] [{fn} {tp}]]" in " ".join(cells)
    stance = document["heads"]["stance:russia_ukraine"]
    assert f"macro-F1 {stance['macro_f1']:.3f}" in result.stdout
    assert f"Brier {stance['brier']:.3f}" in result.stdout
    for label, per_class in stance["per_class"].items():
        cells = _table_line(result.stdout, label)
        assert cells[1:4] == [f"{per_class[k]:.3f}" for k in ("precision", "recall", "f1")]
    page = report.read_text(encoding="utf-8")
    assert page.count('<img src="data:image/png;base64,') >= 8
    assert not re.search(r"<script|<link|src=\"(?!data:)|url\(", page)


def test_evaluate_escapes_comments_skips_unlabeled_heads_and_takes_thresholds(
    tiny_model, tmp_path
) -> None:
    data = tmp_path / "labeled.jsonl"
    rows = [
        {"text": "<script>alert(1)</script>", "spam": 0},
        {"text": "subscribe to my channel for free gift cards", "spam": 1},
        {"text": "check my channel now, free followers", "spam": 1},
        {"text": "the ceasefire talks resume on monday", "spam": 0},
    ]
    data.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    report, json_path = tmp_path / "report.html", tmp_path / "out.json"
    args = ["evaluate", str(data), "--model", tiny_model, "--threshold", "spam=0"]
    args += ["--report", str(report), "--json", str(json_path), "--mistakes", "50"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "skipped incitement: no row carries a label for incitement" in result.stdout
    assert "skipped stance:*" in result.stdout
    spam = json.loads(json_path.read_text())["heads"]["spam"]
    assert spam["threshold"] == 0.0 and spam["confusion"] == [[0, 2], [0, 2]]
    page = report.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page


def test_evaluate_reports_bad_input(tiny_model, tmp_path) -> None:
    result = CliRunner().invoke(main, ["evaluate", str(TINY), "--threshold", "spam=2"])
    assert result.exit_code == 2 and "FLAG=VALUE" in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "spam": 7}\n')
    result = CliRunner().invoke(main, ["evaluate", str(bad), "--model", tiny_model])
    assert result.exit_code == 1 and "must be 0, 1 or empty" in result.output
    result = CliRunner().invoke(
        main, ["evaluate", str(TINY), "--model", tiny_model, "--target", "climate"]
    )
    assert result.exit_code == 0 and "skipped stance:climate" in result.stdout
