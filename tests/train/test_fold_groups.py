"""Cross-validation folds that keep a file's rows together, also with fewer files than folds:
C and the thresholds are then chosen on scores of text from another file than the fold's
training text, as real comments are to a model."""

from __future__ import annotations

import numpy as np

from moderation.judge.heads import LogisticHead
from moderation.train.corpora import LabeledRow
from moderation.train.trainer import TrainingOptions, fold_groups


def _rows(sizes: dict[str, int]) -> list[LabeledRow]:
    return [
        LabeledRow(f"{source} comment {i}", spam=i % 2, source=source)
        for source, size in sizes.items()
        for i in range(size)
    ]


def test_two_files_of_similar_size_are_kept_whole_in_the_folds() -> None:
    rows = _rows({"video_a.csv": 60, "video_b.csv": 40})
    assert fold_groups(rows, TrainingOptions(cv=5)) == [r.source for r in rows]


def test_a_file_smaller_than_one_fold_leaves_the_folds_stratified() -> None:
    # A handful of moderators' decisions beside one corpus file: one fold trained on the
    # handful would choose C and the thresholds, so the folds stay random.
    rows = _rows({"corpus.csv": 95, "decisions.jsonl": 5})
    assert fold_groups(rows, TrainingOptions(cv=5)) is None
    assert fold_groups(_rows({"corpus.csv": 100}), TrainingOptions(cv=5)) is None
    assert fold_groups(_rows({"a": 60, "b": 40}), TrainingOptions(group_folds=False)) is None


def test_as_many_files_as_folds_are_kept_whole_whatever_their_sizes() -> None:
    rows = _rows({"a": 80, "b": 5, "c": 5, "d": 5, "e": 5})
    assert fold_groups(rows, TrainingOptions(cv=5)) == [r.source for r in rows]


def _two_sources(rows: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two files whose own column gives the label away inside the file only, and one weak
    column shared by both: a model learns each file's shortcut, which is no help elsewhere."""
    rng = np.random.default_rng(0)
    y = (rng.random(rows) < 0.5).astype(int)
    groups = np.where(np.arange(rows) < rows // 2, "a.csv", "b.csv")
    shared = rng.normal(size=rows) + 0.8 * y
    own_a = np.where(groups == "a.csv", 3.0 * y + 0.1 * rng.normal(size=rows), 0.0)
    own_b = np.where(groups == "b.csv", 3.0 * y + 0.1 * rng.normal(size=rows), 0.0)
    return np.column_stack((shared, own_a, own_b)), y, groups


def test_two_groups_with_five_folds_give_one_group_per_fold() -> None:
    X, y, groups = _two_sources()  # noqa: N806
    head = LogisticHead(cv=5, Cs=(1.0,))
    head.classes_ = np.unique(y)
    folds = head._folds(X, y, groups)
    assert len(folds) == 2
    assert sorted(set(groups[test]).pop() for _, test in folds) == ["a.csv", "b.csv"]
    assert all(len(set(groups[test])) == 1 for _, test in folds)


def test_grouped_folds_measure_the_head_on_the_other_file() -> None:
    # Random folds score each row with a model that learned its file's shortcut: near-perfect
    # out-of-fold ranking. Grouped folds score it with the other file's model: the shared
    # column only, which is what text from elsewhere will get.
    X, y, groups = _two_sources()  # noqa: N806
    mixed = LogisticHead(cv=5, Cs=(1.0,)).fit(X, y)
    grouped = LogisticHead(cv=5, Cs=(1.0,)).fit(X, y, groups=groups)
    assert mixed.cv_metrics_["average_precision"] > 0.99
    assert grouped.cv_metrics_["average_precision"] < 0.9
