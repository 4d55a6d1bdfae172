"""Does the moderator's loop learn? ``python benchmarks/review_loop.py [--heads spam stance]``

A simulated moderator works through a development corpus the shipped model does badly on,
answering with the corpus's real labels, in rounds of ``--round`` decisions; after each round
the head under test is retrained on the decisions plus the project corpus and scored on a
separate test part. Two orders side by side, in one run:

- ``queue``: the review queue's own order (:func:`moderation.review.priority.queue_order`:
  remove, review, least sure, the rest), recomputed after every round from the retrained
  model's scores of the comments not yet decided, as a moderator would see the next queue.
  For stance the moderator works under the queue's filter "action: approve" and its order
  "least sure stance first" (both offered by the review page), as one reviewing stance would:
  the comments the model flags go first in the unfiltered queue for their flags, not their
  stance, and the queue's own order puts comments near a flag threshold before those whose
  stance the model is least sure of. When the filter runs dry the rest follow in that order
  (``--unfiltered``: the whole queue in its own order, as without a filter or order);
- ``random``: the same comments in a fixed random order (seed 0), unfiltered.

Corpora (read from ``../shared/data`` beside the checkout, or ``--data``; skipped with a
message when absent), never in the project corpus: spam on the YouTube collection, exact
duplicates dropped over the three videos, the LMFAO video (the one the shipped model does worst
on) split 65/35 stratified (seed 0) into a pool part and the test part; the pool the moderator
reviews is that part plus the other two videos. Stance on RUW tweets: ``raw_train`` as the
pool and ``raw_val`` (rows repeating a pool text dropped) as the test part.

Training setting, chosen to keep a run to a few minutes on 2 cores: after each round the
featuriser is refitted on the project corpus plus the decided texts (as ``train_moderator``
fits it on every training text), and the head under test is refitted with the project's
``LogisticHead`` and the training code's rules (``TrainingOptions()`` precision for a flag, C
chosen by 5-fold cross-validation; stance: the shipped model's C, 3 folds) on the corpus rows
carrying its label plus the decisions. The other heads are not retrained: the queue is
ordered on the retrained head's scores and the shipped model's scores for the other heads
(actions by the same rule as the model: a flag at its removal threshold removes, at its
threshold sends to review). The decisions are moderator rows and are merged as training
merges them (:func:`moderation.train.moderated.merge_moderator_labels`: a decision's label
replaces the corpus's for the same text) and weighted as training weighs them (each counts
``--weight`` corpus rows in the fit and in the cross-validation that sets the threshold;
default the product's, ``moderation train --weight``'s default). ``--full`` also
retrains the whole model with ``train_moderator`` on the corpus plus the queue's first 200
decisions, as ``moderation train --data seeds/labeled labels.jsonl`` would.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
CORPUS = ROOT / "seeds" / "labeled"
SEED = 0
CHECK_AT = 200
LIFT = 0.05


@dataclass(frozen=True, slots=True)
class Task:
    """One head, the pool the moderator reviews and the test part it is measured on."""

    name: str
    head: str  # "spam" or "stance:<target>"
    pool: list
    test: list
    stance_cv: int = 5
    action: str | None = None  # the queue's "action" filter the moderator works under
    order: str = ""  # the queue's order the moderator works in ("stance": by stance margin)
    # Per test row, whether the shipped model judges its language (None: not yet known).
    test_judged: tuple[bool, ...] | None = None

    def label(self, row: Any) -> Any:
        return row.stance if self.head.startswith("stance:") else getattr(row, self.head)

    def answer(self, row: Any) -> Any:
        """The simulated moderator's decision: the row's real label for this head only."""
        from moderation.train.corpora import LabeledRow

        if self.head.startswith("stance:"):
            return LabeledRow(row.text, stance=row.stance, source="moderator", moderator=True)
        labels = {self.head: self.label(row)}
        return LabeledRow(row.text, **labels, source="moderator", moderator=True)


def spam_task(data: Path) -> Task:
    """YouTube: the LMFAO video split 65/35 (stratified) into pool and test part; the pool also
    holds the other two videos' comments (a dump of several videos' comment sections, so that
    200 decisions are a choice among many and not nearly the whole pool)."""
    from sklearn.model_selection import train_test_split

    from moderation.train.corpora import dedupe, read_labeled

    rows = dedupe(read_labeled(sorted((data / "youtube_spam").glob("Youtube0*.csv"))))
    lmfao = [r for r in rows if r.source.endswith("-LMFAO.csv")]
    others = [r for r in rows if not r.source.endswith("-LMFAO.csv")]
    pool, test = train_test_split(
        lmfao, test_size=0.35, random_state=SEED, stratify=[r.spam for r in lmfao]
    )
    return Task("spam, YouTube (test: LMFAO)", "spam", [*pool, *others], list(test))


def stance_task(data: Path) -> Task:
    """RUW: raw_train is the pool, raw_val (texts not in the pool) the test part."""
    from moderation.train.corpora import dedupe, read_labeled

    folder = data / "ruw_russia_ukraine_stance"
    pool = dedupe(read_labeled([folder / "raw_train_Russia_Ukraine.csv"]))
    test = dedupe(pool + read_labeled([folder / "raw_val_Russia_Ukraine.csv"]))[len(pool) :]
    return Task(
        "stance, RUW tweets",
        "stance:russia_ukraine",
        pool,
        test,
        stance_cv=3,
        action="approve",
        order="stance",
    )


TASKS: dict[str, Callable[[Path], Task]] = {"spam": spam_task, "stance": stance_task}


@dataclass(frozen=True, slots=True)
class Retrained:
    """A featuriser and the head under test, refitted on the corpus plus the decisions."""

    featuriser: Any
    head: Any

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return self.head.predict_proba(self.featuriser.transform(list(texts)))


def _labeled(task: Task, rows: Sequence) -> list[int]:
    """Indices of the rows carrying the label of the head under test (stance: its target)."""
    target = task.head.partition(":")[2]
    return [
        i
        for i, r in enumerate(rows)
        if task.label(r) is not None and (not target or r.target == target)
    ]


def refit(task: Task, base: Any, corpus: Sequence, decisions: Sequence, weight: float) -> Retrained:
    """Refit the featuriser on every text and the head under test on its labeled rows, the
    decisions overriding the corpus's labels and weighing ``weight`` rows, as in training."""
    from moderation.judge.features import CommentFeaturiser
    from moderation.judge.heads import LogisticHead
    from moderation.train.moderated import merge_moderator_labels, row_weights
    from moderation.train.trainer import DEFAULT_PRECISION, TrainingOptions

    rows = merge_moderator_labels([*corpus, *decisions])
    weights = row_weights(rows, weight)
    featuriser = CommentFeaturiser(**base.featuriser.get_params()).fit([r.text for r in rows])
    index = _labeled(task, rows)
    rows = [rows[i] for i in index]
    options = TrainingOptions(moderator_weight=weight)
    if task.head.startswith("stance:"):
        head = LogisticHead(Cs=(base.heads[task.head].C_,), cv=task.stance_cv, n_jobs=2)
    else:
        precision = options.precision.get(task.head, DEFAULT_PRECISION[task.head])
        head = LogisticHead(precision=precision, cv=options.cv, n_jobs=2)
    head.fit(
        featuriser.transform([r.text for r in rows]),
        np.asarray([task.label(r) for r in rows]),
        sample_weight=None if weights is None else weights[index],
    )
    return Retrained(featuriser, head)


def predictions(task: Task, model: Any, texts: Sequence[str]) -> list:
    """Predicted labels of the head under test: the shipped model's, or a retrained head's."""
    if not isinstance(model, Retrained):
        verdicts = model.score(list(texts))
        if task.head.startswith("stance:"):
            return [v.stance for v in verdicts]
        return [int(task.head in v.flags) for v in verdicts]
    probabilities = model.probabilities(texts)
    if task.head.startswith("stance:"):
        return list(model.head.classes_[np.argmax(probabilities, axis=1)])
    return list((probabilities[:, 1] >= model.head.threshold_).astype(int))


def with_language_gate(task: Task, base: Any) -> Task:
    """The task with the test rows the shipped model judges marked: a retrained model keeps
    the shipped model's languages (training chooses them from the corpus), so it leaves the
    same rows unjudged."""
    verdicts = base.score([r.text for r in task.test])
    return dataclasses.replace(task, test_judged=tuple(v.spam is not None for v in verdicts))


def score(task: Task, model: Any) -> float:
    """F1 of the spam flag at its threshold, or macro-F1 of stance (over the true labels), on
    the test part; a comment the model does not judge has no stance and raises no flag."""
    from sklearn.metrics import f1_score

    truth = [task.label(r) for r in task.test]
    predicted = predictions(task, model, [r.text for r in task.test])
    gate = task.test_judged or (True,) * len(truth)
    if task.head.startswith("stance:"):
        pairs = zip(predicted, gate, strict=True)
        predicted = [p if p is not None and g else "(not judged)" for p, g in pairs]
        return float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro"))
    predicted = [int(p) if g else 0 for p, g in zip(predicted, gate, strict=True)]
    return float(f1_score(truth, predicted, average="binary"))


def queue_rows(task: Task, base: Any, shipped: list, model: Any, rows: list[int]) -> list:
    """What the queue sees of the pool rows: the retrained head's scores, the shipped model's
    for the other heads, and the action the model's rule gives from them."""
    from moderation.labels import FLAGS

    if not isinstance(model, Retrained):
        return [shipped[i] for i in rows]
    probabilities = model.probabilities([task.pool[i].text for i in rows])
    review = {**base.thresholds}
    remove = {**base.remove_thresholds}
    if task.head in FLAGS:
        review[task.head], remove[task.head] = model.head.threshold_, model.head.remove_threshold_
    out = []
    for row, p in zip(rows, probabilities, strict=True):
        old = shipped[row]
        if old.spam is None:  # a language the model does not judge: retraining keeps it so
            out.append(old)
            continue
        values = {flag: getattr(old, flag) for flag in FLAGS}
        stance_scores = dict(old.stance_scores)
        if task.head in FLAGS:
            values[task.head] = float(p[1])
        else:
            stance_scores = {str(c): float(v) for c, v in zip(model.head.classes_, p, strict=True)}
        removed = any(remove[f] is not None and values[f] >= remove[f] for f in FLAGS)
        raised = any(values[f] >= review[f] for f in FLAGS)
        action = "remove" if removed else "review" if raised else "approve"
        out.append(SimpleNamespace(action=action, stance_scores=stance_scores, **values))
    return out


def next_batch(
    task: Task, base: Any, shipped: list, model: Any, left: list[int], size: int, order: str
) -> list[int]:
    """The next ``size`` pool rows: the top of the queue the model gives (under the task's
    action filter while it has rows, then unfiltered), or the next random."""
    from moderation.review.priority import Thresholds, queue_order

    if order == "random":
        return left[:size]
    thresholds = Thresholds(dict(base.thresholds), dict(base.remove_thresholds))
    if isinstance(model, Retrained) and task.head in thresholds.review:
        thresholds.review[task.head] = model.head.threshold_
        thresholds.remove[task.head] = model.head.remove_threshold_
    seen = queue_rows(task, base, shipped, model, left)
    order_of = queue_order(seen, thresholds, task.order)
    if task.action is not None:
        matching = [i for i in order_of if seen[i].action == task.action]
        order_of = matching + [i for i in order_of if seen[i].action != task.action]
    return [left[i] for i in order_of[:size]]


def run_order(
    task: Task, base: Any, corpus: Sequence, order: str, rounds: int, size: int, weight: float
) -> tuple[list[tuple[int, float]], list]:
    """F1 after 0, size, 2 size... decisions, and the decisions taken in that order."""
    left = list(range(len(task.pool)))
    if order == "random":
        random.Random(SEED).shuffle(left)
    shipped = base.score([r.text for r in task.pool])
    model, decided, curve = base, [], [(0, score(task, base))]
    for _ in range(rounds):
        batch = next_batch(task, base, shipped, model, left, size, order)
        if not batch:
            break
        chosen = set(batch)
        left = [i for i in left if i not in chosen]
        decided += [task.answer(task.pool[i]) for i in batch]
        model = refit(task, base, corpus, decided, weight)
        curve.append((len(decided), score(task, model)))
    return curve, decided


def full_check(task: Task, corpus: Sequence, decisions: Sequence, weight: float) -> float:
    """Retrain the whole model with ``train_moderator`` on the decisions plus the corpus."""
    from moderation.train.trainer import TrainingOptions, train_moderator

    model, _ = train_moderator([*corpus, *decisions], TrainingOptions(moderator_weight=weight))
    return score(task, model)


def plot(results: dict[str, dict[str, list[tuple[int, float]]]], path: Path) -> None:
    """F1 against decisions, one panel per task, the two orders side by side."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5 * len(results), 3.4), layout="constrained")
    for index, (name, curves) in enumerate(results.items(), start=1):
        axes = figure.add_subplot(1, len(results), index)
        for order, style in (("queue", "o-"), ("random", "s--")):
            xs, ys = zip(*curves[order], strict=True)
            axes.plot(xs, ys, style, label=f"{order} order")
        axes.axhline(curves["queue"][0][1], color="#999", lw=0.8, label="shipped model")
        axes.set_xlabel("moderator decisions")
        axes.set_ylabel("macro-F1" if name.startswith("stance") else "F1")
        axes.set_title(name)
        axes.legend(fontsize="small")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)


def report(task: Task, curves: dict[str, list[tuple[int, float]]]) -> list[str]:
    """The table rows of one task and its check at CHECK_AT decisions."""
    lines = [task.name]
    if task.action is not None:
        within = "least sure stance first" if task.order == "stance" else "the queue's own order"
        lines.append(f"  queue filtered to action: {task.action} ({within} within)")
    lines.append(f"  {'decisions':>9}  {'queue':>6}  {'random':>6}")
    random_at = dict(curves["random"])
    for count, value in curves["queue"]:
        other = random_at.get(count)
        lines.append(f"  {count:>9}  {value:6.3f}  {'' if other is None else f'{other:6.3f}'}")
    queue_at, default = dict(curves["queue"]), curves["queue"][0][1]
    if CHECK_AT in queue_at and CHECK_AT in random_at:
        ahead = queue_at[CHECK_AT] > random_at[CHECK_AT]
        lift = queue_at[CHECK_AT] - default
        lines.append(
            f"  at {CHECK_AT}: queue {'ahead of' if ahead else 'NOT ahead of'} random "
            f"({queue_at[CHECK_AT]:.3f} vs {random_at[CHECK_AT]:.3f}); lift over the shipped "
            f"model {lift:+.3f} ({'pass' if lift >= LIFT else 'MISS'}, target >= {LIFT})"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heads", nargs="+", choices=sorted(TASKS), default=sorted(TASKS))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the public corpora")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of decisions")
    parser.add_argument("--round", dest="size", type=int, default=50, help="decisions a round")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "review_loop.png")
    parser.add_argument("--full", action="store_true", help="also retrain with train_moderator")
    parser.add_argument(
        "--weight", type=float, default=None, help="a decision's weight (default: the product's)"
    )
    parser.add_argument(
        "--unfiltered", action="store_true", help="the queue order without any task's filter"
    )
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"skipped: {args.data} is not there (the public corpora live in ../shared/data)")
        return 0
    from moderation.judge.moderator import Moderator
    from moderation.train.corpora import read_labeled
    from moderation.train.moderated import DEFAULT_MODERATOR_WEIGHT

    weight = DEFAULT_MODERATOR_WEIGHT if args.weight is None else args.weight
    print(f"decisions weigh {weight:g} corpus rows and override the corpus's labels")
    started = time.perf_counter()
    base, corpus = Moderator.load(), read_labeled([CORPUS])
    results: dict[str, dict[str, list[tuple[int, float]]]] = {}
    for key in args.heads:
        task = with_language_gate(TASKS[key](args.data), base)
        if args.unfiltered:
            task = dataclasses.replace(task, action=None, order="")
        print(f"{task.name}: pool {len(task.pool)}, test {len(task.test)}", file=sys.stderr)
        curves, taken = {}, {}
        for order in ("queue", "random"):
            curves[order], taken[order] = run_order(
                task, base, corpus, order, args.rounds, args.size, weight
            )
        results[task.name] = curves
        print("\n".join(report(task, curves)))
        if args.full:
            value = full_check(task, corpus, taken["queue"][:CHECK_AT], weight)
            print(f"  train_moderator on the corpus + the queue's first {CHECK_AT}: {value:.3f}")
    plot(results, args.plot)
    print(f"plot: {args.plot}; {time.perf_counter() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
