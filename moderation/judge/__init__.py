"""The judge: comments in, verdicts out.

Takes comment texts and gives a :class:`~moderation.verdict.Verdict` each: stance per target,
calibrated spam and incitement scores, flags, an action, and the n-grams behind every raised
flag. Text normalisation (:mod:`moderation.normalise`), the hashed TF-IDF featuriser
(:mod:`.features`, built from :mod:`.tokens`, :mod:`.ngrams`, :mod:`.signals`, :mod:`.memo`,
:mod:`.matrix` and :mod:`.spans`), one logistic-regression estimator per head (:mod:`.heads`),
the model that ties them together (:mod:`.moderator`) and its checked file format
(:mod:`.persist`).
"""

from __future__ import annotations

from moderation.judge.moderator import Moderator

__all__ = ["Moderator"]
