"""What `moderation serve` was asked for: limits, the model, the index and who may call.

One frozen record, checked once, that travels to worker processes as JSON in an environment
variable (uvicorn starts each worker by importing an app factory, with no arguments).
"""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from moderation.errors import ModerationError

ENVIRONMENT_VARIABLE = "MODERATION_SERVE_CONFIG"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_MAX_COMMENTS = 1000
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
DEFAULT_BODY_TIMEOUT = 30.0
DEFAULT_MAX_BATCH = 1000
DEFAULT_MAX_CONNECTIONS = 64


class ServiceError(ModerationError):
    """The server cannot start as configured (a missing key, a bad limit)."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine (``localhost`` or a
    loopback address); any other name or address, ``0.0.0.0`` and ``::`` included, is not."""
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def read_api_keys(path: str | Path) -> tuple[str, ...]:
    """The keys of a key file: one a line; blank lines and lines starting with ``#`` skipped.

    Raises
    ------
    ServiceError
        The file cannot be read or holds no key.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ServiceError(f"--api-key-file {path}: cannot be read ({error})") from error
    keys = tuple(
        line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")
    )
    if not keys:
        raise ServiceError(f"--api-key-file {path}: holds no key (one key a line)")
    short = [number for number, key in enumerate(keys, 1) if len(key) < 16]
    if short:
        raise ServiceError(
            f"--api-key-file {path}: key(s) {short} are shorter than 16 characters; "
            "use long random keys (e.g. python -c 'import secrets; print(secrets.token_urlsafe())')"
        )
    return keys


@dataclass(frozen=True)
class ServiceConfig:
    """Settings of one server (every worker process gets the same).

    Attributes
    ----------
    model_path : str or None
        Model file (the bundled default when None), checked against its card on load.
    host, port : str, int
        Where to listen; a host that is not loopback needs ``api_key_file``.
    workers : int
        Worker processes, each with its own copy of the model.
    index_path : str or None
        SQLite fingerprint index shared by every request and worker (duplicates across
        requests); without it, duplicates are found within one request only.
    api_key_file : str or None
        File of API keys; when given, every route but ``/healthz`` and ``/readyz`` needs one.
    max_comments : int
        Comments per ``/v1/score`` request; more gets 413.
    max_body_bytes : int
        Request body size; larger gets 413, refused while it streams in.
    body_timeout : float
        Seconds a client has to send a whole request body; slower gets 408.
    max_batch : int
        Comments the judge scores at once when it merges concurrent requests.
    max_connections : int
        Connections and requests a worker handles at once; more get 503 at once (this bounds
        memory: each request may hold up to ``max_body_bytes`` and its parsed comments).
    """

    model_path: str | None = None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    workers: int = 1
    index_path: str | None = None
    api_key_file: str | None = None
    max_comments: int = DEFAULT_MAX_COMMENTS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    max_batch: int = DEFAULT_MAX_BATCH
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    api_keys: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        for name, low in (
            ("workers", 1),
            ("max_comments", 1),
            ("max_batch", 1),
            ("max_connections", 1),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ServiceError(f"{name}={value!r}: must be an integer >= {low}")
        if not isinstance(self.port, int) or not 0 <= self.port <= 65535:
            raise ServiceError(f"port={self.port!r}: must be an integer in [0, 65535]")
        if self.max_body_bytes < 1024:
            raise ServiceError(f"max_body_bytes={self.max_body_bytes!r}: must be >= 1024")
        if not self.body_timeout > 0:
            raise ServiceError(f"body_timeout={self.body_timeout!r}: must be > 0 seconds")
        if self.index_path is not None and self.workers > 1 and os.name != "posix":
            raise ServiceError(
                f"--index with --workers {self.workers}: the workers share the index through "
                "POSIX file locks, which this system lacks; use --workers 1"
            )
        if self.api_key_file is not None and not self.api_keys:
            object.__setattr__(self, "api_keys", read_api_keys(self.api_key_file))
        if not self.api_keys and not is_loopback(self.host):
            raise ServiceError(
                f"--host {self.host} accepts connections from other machines: give "
                "--api-key-file with the keys callers must send (Authorization: Bearer KEY), "
                f"or listen on {DEFAULT_HOST}"
            )

    def to_environment(self) -> str:
        """JSON for :data:`ENVIRONMENT_VARIABLE` (keys stay in their file: not in the
        environment, where other processes of the same user could read them)."""
        settings = asdict(self)
        settings.pop("api_keys")
        return json.dumps(settings)

    @classmethod
    def from_environment(cls) -> ServiceConfig:
        """The configuration :meth:`to_environment` wrote (in a worker process)."""
        raw = os.environ.get(ENVIRONMENT_VARIABLE)
        if raw is None:
            raise ServiceError(f"{ENVIRONMENT_VARIABLE} is not set: start with `moderation serve`")
        return cls(**json.loads(raw))
