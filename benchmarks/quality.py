"""Quality on public corpora: a plain baseline, the shipped default model and the project's
training code, side by side in one run. ``python benchmarks/quality.py``

Reads ``../shared/data`` beside the checkout (skips with a message, exit 0, when it is absent)
and prints one table. For every row, in the same run and on the same split:

- ``baseline``: ``TfidfVectorizer()`` + ``LogisticRegression()`` with their defaults, fitted on
  the training part, predicting at probability 0.5 (the most probable class for stance);
- ``notebook``: the notebook baseline issue 13 compares with: ``TfidfVectorizer`` word 1-2-grams
  and ``char_wb`` 2-5-grams with ``LogisticRegression(class_weight="balanced")``, at its
  default threshold;
- ``default``: ``models/default.joblib`` as shipped (trained only on the project's corpus),
  at its own thresholds;
- ``trained``: the project's training code for the head under test, fitted on the training part
  of the real corpus: exact duplicates dropped, ``CommentFeaturiser`` fitted on the training
  texts, ``LogisticHead`` with the settings of ``TrainingOptions()`` (C by 5-fold CV, calibration
  and a threshold at cross-validated precision 0.9 on the out-of-fold scores; the folds keep
  each file's rows together where ``fold_groups`` says so, as in ``train_moderator``: on
  YouTube, one training video per fold); flags at that threshold. This is what
  ``train_moderator`` runs per head; calling it would also retrain the other two heads on the
  project corpus in every fold, which does not change the head measured but takes ten times as
  long.
- ``trained-f1``: ``trained`` with ``LogisticHead(precision=None)``: flags at the threshold with
  the best cross-validated F1 on the training part instead of at precision 0.9. Stance heads
  have no threshold, so their rows repeat ``trained``.
- ``sklearn-vec``: ``trained`` with scikit-learn's own vectorisers in place of
  ``CommentFeaturiser`` (:func:`sklearn_vectorisers`): the same head, settings, threshold
  policy (precision 0.9), splits and deduplication. The same feature families and text
  preparation as the featuriser: ``moderation.normalise.normalise`` as the preprocessor, the
  project's tokenizer for word 1-2-grams, ``char_wb`` 2-5-grams of the normalised text, both
  with ``sublinear_tf``, ``min_df=2``, smoothed idf and each block L2-normalised, as in the
  featuriser. What differs: an exact vocabulary instead of 2**22 hash buckets (collisions merge
  a few n-grams; on SMS about 1 % more word columns survive ``min_df`` through merged
  singletons), no six dense signals (links, capitals, repetition, exclamations, length,
  digits), float64 instead of float32 values. ``trained - sklearn-vec`` is printed per row, and
  the issue's claim "F1 no lower than with scikit-learn's own vectorisers" is checked on every
  F1-type row (F1, macro-F1, F_avg) with no tolerance: a row passes only if ``trained`` is at
  least ``sklearn-vec`` (unrounded means).

Below the table, rows the issue asks for that are not train/test splits of one head:

- the shipped model's flag rates on comments labeled as civil (OLID ``NOT``, RumourEval replies,
  Davidson ``neither``): every flag there is a false flag by the corpus's own labels;
- SemEval through ``moderation score``: ``train.py``'s code (``train_and_save``, the project
  corpus supplementing the heads SemEval has no labels for) on 80 % of the training tweets, and
  the other 20 % written as one JSONL dump with each tweet's ``target`` and scored in one run of
  the scoring pipeline (:func:`moderation.pipeline.score.score`), each row by its own head.

Deterministic: fixed seeds everywhere and single-threaded BLAS in each worker; the folds run
on two processes.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SEED = 0
JOBS = 2
YOUTUBE_VIDEOS = ("Psy", "KatyPerry", "LMFAO")
SEMEVAL_FILE = "semeval2016_stance/semeval2016-task6-trainingdata.txt"
RUW = "ruw_russia_ukraine_stance"
FAVOR_AGAINST = ("favor", "against")
METHODS = ("baseline", "notebook", "default", "trained", "trained-f1", "sklearn-vec")
# Corpora whose rows are labeled civil (not offensive, not hateful): the shipped model's flags
# on them are false flags.
CIVIL = (
    ("OLID NOT", "olid/olid-training-v1.0.tsv"),
    ("RumourEval replies", "rumoureval2017/rumoureval2017_subtaskA.jsonl"),
    ("Davidson neither", "davidson/labeled_data.csv"),
)
# Rows whose metric is an F1 (checked for "F1 no lower than scikit-learn's own vectorisers").
F1_METRICS = ("F1", "macro-F1", "F_avg")


@dataclass(frozen=True, slots=True)
class Split:
    """One training part and one test part for one head."""

    key: str
    head: str  # "spam", "incitement" or "stance:<target>"
    train: list
    test: list


@dataclass(frozen=True, slots=True)
class Predictions:
    """True labels of a test part and, per method, predicted labels and positive scores."""

    labels: np.ndarray
    predicted: dict[str, np.ndarray | None]
    scores: dict[str, np.ndarray | None]


# -- reading and splitting ------------------------------------------------------------------


def _label(row: Any, head: str) -> Any:
    return row.stance if head.startswith("stance:") else getattr(row, head)


def youtube_splits() -> list[Split]:
    """Leave one video out; duplicates dropped over all three videos before splitting."""
    from moderation.train.corpora import dedupe, read_labeled

    files = {
        v: sorted((DATA / "youtube_spam").glob(f"Youtube0*-{v}.csv"))[0] for v in YOUTUBE_VIDEOS
    }
    rows = dedupe(read_labeled(files.values()))
    splits = []
    for video, path in files.items():
        test = [r for r in rows if r.source == str(path)]
        train = [r for r in rows if r.source != str(path)]
        splits.append(Split(f"youtube/{video}", "spam", train, test))
    return splits


def _stratified(key: str, head: str, rows: list, repeats: int = 1) -> list[Split]:
    from sklearn.model_selection import RepeatedStratifiedKFold

    labels = [_label(r, head) for r in rows]
    folds = RepeatedStratifiedKFold(n_splits=5, n_repeats=repeats, random_state=SEED)
    return [
        Split(f"{key}/{i}", head, [rows[j] for j in train], [rows[j] for j in test])
        for i, (train, test) in enumerate(folds.split(np.zeros(len(rows)), labels))
    ]


def sms_splits() -> list[Split]:
    """Stratified 5-fold over the deduplicated SMS collection."""
    from moderation.train.corpora import dedupe, read_labeled

    rows = dedupe(read_labeled([DATA / "sms_spam_uci" / "SMSSpamCollection"]))
    return _stratified("sms", "spam", rows)


def ethos_splits() -> list[Split]:
    """Both ETHOS files (violence >= 0.5 against the rest), deduplicated; 3 x 5-fold."""
    from moderation.train.corpora import dedupe, read_labeled

    rows = dedupe(read_labeled([DATA / "ethos"]))
    return _stratified("ethos", "incitement", rows, repeats=3)


def ruw_splits() -> list[Split]:
    """raw_train against raw_val; validation rows repeating a training text are dropped."""
    from moderation.train.corpora import dedupe, read_labeled

    folder = DATA / RUW
    train = dedupe(read_labeled([folder / "raw_train_Russia_Ukraine.csv"]))
    validation = read_labeled([folder / "raw_val_Russia_Ukraine.csv"])
    test = dedupe(train + validation)[len(train) :]
    return [Split("ruw", "stance:russia_ukraine", train, test)]


def semeval_splits() -> list[Split]:
    """Per target, stratified 5-fold over its (deduplicated) training tweets."""
    from moderation.train.corpora import dedupe, read_labeled

    rows = dedupe(read_labeled([DATA / SEMEVAL_FILE]))
    splits = []
    for target in sorted({r.target for r in rows}):
        mine = [r for r in rows if r.target == target]
        splits += _stratified(f"semeval/{target}", "stance:" + target, mine)
    return splits


# -- one split, three methods ---------------------------------------------------------------


def _default_moderator() -> Any:
    """The shipped model, loaded once per worker process."""
    from moderation.judge import moderator as model

    if not hasattr(model, "_benchmark_default"):
        model._benchmark_default = model.Moderator.load()  # type: ignore[attr-defined]
    return model._benchmark_default  # type: ignore[attr-defined]


def sklearn_vectorisers() -> Any:
    """scikit-learn's own vectorisers with the feature families of ``CommentFeaturiser``:
    word 1-2-grams (the project's tokens) and ``char_wb`` 2-5-grams, TF-IDF with sublinear tf,
    ``min_df=2``, each block L2-normalised, both over the project's normalised text (which is
    already case-folded, hence ``lowercase=False``)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_union

    from moderation.judge.tokens import tokenize
    from moderation.normalise import normalise

    shared = {"preprocessor": normalise, "lowercase": False, "sublinear_tf": True, "min_df": 2}
    return make_union(
        TfidfVectorizer(tokenizer=tokenize, token_pattern=None, ngram_range=(1, 2), **shared),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), **shared),
    )


def notebook_pipeline() -> Any:
    """The notebook baseline: word 1-2-gram and ``char_wb`` 2-5-gram TF-IDF, balanced logistic
    regression (``max_iter`` raised only so that it converges)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    return make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2)),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)),
        ),
        LogisticRegression(class_weight="balanced", max_iter=1000),
    )


def _head(precision: float | None, name: str = "", featuriser: Any = None) -> Any:
    """``LogisticHead`` as ``train_moderator`` builds head ``name`` over ``featuriser`` under
    ``TrainingOptions()``, with ``precision`` for a flag (``None``: the F1-best threshold).
    Without a featuriser (scikit-learn's vectorisers: no violent-word column) no column is
    required."""
    from moderation.judge.heads import LogisticHead
    from moderation.train.trainer import TrainingOptions, required_column

    options = TrainingOptions()
    return LogisticHead(
        cv=options.cv,
        precision=precision,
        remove_precision=options.remove_precision,
        random_state=options.random_state,
        requires=None if featuriser is None else required_column(name, featuriser, options),
    )


def _outputs(head: Any, features: Any, flag: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """A fitted head's predicted labels of ``features`` and, for a flag, positive scores."""
    return head.predict(features), head.predict_proba(features)[:, 1] if flag else None


def _default_outputs(
    split: Split, test_texts: list[str], flag: bool
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The shipped model's labels and scores for the test part (None: no head for it)."""
    moderator = _default_moderator()
    if split.head not in moderator.heads:
        return None, None
    default_head = moderator.heads[split.head]
    features = moderator.featuriser.transform([t[: moderator.max_chars] for t in test_texts])
    probabilities = default_head.predict_proba(features)
    if not flag:
        return default_head.classes_[np.argmax(probabilities, axis=1)], None
    positive = probabilities[:, 1]
    return (positive >= moderator.thresholds[split.head]).astype(int), positive


def run_split(split: Split) -> tuple[str, Predictions]:
    """Fit the baseline, the trained heads (both threshold rules) and the head over
    scikit-learn's vectorisers on the training part; score the test part with them and with
    the default model."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from threadpoolctl import threadpool_limits

    from moderation.judge.features import CommentFeaturiser
    from moderation.train.trainer import TrainingOptions, fold_groups, head_features

    flag = not split.head.startswith("stance:")
    precision = TrainingOptions().precision.get(split.head, 0.9)
    train_texts = [r.text for r in split.train]
    test_texts = [r.text for r in split.test]
    y_train = np.asarray([_label(r, split.head) for r in split.train])
    y_test = np.asarray([_label(r, split.head) for r in split.test])
    outputs: dict[str, tuple[np.ndarray | None, np.ndarray | None]] = {}
    with threadpool_limits(1):
        baseline = make_pipeline(TfidfVectorizer(), LogisticRegression())
        baseline.fit(train_texts, y_train)
        outputs["baseline"] = (
            baseline.predict(test_texts),
            baseline.predict_proba(test_texts)[:, 1] if flag else None,
        )
        notebook = notebook_pipeline().fit(train_texts, y_train)
        outputs["notebook"] = (
            notebook.predict(test_texts),
            notebook.predict_proba(test_texts)[:, 1] if flag else None,
        )

        featuriser = CommentFeaturiser().fit(train_texts)
        train_features = featuriser.transform(train_texts)
        test_features = featuriser.transform(test_texts)
        groups = fold_groups(split.train, TrainingOptions())  # the folds train_moderator uses
        fitted_on = head_features(split.head, featuriser, train_features)
        trained = _head(precision, split.head, featuriser).fit(fitted_on, y_train, groups=groups)
        outputs["trained"] = _outputs(trained, test_features, flag)
        if flag:  # stance heads have no threshold: the F1 rule changes nothing there
            f1_cut = _head(None, split.head, featuriser).fit(fitted_on, y_train, groups=groups)
            outputs["trained-f1"] = _outputs(f1_cut, test_features, flag)
        else:
            outputs["trained-f1"] = outputs["trained"]

        vectorisers = sklearn_vectorisers().fit(train_texts)
        on_sklearn = _head(precision).fit(
            vectorisers.transform(train_texts), y_train, groups=groups
        )
        outputs["sklearn-vec"] = _outputs(on_sklearn, vectorisers.transform(test_texts), flag)

        outputs["default"] = _default_outputs(split, test_texts, flag)
    predicted = {m: outputs[m][0] for m in METHODS}
    scores = {m: outputs[m][1] for m in METHODS}
    return split.key, Predictions(y_test, predicted, scores)


# -- metrics --------------------------------------------------------------------------------


def f1_of(labels: np.ndarray, predicted: np.ndarray, positive: Any) -> float:
    """F1 of one class."""
    true_positive = float(np.sum((predicted == positive) & (labels == positive)))
    flagged, actual = float(np.sum(predicted == positive)), float(np.sum(labels == positive))
    return 2 * true_positive / (flagged + actual) if flagged + actual else 0.0


def mcc_of(labels: np.ndarray, predicted: np.ndarray) -> float:
    """Matthews correlation of 0/1 predictions."""
    from moderation.evaluate.metrics import confusion_matrix, matthews_correlation

    return matthews_correlation(confusion_matrix(labels.tolist(), predicted.tolist(), [0, 1]))


def pr_auc_of(labels: np.ndarray, scores: np.ndarray | None) -> float | None:
    """Average precision, or None without scores."""
    from moderation.evaluate.metrics import average_precision

    return None if scores is None else average_precision(labels, scores)


def macro_f1_of(labels: np.ndarray, predicted: np.ndarray) -> float:
    """Mean F1 over the classes in the labels."""
    return float(np.mean([f1_of(labels, predicted, c) for c in np.unique(labels)]))


def f_avg_of(labels: np.ndarray, predicted: np.ndarray) -> float:
    """SemEval-2016's F_avg: the mean of F1(favor) and F1(against)."""
    return float(np.mean([f1_of(labels, predicted, c) for c in FAVOR_AGAINST]))


def per_method(
    results: Sequence[Predictions], metric: Callable[[Predictions, str], float | None]
) -> dict[str, float | None]:
    """Per method, the mean of ``metric`` over ``results`` (None where a method has nothing)."""
    out: dict[str, float | None] = {}
    for method in METHODS:
        values = [metric(r, method) for r in results if r.predicted[method] is not None]
        values = [v for v in values if v is not None]
        out[method] = float(np.mean(values)) if values else None
    return out


def pooled(results: Sequence[Predictions]) -> Predictions:
    """Concatenate test parts (out-of-fold predictions of one corpus)."""

    def join(parts: list) -> np.ndarray | None:
        return None if any(p is None for p in parts) else np.concatenate(parts)

    return Predictions(
        np.concatenate([r.labels for r in results]),
        {m: join([r.predicted[m] for r in results]) for m in METHODS},
        {m: join([r.scores[m] for r in results]) for m in METHODS},
    )


# -- the table ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table."""

    head: str
    data: str
    metric: str
    values: dict[str, float | None]
    trained_target: float | None = None
    default_target: float | None = None


def _value(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _target(target: float | None, value: float | None) -> str:
    if target is None:
        return ""
    mark = "pass" if value is not None and value >= target else "MISS"
    return f">= {target:.2f} {mark}"


def build_rows(by_key: dict[str, Predictions]) -> list[Row]:
    """The table's rows from every split's predictions."""

    def group(prefix: str) -> list[Predictions]:
        return [p for k, p in sorted(by_key.items()) if k.startswith(prefix + "/")]

    def f1(result: Predictions, method: str) -> float:
        return f1_of(result.labels, result.predicted[method], 1)

    def mcc(result: Predictions, method: str) -> float:
        return mcc_of(result.labels, result.predicted[method])

    def pr_auc(result: Predictions, method: str) -> float | None:
        return pr_auc_of(result.labels, result.scores[method])

    def macro_f1(result: Predictions, method: str) -> float:
        return macro_f1_of(result.labels, result.predicted[method])

    def f_avg(result: Predictions, method: str) -> float:
        return f_avg_of(result.labels, result.predicted[method])

    rows = []
    for video in YOUTUBE_VIDEOS:
        result = [by_key[f"youtube/{video}"]]
        n = result[0].labels.size
        data = f"YouTube, left-out {video} ({n})"
        rows.append(Row("spam", data, "F1", per_method(result, f1), 0.96, 0.90))
        rows.append(Row("spam", data, "MCC", per_method(result, mcc)))
    sms = group("sms")
    rows.append(Row("spam", "SMS, 5-fold mean", "F1", per_method(sms, f1)))
    ethos = group("ethos")
    data = "ETHOS violence, 3x5-fold mean"
    rows.append(Row("incitement", data, "F1", per_method(ethos, f1), 0.55, 0.50))
    rows.append(Row("incitement", data, "PR-AUC", per_method(ethos, pr_auc)))
    ruw = [by_key["ruw"]]
    data = f"RUW, train -> val ({ruw[0].labels.size})"
    rows.append(Row("stance", data, "macro-F1", per_method(ruw, macro_f1), 0.58, 0.52))
    targets = sorted({k.split("/")[1] for k in by_key if k.startswith("semeval/")})
    per_target = {t: pooled(group(f"semeval/{t}")) for t in targets}
    for target, result in per_target.items():
        name = target.removeprefix("semeval_").replace("_", " ").removesuffix(" is a real concern")
        rows.append(Row("stance", f"SemEval, {name}", "F_avg", per_method([result], f_avg)))
    rows.append(
        Row(
            "stance",
            "SemEval, mean of 5 targets",
            "F_avg",
            per_method(list(per_target.values()), f_avg),
            0.6898,
        )
    )
    everything = pooled(list(per_target.values()))
    rows.append(
        Row("stance", "SemEval, all targets pooled", "F_avg", per_method([everything], f_avg))
    )
    return rows


NOTES = """\
baseline:    TfidfVectorizer() + LogisticRegression(), defaults, fitted on the same training part.
notebook:    TfidfVectorizer word 1-2-grams + char_wb 2-5-grams, LogisticRegression(
             class_weight="balanced"), at its default threshold (issue 13's notebook baseline).
default:     models/default.joblib as shipped (trained only on seeds/labeled), its own
             thresholds; n/a where it has no head for the corpus (SemEval targets).
trained:     the project's training code for the head under test (CommentFeaturiser +
             LogisticHead with TrainingOptions() settings, as train_moderator runs them) fitted
             on the real training part only, its CV folds keeping each file's rows together
             where train_moderator's do (YouTube: one training video per fold); flags at the
             threshold reaching the flag's CV precision target on that part (spam 0.9,
             incitement 0.8; F1-best when not reached). (train_moderator itself also needs
             spam, incitement and default-target stance rows; the other heads do not change
             the head measured, so they are not trained here.)
trained-f1:  trained, but flags at the threshold with the best CV F1 on the training part
             (LogisticHead(precision=None), `moderation train --precision FLAG=f1`); the same
             C, weights and calibration. Stance has no threshold: those rows repeat trained.
sklearn-vec: trained's head, settings, threshold rule (CV precision 0.9), splits and dedup, over
             scikit-learn's own vectorisers with the featuriser's families and preparation:
             FeatureUnion of TfidfVectorizer(word 1-2-grams, the project's tokenizer) and
             TfidfVectorizer(char_wb 2-5), both sublinear_tf, min_df=2, preprocessor=normalise.
             Differs from CommentFeaturiser only by an exact vocabulary (no hashing), no six
             dense signals and float64 values.
tr-skl:      trained minus sklearn-vec.
Splits:      exact duplicates dropped before splitting; YouTube leave-one-video-out over 3
             videos (the collection's authors report TF-IDF + LR MCC 0.86-0.93 per video,
             within-video splits); SMS stratified 5-fold; ETHOS violence >= 0.5 vs the rest,
             3 x 5-fold; RUW raw_train -> raw_val (val rows repeating a train text dropped);
             SemEval 5-fold per target on the training data, out-of-fold predictions pooled
             per target.
SemEval:     the published figures (best team 67.82; organisers' SVM about 68.98, unverified)
             are F_avg on the official test set pooled over targets; ours is 5-fold CV on the
             training data, so the comparison is indicative only. Target: beat both (>= 0.69).
Targets:     issue 13's goals for the held-back parts, checked here on development splits.
Targets are checked as printed. The judge's design choices were measured on these development
splits (never on the held-back parts, which are checked independently)."""

DIFFERENCE = "tr-skl"


def _width(name: str) -> int:
    return max(9, len(name) + 2)


def _difference(row: Row) -> float | None:
    """``trained`` minus ``sklearn-vec`` on one row (None when either is missing)."""
    trained, other = row.values["trained"], row.values["sklearn-vec"]
    return None if trained is None or other is None else trained - other


def _signed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.3f}"


def f1_check(rows: Sequence[Row]) -> str:
    """One line: does ``trained`` reach ``sklearn-vec`` on every F1-type row (no tolerance)?"""
    checked = [r for r in rows if r.metric in F1_METRICS]
    lower = [r for r in checked if (_difference(r) or 0.0) < 0]
    verdict = "holds" if not lower else "does NOT hold"
    line = (
        f"F1 no lower than scikit-learn's own vectorisers (trained >= sklearn-vec on every "
        f"F1-type row, no tolerance): {verdict}; trained reaches it on "
        f"{len(checked) - len(lower)} of {len(checked)} rows"
    )
    if lower:
        line += "; lower on: " + "; ".join(
            f"{r.data} {r.metric} {_signed(_difference(r))}" for r in lower
        )
    return line


def format_table(rows: Sequence[Row]) -> str:
    """The rows as one plain-text table, the F1 check and the notes under it."""
    header = (
        f"{'head':<11}{'data':<37}{'metric':<10}"
        + "".join(f"{m:>{_width(m)}}" for m in METHODS)
        + f"{DIFFERENCE:>{_width(DIFFERENCE)}}"
        + f"  {'target (trained)':<18}{'target (default)'}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        line = (
            f"{row.head:<11}{row.data:<37}{row.metric:<10}"
            + "".join(f"{_value(row.values[m]):>{_width(m)}}" for m in METHODS)
            + f"{_signed(_difference(row)):>{_width(DIFFERENCE)}}"
            + f"  {_target(row.trained_target, row.values['trained']):<18}"
            + _target(row.default_target, row.values["default"])
        )
        lines.append(line.rstrip())
    return "\n".join(lines) + "\n\n" + f1_check(rows) + "\n\n" + NOTES


# -- rows that are not one head's train/test split ----------------------------------------


def civil_texts() -> dict[str, list[str]]:
    """The texts of each corpus's rows labeled civil (see :data:`CIVIL`)."""
    import csv
    import json

    olid, rumours, davidson = (DATA / path for _, path in CIVIL)
    with olid.open(encoding="utf-8", newline="") as stream:
        not_offensive = [
            r["tweet"] for r in csv.DictReader(stream, delimiter="\t") if r["subtask_a"] == "NOT"
        ]
    with rumours.open(encoding="utf-8") as stream:
        replies = [json.loads(line)["text"] for line in stream if line.strip()]
    with davidson.open(encoding="utf-8", newline="") as stream:
        neither = [r["tweet"] for r in csv.DictReader(stream) if r["class"] == "2"]
    return dict(zip([name for name, _ in CIVIL], (not_offensive, replies, neither), strict=True))


def civil_flag_rates() -> list[tuple[str, int, float, float]]:
    """Per civil corpus: its size and the share of it the shipped model flags spam and
    incitement (scored as ``moderation score`` scores, languages and all)."""
    from threadpoolctl import threadpool_limits

    moderator = _default_moderator()
    rates = []
    with threadpool_limits(1):
        for name, texts in civil_texts().items():
            verdicts = list(moderator.score_stream(texts))
            spam = float(np.mean(["spam" in v.flags for v in verdicts]))
            incitement = float(np.mean(["incitement" in v.flags for v in verdicts]))
            rates.append((name, len(texts), spam, incitement))
    return rates


def _semeval_halves() -> tuple[list, list]:
    """SemEval's training tweets split 80/20, stratified by target and stance."""
    from sklearn.model_selection import train_test_split

    from moderation.train.corpora import dedupe, read_labeled

    rows = dedupe(read_labeled([DATA / SEMEVAL_FILE]))
    strata = [f"{r.target}/{r.stance}" for r in rows]
    return train_test_split(rows, test_size=0.2, stratify=strata, random_state=SEED)


def semeval_through_score(workdir: Path) -> tuple[int, float, float]:
    """Train as ``train.py --data`` does on 80 % of SemEval, score the other 20 % as one JSONL
    dump with a ``target`` per row in one scoring run; the rows, F_avg and the share of rows
    whose verdict named its own target."""
    import json

    from moderation.pipeline.options import ScoreOptions
    from moderation.pipeline.score import score
    from moderation.train.corpora import read_labeled
    from moderation.train.trainer import TrainingOptions, missing_heads, supplement, train_and_save

    train, test = _semeval_halves()
    corpus = read_labeled([Path(__file__).resolve().parents[1] / "seeds" / "labeled"])
    rows = supplement(train, corpus, missing_heads(train))
    model = workdir / "semeval.joblib"
    train_and_save(rows, model, TrainingOptions())
    dump, out = workdir / "semeval-test.jsonl", workdir / "scored.jsonl"
    with dump.open("w", encoding="utf-8") as stream:
        for number, row in enumerate(test):
            stream.write(json.dumps({"id": str(number), "text": row.text, "target": row.target}))
            stream.write("\n")
    score(dump, ScoreOptions(model_path=model), out)
    scored = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    predicted = np.asarray([scored[str(n)]["stance"] for n in range(len(test))])
    own = np.mean([scored[str(n)]["target"] == row.target for n, row in enumerate(test)])
    labels = np.asarray([row.stance for row in test])
    return len(test), f_avg_of(labels, predicted), float(own)


def format_extra(civil: Sequence[tuple[str, int, float, float]], semeval: tuple) -> str:
    """The civil flag rates and the SemEval scoring run, as lines under the table."""
    lines = ["Shipped model on comments labeled civil (every flag is a false flag), target <= 1 %:"]
    for name, size, spam, incitement in civil:
        lines.append(
            f"  {name:<20} ({size:>5})  spam flags {100 * spam:5.2f} % "
            f"{'pass' if spam <= 0.01 else 'MISS'}   incitement flags {100 * incitement:5.2f} % "
            f"{'pass' if incitement <= 0.01 else 'MISS'}"
        )
    size, f_avg, own = semeval
    lines.append(
        f"SemEval, train.py on 80 % of the training tweets, the other {size} scored in one "
        f"`moderation score` run with each row's target: F_avg {f_avg:.3f} "
        f"({'pass' if f_avg >= 0.69 else 'MISS'} >= 0.69); rows judged by their own target's "
        f"head: {100 * own:.1f} %"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every split on two processes and print the table."""
    import argparse

    # No options: the protocol is fixed. Parsing still answers --help (and refuses a typo)
    # instead of starting a ten-minute run.
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    if not DATA.is_dir():
        print(f"skipped: {DATA} is not there (the public corpora live in ../shared/data)")
        return 0
    from joblib import Parallel, delayed

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    started = time.perf_counter()
    splits = ruw_splits() + semeval_splits() + sms_splits() + ethos_splits() + youtube_splits()
    results = Parallel(n_jobs=JOBS)(delayed(run_split)(split) for split in splits)
    rows = build_rows(dict(results))
    civil = civil_flag_rates()
    with tempfile.TemporaryDirectory() as workdir:
        semeval = semeval_through_score(Path(workdir))
    seconds = time.perf_counter() - started
    print(
        f"Quality on the public corpora in {DATA} ({len(splits)} train/test splits, "
        f"{JOBS} processes, {seconds:.0f} s, random_state {SEED})\n"
    )
    print(format_table(rows))
    print()
    print(format_extra(civil, semeval))
    return 0


if __name__ == "__main__":
    sys.exit(main())
