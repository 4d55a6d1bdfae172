"""Syndicated copies of one article: a ``story_id`` shared by near-identical article bodies."""

from __future__ import annotations

from collections.abc import Iterable

from moderation.batching import batched
from moderation.dedup.finder import DuplicateFinder
from moderation.dedup.settings import STORY_THRESHOLD
from moderation.records import Article


class StoryTracker:
    """Give articles a ``story_id`` as they stream past: syndicated copies of a story share it.

    Article bodies go through the duplicate finder with word 3-gram shingles and containment
    (shared shingles over the smaller body), so that a copy with an added dateline, captions or
    extra paragraphs still matches while a rewrite of the same news does not. Matches are
    approximate (see :class:`DuplicateFinder`).

    Parameters
    ----------
    threshold : float, default=0.7
        Smallest containment for two bodies to be one story.

    Attributes
    ----------
    story_ids : dict of str to str
        Story of every article with a body, so far.

    Examples
    --------
    >>> story = " ".join(f"word{i}" for i in range(60))
    >>> tracker = StoryTracker()
    >>> [tracker.add(Article(i, body=b)) for i, b in (("a", story), ("b", "KIEV (AFP) " + story))]
    ... # doctest: +ELLIPSIS
    ['...', '...']
    >>> tracker.shared() == {tracker.story_ids["a"]: ["a", "b"]}
    True
    """

    def __init__(self, *, threshold: float = STORY_THRESHOLD) -> None:
        self.threshold = threshold
        self._finder = DuplicateFinder.for_stories(threshold=threshold)
        self.story_ids: dict[str, str] = {}

    def add_many(self, articles: Iterable[Article]) -> None:
        """Add articles a hundred at a time."""
        chosen = (article for article in articles if article.body.strip())
        for part in batched(chosen, 100):
            matches = self._finder.add_batch([a.body for a in part], [a.id for a in part])
            for article, match in zip(part, matches, strict=True):
                if match.cluster_id is not None:
                    self.story_ids[article.id] = match.cluster_id

    def add(self, article: Article) -> str | None:
        """Add one article; return its story id (``None`` for an empty body)."""
        self.add_many([article])
        return self.story_ids.get(article.id)

    def shared(self) -> dict[str, list[str]]:
        """Stories carried by more than one article: story id to article ids, in order."""
        grouped: dict[str, list[str]] = {}
        for article_id, story_id in self.story_ids.items():
            grouped.setdefault(story_id, []).append(article_id)
        return {story: ids for story, ids in grouped.items() if len(ids) > 1}


def assign_story_ids(
    articles: Iterable[Article], *, threshold: float = STORY_THRESHOLD
) -> dict[str, str]:
    """Give syndicated copies of the same story one ``story_id`` (see :class:`StoryTracker`).

    Parameters
    ----------
    articles : iterable of Article
    threshold : float, default=0.7
        Smallest containment for two bodies to be one story.

    Returns
    -------
    dict of str to str
        ``story_id`` of each article with a body: the cluster id of the story's first article
        (an article unlike any other has its own). Approximate, like every match here.

    Examples
    --------
    >>> story = " ".join(f"word{i}" for i in range(60))
    >>> other = story[:100] + " ".join(f"new{i}" for i in range(60))
    >>> ids = assign_story_ids([Article("a", body=story), Article("b", body="KIEV (AFP) " + story),
    ...                         Article("c", body=other)])
    >>> ids["a"] == ids["b"], ids["a"] == ids["c"]
    (True, False)
    """
    tracker = StoryTracker(threshold=threshold)
    tracker.add_many(articles)
    return dict(tracker.story_ids)
