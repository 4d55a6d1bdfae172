"""The ``moderation`` command: a thin click layer over the library's stages, one module per
command."""

from __future__ import annotations

import logging

import click

from moderation import __version__
from moderation.cli.dedup_command import dedup_command
from moderation.cli.evaluate_command import evaluate_command
from moderation.cli.parse_command import parse_command
from moderation.cli.review_command import review_command
from moderation.cli.score_command import score_command
from moderation.cli.serve_command import serve_command
from moderation.cli.train_command import train_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="moderation")
def main() -> None:
    """Parse comment threads, judge stance, spam and incitement, and find copy-paste campaigns."""
    # Recoveries the readers make (a stray byte, a damaged export) are reported on stderr.
    logging.basicConfig(format="warning: %(message)s", level=logging.WARNING, force=True)


main.add_command(parse_command)
main.add_command(train_command)
main.add_command(score_command)
main.add_command(dedup_command)
main.add_command(evaluate_command)
main.add_command(serve_command)
main.add_command(review_command)

__all__ = ["main", "parse_command", "score_command", "train_command"]
