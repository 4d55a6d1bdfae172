"""Bad input gets a 4xx JSON error, and the server goes on serving (a real socket)."""

from __future__ import annotations

import json
import select
import socket
import time

import httpx
import pytest

from moderation.service.app import create_app
from moderation.service.config import ServiceConfig
from tests.service.live import live_server

GOOD = {"comments": [{"id": "g", "text": "Peace talks now, before another winter of war."}]}
MB = 1024 * 1024
HUGE = 50 * MB


@pytest.fixture(scope="module")
def server(moderator):
    config = ServiceConfig(body_timeout=1.0)
    with live_server(create_app(config, moderator), config) as address:
        yield address


def _clean(response_body: bytes) -> None:
    """An error body is our JSON shape, with no trace or path in it."""
    error = json.loads(response_body)["error"]
    assert set(error) == {"code", "message", "status"}
    for leak in ("Traceback", ".py", "/work", "site-packages"):
        assert leak not in error["message"]


def _good_request_succeeds(host: str, port: int) -> None:
    response = httpx.post(f"http://{host}:{port}/v1/score", json=GOOD, timeout=30)
    assert response.status_code == 200 and len(response.json()["verdicts"]) == 1


def _head(port: int, extra: str) -> bytes:
    return (
        f"POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\n{extra}\r\n"
    ).encode("ascii")


def _read_response(connection: socket.socket, seconds: float) -> tuple[int, bytes]:
    """Status and body of the response on a raw connection (read until it is complete)."""
    connection.settimeout(seconds)
    data = b""
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 0


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'{"comments": [{"text": "caf\xe9 \xff"}]}', 400),  # invalid UTF-8
        (b"[" * 10_000 + b"]" * 10_000, 400),  # 10,000-deep nesting
        (b'{"comments": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", 400),
        (b'{"comments": [{"text": 42}]}', 422),
        (b'{"comments": [{"id": "no-text"}]}', 422),
        (b'{"comments": "text"}', 422),
        (b'{"comments": [{"text": "x", "surprise": 1}]}', 422),
        (b"", 400),
        (b"null", 422),
    ],
)
def test_bad_bodies_get_a_4xx_and_the_server_goes_on(server, body, status) -> None:
    host, port = server
    response = httpx.post(
        f"http://{host}:{port}/v1/score",
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == status, response.text
    _clean(response.content)
    _good_request_succeeds(host, port)


def test_a_declared_50_mb_body_is_refused_before_it_is_read(server) -> None:
    host, port = server
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(_head(port, f"Content-Length: {HUGE}\r\n") + b"[" * 65536)
        status, body = _read_response(connection, 10)
    assert status == 413
    _clean(body)
    _good_request_succeeds(host, port)


def test_a_streamed_50_mb_body_is_refused_while_it_streams(server) -> None:
    host, port = server
    chunk = b"%x\r\n%s\r\n" % (MB, b" " * MB)
    sent = 0
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(_head(port, "Transfer-Encoding: chunked\r\n"))
        answered = False
        while sent < HUGE and not answered:
            try:
                connection.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server answered and closed: read what it said
            sent += MB
            answered = bool(select.select([connection], [], [], 0)[0])
        status, body = _read_response(connection, 10)
    assert status == 413
    assert sent < HUGE  # refused before the client was done: the body was not buffered whole
    _clean(body)
    _good_request_succeeds(host, port)


def test_a_client_that_never_finishes_its_body_times_out(server) -> None:
    host, port = server
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(_head(port, "Content-Length: 1000\r\n") + b'{"comments": [')
        started = time.monotonic()
        status, body = _read_response(connection, 10)
    assert status == 408 and time.monotonic() - started < 10
    _clean(body)
    _good_request_succeeds(host, port)


def test_many_bad_requests_at_once_leave_the_server_serving(server) -> None:
    host, port = server
    url = f"http://{host}:{port}/v1/score"
    bad = [b"{", b"[" * 5000, b'{"comments": 1}', b"\xff\xfe"] * 10
    with httpx.Client(timeout=30) as http:
        statuses = {
            http.post(url, content=b, headers={"Content-Type": "application/json"}).status_code
            for b in bad
        }
    assert statuses <= {400, 422}
    _good_request_succeeds(host, port)
