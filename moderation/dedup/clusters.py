"""Clusters of repeated comments as a moderator reads them: size, authors, articles, and whether
one author is flooding or many authors are running a campaign."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CLUSTER_KINDS = ("flood", "campaign", "copy-paste", "repeat", "short")


@dataclass(slots=True)
class ClusterSummary:
    """One cluster of repeated comments.

    Attributes
    ----------
    cluster_id : str
    size : int
        Comments of this run in the cluster.
    first_id : str or None
        The cluster's first comment (``duplicate_of`` of the others).
    authors, articles : int
        Distinct known authors and articles among its comments.
    kind : {"flood", "campaign", "copy-paste", "repeat", "short"}
        ``flood``: one author posting it again and again; ``campaign``: several authors over
        several articles; ``copy-paste``: several authors on one article; ``repeat``: authors
        unknown, or a single repeat of an earlier run; ``short``: texts under the length floor
        ("First!", "lol"), matched only exactly and never a campaign.
    earlier_run : bool
        The cluster began in an earlier run (found through the fingerprint index).
    sample : str
        The start of the first comment's text.
    """

    cluster_id: str
    size: int
    first_id: str | None
    authors: int
    articles: int
    kind: str
    earlier_run: bool = False
    sample: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {name: getattr(self, name) for name in self.__slots__}


def cluster_kind(*, size: int, authors: int, articles: int, short: bool) -> str:
    """Name what a cluster looks like from its size and its distinct authors and articles.

    >>> cluster_kind(size=9, authors=1, articles=5, short=False)
    'flood'
    >>> cluster_kind(size=60, authors=40, articles=12, short=False)
    'campaign'
    >>> cluster_kind(size=60, authors=40, articles=12, short=True)
    'short'
    """
    if short:
        return "short"
    if size < 2:
        return "repeat"
    if authors == 1:
        return "flood"
    if authors >= 2:
        return "campaign" if articles >= 2 else "copy-paste"
    return "repeat"


@dataclass(slots=True)
class ClusterTally:
    """Collect authors and articles per cluster while rows stream past, then summarise.

    Examples
    --------
    >>> tally = ClusterTally()
    >>> for author, article in (("ann", "a1"), ("bob", "a2"), ("cy", "a3")):
    ...     tally.add("c1", author=author, article_id=article, first_id="1", sample="Vote X")
    >>> [(s.size, s.authors, s.articles, s.kind) for s in tally.summaries()]
    [(3, 3, 3, 'campaign')]
    """

    sizes: dict[str, int] = field(default_factory=dict)
    authors: dict[str, set[str]] = field(default_factory=dict)
    articles: dict[str, set[str]] = field(default_factory=dict)
    details: dict[str, tuple[str | None, bool, bool, str]] = field(default_factory=dict)

    def add(
        self,
        cluster_id: str,
        *,
        author: str | None,
        article_id: str | None,
        first_id: str | None = None,
        short: bool = False,
        earlier_run: bool = False,
        sample: str = "",
    ) -> None:
        """Count one comment of a cluster; the first call for a cluster sets its details."""
        self.sizes[cluster_id] = self.sizes.get(cluster_id, 0) + 1
        if author:
            self.authors.setdefault(cluster_id, set()).add(author)
        if article_id:
            self.articles.setdefault(cluster_id, set()).add(article_id)
        self.details.setdefault(cluster_id, (first_id, short, earlier_run, sample))

    def summaries(self, min_size: int = 2) -> list[ClusterSummary]:
        """Clusters of ``min_size`` comments or more (or begun in an earlier run), largest first."""
        found = []
        for cluster_id, size in self.sizes.items():
            first_id, short, earlier_run, sample = self.details[cluster_id]
            if size < min_size and not earlier_run:
                continue
            authors = len(self.authors.get(cluster_id, ()))
            articles = len(self.articles.get(cluster_id, ()))
            kind = cluster_kind(size=size, authors=authors, articles=articles, short=short)
            found.append(
                ClusterSummary(
                    cluster_id, size, first_id, authors, articles, kind, earlier_run, sample
                )
            )
        return sorted(found, key=lambda s: (-s.size, s.cluster_id))
