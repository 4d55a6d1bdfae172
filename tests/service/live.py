"""A real uvicorn server on 127.0.0.1 in a thread, for tests that need a socket."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from moderation.service.config import ServiceConfig
from moderation.service.server import uvicorn_options

START_SECONDS = 30


@contextmanager
def live_server(app: FastAPI, config: ServiceConfig) -> Iterator[tuple[str, int]]:
    """Serve ``app`` on 127.0.0.1 at a free port; yield (host, port); stop on exit."""
    options = {**uvicorn_options(config), "host": "127.0.0.1", "port": 0, "log_config": None}
    server = uvicorn.Server(uvicorn.Config(app, **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(timeout=START_SECONDS)


def free_port() -> int:
    """A port free on 127.0.0.1 now (for a server started in another process)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
