"""Moderators' decisions in training data: their labels override the corpus's and weigh more.

``moderation review export`` writes a moderator's decisions as project rows with
``"source": "moderator"`` (:attr:`LabeledRow.moderator`). For a comment the corpus labels too
(the same :func:`~moderation.train.corpora.text_key`, as deduplication compares texts), each
label the moderator gave replaces the corpus's; a stance replaces the corpus's stance for the
same target only. Labels the moderator did not give stay the corpus's, on the corpus row.
When a moderator decided on one text more than once, the last decision wins. In fitting,
moderator rows then count ``weight`` times a corpus row (:func:`row_weights`).

Without moderator rows the training rows are what deduplication alone gives, so a model
trained on the corpus alone does not change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from moderation.train.corpora import LabeledRow, dedupe, text_key

if TYPE_CHECKING:
    import numpy as np

DEFAULT_MODERATOR_WEIGHT = 3.0


def _without_overridden(row: LabeledRow, decision: LabeledRow | None) -> LabeledRow | None:
    """``row`` without the labels ``decision`` gives; ``None`` when no label is left."""
    if decision is None:
        return row
    same_target = decision.target == row.target
    labels = {
        "spam": row.spam if decision.spam is None else None,
        "incitement": row.incitement if decision.incitement is None else None,
        "stance": row.stance if decision.stance is None or not same_target else None,
    }
    if all(value is None for value in labels.values()):
        return None
    return dataclasses.replace(row, **labels)


def merge_moderator_labels(
    rows: Sequence[LabeledRow], *, deduplicate: bool = True
) -> list[LabeledRow]:
    """The training rows: corpus rows (deduplicated when asked) whose labels the moderators
    did not override, then the moderators' decisions, one per text.

    >>> corpus = LabeledRow("Buy now", spam=0, stance="neutral")
    >>> decision = LabeledRow("buy  NOW", spam=1, moderator=True)
    >>> [(r.spam, r.stance, r.moderator) for r in merge_moderator_labels([corpus, decision])]
    [(None, 'neutral', False), (1, None, True)]
    """
    corpus = [row for row in rows if not row.moderator]
    if deduplicate:
        corpus = dedupe(corpus)
    decisions = {text_key(row.text): row for row in rows if row.moderator}  # the last wins
    if not decisions:
        return corpus
    kept = (_without_overridden(row, decisions.get(text_key(row.text))) for row in corpus)
    return [*(row for row in kept if row is not None), *decisions.values()]


def row_weights(rows: Sequence[LabeledRow], weight: float) -> np.ndarray | None:
    """Each row's sample weight: ``weight`` for a moderator's decision, 1 for a corpus row;
    ``None`` (unweighted, as without moderator rows) when there is no decision."""
    if not any(row.moderator for row in rows):
        return None
    import numpy as np  # here, so the CLI can name the default weight without loading NumPy

    return np.array([weight if row.moderator else 1.0 for row in rows], dtype=np.float64)
