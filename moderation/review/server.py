"""Run the review application with uvicorn on a socket bound here, so that ``--port 0`` can
print the port the system picked before serving."""

from __future__ import annotations

import socket
import sys
import webbrowser
from collections.abc import Callable

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: one the system picks).

    Raises
    ------
    OSError
        The address cannot be bound (in use, or not this machine's).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def address(host: str, sock: socket.socket, token: str) -> str:
    """The address to open: the bound port, and the token as a query parameter."""
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def serve(
    app: object,
    sock: socket.socket,
    url: str,
    *,
    open_browser: bool,
    echo: Callable[[str], None],
) -> None:
    """Print the address (the first line on stdout), open the browser when asked, then serve
    until interrupted."""
    import uvicorn

    echo(f"review: {url}")
    sys.stdout.flush()
    if open_browser:
        webbrowser.open(url)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
