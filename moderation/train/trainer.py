"""Train a Moderator from labeled rows and write it with its model card.

``train.py`` and ``moderation train`` both call :func:`train_and_save`. Training is
deterministic: the same rows and options give the same model and the same metrics.
"""

from __future__ import annotations

import dataclasses
import platform
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from moderation.errors import DataError, ModelError
from moderation.judge.features import CommentFeaturiser
from moderation.judge.heads import LogisticHead, rows_with_column
from moderation.judge.moderator import Moderator
from moderation.labels import DEFAULT_TARGET, FLAGS, STANCE_PREFIX
from moderation.pipeline.progress import NoProgress, StepProgress
from moderation.train.corpora import LabeledRow, data_hash
from moderation.train.moderated import (
    DEFAULT_MODERATOR_WEIGHT,
    merge_moderator_labels,
    row_weights,
)

# The flag threshold sends a comment to review; incitement's is set for 0.8 precision because
# its scores on text unlike the corpus (measured on ETHOS) run lower, and a missed call to
# violence costs more than a second look. Removal needs DEFAULT_REMOVE_PRECISION for both.
DEFAULT_PRECISION = {"spam": 0.9, "incitement": 0.8}
DEFAULT_REMOVE_PRECISION = 0.97
# train.py refuses to write a default model whose cross-validated quality (headline_metrics)
# falls below these.
DEFAULT_FLOORS = {"spam": 0.85, "incitement": 0.70, STANCE_PREFIX + DEFAULT_TARGET: 0.70}
# A language the heads are said to judge holds at least this share of the training rows whose
# language could be told (a few quoted slogans in another language do not make it one).
LANGUAGE_SHARE = 0.1


class FloorError(ModelError):
    """A trained model scores below a quality floor, so it was not written."""


@dataclass(frozen=True, slots=True)
class TrainingOptions:
    """Settings for :func:`train_moderator`.

    Attributes
    ----------
    precision : dict
        Per flag, the cross-validated precision its threshold must reach, or ``None`` for the
        threshold with the best cross-validated F1 (see :class:`LogisticHead`). Flags left out
        keep :data:`DEFAULT_PRECISION`.
    remove_precision : float
        Precision of the stricter automatic-removal threshold.
    cv : int
        Folds for choosing C, calibration and thresholds.
    random_state : int
        Seed of every random choice.
    default_target : str
        The stance target scored when none is named.
    deduplicate : bool
        Drop rows repeating an earlier row's text before training (copies inflate CV scores).
    moderator_weight : float
        How many corpus rows a moderator's decision counts as, in every head's fit and in the
        cross-validated metrics that set the thresholds (see :mod:`.moderated`).
    n_jobs : int or None
        Processes for the cross-validation fits; the results do not depend on it.
    languages : tuple of str or None
        The languages the heads judge (the card's setting); ``None``: those holding at least
        :data:`LANGUAGE_SHARE` of the training rows whose language was detected.
    group_folds : bool
        Keep the rows of one file in one cross-validation fold, when a head's rows come from
        ``cv`` files or more, or from two files or more of at least ``1 / cv`` of the rows
        each (see :func:`fold_groups`): C, the calibration and the thresholds are then chosen
        on scores of rows written to another brief than those the fold was trained on, which
        is what real comments are to a model (random folds of one written corpus reward
        memorising its writers' habits).
    incitement_needs_violent_word : bool
        Flag incitement only in comments with a violent word (the ``violent`` cue; English
        models only): see :class:`~moderation.judge.heads.LogisticHead`'s ``requires``.
    spam_needs_promotion : bool
        Flag spam only in comments that promote something (a link, a number, a price or a
        promotional word, :mod:`moderation.judge.promotion`; English models only), as above.
    """

    precision: Mapping[str, float | None] = field(default_factory=lambda: dict(DEFAULT_PRECISION))
    remove_precision: float = DEFAULT_REMOVE_PRECISION
    cv: int = 5
    random_state: int = 0
    default_target: str = DEFAULT_TARGET
    deduplicate: bool = True
    moderator_weight: float = DEFAULT_MODERATOR_WEIGHT
    n_jobs: int | None = 2
    languages: tuple[str, ...] | None = None
    group_folds: bool = True
    incitement_needs_violent_word: bool = True
    spam_needs_promotion: bool = True


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    import joblib
    import nltk
    import scipy
    import sklearn

    from moderation import __version__

    return {
        "moderation": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "joblib": joblib.__version__,
        "nltk": nltk.__version__,
        "py3langid": version("py3langid"),
    }


def language_counts(rows: Sequence[LabeledRow]) -> dict[str, int]:
    """How many rows are in each language (see :mod:`moderation.language`), most first."""
    from moderation.language import detect_batch
    from moderation.normalise import normalise_batch

    counts = Counter(detect_batch(normalise_batch([row.text for row in rows])))
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def model_languages(counts: Mapping[str, int]) -> tuple[str, ...]:
    """The languages holding :data:`LANGUAGE_SHARE` of the rows whose language was told."""
    from moderation.language import UNDETERMINED

    told = {k: v for k, v in counts.items() if k != UNDETERMINED}
    total = sum(told.values())
    return tuple(sorted(k for k, v in told.items() if total and v >= LANGUAGE_SHARE * total))


def stem_language(counts: Mapping[str, int]) -> str | None:
    """The language whose Snowball stems the word n-grams use: the commonest detected one, if
    nltk has a stemmer for it (else words are kept as written)."""
    from moderation.judge.stems import SNOWBALL
    from moderation.language import UNDETERMINED

    told = [k for k in counts if k != UNDETERMINED]  # most rows first
    return told[0] if told and told[0] in SNOWBALL else None


def _label_counts(rows: Sequence[LabeledRow]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for flag in FLAGS:
        values = Counter(getattr(r, flag) for r in rows if getattr(r, flag) is not None)
        counts[flag] = {str(k): v for k, v in sorted(values.items())}
    for target in sorted({r.target for r in rows if r.stance is not None}):
        values = Counter(r.stance for r in rows if r.stance is not None and r.target == target)
        counts[STANCE_PREFIX + target] = dict(sorted(values.items()))
    return counts


def missing_heads(rows: Sequence[LabeledRow], default_target: str = DEFAULT_TARGET) -> list[str]:
    """Heads every model needs (both flags, the default stance target) that ``rows`` cannot
    train: a flag without both labels, or no stance rows for the default target."""
    counts = _label_counts(rows)
    missing = [flag for flag in FLAGS if len(counts[flag]) < 2]
    if STANCE_PREFIX + default_target not in counts:
        missing.append(STANCE_PREFIX + default_target)
    return missing


def supplement(
    rows: Sequence[LabeledRow], corpus: Sequence[LabeledRow], heads: Sequence[str]
) -> list[LabeledRow]:
    """Add the corpus rows' labels for ``heads`` only: the given rows alone train the others.

    A spam-only corpus (the YouTube collection, say) then trains the spam head by itself, and
    the project's corpus provides the incitement and stance heads every model needs.
    """
    keep_stance = any(h.startswith(STANCE_PREFIX) for h in heads)
    added = []
    for row in corpus:
        labels = {
            "spam": row.spam if "spam" in heads else None,
            "incitement": row.incitement if "incitement" in heads else None,
            "stance": row.stance if keep_stance else None,
        }
        if any(value is not None for value in labels.values()):
            added.append(dataclasses.replace(row, **labels))
    return [*rows, *added]


def _check_trainable(counts: Mapping[str, Mapping[str, int]], default_target: str) -> None:
    """Raise :class:`DataError` when a head every model needs has no rows to learn from."""
    for flag in FLAGS:
        if len(counts[flag]) < 2:
            raise DataError(
                f"no {flag} head can be trained: the data needs rows labeled {flag}=0 and "
                f"{flag}=1 (got {counts[flag] or 'none'}); add the project corpus with "
                "--data seeds/labeled"
            )
    if STANCE_PREFIX + default_target not in counts:
        raise DataError(
            f"no stance rows for the default target {default_target!r}; add some or "
            "add the project corpus with --data seeds/labeled"
        )


def _head_rows(rows: Sequence[LabeledRow], name: str) -> tuple[list[int], list[Any]]:
    """The rows carrying head ``name``'s label (their indices), and those labels."""
    if name in FLAGS:
        index = [i for i, r in enumerate(rows) if getattr(r, name) is not None]
        return index, [getattr(rows[i], name) for i in index]
    target = name[len(STANCE_PREFIX) :]
    index = [i for i, r in enumerate(rows) if r.stance is not None and r.target == target]
    return index, [rows[i].stance for i in index]


def _head_weights(weights: np.ndarray | None, index: list[int]) -> np.ndarray | None:
    """The weights of a head's rows; ``None`` when they are all 1 (no moderator's label for
    this head), so that such a head trains exactly as without moderators."""
    if weights is None or np.all(weights[index] == 1.0):
        return None
    return weights[index]


def required_column(
    name: str, featuriser: CommentFeaturiser, options: TrainingOptions
) -> int | None:
    """The feature column head ``name`` requires (LogisticHead's ``requires``): the violent
    word column for incitement under ``incitement_needs_violent_word``, the promotion column
    for spam under ``spam_needs_promotion``, else ``None``."""
    if name == "incitement" and options.incitement_needs_violent_word:
        return featuriser.violent_word_column()
    if name == "spam" and options.spam_needs_promotion:
        return featuriser.promotion_column()
    return None


def overruled_requirements(
    rows: Sequence[LabeledRow], features: Any, requirements: Mapping[str, int | None]
) -> dict[str, int]:
    """Per flag whose required column the moderators' decisions contradict, how many
    decisions flag a comment without it. A site's moderators teach their own standard (spam
    that promotes nothing, a threat with no violent word): the requirement then gives way to
    them for that flag instead of keeping their decisions from ever being learned."""
    overruled = {}
    for name, column in requirements.items():
        decided = [i for i, row in enumerate(rows) if row.moderator and getattr(row, name) == 1]
        if column is None or not decided:
            continue
        lacking = int(np.sum(~rows_with_column(features[decided], column)))
        if lacking:
            overruled[name] = lacking
    return overruled


def head_features(name: str, featuriser: CommentFeaturiser, features: Any) -> Any:
    """The features head ``name`` is fitted on: all of them, but the promotion column only
    for spam. It is spam's requirement; as a feature of the other heads it moved the RUW
    stance head trained on RUW from 0.584 to 0.579, so it is zeroed for them (their weight on
    it is then 0, and scoring needs no change)."""
    column = featuriser.promotion_column()
    if name == "spam" or column is None:
        return features
    keep = np.ones(features.shape[1], dtype=features.dtype)
    keep[column] = 0
    masked = sparse.csr_matrix(features @ sparse.diags(keep))
    masked.eliminate_zeros()
    return masked


def _fit_head(
    name: str,
    rows: Sequence[LabeledRow],
    featuriser: CommentFeaturiser,
    features: Any,
    weights: np.ndarray | None,
    options: TrainingOptions,
    requires: int | None,
    on_fold: Callable[[int, int], None] | None = None,
) -> LogisticHead:
    """Fit head ``name`` on the rows that carry its label (weighted when ``weights`` is set),
    requiring column ``requires``; ``on_fold`` is told of each cross-validation fit (see
    :meth:`LogisticHead.fit`)."""
    index, labels = _head_rows(rows, name)
    precision = options.precision.get(name, DEFAULT_PRECISION[name]) if name in FLAGS else 0.9
    return LogisticHead(
        cv=options.cv,
        precision=precision,
        remove_precision=options.remove_precision,
        random_state=options.random_state,
        n_jobs=options.n_jobs,
        requires=requires,
    ).fit(
        head_features(name, featuriser, features[index]),
        np.asarray(labels),
        sample_weight=_head_weights(weights, index),
        groups=fold_groups([rows[i] for i in index], options),
        on_fold=on_fold,
    )


def fold_groups(rows: Sequence[LabeledRow], options: TrainingOptions) -> list[str] | None:
    """The file of each row, when folds keep files together (``group_folds``); else ``None``
    (stratified folds).

    Files are kept together when the rows come from ``cv`` files or more, or from 2 to
    ``cv - 1`` files each holding at least ``1 / cv`` of the rows (one file per fold then:
    no fold smaller than a stratified one). Random folds over two or three files score every
    row with a model that saw its file's other rows, so C and the thresholds are chosen for
    text like the training text and over-flag text from elsewhere (on YouTube, leave one
    video out: 58-63 % of comments flagged where 50 % were spam).
    """
    sources = [row.source for row in rows]
    counts = Counter(sources)
    if not options.group_folds or len(counts) < 2:
        return None
    if len(counts) < options.cv and min(counts.values()) * options.cv < len(sources):
        return None
    return sources


def _moderator_counts(rows: Sequence[LabeledRow], weight: float) -> dict[str, Any]:
    """For the card: how many moderators' decisions were used, and their weight (nothing
    when none was, so that a corpus-only card stays as it was)."""
    used = sum(row.moderator for row in rows)
    return {"moderator_labels": used, "moderator_weight": weight} if used else {}


def _training_card(
    rows: Sequence[LabeledRow],
    given: int,
    counts: dict[str, dict[str, int]],
    moderator: Moderator,
    languages: dict[str, int],
    options: TrainingOptions,
    seconds: float,
) -> dict[str, Any]:
    """The model card's content: data counts, languages and hash, features, per-head
    cross-validated metrics and thresholds, training settings, library versions."""
    featuriser, heads = moderator.featuriser, moderator.heads
    moderator_languages = moderator.languages or ()
    return {
        "data": {
            "files": sorted({r.source for r in rows}),
            "rows_given": given,
            "rows_used": len(rows),
            "deduplicated": options.deduplicate,
            "label_counts": counts,
            "sha256": data_hash(rows),
            **_moderator_counts(rows, options.moderator_weight),
            "language_counts": languages,
        },
        "default_target": options.default_target,
        "languages": list(moderator_languages),
        "features": {
            "kept_buckets": int(featuriser.buckets_.size),
            "word_buckets": int(featuriser.n_word_features_),
            **{k: v for k, v in featuriser.get_params().items()},
        },
        "heads": {
            name: {
                "C": head.C_,
                "Cs_tried": head.Cs_tried_,
                "threshold": head.threshold_,
                "remove_threshold": head.remove_threshold_,
                "cv_metrics": head.cv_metrics_,
            }
            for name, head in heads.items()
        },
        "training": {
            "cv_folds": options.cv,
            "cv_grouped_by_file": options.group_folds,
            "random_state": options.random_state,
            "seconds": round(seconds, 1),
        },
        "versions": _versions(),
    }


def train_moderator(
    rows: Sequence[LabeledRow],
    options: TrainingOptions | None = None,
    progress: StepProgress | NoProgress | None = None,
) -> tuple[Moderator, dict[str, Any]]:
    """Fit the featuriser on every text and each head on the rows carrying its label.

    Returns the Moderator and the card: data counts and hash, cross-validated metrics and
    thresholds per head, library versions. ``progress`` (a bar on a terminal) is told each
    step: detecting languages, featurising, then each head with its folds.

    Raises
    ------
    DataError
        A flag head has no rows, or the default target has no stance rows.
    """
    options = options or TrainingOptions()
    progress = progress if progress is not None else NoProgress()
    started = time.perf_counter()
    given = len(rows)
    rows = merge_moderator_labels(rows, deduplicate=options.deduplicate)
    counts = _label_counts(rows)
    _check_trainable(counts, options.default_target)
    weights = row_weights(rows, options.moderator_weight)
    progress.start(2 + len(counts))
    progress.step(f"languages of {len(rows):,} rows")
    languages = language_counts(rows)
    chosen = options.languages if options.languages is not None else model_languages(languages)
    progress.advance()
    progress.step("features")
    featuriser = CommentFeaturiser(stem_language=stem_language(languages))
    featuriser.fit([r.text for r in rows])
    features = featuriser.transform([r.text for r in rows])
    progress.advance()
    requirements = {name: required_column(name, featuriser, options) for name in FLAGS}
    overruled = overruled_requirements(rows, features, requirements)
    requirements.update(dict.fromkeys(overruled))
    heads = {}
    for name in counts:
        progress.step(f"head {name} ({options.cv} folds)")

        def on_fold(done: int, total: int, name: str = name) -> None:
            progress.step(f"head {name}: fold fits {done}/{total}")

        heads[name] = _fit_head(
            name, rows, featuriser, features, weights, options, requirements.get(name), on_fold
        )
        progress.advance()
    moderator = Moderator(
        featuriser, heads, default_target=options.default_target, languages=chosen
    )
    seconds = time.perf_counter() - started
    card = _training_card(rows, given, counts, moderator, languages, options, seconds)
    card["requirements_overruled"] = overruled
    return moderator, card


def headline_metrics(card: Mapping[str, Any]) -> dict[str, float]:
    """One cross-validated number per head: F1 at the threshold for flags, macro-F1 for stance."""
    out = {}
    for name, head in card["heads"].items():
        metrics = head["cv_metrics"]
        out[name] = metrics["f1"] if name in FLAGS else metrics["macro_f1"]
    return out


def check_floors(card: Mapping[str, Any], floors: Mapping[str, float]) -> None:
    """Refuse a model whose :func:`headline_metrics` fall below ``floors`` (head -> value).

    Raises
    ------
    FloorError
        A floor names a head the model does not have, or a head scores below its floor.
    """
    metrics = headline_metrics(card)
    unknown = sorted(set(floors) - set(metrics))
    if unknown:
        raise FloorError(
            f"floors for heads this model does not have: {unknown}; heads: {list(metrics)}"
        )
    low = {name: (metrics[name], floor) for name, floor in floors.items() if metrics[name] < floor}
    if low:
        raise FloorError(
            "cross-validated scores below the floors: "
            + ", ".join(f"{name} {value:.3f} < {floor}" for name, (value, floor) in low.items())
            + "; the model was not written"
        )


def _threshold_rule(metrics: Mapping[str, Any]) -> str:
    """How a flag's threshold was chosen, for the card: its precision target, or F1-best."""
    if metrics["precision_target"] is None:
        return "F1-best, no precision target"
    met = "" if metrics["precision_target_met"] else ", not reached: F1-best used"
    return f"{metrics['precision_target']}{met}"


def _data_lines(data: Mapping[str, Any]) -> list[str]:
    """The card's data section: rows, moderators' decisions, label counts per head."""
    lines = [
        "## Data",
        "",
        f"{data['rows_used']} rows used ({data['rows_given']} given, exact "
        f"duplicates dropped: {data['deduplicated']}), data sha256 "
        f"`{data['sha256'][:16]}…`, from: {', '.join(data['files'])}.",
        "",
    ]
    if "moderator_labels" in data:
        lines += [
            f"{data['moderator_labels']} rows are moderators' decisions: their labels replace "
            f"the corpus's for the same text, and each weighs {data['moderator_weight']:g} rows.",
            "",
        ]
    if "language_counts" in data:
        lines += [
            "Languages of the rows (detected): "
            + ", ".join(f"{k} {v}" for k, v in data["language_counts"].items())
            + ".",
            "",
        ]
    lines += ["| head | label counts |", "|---|---|"]
    for name, counts in data["label_counts"].items():
        lines.append(f"| {name} | {', '.join(f'{k}: {v}' for k, v in counts.items())} |")
    return lines


def _languages_line(languages: Sequence[str] | None) -> str:
    """What the card says of the languages its heads judge."""
    if not languages:
        return "The heads judge comments in every language (no language setting)."
    return (
        f"The heads were trained on, and judge, comments in: {', '.join(languages)}. A comment "
        "detected in another language gets no stance or flag but action review with the "
        "reason unsupported_language (`moderation score --languages` overrides this)."
    )


def _head_line(name: str, head: Mapping[str, Any]) -> str:
    """One head's row of the card's metrics table."""
    m = head["cv_metrics"]
    if name not in FLAGS:
        per_class = ", ".join(f"{k} {v:.3f}" for k, v in m["f1"].items())
        return (
            f"| {name} | {head['C']:g} | | | macro-F1 {m['macro_f1']:.3f} "
            f"(accuracy {m['accuracy']:.3f}; {per_class}) | | |"
        )
    remove = head["remove_threshold"]
    removal = f"{remove:.3f} ({m['remove']['precision_target']})" if remove is not None else "none"
    return (
        f"| {name} | {head['C']:g} | {m['precision']:.3f} | {m['recall']:.3f} | "
        f"{m['f1']:.3f} | {head['threshold']:.3f} ({_threshold_rule(m)}) | {removal} |"
    )


# What each flag's required column stands for, in the card.
REQUIRED = {
    "incitement": "no violent word",
    "spam": "nothing promotional (no link, number, price or promotional word)",
}


def _requirement_lines(
    heads: Mapping[str, Mapping[str, Any]], overruled: Mapping[str, int]
) -> list[str]:
    """What the card says of a flag that needs a column (see ``requires``), or whose
    requirement the moderators' decisions overruled."""
    lines = []
    for name, count in overruled.items():
        lines += [
            f"{name}: no requirement: {count} moderators' decisions flag comments with "
            f"{REQUIRED.get(name, 'nothing in the required column')}, and their standard wins.",
            "",
        ]
    for name, head in heads.items():
        before = head["cv_metrics"].get("without_requirement")
        if before is None:
            continue
        lines += [
            f"{name}: a comment with {REQUIRED.get(name, 'nothing in its required column')} "
            "is flagged only at the remove threshold; "
            f"the metrics above are of that rule (without it: precision {before['precision']:.3f}, "
            f"recall {before['recall']:.3f}, F1 {before['f1']:.3f}).",
            "",
        ]
    return lines


def format_card_markdown(card: Mapping[str, Any]) -> str:
    """A readable model card."""
    lines = [
        f"# Model card: {card.get('model_file', 'model')}",
        "",
        f"sha256 `{card.get('sha256', '')}`, schema version {card.get('schema_version')}.",
        "",
        *_data_lines(card["data"]),
        "",
        "## Languages",
        "",
        _languages_line(card.get("languages")),
        "",
        f"## Cross-validated metrics ({card['training']['cv_folds']}-fold, out-of-fold, "
        f"random_state {card['training']['random_state']}"
        + (
            "; the rows of one file kept in one fold where a head's rows come from enough files"
            if card["training"].get("cv_grouped_by_file")
            else ""
        )
        + ")",
        "",
        "| head | C | precision | recall | F1 | threshold (target precision) | remove threshold |",
        "|---|---|---|---|---|---|---|",
        *(_head_line(name, head) for name, head in card["heads"].items()),
        "",
        *_requirement_lines(card["heads"], card.get("requirements_overruled", {})),
        "## Versions",
        "",
        ", ".join(f"{k} {v}" for k, v in card["versions"].items()),
        "",
        f"Trained in {card['training']['seconds']} s.",
        "",
    ]
    return "\n".join(lines)


def train_and_save(
    rows: Sequence[LabeledRow],
    output: Path,
    options: TrainingOptions | None = None,
    floors: Mapping[str, float] | None = None,
    progress: StepProgress | NoProgress | None = None,
) -> dict[str, Any]:
    """Train, check the floors, then write the model with its ``.card.json`` and ``.card.md``;
    return the card (``progress`` as for :func:`train_moderator`).

    Raises
    ------
    FloorError
        A head scores below its floor; nothing is written (``output`` keeps its old bytes).
    """
    moderator, card = train_moderator(rows, options, progress)
    check_floors(card, floors or {})
    card = moderator.save(output, card)
    output.with_name(output.stem + ".card.md").write_text(
        format_card_markdown(card), encoding="utf-8"
    )
    return card
