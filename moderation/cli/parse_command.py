"""`moderation parse`: pages, exports and dumps to one record per comment."""

from __future__ import annotations

import sys
from collections import Counter

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
from moderation.pipeline.writers import RowWriter, open_output
from moderation.records import Rejection


@command("parse")
@input_argument
@output_option
@format_option
@output_format_option
@click.option("--articles", is_flag=True, help="Also write one record per article (JSONL only).")
@field_option
@strict_option
@rejects_option
def parse_command(
    inputs: tuple[str, ...],
    output: str,
    input_format: str | None,
    output_format: str,
    articles: bool,
    fields: dict[str, str],
    strict: bool,
    rejects: str | None,
) -> None:
    """Split pages, exports and dumps into one record per comment.

    INPUTS are files, folders (recursed) or - for standard input. The format of each is
    detected from its content: plain-text scraped pages, saved HTML pages, Disqus XML, WordPress
    WXR, Reddit JSON, and JSONL / CSV / JSON comment dumps.
    """
    if articles and output_format == "csv":
        raise click.UsageError("--articles writes article records too: use --output-format jsonl")
    options = ParseOptions(format=input_format, fields=fields, strict=strict, articles=articles)
    counts: Counter[str] = Counter()
    log = RejectionLog(rejects)
    try:
        with open_output(output) as stream:
            writer = RowWriter(stream, output_format)
            for record in parse(inputs, options):
                counts[record.record] += 1
                if isinstance(record, Rejection):
                    log.add(record)
                elif record.record == "unloaded" and output_format == "csv":
                    continue
                else:
                    row = record.to_dict()
                    if output_format == "csv":
                        row.pop("record")
                    writer.write(row)
    except ModerationError as error:
        raise click.ClickException(str(error)) from error
    finally:
        log.close()
    unloaded = counts["unloaded"]
    click.echo(
        f"parsed {counts['comment']} comments"
        + (f", {counts['article']} articles" if articles else "")
        + (f", {unloaded} unloaded-reply stubs (replies not in the export)" if unloaded else "")
        + f"; {log.count} rejected",
        err=True,
    )
    if log.count:
        sys.exit(1)
