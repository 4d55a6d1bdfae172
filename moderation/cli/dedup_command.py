"""`moderation dedup`: exact and near-duplicate comments, clusters, and stories."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from moderation.cli.common import (
    RejectionLog,
    command,
    field_option,
    format_option,
    input_argument,
    output_format_option,
    output_option,
    rejects_option,
    strict_option,
)
from moderation.errors import ModerationError
from moderation.parse import ParseOptions, parse
from moderation.pipeline.writers import RowWriter, json_line, open_output
from moderation.records import Article, Comment, Rejection

if TYPE_CHECKING:
    from moderation.dedup.clusters import ClusterSummary, ClusterTally
    from moderation.dedup.finder import DuplicateFinder

CLUSTERS_SHOWN = 10
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


def threshold_value(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not 0.0 < value <= 1.0:
        raise click.BadParameter(f"{value!r}: use a similarity in (0, 1], e.g. 0.8")
    return value


threshold_help = (
    "Smallest similarity for a near duplicate: Jaccard of the two texts' word sets, or of their "
    "character bigrams if higher when both have under 12 distinct words (typos in short texts)."
)
index_help = (
    "SQLite fingerprint index: flag repeats of comments from earlier runs, then add this run's."
)


@command("dedup")
@input_argument
@output_option
@output_format_option
@click.option(
    "--threshold",
    default=0.8,
    show_default=True,
    type=float,
    callback=threshold_value,
    help=threshold_help,
)
@click.option(
    "--min-words",
    default=5,
    show_default=True,
    type=click.IntRange(min=1),
    help="Texts with fewer words are matched only exactly (reported short-exact).",
)
@click.option(
    "--index", "index_path", default=None, type=click.Path(dir_okay=False), help=index_help
)
@click.option(
    "--index-readonly", is_flag=True, help="Look up the index only; do not add this run to it."
)
@click.option(
    "--clusters",
    "clusters_path",
    default=None,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write every cluster of 2+ comments (authors, articles, flood/campaign) as JSONL here; "
    "without it the largest clusters are listed on stderr.",
)
@click.option(
    "--batch-size",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Comments matched at a time.",
)
@format_option
@field_option
@strict_option
@rejects_option
def dedup_command(
    inputs: tuple[str, ...],
    output: str,
    output_format: str,
    threshold: float,
    min_words: int,
    index_path: str | None,
    index_readonly: bool,
    clusters_path: str | None,
    batch_size: int,
    input_format: str | None,
    fields: dict[str, str],
    strict: bool,
    rejects: str | None,
) -> None:
    """Find exact and near-duplicate comments: floods and copy-paste campaigns.

    Writes one row per comment (duplicate_of, cluster_id, cluster_size, similarity, match:
    exact / near / short-exact / earlier-run, and the story_id of its article) and a summary
    of the clusters, each marked flood (one author) or campaign (many authors and articles).
    Matches are approximate: see the README's Duplicates section.
    """
    from moderation.dedup import DuplicateFinder, StoryTracker
    from moderation.dedup.clusters import ClusterTally
    from moderation.dedup.index import FingerprintIndex

    options = ParseOptions(format=input_format, fields=fields, strict=strict, articles=True)
    log = RejectionLog(rejects)
    index = None
    try:
        finder = DuplicateFinder(threshold=threshold, min_words=min_words)
        if index_path:
            index = FingerprintIndex(
                index_path,
                settings=finder.settings,
                readonly=index_readonly,
                label=" ".join(inputs),
            )
            finder.index = index
        stories = StoryTracker()
        with tempfile.TemporaryDirectory(prefix="moderation-dedup-") as scratch:
            spool_path = Path(scratch) / "comments.jsonl"
            with spool_path.open("w", encoding="utf-8") as spool:
                batch: list[Comment] = []
                for record in parse(inputs, options):
                    if isinstance(record, Comment):
                        batch.append(record)
                        if len(batch) >= batch_size:
                            _match(finder, batch, spool)
                            batch = []
                    elif isinstance(record, Article):
                        stories.add(record)
                    elif isinstance(record, Rejection):
                        log.add(record)
                if batch:
                    _match(finder, batch, spool)
            tally = ClusterTally()
            with open_output(output) as stream, spool_path.open(encoding="utf-8") as spool:
                writer = RowWriter(stream, output_format, columns=COLUMNS)
                _write(finder, spool, writer, tally, stories.story_ids, batch_size)
    except ModerationError as error:
        raise click.ClickException(str(error)) from error
    finally:
        log.close()
        if index is not None:
            index.close()
    summaries = tally.summaries()
    if clusters_path:
        with open_output(clusters_path) as stream:
            for summary in summaries:
                stream.write(json_line(summary.to_dict()))
    click.echo(
        _render(finder, summaries, stories.shared(), log.count, bool(clusters_path)), err=True
    )
    if log.count:
        sys.exit(1)


def _match(finder: DuplicateFinder, batch: list[Comment], spool: TextIO) -> None:
    """Stream one batch through the finder and keep what the second pass needs."""
    finder.add_batch([c.text for c in batch], [c.id for c in batch])
    for comment in batch:
        spool.write(json_line([comment.article_id, comment.author, comment.text[:SAMPLE_CHARS]]))


def _write(
    finder: DuplicateFinder,
    spool: TextIO,
    writer: RowWriter,
    tally: ClusterTally,
    story_ids: Mapping[str, str],
    batch_size: int,
) -> None:
    """Second pass: final clusters (merged, with sizes), one row per comment."""
    total = len(finder)
    for start in range(0, total, batch_size):
        for match in finder.final_matches(range(start, min(start + batch_size, total))):
            article_id, author, sample = json.loads(spool.readline())
            writer.write(
                {
                    "id": finder.id_of(match.row),
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
                    first_id=match.duplicate_of or finder.id_of(match.row),
                    short=match.short,
                    earlier_run=match.match == "earlier-run",
                    sample=sample,
                )


def _render(
    finder: DuplicateFinder,
    summaries: list[ClusterSummary],
    shared_stories: Mapping[str, list[str]],
    rejected: int,
    written: bool,
) -> str:
    repeats = sum(s.size for s in summaries) - sum(not s.earlier_run for s in summaries)
    kinds: dict[str, int] = {}
    for summary in summaries:
        kinds[summary.kind] = kinds.get(summary.kind, 0) + 1
    lines = [
        f"deduplicated {len(finder)} comments; {rejected} rejected; {repeats} repeat an earlier "
        f"comment, in {len(summaries)} clusters"
        + (" (" + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) + ")" if kinds else "")
    ]
    if not written:
        for s in summaries[:CLUSTERS_SHOWN]:
            lines.append(
                f"  cluster {s.cluster_id}: {s.size} comments, {s.authors} authors, "
                f"{s.articles} articles, {s.kind}"
                + (f", began in an earlier run with {s.first_id}" if s.earlier_run else "")
                + ("" if s.earlier_run else f", first {s.first_id}")
                + f": {s.sample!r}"
            )
        if len(summaries) > CLUSTERS_SHOWN:
            lines.append(f"  … and {len(summaries) - CLUSTERS_SHOWN} more (see --clusters FILE)")
    for story, article_ids in shared_stories.items():
        lines.append(f"  story {story}: {', '.join(article_ids)}")
    return "\n".join(lines)
