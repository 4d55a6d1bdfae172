"""Errors as the client sees them: a status code and one JSON shape for every route.

The shape is Google's (and so Perspective API's): ``{"error": {"code": 400, "message": "...",
"status": "INVALID_ARGUMENT"}}``. Messages name what was wrong with the request; they never
carry a stack trace, a file path or the comment text.
"""

from __future__ import annotations

import http
import json

from starlette.responses import Response

# Google's canonical names where one fits; otherwise the HTTP reason, upper case.
_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


def status_name(code: int) -> str:
    """The ``status`` string of an error with HTTP status ``code``."""
    if code in _STATUS_NAMES:
        return _STATUS_NAMES[code]
    try:
        return http.HTTPStatus(code).name
    except ValueError:
        return "UNKNOWN"


class ApiError(Exception):
    """A request the server refuses, with the status code and message to send back.

    Parameters
    ----------
    code : int
        HTTP status (4xx for the client's mistakes).
    message : str
        What was wrong, for the caller.
    reason : str
        Short label for the rejection counter in ``/metrics`` (``too_large``, ``invalid_json``).
    headers : dict, optional
        Extra response headers (``WWW-Authenticate``).
    """

    def __init__(
        self, code: int, message: str, reason: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason
        self.headers = headers or {}

    def response(self) -> Response:
        """The JSON response for this error."""
        return error_response(self.code, self.message, self.headers)


def error_body(code: int, message: str) -> bytes:
    """The JSON body of an error response."""
    error = {"code": code, "message": message, "status": status_name(code)}
    return json.dumps({"error": error}).encode("utf-8")


def error_response(code: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A JSON error response."""
    return Response(
        error_body(code, message), status_code=code, headers=headers, media_type="application/json"
    )
