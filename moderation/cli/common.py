"""Options and callbacks that several commands share."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from moderation.errors import ModerationError
from moderation.labels import FLAGS
from moderation.parse import FIELD_ROLES, FORMATS, ParseOptions

# The project corpus: relative to the working directory, else beside the package (a checkout).
DEFAULT_DATA = (
    "seeds/labeled"
    if Path("seeds/labeled").is_dir()
    else str(Path(__file__).resolve().parents[2] / "seeds" / "labeled")
)
DEFAULT_OUTPUT_MODEL = "models/default.joblib"


class ModerationCommand(click.Command):
    """A click command that reports the library's errors as clean messages: the one place where
    a :class:`~moderation.errors.ModerationError` becomes a :class:`click.ClickException`
    (``Error: ...`` on stderr, exit status 1), whichever command or caller (``train.py``) runs.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ModerationError as error:
            raise click.ClickException(str(error)) from error


def stack(*decorators: Callable[[Callable], Callable]) -> Callable[[Callable], Callable]:
    """Several click decorators as one, applied in the order written (as if stacked)."""

    def apply(function: Callable) -> Callable:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


def parse_options(
    input_format: str | None,
    fields: dict[str, str],
    strict: bool,
    html_text: bool | None,
    *,
    articles: bool = True,
) -> ParseOptions:
    """The :class:`ParseOptions` of :data:`reading_options`' values (articles give story ids)."""
    return ParseOptions(
        format=input_format, fields=fields, strict=strict, articles=articles, html_text=html_text
    )


def command(name: str) -> Callable[[Callable[..., object]], ModerationCommand]:
    """``@click.command(name)`` with :class:`ModerationCommand`: use it for every command."""
    return click.command(name, cls=ModerationCommand)


def parse_fields(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict:
    fields: dict[str, str] = {}
    for value in values:
        role, sep, column = value.partition("=")
        if not sep or role not in FIELD_ROLES or not column:
            raise click.BadParameter(
                f"{value!r}: use ROLE=COLUMN with ROLE one of {', '.join(FIELD_ROLES)}"
            )
        fields[role] = column
    return fields


def parse_languages(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[str, ...] | None:
    """``--languages en,de`` as a tuple of codes; ``any`` for every language; None if not given."""
    if value is None:
        return None
    codes = tuple(code.strip().lower() for code in value.split(",") if code.strip())
    if not codes or not all(code.isalpha() and 2 <= len(code) <= 3 for code in codes):
        raise click.BadParameter(f"{value!r}: use ISO 639-1 codes such as en,de, or 'any'")
    return codes


def parse_flag_values(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, float]:
    """``FLAG=VALUE`` options as a dict; a flag must be the model's, a value in [0, 1]."""

    parsed: dict[str, float] = {}
    for value in values:
        flag, sep, number = value.partition("=")
        try:
            parsed[flag] = float(number)
        except ValueError:
            parsed[flag] = -1.0
        if not sep or flag not in FLAGS or not 0.0 <= parsed[flag] <= 1.0:
            raise click.BadParameter(
                f"{value!r}: use FLAG=VALUE, FLAG one of {FLAGS}, VALUE in [0, 1]"
            )
    return parsed


def show_progress(quiet: bool, output: str) -> bool:
    """Whether a command draws a progress bar: on a terminal's stderr, unless ``--quiet`` or
    the rows themselves go to the terminal (they show the progress, and a bar redrawn between
    them would garble them)."""
    rows_on_terminal = output == "-" and sys.stdout.isatty()
    return not rows_on_terminal and show_steps(quiet)


def show_steps(quiet: bool) -> bool:
    """Whether a command that prints no rows (``train``, ``evaluate``) draws a progress bar:
    on a terminal's stderr, unless ``--quiet``."""
    return not quiet and sys.stderr.isatty()


def score_output_format(output_format: str | None, output: str) -> str:
    """The format of ``moderation score``'s rows: as forced, else a table for a person (standard
    output is a terminal, no ``-o``), else JSONL (a file or a pipe)."""
    if output_format is not None:
        return output_format
    return "table" if output == "-" and sys.stdout.isatty() else "jsonl"


def tell(line: str) -> None:
    """Show a line for the person running the command on stderr: what the pipeline's
    ``notify`` callbacks are given (rejections as they are found, a resumed run)."""
    click.echo(line, err=True)


model_option = click.option(
    "--model",
    "model_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Model file (default: the bundled models/default.joblib). Never load untrusted files.",
)
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
    callback=parse_fields,
    metavar="ROLE=COLUMN",
    help=f"Column name of a role in JSONL/CSV/JSON dumps ({', '.join(FIELD_ROLES)}); repeatable.",
)
html_text_option = click.option(
    "--html-text/--plain-text",
    "html_text",
    default=None,
    help="Dump text fields hold HTML: decode tags and entities in every one (--html-text) or in "
    "none (--plain-text). Default: in those holding a tag or an entity; U+FEFF is always dropped.",
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
score_output_format_option = click.option(
    "--output-format",
    type=click.Choice(["jsonl", "csv", "table"]),
    default=None,
    help="JSON Lines, CSV safe to open in a spreadsheet, or a compact table to read (default: "
    "the table when standard output is a terminal and no -o is given, else jsonl).",
)
quiet_option = click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="No progress bar (there is none unless stderr is a terminal).",
)
threshold_option = click.option(
    "--threshold",
    "thresholds",
    multiple=True,
    callback=parse_flag_values,
    metavar="FLAG=T",
    help="Override a flag's threshold, e.g. --threshold spam=0.9 (repeatable).",
)
# How inputs are read and problems reported: parse, score and dedup take the same options.
reading_options = stack(
    format_option, field_option, html_text_option, strict_option, rejects_option, quiet_option
)
