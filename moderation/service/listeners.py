"""One listening socket per worker process, so that the kernel spreads connections evenly.

With one socket shared by every worker (uvicorn's way), whichever worker wakes first accepts
every connection waiting: eight keep-alive clients that connect together often all land on
one worker, which then serves them on one core while the other worker idles (measured with
`benchmarks/serve_load.py`: all the batch mix's server CPU in one of two workers). With
``SO_REUSEPORT`` each worker listens on a socket of its own, bound to the same address, and the
kernel hands each new connection to one of them by a hash of its addresses.

The supervisor (uvicorn's) binds a socket without listening on it: it holds the address, so
that a port in use is reported before any worker starts, and never receives a connection.
Each worker process, when it receives that socket, gets a new listening socket on the same
address instead (:meth:`ReusePortSocket.__reduce_ex__`). ``SO_REUSEPORT`` lets only processes
of the same user share the port.
"""

from __future__ import annotations

import socket
from typing import Any

BACKLOG = 2048  # as uvicorn's default
REUSE_PORT = getattr(socket, "SO_REUSEPORT", None)  # None on Windows


def _bound(family: int, address: tuple) -> socket.socket:
    sock = ReusePortSocket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, REUSE_PORT, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def worker_listener(family: int, address: tuple, backlog: int) -> socket.socket:
    """In a worker process: a socket of its own, listening on the supervisor's address."""
    sock = _bound(family, address)
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


class ReusePortSocket(socket.socket):
    """A socket that, sent to a worker process, arrives as that worker's own listener."""

    backlog = BACKLOG

    def __reduce_ex__(self, protocol: Any) -> tuple:
        return worker_listener, (self.family, self.getsockname(), self.backlog)


def supervisor_socket(host: str, port: int, backlog: int = BACKLOG) -> ReusePortSocket:
    """The supervisor's socket: bound to ``host:port`` with ``SO_REUSEPORT``, not listening
    (``port`` 0 picks a free port, which every worker then shares).

    Raises
    ------
    OSError
        The address cannot be bound (a port in use by another program, a host not here).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = _bound(family, (host, port))
    assert isinstance(sock, ReusePortSocket)
    sock.backlog = backlog
    return sock
