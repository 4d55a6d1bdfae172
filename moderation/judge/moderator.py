"""The Moderator: one shared featuriser, a logistic head per label family, and thresholds.

Load once, then score any number of comments; scoring keeps no state, so one Moderator can
serve several threads at once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from moderation.errors import ModelError
from moderation.hashing import ragged_indices
from moderation.judge.features import CommentFeaturiser
from moderation.judge.heads import LogisticHead
from moderation.judge.persist import DEFAULT_MODEL, load_state, save_state
from moderation.judge.spans import BatchGrams, BatchSpans
from moderation.labels import ANY_LANGUAGE, FLAGS, STANCE_PREFIX, UNSUPPORTED_LANGUAGE
from moderation.language import UNDETERMINED, detect_batch
from moderation.normalise import normalise, normalise_batch
from moderation.records import Comment
from moderation.verdict import Verdict

DEFAULT_MAX_CHARS = 5000
DEFAULT_BATCH_SIZE = 1000
REASONS_PER_FLAG = 6

Scorable = str | Comment | Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ScoringItem:
    """One comment as the judge needs it: what worker processes receive as a plain tuple."""

    id: str | None
    text: str
    target: str | None
    article_id: str | None
    parent_id: str | None


def scoring_item(value: Scorable, position: int) -> ScoringItem:
    """A text, :class:`Comment` or mapping as a :class:`ScoringItem` (``position`` names it)."""
    if isinstance(value, str):
        return ScoringItem(str(position), value, None, None, None)
    if isinstance(value, Comment):
        return ScoringItem(value.id, value.text, value.target, value.article_id, value.parent_id)
    if isinstance(value, Mapping):
        text = value.get("text")
        if not isinstance(text, str):
            raise ModelError(f"item {position}: 'text' must be a string; got {type(text).__name__}")
        return ScoringItem(
            str(value.get("id", position)),
            text,
            value.get("target"),
            value.get("article_id"),
            value.get("parent_id"),
        )
    raise ModelError(
        f"item {position}: cannot score a {type(value).__name__}; give str, Comment or dict"
    )


_UNSEEN = np.iinfo(np.int64).max // 2


@dataclass(frozen=True, slots=True)
class _Credits:
    """What each n-gram of some documents' spans contributes before weighting.

    ``values``: per span, its column's feature value if it is the first span of its document
    with that column, else 0. ``seen_at``: per label, its first span (a dense signal's label
    without spans ranks after every word, by signal). ``dense_*``: the documents' non-zero
    dense signals: their labels, values and columns.
    """

    values: np.ndarray
    seen_at: np.ndarray
    dense_labels: np.ndarray
    dense_values: np.ndarray
    dense_columns: np.ndarray


def _document_entries(features: Any, documents: np.ndarray) -> tuple[np.ndarray, ...]:
    """The CSR entries of ``documents``, document by document (columns sorted within each):
    each entry's place (position in ``documents``), column and value."""
    lengths = np.diff(features.indptr)[documents]
    entries = ragged_indices(features.indptr[:-1][documents], lengths)
    entry_places = np.repeat(np.arange(documents.size), lengths)
    return entry_places, features.indices[entries].astype(np.int64), features.data[entries]


def _credits(features: Any, spans: BatchSpans) -> _Credits:
    """Credit each column of a document once, to its first span there; dense signals to their
    ``"[name]"`` labels."""
    n_rows, n_columns = features.shape
    place = np.full(n_rows, -1, dtype=np.int64)
    place[spans.documents] = np.arange(spans.documents.size)
    entry_places, entry_columns, entry_values = _document_entries(features, spans.documents)
    entry_keys = entry_places * n_columns + entry_columns
    span_index = np.arange(spans.rows.size)
    seen_at = np.full(spans.label_places.size, _UNSEEN, dtype=np.int64)
    np.minimum.at(seen_at, spans.labels, span_index)
    values = np.zeros(spans.rows.size, dtype=features.dtype)
    if spans.rows.size and entry_keys.size:
        keys = place[spans.rows] * n_columns + spans.columns
        where = np.minimum(np.searchsorted(entry_keys, keys), entry_keys.size - 1)
        found = entry_keys[where] == keys
        first = np.full(entry_keys.size, _UNSEEN, dtype=np.int64)
        np.minimum.at(first, where[found], span_index[found])
        credited = found & (first[where] == span_index)  # the column's first n-gram
        values = np.where(credited, entry_values[where], 0)
    dense = np.flatnonzero(entry_columns >= spans.n_columns)
    signal = entry_columns[dense] - spans.n_columns
    dense_labels = spans.dense_labels[entry_places[dense], signal]
    unseen = seen_at[dense_labels] == _UNSEEN
    seen_at[dense_labels[unseen]] = _UNSEEN + 1 + signal[unseen]
    return _Credits(values, seen_at, dense_labels, entry_values[dense], entry_columns[dense])


def _top_labels(
    credits: _Credits, spans: BatchSpans, weight: np.ndarray, top: int
) -> list[list[tuple[str, float]]]:
    """Per document, its ``top`` labels with the largest positive totals under ``weight``."""
    n_labels = spans.label_places.size
    weighted = (credits.values * weight[spans.columns]).astype(np.float64)
    totals = np.bincount(spans.labels, weighted, n_labels).astype(np.float64, copy=False)
    totals[credits.dense_labels] = credits.dense_values * weight[credits.dense_columns]
    candidates = np.flatnonzero(totals > 0)
    owners = spans.label_places[candidates]
    order = np.lexsort((credits.seen_at[candidates], -totals[candidates], owners))
    candidates, owners = candidates[order], owners[order]
    starts = np.flatnonzero(np.diff(owners, prepend=-1) != 0)
    rank = np.arange(owners.size) - np.repeat(starts, np.diff(starts, append=owners.size))
    candidates, owners = candidates[rank < top], owners[rank < top]
    result: list[list[tuple[str, float]]] = [[] for _ in range(spans.documents.size)]
    for label, owner, total in zip(
        candidates.tolist(), owners.tolist(), totals[candidates].tolist(), strict=True
    ):
        result[owner].append((spans.text(label), round(total, 3)))
    return result


def _ranked_reasons(
    features: Any, spans: BatchSpans, weights: Sequence[np.ndarray], top: int
) -> list[list[list[tuple[str, float]]]]:
    """Per weight vector and per document of ``spans``, the words whose n-grams add most to
    ``features @ weights``.

    Each column's contribution (value times weight) is credited once, to the first n-gram of
    the document that has it; a word's total is the sum of its n-grams' credits in span order;
    a dense signal's contribution replaces the total of its ``"[name]"``. Words are ranked by
    total (ties: first seen) and the ``top`` positive ones kept, rounded to three decimals:
    what summing over :meth:`CommentFeaturiser.feature_spans` one comment at a time gives.
    """
    features = features.tocsr()
    if not features.has_sorted_indices:  # the featuriser's are; the lookups below need it
        features = features.sorted_indices()
    credits = _credits(features, spans)
    return [_top_labels(credits, spans, weight, top) for weight in weights]


def _rounded(scores: np.ndarray) -> list[float]:
    """Scores rounded to four decimals, as verdicts give them."""
    return list(map(round, scores.tolist(), itertools.repeat(4)))


def _raised_flags(raised: Mapping[str, np.ndarray]) -> list[list[str]]:
    """Per row, the raised flags in the order of :data:`FLAGS`."""
    # One code per row: bit k is FLAGS[k]; each code's flag list is built once.
    codes = sum(raised[flag].astype(np.int64) << bit for bit, flag in enumerate(FLAGS))
    flag_sets = [
        tuple(f for bit, f in enumerate(FLAGS) if code >> bit & 1)
        for code in range(1 << len(FLAGS))
    ]
    return [list(flag_sets[code]) for code in np.asarray(codes).tolist()]


def _language_set(languages: Iterable[str] | None) -> tuple[str, ...] | None:
    """The languages a model judges, sorted; ``None`` for every language."""
    if languages is None:
        return None
    chosen = tuple(sorted(set(languages)))
    if ANY_LANGUAGE in chosen or not chosen:
        return None
    return chosen


def _unsupported(verdict: Verdict) -> None:
    """Turn a verdict into what a comment in a language the heads do not know gets: no stance,
    no scores, no flag; sent to review, with the reason."""
    verdict.stance, verdict.stance_scores = None, {}
    verdict.spam = verdict.incitement = None
    verdict.flags, verdict.reasons = [], {UNSUPPORTED_LANGUAGE: []}
    verdict.action = "review"


class Moderator:
    """Judge comments: stance per target, spam and incitement with calibrated scores.

    Parameters
    ----------
    featuriser : CommentFeaturiser
        Fitted featuriser shared by every head.
    heads : dict of str to LogisticHead
        Fitted heads: ``"spam"``, ``"incitement"`` and ``"stance:<target>"`` per target.
    default_target : str
        The stance target used when neither the comment nor the caller names one.
    metadata : dict, optional
        Training data, metrics and versions, as written to the model card.
    thresholds, remove_thresholds : dict of str to float, optional
        Override the flag thresholds the heads chose on cross-validation.
    max_chars : int, default=5000
        Longer comments are judged on their first ``max_chars`` characters and marked.
    languages : iterable of str, optional
        The languages (ISO 639-1) the heads were trained on: a comment detected in another
        one gets no stance or flag but ``action: review`` with the reason
        ``unsupported_language``. ``None`` or ``["any"]``: the heads judge every comment.

    Examples
    --------
    >>> moderator = Moderator.load()                                   # doctest: +SKIP
    >>> [v.stance for v in moderator.score(["Slava Ukraini!", "Subscribe to my channel"])]
    ...                                                                # doctest: +SKIP
    """

    def __init__(
        self,
        featuriser: CommentFeaturiser,
        heads: Mapping[str, LogisticHead],
        *,
        default_target: str,
        metadata: Mapping[str, Any] | None = None,
        thresholds: Mapping[str, float] | None = None,
        remove_thresholds: Mapping[str, float] | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
        languages: Iterable[str] | None = None,
    ) -> None:
        self.featuriser = featuriser
        self.languages = _language_set(languages)
        self.heads = dict(heads)
        self.default_target = default_target
        self.metadata = dict(metadata or {})
        self.max_chars = max_chars
        missing = [flag for flag in FLAGS if flag not in self.heads]
        if missing:
            raise ModelError(f"a model needs the heads {FLAGS}; missing {missing}")
        if STANCE_PREFIX + default_target not in self.heads:
            raise ModelError(
                f"default target {default_target!r} has no stance head; targets: {self.targets}"
            )
        self.thresholds = {flag: self.heads[flag].threshold_ for flag in FLAGS}
        self.remove_thresholds = {flag: self.heads[flag].remove_threshold_ for flag in FLAGS}
        for name, values, store in (
            ("threshold", thresholds, self.thresholds),
            ("remove threshold", remove_thresholds, self.remove_thresholds),
        ):
            for flag, value in (values or {}).items():
                if flag not in FLAGS:
                    raise ModelError(f"unknown flag {flag!r} for a {name}; flags: {FLAGS}")
                if not 0.0 <= float(value) <= 1.0:
                    raise ModelError(f"{name} {flag}={value!r} must be between 0 and 1")
                store[flag] = float(value)

    # -- loading and saving ----------------------------------------------------------------

    @property
    def targets(self) -> list[str]:
        """Stance targets this model has a head for."""
        return sorted(n[len(STANCE_PREFIX) :] for n in self.heads if n.startswith(STANCE_PREFIX))

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> Moderator:
        """Load a model file checked against its card (the bundled default when ``path`` is None).

        Raises
        ------
        ModelError
            The file or its card is missing, the checksum or schema does not match, or a label
            set differs from the card's. Never load a model from an untrusted source.
        """
        model_path = Path(path) if path is not None else DEFAULT_MODEL
        state, card = load_state(model_path)
        try:
            featuriser = CommentFeaturiser(**state["featuriser"]["params"])
            featuriser.buckets_ = np.asarray(state["featuriser"]["buckets"], dtype=np.int64)
            featuriser.idf_ = np.asarray(state["featuriser"]["idf"], dtype=np.float32)
            featuriser.n_word_features_ = int(state["featuriser"]["n_word_features"])
            heads = {name: LogisticHead.from_state(h) for name, h in state["heads"].items()}
        except (KeyError, TypeError, ValueError) as error:
            raise ModelError(
                f"{model_path}: model file lacks a field of its schema ({error})"
            ) from error
        for name, head in heads.items():
            expected = card.get("labels", {}).get(name)
            if expected != [str(c) for c in head.classes_]:
                raise ModelError(
                    f"{model_path}: head {name!r} has labels {head.classes_.tolist()}, its card "
                    f"says {expected}; refusing a model whose label set is not the card's"
                )
        overrides.setdefault("languages", state.get("languages"))
        return cls(
            featuriser, heads, default_target=state["default_target"], metadata=card, **overrides
        )

    def to_state(self) -> dict[str, Any]:
        """All fitted parameters as plain arrays and values."""
        return {
            "default_target": self.default_target,
            "languages": None if self.languages is None else list(self.languages),
            "featuriser": {
                "params": self.featuriser.get_params(),
                "buckets": self.featuriser.buckets_,
                "idf": self.featuriser.idf_,
                "n_word_features": self.featuriser.n_word_features_,
            },
            "heads": {name: head.to_state() for name, head in sorted(self.heads.items())},
        }

    def save(self, path: str | Path, card: Mapping[str, Any]) -> dict[str, Any]:
        """Write the model and its card; return the card with the file's sha256."""
        labels = {
            name: [str(c) for c in head.classes_] for name, head in sorted(self.heads.items())
        }
        return save_state(self.to_state(), Path(path), {**card, "labels": labels})

    # -- scoring ---------------------------------------------------------------------------

    def _stance_head(self, target: str) -> LogisticHead:
        head = self.heads.get(STANCE_PREFIX + target)
        if head is None:
            raise ModelError(f"no stance head for target {target!r}; this model has {self.targets}")
        return head

    def score_items(
        self, items: Sequence[ScoringItem], target: str | None, *, every_language: bool = False
    ) -> list[Verdict]:
        """Score one batch of prepared items (``target`` for items without their own);
        ``every_language``: let the heads judge comments of languages they do not know too."""
        texts = [item.text[: self.max_chars] for item in items]
        normalised = normalise_batch(texts)
        languages = detect_batch(normalised)
        judged = self.judges(languages) | every_language
        features, grams = self.featuriser.transform_with_grams(texts, normalised)
        flag_scores = {flag: self.heads[flag].predict_proba(features)[:, 1] for flag in FLAGS}
        targets = [item.target or target or self.default_target for item in items]
        stances = self._stances(features, targets)
        raised = {flag: (flag_scores[flag] >= self.thresholds[flag]) & judged for flag in FLAGS}
        verdicts = [
            Verdict(
                id=item.id,
                text=item.text,
                target=name,
                stance=stance,
                stance_scores=stance_scores,
                spam=spam,
                incitement=incitement,
                flags=flags,
                action=action,
                reasons=item_reasons,
                article_id=item.article_id,
                parent_id=item.parent_id,
                truncated=len(item.text) > self.max_chars,
                language=language,
            )
            for item, name, (
                stance,
                stance_scores,
            ), spam, incitement, flags, action, item_reasons, language in zip(
                items,
                targets,
                stances,
                _rounded(flag_scores["spam"]),
                _rounded(flag_scores["incitement"]),
                _raised_flags(raised),
                self._actions(flag_scores, raised, judged),
                self._flag_reasons(features, grams, raised),
                languages,
                strict=True,
            )
        ]
        for row in np.flatnonzero(~judged).tolist():
            _unsupported(verdicts[row])
        return verdicts

    def judges(self, languages: Sequence[str]) -> np.ndarray:
        """Per comment, whether the heads judge it: its language is one of theirs, or could
        not be told (``"und"``), or the model judges every language."""
        if self.languages is None:
            return np.ones(len(languages), dtype=bool)
        known = self.languages
        return np.fromiter(
            (language == UNDETERMINED or language in known for language in languages),
            dtype=bool,
            count=len(languages),
        )

    def _stances(self, features: Any, targets: Sequence[str]) -> list[tuple[str, dict]]:
        """Per row, the most probable stance of its target and every class's rounded score."""
        distinct_targets = list(dict.fromkeys(targets))
        heads = {name: self._stance_head(name) for name in distinct_targets}
        if len(distinct_targets) == 1:  # rows are scored independently: no need to split
            probabilities = {
                distinct_targets[0]: heads[distinct_targets[0]].predict_proba(features)
            }
            row_in_target: Sequence[int] = range(len(targets))
        else:
            probabilities, positions = {}, np.zeros(len(targets), dtype=np.int64)
            for name in distinct_targets:
                rows = [i for i, t in enumerate(targets) if t == name]
                probabilities[name] = heads[name].predict_proba(features[rows])
                positions[rows] = np.arange(len(rows))
            row_in_target = positions.tolist()
        four = itertools.repeat(4)
        per_target = {}
        for name, p in probabilities.items():
            labels = [str(c) for c in heads[name].classes_]
            scores = [
                dict(zip(labels, map(round, row, four), strict=False)) for row in p.tolist()
            ]  # strict=False: ``four`` repeats forever; each row has one value per label
            stances = [labels[k] for k in np.argmax(p, axis=1).tolist()]
            per_target[name] = list(zip(stances, scores, strict=True))
        return [
            per_target[name][offset] for name, offset in zip(targets, row_in_target, strict=True)
        ]

    def _actions(
        self,
        flag_scores: Mapping[str, np.ndarray],
        raised: Mapping[str, np.ndarray],
        judged: np.ndarray,
    ) -> list[str]:
        """Per row: ``remove`` when a raised flag's score also reaches its removal threshold,
        ``review`` when a flag is raised or the heads do not judge the row's language, else
        ``approve``."""
        removed = np.zeros(len(flag_scores[FLAGS[0]]), dtype=bool)
        for flag in FLAGS:
            if self.remove_thresholds[flag] is not None:
                removed |= raised[flag] & (flag_scores[flag] >= self.remove_thresholds[flag])
        any_raised = np.logical_or.reduce([raised[flag] for flag in FLAGS]) | ~judged
        action_names = ("approve", "review", "remove")
        return [action_names[a] for a in np.where(removed, 2, any_raised.astype(int)).tolist()]

    def _flag_reasons(
        self, features: Any, grams: BatchGrams, raised: Mapping[str, np.ndarray]
    ) -> list[dict[str, list[tuple[str, float]]]]:
        """Per row, for each raised flag, the words that raised it most (explanations)."""
        reasons: list[dict[str, list[tuple[str, float]]]] = [
            {} for _ in range(len(raised[FLAGS[0]]))
        ]
        flagged = np.flatnonzero(np.logical_or.reduce([raised[flag] for flag in FLAGS]))
        if not flagged.size:
            return reasons
        spans = self.featuriser.batch_spans(grams, flagged)
        weights = [self._class_weights(self.heads[flag], 1) for flag in FLAGS]
        ranked = _ranked_reasons(features, spans, weights, REASONS_PER_FLAG)
        for flag, per_row in zip(FLAGS, ranked, strict=True):
            for row, pairs in zip(flagged.tolist(), per_row, strict=True):
                if raised[flag][row]:
                    reasons[row][flag] = pairs
        return reasons

    def score(self, items: Iterable[Scorable], *, target: str | None = None) -> list[Verdict]:
        """Judge comments (texts, :class:`Comment` records or dicts with ``"text"``)."""
        return list(self.score_stream(items, target=target))

    def score_stream(
        self,
        items: Iterable[Scorable],
        *,
        target: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> Iterator[Verdict]:
        """Yield verdicts lazily, in input order, scoring ``batch_size`` comments at a time."""
        batch: list[ScoringItem] = []
        for position, value in enumerate(items, start=1):
            batch.append(scoring_item(value, position))
            if len(batch) >= batch_size:
                yield from self.score_items(batch, target)
                batch = []
        if batch:
            yield from self.score_items(batch, target)

    # -- explanations ----------------------------------------------------------------------

    @staticmethod
    def _class_weights(head: LogisticHead, class_index: int) -> np.ndarray:
        """Per-column weights pushing ``head`` towards one class."""
        coef = head.coef_
        if coef.shape[0] == 1:
            return coef[0] if class_index == 1 else -coef[0]
        return coef[class_index] - coef.mean(axis=0)

    def _reasons(
        self, text: str, row: Any, head: LogisticHead, class_index: int, top: int = REASONS_PER_FLAG
    ) -> list[tuple[str, float]]:
        """The n-grams (credited to words) that pushed ``head`` towards a class, by weight."""
        spans = self.featuriser.batch_spans(self.featuriser.batch_grams([normalise(text)]), [0])
        return _ranked_reasons(row, spans, [self._class_weights(head, class_index)], top)[0][0]

    def explain(
        self, text: str, *, target: str | None = None, top: int = REASONS_PER_FLAG
    ) -> dict[str, Any]:
        """Scores and the n-grams that pushed each decision, and by how much.

        Returns a dict with, per flag, its score and the n-grams raising it; and for stance the
        predicted label and the n-grams pushing towards it (weights are contributions to the
        decision score: feature value times coefficient, summed per word); and the comment's
        language with whether the heads judge it (what they say is explained either way).
        """
        verdict = self.score_items([scoring_item(text, 1)], target, every_language=True)[0]
        row = self.featuriser.transform([text[: self.max_chars]])[0]
        head = self._stance_head(verdict.target)
        stance_index = int(np.flatnonzero(head.classes_ == verdict.stance)[0])
        assert verdict.stance is not None
        result: dict[str, Any] = {
            "language": verdict.language,
            "judged": bool(self.judges([verdict.language or UNDETERMINED])[0]),
            "stance": {
                "label": verdict.stance,
                "scores": verdict.stance_scores,
                "ngrams": self._reasons(text, row, head, stance_index, top),
            },
        }
        for flag in FLAGS:
            result[flag] = {
                "score": getattr(verdict, flag),
                "threshold": self.thresholds[flag],
                "flagged": flag in verdict.flags,
                "ngrams": self._reasons(text, row, self.heads[flag], 1, top),
            }
        return result
