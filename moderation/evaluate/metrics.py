"""Measure a model on labeled comments: per-head metrics as pure functions over arrays.

The metric functions take plain arrays (true labels, scores, a threshold) and return plain
dicts of floats, so they are easy to test by hand and to write as JSON. :func:`evaluate`
scores labeled rows with a :class:`~moderation.judge.moderator.Moderator` and applies them per head:
``spam`` and ``incitement`` on the rows carrying that label, and one stance head per target
present in the data. :func:`format_table` prints the result; ``html_report`` draws it.

>>> labels, scores = [0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9]
>>> round(binary_metrics(labels, scores, threshold=0.5)["f1"], 3)
0.5
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.metrics import average_precision_score

from moderation.errors import DataError
from moderation.judge.heads import precision_recall_by_threshold
from moderation.labels import FLAGS, STANCE_PREFIX
from moderation.pipeline.progress import NoProgress, StepProgress

if TYPE_CHECKING:
    from moderation.judge.moderator import Moderator
    from moderation.train.corpora import LabeledRow

DEFAULT_MISTAKES = 10
DEFAULT_BINS = 10


# -- metric functions over arrays ----------------------------------------------------------


def _binary_arrays(labels: Sequence[Any], scores: Sequence[float]) -> tuple[np.ndarray, ...]:
    truth = np.asarray(labels).astype(int)
    values = np.asarray(scores, dtype=np.float64)
    if truth.shape != values.shape or truth.ndim != 1:
        raise DataError(
            f"labels and scores must be two 1-d arrays of one length; got {truth.shape} and "
            f"{values.shape}"
        )
    if not np.isin(truth, (0, 1)).all():
        raise DataError(f"binary labels must be 0 or 1; got {sorted(set(truth.tolist()))}")
    return truth, values


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, 0.0 when the denominator is 0 (no predictions, no rows)."""
    return float(numerator / denominator) if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return _ratio(2 * precision * recall, precision + recall)


def confusion_matrix(
    labels: Sequence[Any], predicted: Sequence[Any], classes: Sequence[Any]
) -> np.ndarray:
    """Counts of (true, predicted) pairs: row ``i`` is true ``classes[i]``, column ``j`` predicted.

    >>> confusion_matrix([0, 1, 1], [0, 0, 1], [0, 1]).tolist()
    [[1, 0], [1, 1]]
    """
    index = {value: position for position, value in enumerate(classes)}
    matrix = np.zeros((len(classes), len(classes)), dtype=np.int64)
    for true, guess in zip(labels, predicted, strict=True):
        matrix[index[true], index[guess]] += 1
    return matrix


def roc_auc(labels: Sequence[Any], scores: Sequence[float]) -> float | None:
    """Area under the ROC curve: the chance that a random positive outscores a random negative
    (ties count one half). ``None`` when the labels hold only one class.

    >>> roc_auc([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    0.75
    """
    truth, values = _binary_arrays(labels, scores)
    positives, negatives = values[truth == 1], values[truth == 0]
    if not positives.size or not negatives.size:
        return None
    # Mann-Whitney U from average ranks (ties get the mean rank).
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    ranks = np.empty(values.size, dtype=np.float64)
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], values.size]
    for start, end in zip(starts, ends, strict=True):
        ranks[order[start:end]] = (start + end + 1) / 2
    rank_sum = ranks[truth == 1].sum()
    u = rank_sum - positives.size * (positives.size + 1) / 2
    return float(u / (positives.size * negatives.size))


def average_precision(labels: Sequence[Any], scores: Sequence[float]) -> float | None:
    """PR-AUC as average precision: the sum over thresholds of precision times the recall
    gained there (no interpolation; scikit-learn's, as the model card's). ``None`` when there
    is no positive row.

    >>> average_precision([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    0.8333333333333333
    """
    truth, values = _binary_arrays(labels, scores)
    if not truth.sum():
        return None
    return float(average_precision_score(truth, values))


def precision_recall_points(labels: Sequence[Any], scores: Sequence[float]) -> dict[str, Any]:
    """Precision and recall when flagging at each distinct score, from the highest down: the
    curve the model's thresholds were chosen on
    (:func:`~moderation.judge.heads.precision_recall_by_threshold`).

    Returns ``threshold`` (descending), ``precision`` and ``recall`` arrays of one length.

    Raises
    ------
    DataError
        No row is positive, so recall is undefined.

    >>> points = precision_recall_points([0, 1, 1], [0.2, 0.5, 0.9])
    >>> points["precision"].tolist(), points["recall"].tolist()
    ([1.0, 1.0, 0.6666666666666666], [0.5, 1.0, 1.0])
    """
    truth, values = _binary_arrays(labels, scores)
    if not truth.sum():
        raise DataError(
            f"precision and recall need a positive row; got {truth.size} rows, all labeled 0"
        )
    precision, recall, threshold = precision_recall_by_threshold(truth, values)
    return {"threshold": threshold[::-1], "precision": precision[::-1], "recall": recall[::-1]}


def brier_score(labels: Sequence[Any], scores: Sequence[float]) -> float:
    """Mean squared difference between the score and the 0/1 outcome (0 is perfect).

    >>> round(brier_score([0, 1], [0.2, 0.6]), 6)
    0.1
    """
    truth, values = _binary_arrays(labels, scores)
    return float(np.mean((values - truth) ** 2)) if truth.size else 0.0


def multiclass_brier_score(
    labels: Sequence[Any], probabilities: np.ndarray, classes: Sequence[Any]
) -> float:
    """Brier's original multi-class score: per row, the squared distance between the
    probability vector and the one-hot truth, summed over classes; averaged over rows (0..2).

    >>> multiclass_brier_score(["a", "b"], np.array([[0.5, 0.5], [0.0, 1.0]]), ["a", "b"])
    0.25
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    onehot = np.asarray(labels)[:, np.newaxis] == np.asarray(classes)[np.newaxis, :]
    return float(np.mean(np.sum((probabilities - onehot) ** 2, axis=1))) if len(labels) else 0.0


def matthews_correlation(matrix: np.ndarray) -> float:
    """Matthews correlation coefficient from a 2x2 confusion matrix ``[[TN, FP], [FN, TP]]``
    (0.0 when a row or column is empty).

    >>> round(matthews_correlation(np.array([[3, 1], [1, 3]])), 3)
    0.5
    """
    (tn, fp), (fn, tp) = np.asarray(matrix, dtype=np.float64)
    denominator = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return _ratio(tp * tn - fp * fn, denominator)


def binary_metrics(
    labels: Sequence[Any], scores: Sequence[float], threshold: float
) -> dict[str, Any]:
    """Metrics of a flag: rows whose score reaches ``threshold`` are flagged.

    Returns precision, recall and F1 of the positive class, ``macro_f1`` (mean F1 of both
    classes), ``mcc``, ``accuracy``, ``roc_auc`` and ``pr_auc`` (average precision; ``None``
    when a class is absent), ``brier``, the ``confusion`` matrix ``[[TN, FP], [FN, TP]]``,
    ``rows``, ``positives`` and the ``threshold``.
    """
    truth, values = _binary_arrays(labels, scores)
    predicted = (values >= threshold).astype(int)
    matrix = confusion_matrix(truth.tolist(), predicted.tolist(), [0, 1])
    (tn, fp), (fn, tp) = matrix.tolist()
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    negative_f1 = _f1(_ratio(tn, tn + fn), _ratio(tn, tn + fp))
    return {
        "rows": int(truth.size),
        "positives": int(tp + fn),
        "threshold": float(threshold),
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
        "macro_f1": (_f1(precision, recall) + negative_f1) / 2,
        "mcc": matthews_correlation(matrix),
        "accuracy": _ratio(tp + tn, truth.size),
        "roc_auc": roc_auc(truth, values),
        "pr_auc": average_precision(truth, values),
        "brier": brier_score(truth, values),
        "confusion": matrix.tolist(),
    }


def multiclass_metrics(
    labels: Sequence[Any], probabilities: np.ndarray, classes: Sequence[Any]
) -> dict[str, Any]:
    """Metrics of a stance head: the most probable class is the prediction.

    Returns per class (``per_class``) precision, recall, F1, one-vs-rest ROC-AUC and support;
    ``macro_f1``, ``accuracy``, ``brier`` (multi-class), ``roc_auc`` (mean of the per-class
    one-vs-rest areas that exist), the ``confusion`` matrix (rows true, columns predicted, in
    the order of ``classes``), ``classes`` and ``rows``.
    """
    truth = np.asarray(labels)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.shape != (truth.size, len(classes)):
        raise DataError(
            f"probabilities must have one row per label and one column per class "
            f"{list(classes)}; got shape {probabilities.shape} for {truth.size} labels"
        )
    unknown = sorted(set(truth.tolist()) - set(classes))
    if unknown:
        raise DataError(f"labels {unknown} are not among the classes {list(classes)}")
    predicted = np.asarray(classes)[np.argmax(probabilities, axis=1)] if truth.size else truth
    matrix = confusion_matrix(truth.tolist(), predicted.tolist(), classes)
    per_class = {}
    for i, name in enumerate(classes):
        precision = _ratio(matrix[i, i], matrix[:, i].sum())
        recall = _ratio(matrix[i, i], matrix[i, :].sum())
        per_class[str(name)] = {
            "precision": precision,
            "recall": recall,
            "f1": _f1(precision, recall),
            "roc_auc": roc_auc(truth == name, probabilities[:, i]),
            "support": int(matrix[i, :].sum()),
        }
    areas = [m["roc_auc"] for m in per_class.values() if m["roc_auc"] is not None]
    return {
        "rows": int(truth.size),
        "classes": [str(c) for c in classes],
        "per_class": per_class,
        "macro_f1": float(np.mean([m["f1"] for m in per_class.values()])),
        "accuracy": _ratio(np.trace(matrix), truth.size),
        "brier": multiclass_brier_score(truth, probabilities, classes),
        "roc_auc": float(np.mean(areas)) if areas else None,
        "confusion": matrix.tolist(),
    }


def reliability_curve(
    labels: Sequence[Any], scores: Sequence[float], bins: int = DEFAULT_BINS
) -> dict[str, np.ndarray]:
    """Calibration: per equal-width score bin that holds rows, the mean score, the share of
    positives and the row count.

    >>> curve = reliability_curve([0, 1, 1, 1], [0.1, 0.2, 0.8, 0.9], bins=2)
    >>> curve["mean_score"].tolist(), curve["positive_rate"].tolist(), curve["count"].tolist()
    ([0.15000000000000002, 0.8500000000000001], [0.5, 1.0], [2, 2])
    """
    truth, values = _binary_arrays(labels, scores)
    which = np.minimum((values * bins).astype(int), bins - 1)
    count = np.bincount(which, minlength=bins)
    kept = count > 0
    return {
        "mean_score": (np.bincount(which, values, bins)[kept] / count[kept]),
        "positive_rate": (np.bincount(which, truth, bins)[kept] / count[kept]),
        "count": count[kept],
    }


# -- scoring labeled rows with a model ------------------------------------------------------


@dataclass(slots=True)
class HeadScores:
    """What one head said about the rows carrying its label.

    Attributes
    ----------
    name : str
        ``"spam"``, ``"incitement"`` or ``"stance:<target>"``.
    classes : list of str
        The head's labels (``["0", "1"]`` for a flag).
    labels : ndarray
        True labels (0/1 for a flag, class names for stance).
    probabilities : ndarray
        Positive-class scores for a flag (1-d), one column per class for stance (2-d).
    texts : list of str
        The comments, in the order of ``labels``.
    threshold : float or None
        The flag threshold used; ``None`` for stance.
    """

    name: str
    classes: list[str]
    labels: np.ndarray
    probabilities: np.ndarray
    texts: list[str]
    threshold: float | None = None

    @property
    def is_flag(self) -> bool:
        """True for a two-class flag head."""
        return self.name in FLAGS

    def predicted(self) -> np.ndarray:
        """Predicted labels: flagged at the threshold, or the most probable class."""
        if self.is_flag:
            return (self.probabilities >= self.threshold).astype(int)
        return np.asarray(self.classes)[np.argmax(self.probabilities, axis=1)]

    def metrics(self) -> dict[str, Any]:
        """:func:`binary_metrics` or :func:`multiclass_metrics` of these scores."""
        if self.is_flag:
            assert self.threshold is not None
            return binary_metrics(self.labels, self.probabilities, self.threshold)
        return multiclass_metrics(self.labels, self.probabilities, self.classes)

    def mistakes(self, limit: int = DEFAULT_MISTAKES) -> list[int]:
        """Indices of the most confident wrong predictions, most confident first.

        Confidence is the probability the model gave to its wrong answer: the score of a false
        positive, one minus the score of a false negative, the predicted class's probability
        for stance.
        """
        predicted = self.predicted()
        wrong = np.flatnonzero(predicted != self.labels)
        if self.is_flag:
            scores = self.probabilities[wrong]
            confidence = np.where(self.labels[wrong] == 1, 1 - scores, scores)
        else:
            confidence = self.probabilities[wrong].max(axis=1)
        order = np.argsort(-confidence, kind="mergesort")
        return wrong[order][:limit].tolist()


@dataclass(slots=True)
class Evaluation:
    """A model measured on labeled rows.

    Attributes
    ----------
    rows : int
        Labeled rows read.
    metrics : dict
        Per evaluated head, the dict of :func:`binary_metrics` or :func:`multiclass_metrics`.
    scores : dict of str to HeadScores
        Per evaluated head, the labels and scores behind its metrics (for plots).
    skipped : dict of str to str
        Heads not evaluated, with the reason.
    mistakes : dict
        Per head, the most confident mistakes with the n-grams behind each decision.
    """

    rows: int
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    scores: dict[str, HeadScores] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    mistakes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: rows, metrics, skipped heads and mistakes."""
        return {
            "rows": self.rows,
            "heads": self.metrics,
            "skipped": self.skipped,
            "mistakes": self.mistakes,
        }


def _flag_scores(moderator: Moderator, rows: Sequence[LabeledRow], flag: str) -> HeadScores:
    texts = [row.text for row in rows]
    features = moderator.featuriser.transform([text[: moderator.max_chars] for text in texts])
    return HeadScores(
        name=flag,
        classes=["0", "1"],
        labels=np.asarray([getattr(row, flag) for row in rows], dtype=int),
        probabilities=moderator.heads[flag].predict_proba(features)[:, 1],
        texts=texts,
        threshold=float(moderator.thresholds[flag]),
    )


def _stance_scores(moderator: Moderator, rows: Sequence[LabeledRow], target: str) -> HeadScores:
    head = moderator.heads[STANCE_PREFIX + target]
    texts = [row.text for row in rows]
    features = moderator.featuriser.transform([text[: moderator.max_chars] for text in texts])
    return HeadScores(
        name=STANCE_PREFIX + target,
        classes=[str(c) for c in head.classes_],
        labels=np.asarray([row.stance for row in rows], dtype=object).astype(str),
        probabilities=head.predict_proba(features),
        texts=texts,
    )


def _explain_mistakes(moderator: Moderator, scores: HeadScores, limit: int) -> list[dict[str, Any]]:
    predicted = scores.predicted()
    target = scores.name[len(STANCE_PREFIX) :] if not scores.is_flag else None
    out = []
    for index in scores.mistakes(limit):
        explanation = moderator.explain(scores.texts[index], target=target)
        if scores.is_flag:
            part = explanation[scores.name]
            score: Any = float(scores.probabilities[index])
        else:
            part = explanation["stance"]
            score = {
                c: float(p)
                for c, p in zip(scores.classes, scores.probabilities[index], strict=True)
            }
        out.append(
            {
                "text": scores.texts[index],
                "label": scores.labels[index].item(),
                "predicted": predicted[index].item(),
                "score": score,
                "reasons": [[ngram, weight] for ngram, weight in part["ngrams"]],
            }
        )
    return out


def evaluate(
    moderator: Moderator,
    rows: Sequence[LabeledRow],
    *,
    targets: Sequence[str] | None = None,
    mistakes: int = DEFAULT_MISTAKES,
    progress: StepProgress | NoProgress | None = None,
) -> Evaluation:
    """Score labeled rows with ``moderator`` and measure every head the rows have labels for.

    Parameters
    ----------
    moderator : Moderator
        The model; its ``thresholds`` decide the flags.
    rows : sequence of LabeledRow
        Labeled comments; each head uses the rows that carry its label.
    targets : sequence of str, optional
        Stance targets to measure (default: every target present in the rows).
    mistakes : int, default=10
        How many of the most confident mistakes per head to explain.
    progress : StepProgress, optional
        A bar (on a terminal) told each head as it is scored, then measured.

    Returns
    -------
    Evaluation
        Metrics, scores and explained mistakes per head; heads without labels in ``rows``
        (or without a head in the model) are in ``skipped`` with the reason.
    """
    progress = progress if progress is not None else NoProgress()
    evaluation = Evaluation(rows=len(rows))
    present = sorted({row.target for row in rows if row.stance is not None})
    wanted = present if targets is None else list(targets)
    progress.start(2 * (len(FLAGS) + len(wanted)))  # scoring, then measuring, each head
    for flag in FLAGS:
        progress.step(f"scoring {flag}")
        labeled = [row for row in rows if getattr(row, flag) is not None]
        if labeled:
            evaluation.scores[flag] = _flag_scores(moderator, labeled, flag)
        else:
            evaluation.skipped[flag] = f"no row carries a label for {flag}"
        progress.advance()
    if not present and targets is None:
        evaluation.skipped[STANCE_PREFIX + "*"] = "no row carries a stance label"
    for target in wanted:
        progress.step(f"scoring {STANCE_PREFIX}{target}")
        labeled = [row for row in rows if row.stance is not None and row.target == target]
        reason = _stance_skip_reason(moderator, labeled, target, present)
        if reason:
            evaluation.skipped[STANCE_PREFIX + target] = reason
        else:
            evaluation.scores[STANCE_PREFIX + target] = _stance_scores(moderator, labeled, target)
        progress.advance()
    progress.advance(len(FLAGS) + len(wanted) - len(evaluation.scores))  # nothing to measure
    for name, scores in evaluation.scores.items():
        progress.step(f"measuring {name}")
        evaluation.metrics[name] = scores.metrics()
        evaluation.mistakes[name] = _explain_mistakes(moderator, scores, mistakes)
        progress.advance()
    return evaluation


def _stance_skip_reason(
    moderator: Moderator, labeled: Sequence[LabeledRow], target: str, present: Sequence[str]
) -> str:
    """Why the stance head of ``target`` cannot be measured on ``labeled`` ("" when it can)."""
    name = STANCE_PREFIX + target
    if not labeled:
        return (
            f"no row carries a stance label for target {target!r} (targets in the data: "
            f"{list(present)})"
        )
    if name not in moderator.heads:
        return f"the model has no stance head for target {target!r} (it has {moderator.targets})"
    classes = [str(c) for c in moderator.heads[name].classes_]
    unknown = sorted({row.stance for row in labeled} - set(classes))
    if unknown:
        return f"stance labels {unknown} are not among the head's classes {classes}"
    return ""


# -- the printed table ------------------------------------------------------------------------


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def format_table(evaluation: Evaluation) -> str:
    """The metrics as a plain-text table (numbers rounded to 3 decimals)."""
    lines = []
    flags = [name for name in FLAGS if name in evaluation.metrics]
    if flags:
        lines.append("flags (flagged when the score reaches the threshold):")
        header = (
            f"{'head':<12}{'rows':>6}{'pos':>6}{'threshold':>11}{'precision':>11}{'recall':>8}"
            f"{'F1':>7}{'macro-F1':>10}{'ROC-AUC':>9}{'PR-AUC':>8}{'Brier':>7}{'MCC':>7}"
            "  confusion [[TN FP] [FN TP]]"
        )
        lines.append(header)
        for name in flags:
            m = evaluation.metrics[name]
            (tn, fp), (fn, tp) = m["confusion"]
            lines.append(
                f"{name:<12}{m['rows']:>6}{m['positives']:>6}{_number(m['threshold']):>11}"
                f"{_number(m['precision']):>11}{_number(m['recall']):>8}{_number(m['f1']):>7}"
                f"{_number(m['macro_f1']):>10}{_number(m['roc_auc']):>9}"
                f"{_number(m['pr_auc']):>8}{_number(m['brier']):>7}{_number(m['mcc']):>7}"
                f"  [[{tn} {fp}] [{fn} {tp}]]"
            )
    for name, m in evaluation.metrics.items():
        if name in FLAGS:
            continue
        if lines:
            lines.append("")
        lines.append(
            f"{name} ({m['rows']} rows): macro-F1 {_number(m['macro_f1'])}, accuracy "
            f"{_number(m['accuracy'])}, Brier {_number(m['brier'])}, ROC-AUC (one-vs-rest, "
            f"mean) {_number(m['roc_auc'])}"
        )
        width = max(12, *(len(c) + 2 for c in m["classes"]))
        lines.append(
            f"{'class':<{width}}{'precision':>11}{'recall':>8}{'F1':>7}{'ROC-AUC':>9}"
            f"{'support':>9}  confusion (predicted: {' '.join(m['classes'])})"
        )
        for i, label in enumerate(m["classes"]):
            c = m["per_class"][label]
            lines.append(
                f"{label:<{width}}{_number(c['precision']):>11}{_number(c['recall']):>8}"
                f"{_number(c['f1']):>7}{_number(c['roc_auc']):>9}{c['support']:>9}  "
                + " ".join(str(n) for n in m["confusion"][i])
            )
    if evaluation.skipped:
        if lines:
            lines.append("")
        for name, reason in evaluation.skipped.items():
            lines.append(f"skipped {name}: {reason}")
    return "\n".join(lines)


def json_ready(value: Any) -> Any:
    """Convert NumPy scalars and arrays inside ``value`` to plain Python values."""
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


__all__ = [
    "Evaluation",
    "HeadScores",
    "average_precision",
    "binary_metrics",
    "brier_score",
    "confusion_matrix",
    "evaluate",
    "format_table",
    "matthews_correlation",
    "multiclass_brier_score",
    "multiclass_metrics",
    "precision_recall_points",
    "reliability_curve",
    "roc_auc",
]
