"""The last stage: summaries of a run for the moderator reading the terminal."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from moderation.verdict import Verdict

if TYPE_CHECKING:
    from moderation.dedup.clusters import ClusterSummary

ARTICLES_SHOWN = 10
CLUSTERS_SHOWN = 10


class ScoreSummary:
    """Count verdicts per stance (of each target), flag, action and article while they stream
    past."""

    def __init__(self) -> None:
        self.total = 0
        self.unloaded = 0
        self.stances: defaultdict[str, Counter[str]] = defaultdict(Counter)  # per target
        self.flags: Counter[str] = Counter()
        self.languages: Counter[str] = Counter()
        self.unjudged = 0  # comments in a language the heads do not know
        self.actions: Counter[str] = Counter()
        self.articles: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.truncated = 0
        self.duplicates = 0
        self.duplicate_clusters: set[str] = set()
        self.stories: defaultdict[str, list[str]] = defaultdict(list)

    def add_story(self, article_id: str, story_id: str) -> None:
        """Note an article's story (syndicated copies share one)."""
        self.stories[story_id].append(article_id)

    def add(self, verdict: Verdict) -> None:
        """Count one verdict."""
        self.total += 1
        self.languages[verdict.language or "und"] += 1
        if verdict.stance is not None:
            self.stances[verdict.target][verdict.stance] += 1
        else:
            self.unjudged += 1
        self.actions[verdict.action] += 1
        self.truncated += verdict.truncated
        article = self.articles[verdict.article_id or "(none)"]
        article["comments"] += 1
        if verdict.flags:  # most verdicts have none: skip two Counter.update calls
            self.flags.update(verdict.flags)
            article.update(verdict.flags)
        if verdict.duplicate_of is not None:
            self.duplicates += 1
            self.duplicate_clusters.add(verdict.cluster_id or "")

    def render(self, rejected: int = 0) -> str:
        """A few plain lines: totals, then per stance (one line per target), flag, action and
        article."""

        def fmt(counter: Counter[str]) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(counter.items())) or "none"

        lines = [
            f"scored {self.total} comments; {rejected} rejected"
            + (f"; {self.unloaded} replies not in the export" if self.unloaded else "")
            + (f"; {self.truncated} truncated" if self.truncated else ""),
            *(
                [
                    f"  stance {target}:  {fmt(counts)}"
                    for target, counts in sorted(self.stances.items())
                ]
                or ["  stance:  none"]
            ),
            f"  languages: {fmt(self.languages)}"
            + (f" ({self.unjudged} not judged: unsupported_language)" if self.unjudged else ""),
            f"  flags:   {fmt(self.flags)}",
            f"  actions: {fmt(self.actions)}",
            f"  duplicates: {self.duplicates} comments repeat an earlier one"
            f" ({len(self.duplicate_clusters)} clusters)",
        ]
        for story, article_ids in sorted(self.stories.items()):
            if len(article_ids) > 1:
                lines.append(f"  story {story}: {', '.join(article_ids)}")
        busiest = sorted(self.articles.items(), key=lambda item: -item[1]["comments"])
        for article, counts in busiest[:ARTICLES_SHOWN]:
            flagged = {k: v for k, v in counts.items() if k != "comments"}
            lines.append(
                f"  article {article}: {counts['comments']} comments"
                + (f" ({fmt(Counter(flagged))})" if flagged else "")
            )
        if len(busiest) > ARTICLES_SHOWN:
            lines.append(f"  … and {len(busiest) - ARTICLES_SHOWN} more articles")
        return "\n".join(lines)


def render_dedup(
    comments: int,
    clusters: Sequence[ClusterSummary],
    shared_stories: Mapping[str, list[str]],
    rejected: int = 0,
    *,
    clusters_written: bool = False,
) -> str:
    """The summary of a duplicates run: totals, the clusters by kind, the largest clusters
    (unless they were written to a file) and the stories several articles share."""
    repeats = sum(s.size for s in clusters) - sum(not s.earlier_run for s in clusters)
    kinds: dict[str, int] = {}
    for summary in clusters:
        kinds[summary.kind] = kinds.get(summary.kind, 0) + 1
    lines = [
        f"deduplicated {comments} comments; {rejected} rejected; {repeats} repeat an earlier "
        f"comment, in {len(clusters)} clusters"
        + (" (" + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) + ")" if kinds else "")
    ]
    if not clusters_written:
        for s in clusters[:CLUSTERS_SHOWN]:
            lines.append(
                f"  cluster {s.cluster_id}: {s.size} comments, {s.authors} authors, "
                f"{s.articles} articles, {s.kind}"
                + (f", began in an earlier run with {s.first_id}" if s.earlier_run else "")
                + ("" if s.earlier_run else f", first {s.first_id}")
                + f": {s.sample!r}"
            )
        if len(clusters) > CLUSTERS_SHOWN:
            lines.append(f"  … and {len(clusters) - CLUSTERS_SHOWN} more (see --clusters FILE)")
    for story, article_ids in shared_stories.items():
        lines.append(f"  story {story}: {', '.join(article_ids)}")
    return "\n".join(lines)


def render_parse(counts: Mapping[str, int], rejected: int = 0, *, articles: bool = False) -> str:
    """The one-line summary of a parse run: comments (and articles), stubs, rejections."""
    unloaded = counts.get("unloaded", 0)
    return (
        f"parsed {counts.get('comment', 0)} comments"
        + (f", {counts.get('article', 0)} articles" if articles else "")
        + (f", {unloaded} unloaded-reply stubs (replies not in the export)" if unloaded else "")
        + f"; {rejected} rejected"
    )
