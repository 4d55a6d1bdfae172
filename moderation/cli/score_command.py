"""`moderation score`: judge every comment and write one verdict row each."""

from __future__ import annotations

import sys

import click

from moderation.cli.common import (
    RejectionLog,
    field_option,
    format_option,
    input_argument,
    output_format_option,
    output_option,
    parse_flag_values,
    rejects_option,
    strict_option,
)
from moderation.errors import ModerationError
from moderation.output import RowWriter, open_output
from moderation.parse import ParseOptions, parse
from moderation.records import Comment, Rejection


@click.command("score")
@input_argument
@output_option
@click.option(
    "--model",
    "model_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Model file (default: the bundled models/default.joblib). Never load untrusted files.",
)
@output_format_option
@click.option(
    "--threshold",
    "thresholds",
    multiple=True,
    callback=parse_flag_values,
    metavar="FLAG=T",
    help="Override a flag's threshold, e.g. --threshold spam=0.9 (repeatable).",
)
@click.option(
    "--remove-threshold",
    "remove_thresholds",
    multiple=True,
    callback=parse_flag_values,
    metavar="FLAG=T",
    help="Override the score at which a flag's action becomes remove.",
)
@click.option(
    "--target", default=None, help="Stance target to judge against (default: the model's)."
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
@format_option
@field_option
@strict_option
@rejects_option
def score_command(
    inputs: tuple[str, ...],
    output: str,
    model_path: str | None,
    output_format: str,
    thresholds: dict[str, float],
    remove_thresholds: dict[str, float],
    target: str | None,
    max_chars: int,
    batch_size: int,
    input_format: str | None,
    fields: dict[str, str],
    strict: bool,
    rejects: str | None,
) -> None:
    """Judge every comment: stance, spam and incitement scores, flags, action and reasons.

    Accepts everything `moderation parse` accepts, and its output. Writes one row per
    comment; a summary per stance, flag, action and article goes to stderr.
    """
    from moderation.model import Moderator
    from moderation.report import ScoreSummary

    try:
        moderator = Moderator.load(
            model_path,
            thresholds=thresholds,
            remove_thresholds=remove_thresholds,
            max_chars=max_chars,
        )
    except ModerationError as error:
        raise click.ClickException(str(error)) from error
    options = ParseOptions(format=input_format, fields=fields, strict=strict)
    log = RejectionLog(rejects)
    summary = ScoreSummary(progress=sys.stderr.isatty())

    def comments():
        for record in parse(inputs, options):
            if isinstance(record, Comment):
                yield record
            elif isinstance(record, Rejection):
                log.add(record)
            elif record.record == "unloaded":
                summary.unloaded += record.count

    try:
        with open_output(output) as stream:
            writer = RowWriter(stream, output_format)
            for verdict in moderator.score_stream(comments(), target=target, batch_size=batch_size):
                summary.add(verdict)
                writer.write(verdict.to_dict())
    except ModerationError as error:
        raise click.ClickException(str(error)) from error
    finally:
        log.close()
    click.echo(summary.render(rejected=log.count), err=True)
    if log.count:
        sys.exit(1)
