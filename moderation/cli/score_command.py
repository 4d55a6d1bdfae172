"""`moderation score`: judge every comment and write one verdict row each."""

from __future__ import annotations

import sys

import click

from moderation.cli.common import (
    command,
    input_argument,
    model_option,
    parse_flag_values,
    parse_languages,
    parse_options,
    reading_options,
    score_output_format,
    score_output_format_option,
    show_progress,
    tell,
    threshold_option,
)
from moderation.cli.engine_options import engine_options, parts_output_option
from moderation.pipeline.engine import run_score
from moderation.pipeline.options import ScoreOptions


@command("score")
@input_argument
@parts_output_option
@model_option
@score_output_format_option
@threshold_option
@click.option(
    "--remove-threshold",
    "remove_thresholds",
    multiple=True,
    callback=parse_flag_values,
    metavar="FLAG=T",
    help="Override the score at which a flag's action becomes remove.",
)
@click.option(
    "--target",
    default=None,
    help="Stance target for comments that do not name their own (a dump's target column); "
    "default: the model's. A comment whose own target has no head is rejected.",
)
@click.option(
    "--languages",
    default=None,
    callback=parse_languages,
    metavar="CODES",
    help="Languages the heads judge, e.g. en,de (default: the model card's); a comment in "
    "another one gets action review with reason unsupported_language. 'any': judge every one.",
)
@click.option(
    "--max-chars",
    default=5000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Judge only the first characters of longer comments (marked truncated).",
)
@click.option(
    "--batch-size",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Comments featurised and scored at a time.",
)
@click.option(
    "--dedup-threshold",
    default=0.8,
    show_default=True,
    type=click.FloatRange(min=0.0, max=1.0, min_open=True),
    help="Smallest similarity for a near-duplicate comment (duplicate_of): as for `moderation "
    "dedup --threshold` (word-set Jaccard, or character bigrams for short texts).",
)
@click.option(
    "--index",
    "index_path",
    default=None,
    type=click.Path(),
    help="SQLite fingerprint index: mark repeats of comments from earlier runs; add this run's "
    "(with --engine dask, a folder: a Parquet dataset).",
)
@click.option(
    "--jobs",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Worker processes that featurise and score batches (results do not depend on it); "
    "with --engine dask, the workers of the local cluster started for the run.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue an interrupted run into the same -o file from its last complete batch.",
)
@reading_options
@engine_options
def score_command(
    inputs: tuple[str, ...],
    output: str,
    model_path: str | None,
    output_format: str | None,
    thresholds: dict[str, float],
    remove_thresholds: dict[str, float],
    target: str | None,
    languages: tuple[str, ...] | None,
    max_chars: int,
    batch_size: int,
    dedup_threshold: float,
    index_path: str | None,
    jobs: int,
    resume: bool,
    input_format: str | None,
    fields: dict[str, str],
    html_text: bool | None,
    strict: bool,
    rejects: str | None,
    quiet: bool,
    engine: str,
    scheduler: str | None,
    blocksize: int,
) -> None:
    """Judge every comment: stance, spam and incitement scores, flags, action and reasons.

    Accepts everything `moderation parse` accepts, and its output. Writes one row per
    comment, with its copy-paste cluster (duplicate_of, cluster_id) and its article's story_id;
    a summary per stance, flag, action, story and article goes to stderr.
    """
    if resume and output == "-":
        raise click.UsageError("--resume continues a run written to a file: give -o FILE")
    options = ScoreOptions(
        model_path=model_path,
        thresholds=thresholds,
        remove_thresholds=remove_thresholds,
        target=target,
        languages=languages,
        max_chars=max_chars,
        batch_size=batch_size,
        dedup_threshold=dedup_threshold,
        index_path=index_path,
        jobs=jobs,
        resume=resume,
        output_format=score_output_format(output_format, output),
        rejects=rejects,
        parse_options=parse_options(input_format, fields, strict, html_text),
        engine=engine,
        scheduler=scheduler,
        blocksize=blocksize,
    )
    result = run_score(inputs, options, output, notify=tell, progress=show_progress(quiet, output))
    click.echo(result.render(), err=True)
    if result.rejected:
        sys.exit(1)
