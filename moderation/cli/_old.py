"""The ``moderation`` command: a thin click layer over the library's stages."""

from __future__ import annotations

import sys
from collections import Counter

import click

from moderation import __version__
from moderation.errors import ModerationError
from moderation.output import RowWriter, json_line, open_output
from moderation.parse import FIELD_ROLES, FORMATS, ParseOptions, parse
from moderation.records import Rejection


def _parse_fields(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict:
    fields: dict[str, str] = {}
    for value in values:
        role, sep, column = value.partition("=")
        if not sep or role not in FIELD_ROLES or not column:
            raise click.BadParameter(
                f"{value!r}: use ROLE=COLUMN with ROLE one of {', '.join(FIELD_ROLES)}"
            )
        fields[role] = column
    return fields


class RejectionLog:
    """Report rejected inputs on stderr and, when asked, as JSONL rows in a file."""

    def __init__(self, path: str | None) -> None:
        self.count = 0
        self._stream = open(path, "w", encoding="utf-8") if path else None  # noqa: SIM115

    def add(self, rejection: Rejection) -> None:
        self.count += 1
        click.echo(f"error: {rejection}", err=True)
        if self._stream is not None:
            self._stream.write(json_line(rejection.to_dict()))

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()


input_argument = click.argument(
    "inputs", nargs=-1, required=True, type=click.Path(allow_dash=True, path_type=str)
)
format_option = click.option(
    "--format",
    "input_format",
    type=click.Choice(FORMATS),
    default=None,
    help="Force the input format instead of detecting it from the content.",
)
field_option = click.option(
    "--field",
    "fields",
    multiple=True,
    callback=_parse_fields,
    metavar="ROLE=COLUMN",
    help=f"Column name of a role in JSONL/CSV/JSON dumps ({', '.join(FIELD_ROLES)}); repeatable.",
)
strict_option = click.option(
    "--strict", is_flag=True, help="Stop at the first problem instead of reporting it and going on."
)
rejects_option = click.option(
    "--rejects",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Also write every rejected input or comment as a JSONL row (file, line, reason).",
)
output_option = click.option(
    "-o",
    "--output",
    default="-",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Where to write the records (default: standard output). Written atomically.",
)
output_format_option = click.option(
    "--output-format",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="JSON Lines, or CSV safe to open in a spreadsheet.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="moderation")
def main() -> None:
    """Parse comment threads, judge stance, spam and incitement, and find copy-paste campaigns."""


@main.command("parse")
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


if __name__ == "__main__":  # pragma: no cover
    main()
