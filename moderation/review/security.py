"""The review server's guards, as one ASGI middleware: an access token on every request, a
nonce-based Content-Security-Policy and other protective headers on every response.

The token comes once in the address (``?token=...``); the server answers with a cookie
(HttpOnly, SameSite=Strict) and a redirect to the same address without the token, so it does
not linger in the history. Without a valid token or cookie every path answers 403. Requests
that change state must also carry the CSRF token of the page (checked by the endpoint:
:func:`csrf_ok`), and a POST from another origin is refused here.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_PARAM = "token"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


def content_security_policy(nonce: str) -> str:
    """Only this server's scripts (and inline ones carrying the nonce); nothing from elsewhere."""
    return (
        "default-src 'none'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


def same(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a presented secret with the expected one."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def csrf_ok(header: str | None, form: MutableMapping[str, str], expected: str) -> bool:
    """Whether a state-changing request carries the page's CSRF token (header or form field)."""
    return same(header, expected) or same(form.get(CSRF_FIELD), expected)


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}


def cookie_name(scope: Scope) -> str:
    """One cookie per port: cookies ignore ports, and two servers may run side by side."""
    server = scope.get("server") or ("", 0)
    return f"review_token_{server[1]}"


class GuardMiddleware:
    """Token check, CSP with a fresh nonce (``scope["state"]["nonce"]``), protective headers."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["nonce"] = nonce
        headers = _headers(scope)
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = dict(query).get(TOKEN_PARAM)
        cookie = SimpleCookie(headers.get("cookie", "")).get(cookie_name(scope))
        guarded = self._guarded(send, nonce)
        if same(given, self.token):
            rest = urlencode([(k, v) for k, v in query if k != TOKEN_PARAM])
            location = scope["path"] + (f"?{rest}" if rest else "")
            await self._answer(guarded, 303, b"", [(b"location", location.encode())], scope)
        elif cookie is None or not same(cookie.value, self.token):
            await self._answer(guarded, 403, b"403: open the address with its ?token=", [], None)
        elif scope["method"] not in ("GET", "HEAD") and not self._same_origin(headers):
            await self._answer(guarded, 403, b"403: cross-origin request refused", [], None)
        else:
            await self.app(scope, receive, guarded)

    @staticmethod
    def _same_origin(headers: dict[str, str]) -> bool:
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return False
        origin = headers.get("origin")  # absent on some same-origin requests; "null" refused
        return origin is None or origin == f"http://{headers.get('host', '')}"

    async def _answer(
        self, send: Send, status: int, body: bytes, extra: list, scope: Scope | None
    ) -> None:
        headers = [(b"content-type", b"text/plain; charset=utf-8"), *extra]
        if scope is not None:
            cookie = f"{cookie_name(scope)}={self.token}; HttpOnly; SameSite=Strict; Path=/"
            headers.append((b"set-cookie", cookie.encode()))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _guarded(send: Send, nonce: str) -> Send:
        policy = content_security_policy(nonce).encode()

        async def guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"content-security-policy", policy),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cache-control", b"no-store"),
                ]
            await send(message)

        return guarded
