"""Who may call: API keys for a server other machines can reach, and loopback Host names.

Keys come from ``--api-key-file``; a caller sends one as ``Authorization: Bearer KEY`` (the
Perspective route also takes ``?key=KEY``, as Perspective API does). Keys are compared as
SHA-256 digests with :func:`hmac.compare_digest`, against every key, so the time taken says
nothing about how much of a key was right. ``/healthz`` and ``/readyz`` stay open for probes.

A server on loopback without keys also refuses a ``Host`` header that is not a loopback name:
a web page cannot then reach it by pointing its own domain at 127.0.0.1 (DNS rebinding). With
keys, the key is what keeps such a page out, and a reverse proxy may pass its own Host name.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from moderation.service.errors import ApiError

REJECTION_KEY = "moderation.rejection"
OPEN_PATHS = frozenset({"/healthz", "/readyz"})
_LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


def _host_name(host: str) -> str:
    """``Host`` header without its port (``[::1]:8080`` -> ``[::1]``)."""
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


async def _refuse(scope: Scope, send: Send, error: ApiError) -> None:
    scope[REJECTION_KEY] = error.reason
    response = error.response()
    await response(scope, _no_body, send)


async def _no_body() -> dict:
    return {"type": "http.request", "body": b"", "more_body": False}


class AccessMiddleware:
    """Refuse requests without a valid key (when keys are set) or with a foreign Host name
    (when serving on loopback), before they reach a route.

    Parameters
    ----------
    app : ASGI app
    keys : iterable of str
        Valid API keys; none means no key is asked for (a loopback server).
    loopback : bool
        The server listens on loopback only: without keys, check the Host header.
    query_key_paths : iterable of str
        Paths that also accept the key as ``?key=`` (the Perspective route).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        keys: Iterable[str],
        loopback: bool,
        query_key_paths: Iterable[str] = (),
    ) -> None:
        self.app = app
        self._digests = [_digest(key) for key in keys]
        self.loopback = loopback
        self.query_key_paths = frozenset(query_key_paths)

    def valid(self, presented: str) -> bool:
        """Whether ``presented`` is one of the keys (constant time in the key's content)."""
        digest = _digest(presented)
        found = False
        for known in self._digests:
            found |= hmac.compare_digest(digest, known)
        return found

    def _presented(self, scope: Scope) -> str | None:
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                scheme, _, credentials = value.decode("latin-1").partition(" ")
                if scheme.lower() == "bearer" and credentials.strip():
                    return credentials.strip()
        if scope["path"] in self.query_key_paths:
            keys = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("key")
            if keys:
                return keys[0]
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.loopback and not self._digests:
            host = dict(scope.get("headers", ())).get(b"host", b"").decode("latin-1")
            if _host_name(host.strip().lower()) not in _LOOPBACK_NAMES:
                error = ApiError(
                    400, "Host header is not a loopback name for this loopback server", "host"
                )
                await _refuse(scope, send, error)
                return
        if self._digests and scope["path"] not in OPEN_PATHS:
            presented = self._presented(scope)
            if presented is None or not self.valid(presented):
                message = "a valid API key is required (Authorization: Bearer KEY)"
                headers = {"WWW-Authenticate": "Bearer"}
                await _refuse(scope, send, ApiError(401, message, "unauthenticated", headers))
                return
        await self.app(scope, receive, send)
