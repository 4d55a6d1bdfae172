"""Each worker listens on a socket of its own (SO_REUSEPORT), so that connections spread."""

from __future__ import annotations

import pickle
import select
import socket
from multiprocessing.reduction import ForkingPickler

import pytest

from moderation.service import listeners
from moderation.service.config import ServiceConfig, ServiceError
from moderation.service.server import _run_workers, uvicorn_options

pytestmark = pytest.mark.skipif(listeners.REUSE_PORT is None, reason="no SO_REUSEPORT here")


def _in_worker(sock: socket.socket) -> socket.socket:
    """What a worker process receives for ``sock`` (as multiprocessing sends it)."""
    return pickle.loads(ForkingPickler.dumps(sock))


def _accepted(listener: socket.socket) -> int:
    count = 0
    while select.select([listener], [], [], 0.2)[0]:
        connection, _ = listener.accept()
        connection.close()
        count += 1
    return count


def test_the_supervisor_holds_the_address_but_takes_no_connection() -> None:
    with (
        listeners.supervisor_socket("127.0.0.1", 0) as held,
        pytest.raises(ConnectionRefusedError),
    ):
        socket.create_connection(held.getsockname(), timeout=5)


def test_each_worker_gets_a_listener_of_its_own_and_connections_spread() -> None:
    with listeners.supervisor_socket("127.0.0.1", 0) as held:
        address = held.getsockname()
        first, second = _in_worker(held), _in_worker(held)
        with first, second:
            assert first.fileno() != held.fileno() != second.fileno()
            assert first.getsockname() == second.getsockname() == address
            clients = [socket.create_connection(address, timeout=5) for _ in range(32)]
            counts = [_accepted(first), _accepted(second)]
            for client in clients:
                client.close()
    assert sum(counts) == 32
    assert min(counts) > 0  # by a hash of the client's port: one empty is a chance of 2**-31


def test_a_port_another_program_listens_on_is_refused_before_workers_start() -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(OSError):
            listeners.supervisor_socket("127.0.0.1", port)
        config = ServiceConfig(port=port, workers=2)
        with pytest.raises(ServiceError, match=f"cannot listen on 127.0.0.1:{port}"):
            _run_workers(config, {**uvicorn_options(config), "log_config": None})
