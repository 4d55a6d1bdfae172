"""`moderation dedup`: exact and near-duplicate comments, clusters, and stories."""

from __future__ import annotations

import sys

import click

from moderation.cli.common import (
    command,
    input_argument,
    output_format_option,
    parse_options,
    reading_options,
    show_progress,
    tell,
)
from moderation.cli.engine_options import engine_options, parts_output_option
from moderation.pipeline.engine import run_dedup
from moderation.pipeline.options import DedupOptions


def threshold_value(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not 0.0 < value <= 1.0:
        raise click.BadParameter(f"{value!r}: use a similarity in (0, 1], e.g. 0.8")
    return value


threshold_help = (
    "Smallest similarity for a near duplicate: Jaccard of the two texts' word sets, or of their "
    "character bigrams if higher when both have under 12 distinct words (typos in short texts)."
)
index_help = (
    "SQLite fingerprint index: flag repeats of comments from earlier runs, then add this run's "
    "(with --engine dask, a folder: a Parquet dataset)."
)


@command("dedup")
@input_argument
@parts_output_option
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
@click.option("--index", "index_path", default=None, type=click.Path(), help=index_help)
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
@reading_options
@engine_options
@click.option(
    "--jobs",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="With --engine dask, the worker processes of the local cluster started for the run.",
)
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
    html_text: bool | None,
    strict: bool,
    rejects: str | None,
    quiet: bool,
    engine: str,
    scheduler: str | None,
    jobs: int,
    blocksize: int,
) -> None:
    """Find exact and near-duplicate comments: floods and copy-paste campaigns.

    Writes one row per comment (duplicate_of, cluster_id, cluster_size, similarity, match:
    exact / near / short-exact / earlier-run, and the story_id of its article) and a summary
    of the clusters, each marked flood (one author) or campaign (many authors and articles).
    Matches are approximate: see the README's Duplicates section.
    """
    if index_readonly and index_path is None:
        raise click.UsageError("--index-readonly looks up an index: give it with --index DB")
    options = DedupOptions(
        threshold=threshold,
        min_words=min_words,
        index_path=index_path,
        index_readonly=index_readonly,
        clusters_path=clusters_path,
        batch_size=batch_size,
        output_format=output_format,
        rejects=rejects,
        parse_options=parse_options(input_format, fields, strict, html_text),
        engine=engine,
        scheduler=scheduler,
        jobs=jobs,
        blocksize=blocksize,
    )
    result = run_dedup(inputs, options, output, notify=tell, progress=show_progress(quiet, output))
    click.echo(result.render(), err=True)
    if result.rejected:
        sys.exit(1)
