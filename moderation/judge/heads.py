"""Classification heads: one logistic regression per label family, over shared features.

A head picks ``C`` by stratified cross-validation, calibrates its probabilities on the
out-of-fold scores (Platt scaling for a flag, multinomial scaling for stance) and, for a flag,
chooses the threshold that reaches a stated precision on those out-of-fold scores (or, with
``precision=None``, the one with the best F1 there). All fitted
state is plain arrays and numbers, so it can be stored without pickling scikit-learn objects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, log_loss, precision_recall_curve
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import check_is_fitted

from moderation.errors import DataError, ModelError
from moderation.judge.fitted import require_fitted

DEFAULT_CS = (2.0, 8.0, 32.0, 128.0)
# When the best C is at an end of the grid, the grid is extended that way, a factor of 4 at a
# time while the out-of-fold quality improves, within these bounds.
C_BOUNDS = (2.0**-8, 2.0**12)
C_STEP = 4.0
# A precision measured on fewer flagged out-of-fold rows than this does not count as reaching
# a target: on a small corpus the top few scores reach any precision by chance.
MIN_FLAGGED = 30


class _FoldCounter:
    """Counts the cross-validation fits of one ``fit`` for its ``on_fold`` hook."""

    def __init__(self, on_fold: Callable[[int, int], None] | None, total: int) -> None:
        self.on_fold, self.total, self.done = on_fold, total, 0

    def counted(self, result: np.ndarray) -> np.ndarray:
        """``result`` unchanged, after telling the hook one more fit ended."""
        self.done += 1
        if self.on_fold is not None:
            self.on_fold(self.done, self.total)
        return result


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def _sigmoid(scores: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-scores))


def _fold_scores(
    model: LogisticRegression,
    X: Any,  # noqa: N803
    y: np.ndarray,
    sample_weight: np.ndarray | None,
    train: np.ndarray,
    test: np.ndarray,
) -> np.ndarray:
    """Fit on one fold's training rows; decision scores of its test rows, one column each."""
    weights = None if sample_weight is None else sample_weight[train]
    scores = model.fit(X[train], y[train], sample_weight=weights).decision_function(X[test])
    return scores.reshape(-1, 1) if scores.ndim == 1 else scores


def rows_with_column(X: Any, column: int) -> np.ndarray:  # noqa: N803
    """Which rows of ``X`` (dense or sparse) have a non-zero value in ``column``. A CSR matrix
    is read from its entries: ``X[:, j]`` costs about 50 µs even for one row."""
    if sparse.isspmatrix_csr(X) or isinstance(X, sparse.csr_array):
        entries = (X.indices == column) & (X.data != 0)
        rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        found = np.zeros(X.shape[0], dtype=bool)
        found[rows[entries]] = True
        return found
    values = X[:, column]
    values = values.toarray() if hasattr(values, "toarray") else np.asarray(values)
    return values.ravel() != 0


def precision_recall_by_threshold(
    labels: np.ndarray, scores: np.ndarray, sample_weight: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision and recall when flagging the rows that score at least each distinct score.

    The project's one precision-recall computation: flag thresholds and the model card's
    metrics here, ``moderation evaluate`` and its report through
    :func:`moderation.evaluate.metrics.precision_recall_points`. scikit-learn's
    ``precision_recall_curve`` without its closing (precision 1, recall 0) point; rows count
    ``sample_weight`` times when given.

    Returns
    -------
    precision, recall, threshold : ndarray
        One value per distinct score, thresholds ascending.

    >>> precision_recall_by_threshold(np.array([0, 1, 1]), np.array([0.2, 0.5, 0.9]))[1]
    array([1. , 1. , 0.5])
    """
    precisions, recalls, thresholds = precision_recall_curve(
        labels, scores, sample_weight=sample_weight
    )
    return precisions[:-1], recalls[:-1], thresholds


def _curve(
    labels: np.ndarray, probabilities: np.ndarray, sample_weight: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and F1 at every distinct threshold (ascending), and the thresholds."""
    precisions, recalls, thresholds = precision_recall_by_threshold(
        labels, probabilities, sample_weight
    )
    f1 = 2 * precisions * recalls / np.maximum(precisions + recalls, 1e-12)
    return precisions, recalls, f1, thresholds


def _stats_at(
    precisions: np.ndarray, recalls: np.ndarray, f1: np.ndarray, index: int
) -> dict[str, float]:
    return {
        "precision": float(precisions[index]),
        "recall": float(recalls[index]),
        "f1": float(f1[index]),
    }


def threshold_for_precision(
    labels: np.ndarray,
    probabilities: np.ndarray,
    precision: float,
    sample_weight: np.ndarray | None = None,
    min_flagged: float = 0,
) -> tuple[float | None, dict[str, float]]:
    """Lowest threshold whose precision on (labels, probabilities) reaches ``precision`` with
    at least ``min_flagged`` rows (weighted) flagged.

    Returns the threshold (``None`` when no threshold reaches it) and the precision, recall
    and F1 at the returned threshold (or at the F1-best threshold when there is none).
    """
    precisions, recalls, f1, thresholds = _curve(labels, probabilities, sample_weight)
    positives = float(
        np.sum(
            np.asarray(labels).astype(bool)
            * (1.0 if sample_weight is None else np.asarray(sample_weight))
        )
    )
    flagged = recalls * positives / np.maximum(precisions, 1e-12)
    reaching = np.flatnonzero(
        (precisions >= precision) & (recalls > 0) & (flagged >= min_flagged - 1e-9)
    )
    index = int(reaching[0]) if reaching.size else int(np.argmax(f1))
    stats = _stats_at(precisions, recalls, f1, index)
    return (float(thresholds[index]) if reaching.size else None), stats


def threshold_for_f1(
    labels: np.ndarray, probabilities: np.ndarray, sample_weight: np.ndarray | None = None
) -> tuple[float, dict[str, float]]:
    """The threshold with the best F1 on (labels, probabilities) (the lowest, on ties), with
    the precision, recall and F1 there."""
    precisions, recalls, f1, thresholds = _curve(labels, probabilities, sample_weight)
    index = int(np.argmax(f1))
    return float(thresholds[index]), _stats_at(precisions, recalls, f1, index)


class LogisticHead(ClassifierMixin, BaseEstimator):
    """Logistic regression with C chosen by CV, calibrated scores and a precision threshold.

    Parameters
    ----------
    Cs : sequence of float, default=DEFAULT_CS
        Inverse regularisation strengths tried by cross-validation; when the best is the
        smallest or the largest, more are tried beyond it (a factor of 4 at a time, within
        ``C_BOUNDS``) while the cross-validated quality improves.
    cv : int, default=5
        Stratified folds for choosing C, calibrating and choosing thresholds.
    class_weight : {"balanced"} or None, default="balanced"
        Re-weight classes against imbalance. A flag's calibration undoes the shift in scores;
        a stance's keeps it or undoes it, whichever has the better out-of-fold macro-F1.
    precision : float or None, default=0.9
        Two-class heads only: the threshold is the lowest score whose cross-validated
        precision reaches this over at least ``min_flagged`` flagged rows (the F1-best score
        when none does). ``None`` states no precision: the threshold is the score with the
        best cross-validated F1, which trades precision for recall where that raises F1.
    min_flagged : int, default=MIN_FLAGGED
        Out-of-fold rows a precision must be measured on to count (see ``precision``).
    remove_precision : float, default=0.97
        Two-class heads only: a stricter threshold, for automatic removal.
    max_iter : int, default=3000
        Solver iterations.
    random_state : int, default=0
        Seed of the fold shuffling, so that results repeat.
    n_jobs : int or None, default=None
        Processes for the cross-validation fits (joblib); results do not depend on it.
    requires : int or None, default=None
        Two-class heads only: a column of ``X`` (incitement: "has a violent word"; spam:
        "promotes something") without which a row is flagged only at the removal threshold's
        confidence (the head's own ``remove_threshold_``, also when a Moderator overrides
        it); below it, its positive probability is 0. Function words and topics cannot then
        carry a flag on their own. C, the calibration and the thresholds are chosen as without
        it; ``cv_metrics_`` are those of the rule with it (``without_requirement``: without).

    Attributes
    ----------
    classes_ : ndarray
        Labels, sorted.
    coef_, intercept_ : ndarray
        The final model, fitted on all rows with the chosen ``C_``.
    C_ : float
        The C with the best cross-validated score (class-weighted log-loss for several
        classes, average precision for two).
    Cs_tried_ : list of float
        Every C that was cross-validated, ``Cs`` and the ones beyond its ends.
    calibration_coef_, calibration_intercept_ : ndarray
        Maps decision scores to calibrated probabilities.
    threshold_, remove_threshold_ : float or None
        Probability thresholds (two-class heads); ``remove_threshold_`` is ``None`` when its
        precision is not reached.
    cv_metrics_ : dict
        Cross-validated (out-of-fold) precision, recall and F1 at ``threshold_``, or per class
        and macro for several classes. For a flag, ``precision_target`` is ``precision`` and
        ``precision_target_met`` says whether it was reached (both ``None`` when
        ``precision=None``: the F1-best threshold was asked for).
    """

    def __init__(
        self,
        *,
        Cs: Sequence[float] = DEFAULT_CS,  # noqa: N803 - scikit-learn's own name
        cv: int = 5,
        class_weight: str | None = "balanced",
        precision: float | None = 0.9,
        min_flagged: int = MIN_FLAGGED,
        remove_precision: float = 0.97,
        max_iter: int = 3000,
        random_state: int = 0,
        n_jobs: int | None = None,
        requires: int | None = None,
    ) -> None:
        self.Cs = Cs
        self.cv = cv
        self.class_weight = class_weight
        self.precision = precision
        self.min_flagged = min_flagged
        self.remove_precision = remove_precision
        self.max_iter = max_iter
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.requires = requires

    def _model(self, C: float) -> LogisticRegression:  # noqa: N803
        solver = "liblinear" if len(self.classes_) == 2 else "lbfgs"
        return LogisticRegression(
            C=C,
            class_weight=self.class_weight,
            solver=solver,
            max_iter=self.max_iter,
            random_state=self.random_state,
        )

    def _check_params(self) -> None:
        """Raise :class:`ModelError` naming a parameter outside its valid values."""
        if not self.Cs or any(c <= 0 for c in self.Cs):
            raise ModelError(f"Cs={self.Cs!r}: give one or more positive values")
        if isinstance(self.cv, bool) or not isinstance(self.cv, Integral) or self.cv < 2:
            raise ModelError(f"cv={self.cv!r}: use a whole number of folds, 2 or more")
        precisions = [self.remove_precision]
        if self.precision is not None:
            precisions.append(self.precision)
        if any(
            isinstance(p, bool) or not isinstance(p, Real) or not 0 < p <= 1 for p in precisions
        ):
            raise ModelError(
                f"precision={self.precision!r}, remove_precision={self.remove_precision!r}: "
                "use values in (0, 1] (precision may also be None, for the F1-best threshold)"
            )

    def _check_labels(self, y: np.ndarray) -> None:
        """Raise :class:`DataError` when the labels cannot train a head with ``cv`` folds."""
        if len(self.classes_) < 2:
            raise DataError(
                f"a head needs two classes or more; got {self.classes_.tolist()}: label rows "
                "of another class"
            )
        smallest = int(np.min(np.unique(y, return_counts=True)[1]))
        if smallest < self.cv:
            fix = f"or lower cv to {smallest} or fewer" if smallest >= 2 else "(2 or more each)"
            raise DataError(
                f"the rarest class has {smallest} rows, fewer than cv={self.cv} folds: "
                f"label more rows {fix}"
            )

    def fit(
        self,
        X: Any,  # noqa: N803
        y: Sequence[Any],
        sample_weight: Sequence[float] | None = None,
        groups: Sequence[Any] | None = None,
        on_fold: Callable[[int, int], None] | None = None,
    ) -> LogisticHead:
        """Choose C, calibrate and set thresholds on out-of-fold scores, then fit on all rows.

        ``groups`` (one label per row, such as the file it was read from) keeps each group's
        rows in one fold, so that the out-of-fold scores are those of rows unlike any the fold
        was trained on: what C, the calibration and the thresholds are then chosen for.

        ``sample_weight`` (one positive number per row; default: every row counts once) weighs
        the rows in every fit, the cross-validation's and the calibration's included, and in
        the out-of-fold metrics that choose C and the thresholds.

        ``on_fold(done, total)`` is called as each cross-validation fit ends (a progress bar's
        hook; not kept on the head, which stays picklable). ``total`` is the fits known so far:
        it grows when the grid of C is extended.
        """
        y = np.asarray(y)
        self._check_params()
        self.classes_ = np.unique(y)
        self._check_labels(y)
        weights = None if sample_weight is None else self._checked_weights(sample_weight, y)
        self.C_, out_of_fold = self._choose_c(X, y, weights, groups, on_fold)
        self._fit_calibration(out_of_fold, y, weights)
        probabilities = self._calibrate(out_of_fold)
        self._set_thresholds(y, probabilities, weights)
        if self.requires is not None:
            self._measure_requirement(y, probabilities, weights, self._open_rows(X))
        final = self._model(self.C_).fit(X, y, sample_weight=weights)
        self.coef_ = final.coef_.astype(np.float32)
        self.intercept_ = final.intercept_.astype(np.float64)
        return self

    def _open_rows(self, X: Any) -> np.ndarray | None:  # noqa: N803
        """Which rows have the ``requires`` column (``None`` when no column is required)."""
        if self.requires is None:
            return None
        if len(self.classes_) != 2:
            raise ModelError(f"requires={self.requires!r}: only a two-class head requires a column")
        return rows_with_column(X, self.requires)

    def _gated(self, probabilities: np.ndarray, open_rows: np.ndarray | None) -> np.ndarray:
        """Two-class probabilities with the positive class at 0 on rows without the required
        column that do not reach the removal threshold (every such row when it has none)."""
        if open_rows is None or open_rows.all():
            return probabilities
        strict = np.inf if self.remove_threshold_ is None else self.remove_threshold_
        closed = ~open_rows & (probabilities[:, 1] < strict)
        gated = probabilities.copy()
        gated[closed] = (1.0, 0.0)
        return gated

    def _measure_requirement(
        self,
        y: np.ndarray,
        probabilities: np.ndarray,
        weights: np.ndarray | None,
        open_rows: np.ndarray,
    ) -> None:
        """Out-of-fold precision, recall and F1 of the flag with the required column (the
        thresholds' own, without it, kept as ``without_requirement``)."""
        gated = self._gated(probabilities, open_rows)[:, 1]
        precisions, recalls, f1, thresholds = _curve(y == self.classes_[1], gated, weights)
        index = int(np.searchsorted(thresholds, self.threshold_))  # the first cut it flags at
        stats = {"precision": 0.0, "recall": 0.0, "f1": 0.0}
        if index < thresholds.size:
            stats = _stats_at(precisions, recalls, f1, index)
        before = {key: self.cv_metrics_[key] for key in ("precision", "recall", "f1")}
        self.cv_metrics_ = {
            **self.cv_metrics_,
            **stats,
            "without_requirement": before,
            "rows_with_required_column": int(open_rows.sum()),
        }

    def _fit_calibration(
        self, out_of_fold: np.ndarray, y: np.ndarray, weights: np.ndarray | None
    ) -> None:
        """Map out-of-fold decision scores to probabilities (Platt or multinomial scaling).

        A flag's calibration is unweighted: it undoes the class weighting's shift in scores,
        and its threshold sets the trade-off. A stance is the most probable class, so how its
        calibration weighs the classes decides between them: unweighted, it puts the priors
        back and favours the majority class; weighted like the head, it keeps the weighted
        model's balance. Which serves macro-F1 depends on the corpus (RUW: weighted 0.584
        against 0.560; the project corpus: unweighted), so both are fitted on the out-of-fold
        scores and the one with the better out-of-fold macro-F1 is kept (unweighted on ties).
        """
        options = [None] if len(self.classes_) == 2 else [None, self.class_weight]
        best = None
        for class_weight in dict.fromkeys(options):
            calibrator = LogisticRegression(C=100.0, max_iter=1000, class_weight=class_weight)
            calibrator.fit(out_of_fold, y, sample_weight=weights)
            self.calibration_coef_ = calibrator.coef_.astype(np.float64)
            self.calibration_intercept_ = calibrator.intercept_.astype(np.float64)
            quality = 0.0
            if len(options) > 1:
                predicted = self.classes_[np.argmax(self._calibrate(out_of_fold), axis=1)]
                quality = f1_score(y, predicted, average="macro", sample_weight=weights)
            if best is None or quality > best[0] + 1e-12:
                best = (quality, self.calibration_coef_, self.calibration_intercept_)
        self.calibration_coef_, self.calibration_intercept_ = best[1], best[2]

    @staticmethod
    def _checked_weights(sample_weight: Sequence[float], y: np.ndarray) -> np.ndarray:
        weights = np.asarray(sample_weight, dtype=np.float64)
        if weights.shape != y.shape or not np.all(np.isfinite(weights) & (weights > 0)):
            raise DataError(
                f"sample_weight must hold one positive number per row ({y.size}); got "
                f"shape {weights.shape}, smallest {weights.min(initial=np.inf)}"
            )
        return weights

    def _choose_c(
        self,
        X: Any,  # noqa: N803
        y: np.ndarray,
        weights: np.ndarray | None,
        groups: Sequence[Any] | None = None,
        on_fold: Callable[[int, int], None] | None = None,
    ) -> tuple[float, np.ndarray]:
        """The C with the best out-of-fold quality, and its out-of-fold decision scores; the
        grid is extended past an end that wins (see ``Cs``)."""
        folds = self._folds(X, y, groups)
        counter = _FoldCounter(on_fold, len(folds) * len(self.Cs))
        results = self._cross_validate(X, y, weights, folds, sorted(self.Cs), counter)
        best = max(sorted(results), key=lambda c: results[c][0])  # ties: the smallest C
        while True:
            tried = sorted(results)
            if best == tried[0] and best / C_STEP >= C_BOUNDS[0]:
                beyond = best / C_STEP
            elif best == tried[-1] and best * C_STEP <= C_BOUNDS[1]:
                beyond = best * C_STEP
            else:
                break
            counter.total += len(folds)
            results.update(self._cross_validate(X, y, weights, folds, [beyond], counter))
            if results[beyond][0] <= results[best][0] + 1e-9:  # only a better C moves it
                break
            best = beyond
        self.Cs_tried_ = sorted(results)
        return best, results[best][1]

    def _folds(
        self,
        X: Any,
        y: np.ndarray,
        groups: Sequence[Any] | None,  # noqa: N803
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Stratified folds; with ``groups``, each group's rows kept in one fold (one group
        per fold when there are fewer groups than ``cv``), unless that leaves a fold's
        training rows without every class (a few large groups), where the grouped folds could
        not be fitted and stratified ones are used instead."""
        n_groups = 0 if groups is None else len(np.unique(np.asarray(groups)))
        if n_groups >= 2:
            grouped = StratifiedGroupKFold(
                min(self.cv, n_groups), shuffle=True, random_state=self.random_state
            )
            folds = list(grouped.split(X, y, np.asarray(groups)))
            if all(len(np.unique(y[train])) == len(self.classes_) for train, _ in folds):
                return folds
        splitter = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        return list(splitter.split(X, y))

    def _cross_validate(
        self,
        X: Any,  # noqa: N803
        y: np.ndarray,
        weights: np.ndarray | None,
        folds: list[tuple[np.ndarray, np.ndarray]],
        Cs: Sequence[float],  # noqa: N803
        counter: _FoldCounter | None = None,
    ) -> dict[float, tuple[float, np.ndarray]]:
        """Per C: the out-of-fold quality and decision scores (each fit told to ``counter``)."""
        counter = counter if counter is not None else _FoldCounter(None, 0)
        width = 1 if len(self.classes_) == 2 else len(self.classes_)
        jobs = [(C, train, test) for C in Cs for train, test in folds]  # noqa: N806
        fits = Parallel(n_jobs=self.n_jobs, return_as="generator")(
            delayed(_fold_scores)(self._model(C), X, y, weights, train, test)
            for C, train, test in jobs
        )
        scores = [counter.counted(fold_scores) for fold_scores in fits]
        results = {}
        for index, C in enumerate(Cs):  # noqa: N806
            out_of_fold = np.zeros((len(y), width))
            for offset, (_, test) in enumerate(folds):
                out_of_fold[test] = scores[index * len(folds) + offset]
            results[float(C)] = (self._quality(y, out_of_fold, weights), out_of_fold)
        return results

    def _quality(self, y: np.ndarray, scores: np.ndarray, weights: np.ndarray | None) -> float:
        """Out-of-fold quality of one C: average precision for a flag (the ranking its
        thresholds cut), minus the class-weighted log-loss for several classes (smooth where
        the macro-F1 of the argmax jumps with a few rows: on RUW it chose C 0.125 over 0.5)."""
        if len(self.classes_) == 2:
            positive = y == self.classes_[1]
            return float(average_precision_score(positive, scores[:, 0], sample_weight=weights))
        row_weights = compute_sample_weight(self.class_weight, y)
        if weights is not None:
            row_weights = row_weights * weights
        return -float(
            log_loss(y, _softmax(scores), labels=self.classes_, sample_weight=row_weights)
        )

    def _calibrate(self, scores: np.ndarray) -> np.ndarray:
        calibrated = scores @ self.calibration_coef_.T + self.calibration_intercept_
        if len(self.classes_) == 2:
            positive = _sigmoid(calibrated[:, 0])
            return np.column_stack((1 - positive, positive))
        return _softmax(calibrated)

    def _set_thresholds(
        self, y: np.ndarray, probabilities: np.ndarray, weights: np.ndarray | None
    ) -> None:
        if len(self.classes_) == 2:
            self._set_flag_thresholds(y == self.classes_[1], probabilities[:, 1], weights)
            return
        self.threshold_ = self.remove_threshold_ = None
        predicted = self.classes_[np.argmax(probabilities, axis=1)]
        per_class = f1_score(
            y, predicted, labels=self.classes_, average=None, sample_weight=weights
        )
        self.cv_metrics_ = {
            "macro_f1": float(np.mean(per_class)),
            "accuracy": float(np.average(predicted == y, weights=weights)),
            "f1": {str(c): float(v) for c, v in zip(self.classes_, per_class, strict=True)},
            "support": {str(c): int(np.sum(y == c)) for c in self.classes_},
            "rows": len(y),
        }

    def _set_flag_thresholds(
        self, positive: np.ndarray, scores: np.ndarray, weights: np.ndarray | None
    ) -> None:
        """Review and removal thresholds of a flag from its out-of-fold calibrated scores."""
        if self.precision is None:
            self.threshold_, stats = threshold_for_f1(positive, scores, weights)
            met = None
        else:
            self.threshold_, stats = threshold_for_precision(
                positive, scores, self.precision, weights, self.min_flagged
            )
            met = self.threshold_ is not None
            if self.threshold_ is None:  # fall back to the F1-best threshold, and say so
                self.threshold_ = threshold_for_f1(positive, scores, weights)[0]
        self.remove_threshold_, remove_stats = threshold_for_precision(
            positive, scores, self.remove_precision, weights, self.min_flagged
        )
        self.cv_metrics_ = {
            **stats,
            "precision_target": self.precision,
            "precision_target_met": met,
            "average_precision": float(
                average_precision_score(positive, scores, sample_weight=weights)
            ),
            "remove": {**remove_stats, "precision_target": self.remove_precision},
            "support": int(positive.sum()),
            "rows": int(positive.size),
        }

    def decision_function(self, X: Any) -> np.ndarray:
        """Raw scores of the final model, one column per class (one for two classes)."""
        require_fitted(self, "coef_")
        return np.asarray(X @ self.coef_.T, dtype=np.float64) + self.intercept_

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated probabilities, columns in the order of ``classes_`` (see ``requires``
        for rows without the required column)."""
        return self._gated(self._calibrate(self.decision_function(X)), self._open_rows(X))

    def predict(self, X: Any) -> np.ndarray:
        """Labels: the positive class above ``threshold_`` for a flag, else the most probable."""
        probabilities = self.predict_proba(X)
        if len(self.classes_) == 2:
            return self.classes_[(probabilities[:, 1] >= self.threshold_).astype(int)]
        return self.classes_[np.argmax(probabilities, axis=1)]

    # -- plain-array state, for model files ------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """The fitted parameters as plain arrays and Python values."""
        check_is_fitted(self, "coef_")
        return {
            "params": self.get_params(),
            "classes": [c.item() if hasattr(c, "item") else c for c in self.classes_],
            "coef": self.coef_,
            "intercept": self.intercept_,
            "C": float(self.C_),
            "Cs_tried": [float(c) for c in self.Cs_tried_],
            "calibration_coef": self.calibration_coef_,
            "calibration_intercept": self.calibration_intercept_,
            "threshold": self.threshold_,
            "remove_threshold": self.remove_threshold_,
            "cv_metrics": self.cv_metrics_,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> LogisticHead:
        """Rebuild a fitted head from :meth:`to_state` output."""
        params = dict(state["params"])
        params["Cs"] = tuple(params["Cs"])
        head = cls(**params)
        head.classes_ = np.asarray(state["classes"])
        head.coef_ = np.asarray(state["coef"], dtype=np.float32)
        head.intercept_ = np.asarray(state["intercept"], dtype=np.float64)
        head.C_ = state["C"]
        head.calibration_coef_ = np.asarray(state["calibration_coef"], dtype=np.float64)
        head.calibration_intercept_ = np.asarray(state["calibration_intercept"], dtype=np.float64)
        head.threshold_ = state["threshold"]
        head.remove_threshold_ = state["remove_threshold"]
        head.cv_metrics_ = state["cv_metrics"]
        head.Cs_tried_ = list(state.get("Cs_tried", [head.C_]))
        return head
