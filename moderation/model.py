"""The Moderator: one shared featuriser, a logistic head per label family, and thresholds.

Load once, then score any number of comments; scoring keeps no state, so one Moderator can
serve several threads at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from moderation.errors import ModelError
from moderation.features import DENSE_NAMES, CommentFeaturiser
from moderation.heads import LogisticHead
from moderation.persist import DEFAULT_MODEL, load_state, save_state
from moderation.records import Comment
from moderation.verdict import Verdict

FLAGS = ("spam", "incitement")
STANCE_PREFIX = "stance:"
DEFAULT_MAX_CHARS = 5000
DEFAULT_BATCH_SIZE = 1000
REASONS_PER_FLAG = 6

Scorable = str | Comment | Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class _Item:
    id: str | None
    text: str
    target: str | None
    article_id: str | None
    parent_id: str | None


def _as_item(value: Scorable, position: int) -> _Item:
    if isinstance(value, str):
        return _Item(str(position), value, None, None, None)
    if isinstance(value, Comment):
        return _Item(value.id, value.text, None, value.article_id, value.parent_id)
    if isinstance(value, Mapping):
        text = value.get("text")
        if not isinstance(text, str):
            raise ModelError(f"item {position}: 'text' must be a string; got {type(text).__name__}")
        return _Item(
            str(value.get("id", position)),
            text,
            value.get("target"),
            value.get("article_id"),
            value.get("parent_id"),
        )
    raise ModelError(
        f"item {position}: cannot score a {type(value).__name__}; give str, Comment or dict"
    )


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
    ) -> None:
        self.featuriser = featuriser
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
        return cls(
            featuriser, heads, default_target=state["default_target"], metadata=card, **overrides
        )

    def to_state(self) -> dict[str, Any]:
        """All fitted parameters as plain arrays and values."""
        return {
            "default_target": self.default_target,
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

    def _score_batch(self, items: Sequence[_Item], target: str | None) -> list[Verdict]:
        texts = [item.text[: self.max_chars] for item in items]
        features = self.featuriser.transform(texts)
        flag_scores = {flag: self.heads[flag].predict_proba(features)[:, 1] for flag in FLAGS}
        targets = [item.target or target or self.default_target for item in items]
        stance_scores: dict[str, np.ndarray] = {}
        for name in set(targets):
            rows = [i for i, t in enumerate(targets) if t == name]
            stance_scores[name] = self._stance_head(name).predict_proba(features[rows])
        row_in_target = {}
        for name in stance_scores:
            for offset, i in enumerate(i for i, t in enumerate(targets) if t == name):
                row_in_target[i] = offset
        verdicts = []
        for i, item in enumerate(items):
            head = self._stance_head(targets[i])
            probabilities = stance_scores[targets[i]][row_in_target[i]]
            scores = {flag: float(flag_scores[flag][i]) for flag in FLAGS}
            flags = [flag for flag in FLAGS if scores[flag] >= self.thresholds[flag]]
            remove = any(
                self.remove_thresholds[flag] is not None
                and scores[flag] >= self.remove_thresholds[flag]
                for flag in flags
            )
            reasons = (
                {flag: self._reasons(texts[i], features[i], self.heads[flag], 1) for flag in flags}
                if flags
                else {}
            )
            verdicts.append(
                Verdict(
                    id=item.id,
                    text=item.text,
                    target=targets[i],
                    stance=str(head.classes_[int(np.argmax(probabilities))]),
                    stance_scores={
                        str(c): round(float(p), 4)
                        for c, p in zip(head.classes_, probabilities, strict=True)
                    },
                    spam=round(scores["spam"], 4),
                    incitement=round(scores["incitement"], 4),
                    flags=flags,
                    action="remove" if remove else ("review" if flags else "approve"),
                    reasons=reasons,
                    article_id=item.article_id,
                    parent_id=item.parent_id,
                    truncated=len(item.text) > self.max_chars,
                )
            )
        return verdicts

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
        batch: list[_Item] = []
        for position, value in enumerate(items, start=1):
            batch.append(_as_item(value, position))
            if len(batch) >= batch_size:
                yield from self._score_batch(batch, target)
                batch = []
        if batch:
            yield from self._score_batch(batch, target)

    # -- explanations ----------------------------------------------------------------------

    def _reasons(
        self, text: str, row: Any, head: LogisticHead, class_index: int, top: int = REASONS_PER_FLAG
    ) -> list[tuple[str, float]]:
        """The n-grams (credited to words) that pushed ``head`` towards a class, by weight."""
        coef = head.coef_
        if coef.shape[0] == 1:
            weights = coef[0] if class_index == 1 else -coef[0]
        else:
            weights = coef[class_index] - coef.mean(axis=0)
        columns, values = row.indices, row.data
        contribution = dict(
            zip(columns.tolist(), (values * weights[columns]).tolist(), strict=True)
        )
        totals: dict[str, float] = {}
        for column, label in self.featuriser.feature_spans(text):
            totals[label] = totals.get(label, 0.0) + contribution.pop(column, 0.0)
        n_buckets = self.featuriser.buckets_.size
        for column, value in contribution.items():
            if column >= n_buckets:
                totals[f"[{DENSE_NAMES[column - n_buckets]}]"] = value
        ranked = sorted(totals.items(), key=lambda pair: -pair[1])
        return [(label, round(weight, 3)) for label, weight in ranked[:top] if weight > 0]

    def explain(
        self, text: str, *, target: str | None = None, top: int = REASONS_PER_FLAG
    ) -> dict[str, Any]:
        """Scores and the n-grams that pushed each decision, and by how much.

        Returns a dict with, per flag, its score and the n-grams raising it; and for stance the
        predicted label and the n-grams pushing towards it (weights are contributions to the
        decision score: feature value times coefficient, summed per word).
        """
        verdict = self.score([text], target=target)[0]
        row = self.featuriser.transform([text[: self.max_chars]])[0]
        head = self._stance_head(verdict.target)
        stance_index = int(np.flatnonzero(head.classes_ == verdict.stance)[0])
        result: dict[str, Any] = {
            "stance": {
                "label": verdict.stance,
                "scores": verdict.stance_scores,
                "ngrams": self._reasons(text, row, head, stance_index, top),
            }
        }
        for flag in FLAGS:
            result[flag] = {
                "score": getattr(verdict, flag),
                "threshold": self.thresholds[flag],
                "flagged": flag in verdict.flags,
                "ngrams": self._reasons(text, row, self.heads[flag], 1, top),
            }
        return result
