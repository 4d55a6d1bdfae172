"""Read a request body within the server's limits, and validate it against a schema.

The body is refused while it streams in: a declared ``Content-Length`` over the limit is
refused before a byte is read, a chunked body as soon as the bytes read pass the limit, and a
body that does not arrive within the timeout gets 408 (uvicorn itself has no body timeout).
Reading pauses the connection between chunks (uvicorn's flow control), so a large body is
never held whole in memory.
"""

from __future__ import annotations

import asyncio
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect, Request

from moderation.service.errors import ApiError

Model = TypeVar("Model", bound=BaseModel)
_ERRORS_SHOWN = 5
_JSON_MEDIA_TYPES = ("application/json",)


def _check_media_type(request: Request) -> None:
    """JSON bodies only: a browser cannot send ``application/json`` to another origin without
    a CORS preflight, which this server never grants (so web pages cannot post to it)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in _JSON_MEDIA_TYPES:
        shown = media_type or "none"
        raise ApiError(
            415, f"Content-Type {shown!r}: send the body as application/json", "media_type"
        )


def _check_declared_length(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not declared.isdigit():
        raise ApiError(400, f"Content-Length {declared!r} is not a number", "bad_length")
    if int(declared) > limit:
        raise ApiError(
            413,
            f"request body of {int(declared)} bytes is over this server's limit of {limit} bytes",
            "too_large",
        )


async def read_body(request: Request, limit: int, timeout: float) -> bytes:
    """The whole body of a JSON request, at most ``limit`` bytes, within ``timeout`` seconds.

    Raises
    ------
    ApiError
        415 not JSON, 413 too large, 408 too slow, 400 client gone or bad Content-Length.
    """
    _check_media_type(request)
    _check_declared_length(request, limit)
    chunks: list[bytes] = []
    total = 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                total += len(chunk)
                if total > limit:
                    raise ApiError(
                        413,
                        f"request body is over this server's limit of {limit} bytes",
                        "too_large",
                    )
                chunks.append(chunk)
    except TimeoutError as error:
        raise ApiError(
            408, f"request body did not arrive within {timeout:g} seconds", "timeout"
        ) from error
    except ClientDisconnect as error:
        raise ApiError(400, "client closed the connection mid-body", "disconnected") from error
    return b"".join(chunks)


def validate(body: bytes, model: type[Model], *, code: int = 422) -> Model:
    """``body`` parsed as JSON and validated against ``model``.

    Raises
    ------
    ApiError
        400 when the body is not JSON (invalid syntax or UTF-8, nested too deeply: the parser
        stops at depth 200), ``code`` when it is JSON of the wrong shape; the message lists
        the first few problems by field, never the values sent.
    """
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        problems = error.errors(include_input=False, include_url=False, include_context=False)
        if any(problem["type"] == "json_invalid" for problem in problems):
            raise ApiError(400, problems[0]["msg"], "invalid_json") from None
        described = [
            f"{'.'.join(map(str, problem['loc'])) or 'body'}: {problem['msg']}"
            for problem in problems[:_ERRORS_SHOWN]
        ]
        more = len(problems) - _ERRORS_SHOWN
        if more > 0:
            described.append(f"and {more} more")
        raise ApiError(code, "; ".join(described), "invalid_request") from None
