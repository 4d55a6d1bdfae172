"""`moderation review`: the moderator's loop in the browser, and `review export` of the
decisions as labeled rows for training."""

from __future__ import annotations

import getpass

import click

from moderation.cli.common import ModerationCommand

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


class ReviewGroup(click.Group):
    """``review SCORED...`` serves; ``review export DB`` exports. A first argument that is not
    a subcommand's name is the serve command's, so both spellings work."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["serve", *args]
        return super().parse_args(ctx, args)


def _reviewer() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "moderator"


@click.group("review", cls=ReviewGroup, no_args_is_help=True)
def review_command() -> None:
    """Review scored dumps in the browser (`moderation review SCORED...`) and export the
    decisions as labeled rows (`moderation review export DB -o labels.jsonl`)."""


@review_command.command("serve", cls=ModerationCommand)
@click.argument("scored", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--db",
    default="review.sqlite",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="SQLite file holding the queue and every decision (reused across restarts).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but this machine's loopback is warned about.",
)
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0 picks a free one.",
)
@click.option("--no-open", is_flag=True, help="Do not open the browser; only print the address.")
@click.option(
    "--reviewer",
    default=None,
    help="Name stored with each decision (default: your login name).",
)
@click.option(
    "--model",
    "model_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Model whose card gives the thresholds the dumps were scored with (only its JSON card "
    "is read; default: the bundled model).",
)
def serve_command(
    scored: tuple[str, ...],
    db: str,
    host: str,
    port: int,
    no_open: bool,
    reviewer: str | None,
    model_path: str | None,
) -> None:
    """Serve a review queue over SCORED files (`moderation score` outputs, JSONL or CSV).

    Prints `review: http://HOST:PORT/?token=...` as the first line on standard output; every
    request needs that token (a cookie after the first visit). Keys: j/k move, a approve,
    r remove, s/i spam/incitement yes-no, 1/2/3 stance, u undo.
    """
    from pathlib import Path

    from moderation.review.app import Settings, create_app, new_secret
    from moderation.review.priority import Thresholds
    from moderation.review.server import address, bind, serve
    from moderation.review.store import load_dump, open_store

    thresholds = Thresholds.from_card(model_path)
    connection = open_store(db)
    dump_ids = []
    for path in scored:
        result = load_dump(connection, path, thresholds)
        for rejection in result.rejections:
            click.echo(f"error: {rejection}", err=True)
        how = "already in the database" if result.reused else "loaded"
        rejected = f", {len(result.rejections)} rejected" if result.rejections else ""
        click.echo(f"{path}: {result.rows} comments {how}{rejected}", err=True)
        dump_ids.append(result.dump_id)
    connection.close()
    if host not in LOCAL_HOSTS:
        click.echo(
            f"warning: listening on {host}: anyone who can reach it and has the token can decide",
            err=True,
        )
    token = new_secret()
    settings = Settings(
        Path(db), tuple(dict.fromkeys(dump_ids)), reviewer or _reviewer(), token, new_secret()
    )
    try:
        sock = bind(host, port)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port} ({error.strerror})") from error
    url = address(host, sock, token)
    serve(create_app(settings), sock, url, open_browser=not no_open, echo=click.echo)


@review_command.command("export", cls=ModerationCommand)
@click.argument("db", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    default="-",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="JSONL file for the labeled rows (default: standard output). Written atomically.",
)
def export_command(db: str, output: str) -> None:
    """Write the decisions in DB as labeled rows (the project's JSONL format, with
    "source": "moderator"), the latest decision per comment; train on them with --data."""
    from moderation.review.export import export_labels

    result = export_labels(db, output)
    unlabeled = f" ({result.unlabeled} decisions gave no label)" if result.unlabeled else ""
    click.echo(f"wrote {result.rows} labeled rows to {output}{unlabeled}", err=True)
