"""`moderation serve`: the judge as an HTTP service (JSON verdicts, Perspective API route)."""

from __future__ import annotations

import click

from moderation.cli.common import command, model_option
from moderation.service.config import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_HOST,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_COMMENTS,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_PORT,
    ServiceConfig,
)


@command("serve")
@model_option
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Address to listen on; any but loopback needs --api-key-file.",
)
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Worker processes, each with its own copy of the model (about one per core).",
)
@click.option(
    "--index",
    "index_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="SQLite fingerprint index (as `score --index`): find duplicates across requests.",
)
@click.option(
    "--api-key-file",
    default=None,
    type=click.Path(exists=True, dir_okay=False),
    help="File of API keys, one a line; callers send one as 'Authorization: Bearer KEY'.",
)
@click.option(
    "--max-comments",
    default=DEFAULT_MAX_COMMENTS,
    show_default=True,
    type=click.IntRange(min=1),
    help="Comments per /v1/score request; more gets 413.",
)
@click.option(
    "--max-body-bytes",
    default=DEFAULT_MAX_BODY_BYTES,
    show_default=True,
    type=click.IntRange(min=1024),
    help="Request body size; larger gets 413 as it streams in.",
)
@click.option(
    "--body-timeout",
    default=DEFAULT_BODY_TIMEOUT,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds a client has to send a whole request body; slower gets 408.",
)
@click.option(
    "--max-connections",
    default=DEFAULT_MAX_CONNECTIONS,
    show_default=True,
    type=click.IntRange(min=1),
    help="Connections a worker handles at once; more get 503 (bounds memory).",
)
def serve_command(
    model_path: str | None,
    host: str,
    port: int,
    workers: int,
    index_path: str | None,
    api_key_file: str | None,
    max_comments: int,
    max_body_bytes: int,
    body_timeout: float,
    max_connections: int,
) -> None:
    """Serve the judge over HTTP until interrupted.

    POST /v1/score judges comments as `moderation score` does; POST /v1/explain shows the
    n-grams behind one comment's verdict; POST /v1alpha1/comments:analyze answers Perspective
    API requests for THREAT and SPAM. GET /healthz, /readyz, /v1/model, /metrics and
    /openapi.json describe the server. Listens on 127.0.0.1 unless --host says otherwise.
    """
    from moderation.service.server import check_for_workers, serve

    config = ServiceConfig(
        model_path=model_path,
        host=host,
        port=port,
        workers=workers,
        index_path=index_path,
        api_key_file=api_key_file,
        max_comments=max_comments,
        max_body_bytes=max_body_bytes,
        body_timeout=body_timeout,
        max_connections=max_connections,
    )
    moderator = None
    if workers == 1:  # this process serves: load the model here, checked against its card
        from moderation.judge.moderator import Moderator
        from moderation.service.duplicates import DuplicateMarker

        moderator = Moderator.load(model_path)
        if index_path is not None:
            DuplicateMarker(index_path).close()  # an index of other settings fails here
    else:  # each worker loads its own; check once first, in a process of its own
        check_for_workers(config)
    keys = "API key required" if config.api_keys else "no API key (loopback only)"
    click.echo(f"serving on http://{host}:{port} with {workers} worker(s); {keys}", err=True)
    serve(config, moderator)
