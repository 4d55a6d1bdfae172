"""The run's summary from its parts' counts, added up in block order (so that what the summary
lists first is what the local engine's, which counts rows in input order, lists first)."""

from __future__ import annotations

from collections.abc import Iterable

from moderation.dedup import ClusterTally
from moderation.pipeline.summary import ScoreSummary


def add_summary(total: ScoreSummary, part: ScoreSummary) -> None:
    """Add one part's counts to the run's (articles keep the order they were first seen in)."""
    total.total += part.total
    for target, counts in part.stances.items():  # per target
        total.stances[target].update(counts)
    total.languages.update(part.languages)
    total.unjudged += part.unjudged
    total.flags.update(part.flags)
    total.actions.update(part.actions)
    for article, counts in part.articles.items():
        total.articles[article].update(counts)
    total.truncated += part.truncated
    total.duplicates += part.duplicates
    total.duplicate_clusters |= part.duplicate_clusters


def merged_tally(parts: Iterable[ClusterTally]) -> ClusterTally:
    """The tallies of the parts as one, as if every row had been added in order."""
    total = ClusterTally()
    for part in parts:
        for cluster_id, size in part.sizes.items():
            total.sizes[cluster_id] = total.sizes.get(cluster_id, 0) + size
            total.details.setdefault(cluster_id, part.details[cluster_id])
        for cluster_id, authors in part.authors.items():
            total.authors.setdefault(cluster_id, set()).update(authors)
        for cluster_id, articles in part.articles.items():
            total.articles.setdefault(cluster_id, set()).update(articles)
    return total
