"""`moderation parse`: pages, exports and dumps to one record per comment."""

from __future__ import annotations

import sys

import click

from moderation.cli.common import (
    command,
    input_argument,
    output_format_option,
    output_option,
    parse_options,
    reading_options,
    show_progress,
    tell,
)
from moderation.pipeline.parsed import write_parsed


@command("parse")
@input_argument
@output_option
@output_format_option
@click.option("--articles", is_flag=True, help="Also write one record per article (JSONL only).")
@reading_options
def parse_command(
    inputs: tuple[str, ...],
    output: str,
    input_format: str | None,
    output_format: str,
    articles: bool,
    fields: dict[str, str],
    html_text: bool | None,
    strict: bool,
    rejects: str | None,
    quiet: bool,
) -> None:
    """Split pages, exports and dumps into one record per comment.

    INPUTS are files, folders (recursed) or - for standard input. The format of each is
    detected from its content: plain-text scraped pages, saved HTML pages, Disqus XML, WordPress
    WXR, Reddit JSON, and JSONL / CSV / JSON comment dumps.
    """
    if articles and output_format == "csv":
        raise click.UsageError("--articles writes article records too: use --output-format jsonl")
    options = parse_options(input_format, fields, strict, html_text, articles=articles)
    result = write_parsed(
        inputs,
        options,
        output,
        output_format=output_format,
        rejects=rejects,
        notify=tell,
        progress=show_progress(quiet, output),
    )
    click.echo(result.render(), err=True)
    if result.rejected:
        sys.exit(1)
