"""`moderation parse`: pages, exports and dumps to one record per comment."""

from __future__ import annotations

import sys

import click

from moderation.cli.common import (
    command,
    field_option,
    format_option,
    html_text_option,
    input_argument,
    output_format_option,
    output_option,
    rejects_option,
    strict_option,
    tell,
)
from moderation.parse import ParseOptions
from moderation.pipeline.parsed import write_parsed


@command("parse")
@input_argument
@output_option
@format_option
@output_format_option
@click.option("--articles", is_flag=True, help="Also write one record per article (JSONL only).")
@field_option
@html_text_option
@strict_option
@rejects_option
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
) -> None:
    """Split pages, exports and dumps into one record per comment.

    INPUTS are files, folders (recursed) or - for standard input. The format of each is
    detected from its content: plain-text scraped pages, saved HTML pages, Disqus XML, WordPress
    WXR, Reddit JSON, and JSONL / CSV / JSON comment dumps.
    """
    if articles and output_format == "csv":
        raise click.UsageError("--articles writes article records too: use --output-format jsonl")
    options = ParseOptions(
        format=input_format,
        fields=fields,
        strict=strict,
        articles=articles,
        html_text=html_text,
    )
    result = write_parsed(
        inputs, options, output, output_format=output_format, rejects=rejects, notify=tell
    )
    click.echo(result.render(), err=True)
    if result.rejected:
        sys.exit(1)
