"""The duplicates run as a library call: every comment's cluster, and the clusters summed up.

:func:`dedup` does what ``moderation dedup`` does, in two passes: the first streams the
comments through the duplicate finder a batch at a time and spools the little the second pass
needs (article, author, the start of the text) to a temporary file; the second writes one row
per comment with its final cluster (clusters merge as the stream goes on) and tallies the
clusters, which go to a JSONL file when asked. Memory holds the finder's state, not the texts.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from moderation.batching import batched
from moderation.parse import parse
from moderation.pipeline.options import DedupOptions, Inputs, fixed_inputs, input_names
from moderation.pipeline.progress import NoProgress, ProgressBar, progress_for
from moderation.pipeline.rejections import Notify, RejectionLog
from moderation.pipeline.summary import render_dedup
from moderation.pipeline.writers import RowWriter, json_line, open_output
from moderation.records import Article, Comment, Rejection

if TYPE_CHECKING:
    from moderation.dedup import ClusterSummary, ClusterTally, DuplicateFinder, StoryTracker

# Characters of a cluster's first text shown in its summary.
SAMPLE_CHARS = 80
COLUMNS = (
    "id",
    "article_id",
    "author",
    "duplicate_of",
    "cluster_id",
    "cluster_size",
    "similarity",
    "match",
    "story_id",
)


@dataclass(frozen=True)
class DedupResult:
    """What a finished duplicates run found.

    Attributes
    ----------
    comments : int
        Comments read (one row each).
    rejected : int
        Inputs and comments reported as rejections instead of rows.
    clusters : list of ClusterSummary
        Every cluster of 2+ comments (or repeating an earlier run), largest first.
    stories : dict of str to list of str
        Stories that several articles share, with their article ids.
    clusters_written : bool
        Whether the clusters went to a file (then the summary does not list them).
    """

    comments: int
    rejected: int
    clusters: list[ClusterSummary]
    stories: dict[str, list[str]]
    clusters_written: bool = False

    def render(self) -> str:
        """The summary a moderator reads at the end of the run (what the CLI prints)."""
        return render_dedup(
            self.comments,
            self.clusters,
            self.stories,
            self.rejected,
            clusters_written=self.clusters_written,
        )


def dedup(
    inputs: Inputs,
    options: DedupOptions | None = None,
    output: str | Path | TextIO = "-",
    *,
    notify: Notify | None = None,
    progress: bool = False,
) -> DedupResult:
    """Find exact and near-duplicate comments: one row per comment, and the clusters.

    Parameters
    ----------
    inputs : str, Path or iterable of them
        Files, folders or ``-``, as :func:`~moderation.parse.parse` takes them.
    options : DedupOptions, optional
        Every setting of the run (the defaults when None).
    output : str, Path or TextIO, default="-"
        The rows' file (written atomically), ``-`` for standard output, or an open stream.
    notify : callable of str, optional
        Called with ``error: ...`` for each rejection as it is found.
    progress : bool
        Show a progress bar on stderr while the comments are matched.

    Raises
    ------
    ModerationError
        The index cannot be used or was built with other settings, or an input is broken
        with ``strict`` parse options.
    """
    from moderation.dedup import StoryTracker

    options = options if options is not None else DedupOptions()
    inputs = fixed_inputs(inputs)
    stories = StoryTracker()
    with RejectionLog(options.rejects, notify=notify) as log:
        finder = _finder(inputs, options)
        try:
            bar = progress_for(inputs, "matched", progress)
            try:
                tally = _two_passes(inputs, options, output, finder, stories, log, bar)
            finally:
                bar.close()
        finally:
            if finder.index is not None:
                finder.index.close()
            finder.close()
    clusters = tally.summaries()
    if options.clusters_path:
        with open_output(options.clusters_path) as stream:
            for cluster in clusters:
                stream.write(json_line(cluster.to_dict()))
    written = bool(options.clusters_path)
    return DedupResult(len(finder), log.count, clusters, stories.shared(), written)


def _finder(inputs: str | Path | tuple[str | Path, ...], options: DedupOptions) -> DuplicateFinder:
    """The duplicate finder of the run, with its fingerprint index when there is one."""
    from moderation.dedup import DuplicateFinder, FingerprintIndex

    finder = DuplicateFinder(threshold=options.threshold, min_words=options.min_words)
    if options.index_path:
        finder.index = FingerprintIndex(
            options.index_path,
            settings=finder.settings,
            readonly=options.index_readonly,
            label=" ".join(input_names(inputs)),
        )
    return finder


def _two_passes(
    inputs: str | Path | tuple[str | Path, ...],
    options: DedupOptions,
    output: str | Path | TextIO,
    finder: DuplicateFinder,
    stories: StoryTracker,
    log: RejectionLog,
    bar: ProgressBar | NoProgress,
) -> ClusterTally:
    """Match every comment, then write its final row; the spool between lives in a
    temporary folder."""
    with tempfile.TemporaryDirectory(prefix="moderation-dedup-") as scratch:
        spool_path = Path(scratch) / "comments.jsonl"
        with spool_path.open("w", encoding="utf-8") as spool:
            _match_all(inputs, options, finder, stories, log, spool, bar)
        with open_output(output) as stream, spool_path.open(encoding="utf-8") as spool:
            writer = RowWriter(stream, options.output_format, columns=COLUMNS)
            return _write_all(finder, spool, writer, stories.story_ids, options.batch_size)


def _match_all(
    inputs: str | Path | tuple[str | Path, ...],
    options: DedupOptions,
    finder: DuplicateFinder,
    stories: StoryTracker,
    log: RejectionLog,
    spool: TextIO,
    bar: ProgressBar | NoProgress,
) -> None:
    """First pass: stream the comments through the finder a batch at a time and spool what
    the second pass needs; articles and rejections go where they belong as they pass."""

    def comments() -> Iterator[Comment]:
        for record in parse(inputs, options.parse_options):
            if isinstance(record, Comment):
                yield record
            elif isinstance(record, Article):
                stories.add(record)
            elif isinstance(record, Rejection):
                log.add(record)

    for batch in batched(comments(), options.batch_size):
        finder.add_batch([c.text for c in batch], [c.id for c in batch])
        for comment in batch:
            spool.write(
                json_line([comment.article_id, comment.author, comment.text[:SAMPLE_CHARS]])
            )
        bar.advance(len(batch))


def _write_all(
    finder: DuplicateFinder,
    spool: TextIO,
    writer: RowWriter,
    story_ids: Mapping[str, str],
    batch_size: int,
) -> ClusterTally:
    """Second pass: final clusters (merged, with sizes), one row per comment, and the tally
    of the clusters."""
    from moderation.dedup import ClusterTally

    tally = ClusterTally()
    for rows in batched(range(len(finder)), batch_size):
        ids = finder.ids_of(rows)
        for match, comment_id in zip(finder.final_matches(rows), ids, strict=True):
            article_id, author, sample = json.loads(spool.readline())
            writer.write(
                {
                    "id": comment_id,
                    "article_id": article_id,
                    "author": author,
                    "duplicate_of": match.duplicate_of,
                    "cluster_id": match.cluster_id,
                    "cluster_size": match.cluster_size,
                    "similarity": match.similarity,
                    "match": match.match,
                    "story_id": story_ids.get(article_id) if article_id else None,
                }
            )
            if match.cluster_id is not None and (
                (match.cluster_size or 0) > 1 or match.match == "earlier-run"
            ):
                tally.add(
                    match.cluster_id,
                    author=author,
                    article_id=article_id,
                    first_id=match.duplicate_of or comment_id,
                    short=match.short,
                    earlier_run=match.match == "earlier-run",
                    sample=sample,
                )
    return tally
