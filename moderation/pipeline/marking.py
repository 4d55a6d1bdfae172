"""Fill the judge's verdicts with what the duplicate finder says, as they stream past.

The one place where the dedup stage's answers meet the judge's verdicts, so that neither stage
imports the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from moderation.batching import batched
from moderation.dedup.finder import DuplicateFinder
from moderation.dedup.shingles import ShingledBatch
from moderation.verdict import Verdict


def mark_duplicates(
    verdicts: Iterable[Verdict],
    finder: DuplicateFinder,
    *,
    story_ids: Mapping[str, str] | None = None,
    batch_size: int = 1000,
) -> Iterator[Verdict]:
    """Fill ``duplicate_of``, ``cluster_id`` and ``story_id`` of verdicts as they stream past.

    Verdicts are matched ``batch_size`` at a time and yielded in their order; what a verdict
    gets is final (its cluster's first comment is never later than itself).

    Parameters
    ----------
    verdicts : iterable of Verdict
    finder : DuplicateFinder
    story_ids : mapping of article id to story id, optional
        Read when each batch is yielded, so it may grow while the stream runs.
    batch_size : int, default=1000
    """
    batches = ((batch, None) for batch in batched(verdicts, batch_size))
    return mark_batches(batches, finder, story_ids=story_ids)


def mark_batches(
    batches: Iterable[tuple[Sequence[Verdict], ShingledBatch | None]],
    finder: DuplicateFinder,
    *,
    story_ids: Mapping[str, str] | None = None,
) -> Iterator[Verdict]:
    """:func:`mark_duplicates` over batches that may come already shingled.

    Each batch is ``(verdicts, shingled)``, ``shingled`` being what ``finder.prepare`` (or
    ``finder.preparer()`` in a worker process) made of the verdicts' texts, or ``None`` to
    shingle them here; a :class:`~moderation.pipeline.workers.ScoredBatch` is such a pair.
    """
    for batch, shingled in batches:
        texts = [v.text for v in batch]
        matches = finder.add_batch(texts, [v.id for v in batch], shingled=shingled)
        for verdict, match in zip(batch, matches, strict=True):
            verdict.duplicate_of, verdict.cluster_id = match.duplicate_of, match.cluster_id
            if story_ids is not None and verdict.article_id is not None:
                verdict.story_id = story_ids.get(verdict.article_id)
            yield verdict
