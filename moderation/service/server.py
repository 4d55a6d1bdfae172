"""Run the service under uvicorn: one process, or several workers sharing the port.

With one worker the app (and the model already loaded by the command) is served in this
process. With several, uvicorn starts each worker by importing
:func:`moderation.service.app.app_from_environment`, which reads the configuration from the
environment and loads the model itself; each worker listens on a socket of its own
(:mod:`moderation.service.listeners`), and their metrics meet in a temporary directory
(prometheus-client's multiprocess mode), removed when the server stops.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import multiprocessing
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from moderation.errors import ModerationError
from moderation.service.config import ENVIRONMENT_VARIABLE, ServiceConfig, ServiceError
from moderation.service.listeners import REUSE_PORT, supervisor_socket
from moderation.service.metrics import MULTIPROCESS_VARIABLE

if TYPE_CHECKING:
    from moderation.judge.moderator import Moderator

# Seconds an idle keep-alive connection stays open, and a stopping server waits for requests.
KEEP_ALIVE_SECONDS = 5
GRACEFUL_SHUTDOWN_SECONDS = 10
APP_FACTORY = "moderation.service.app:app_from_environment"
logger = logging.getLogger("moderation.service")


def log_config() -> dict[str, Any]:
    """uvicorn's logging, plus the service's loggers at INFO (uvicorn's own access log is off:
    it would write the query string, where the Perspective route's ``?key=`` may be)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["moderation.service"] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    return config


def uvicorn_options(config: ServiceConfig) -> dict[str, Any]:
    """Options every uvicorn run of the service shares."""
    return {
        "host": config.host,
        "port": config.port,
        "log_config": log_config(),
        "access_log": False,
        "server_header": False,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
        "limit_concurrency": config.max_connections,
    }


def _preflight(model_path: str | None, index_path: str | None) -> str | None:
    """Load the model and open the index as a worker will; the error message, if any."""
    from moderation.judge.moderator import Moderator
    from moderation.service.duplicates import DuplicateMarker

    try:
        Moderator.load(model_path)
        if index_path is not None:
            DuplicateMarker(index_path).close()
    except ModerationError as error:
        return str(error)
    return None


def check_for_workers(config: ServiceConfig) -> None:
    """Fail now, with the model card's or the index's message, rather than in every worker:
    the check runs in a short-lived process, so that this one (which only supervises the
    workers) never holds a model (about 240 MB when it did).

    Raises
    ------
    ServiceError
        The model or the index cannot be used.
    """
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        message = pool.submit(_preflight, config.model_path, config.index_path).result()
    if message is not None:
        raise ServiceError(message)


def serve(config: ServiceConfig, moderator: Moderator | None = None) -> None:
    """Serve until interrupted (SIGINT or SIGTERM)."""
    import uvicorn

    options = uvicorn_options(config)
    if config.workers == 1:
        from moderation.service.app import create_app

        uvicorn.run(create_app(config, moderator), **options)
        return
    with tempfile.TemporaryDirectory(prefix="moderation-metrics-") as directory:
        os.environ[MULTIPROCESS_VARIABLE] = directory
        os.environ[ENVIRONMENT_VARIABLE] = config.to_environment()
        if REUSE_PORT is None:  # no SO_REUSEPORT (Windows): uvicorn's one shared socket
            uvicorn.run(APP_FACTORY, factory=True, workers=config.workers, **options)
            return
        _run_workers(config, options)


def _run_workers(config: ServiceConfig, options: dict[str, Any]) -> None:
    """uvicorn's supervisor over ``config.workers`` workers, each listening on a socket of its
    own (see :mod:`moderation.service.listeners`).

    Raises
    ------
    ServiceError
        The address cannot be bound.
    """
    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    uvicorn_config = Config(APP_FACTORY, factory=True, workers=config.workers, **options)
    try:
        sock = supervisor_socket(config.host, config.port, uvicorn_config.backlog)
    except OSError as error:
        raise ServiceError(
            f"cannot listen on {config.host}:{config.port}: {error.strerror or error}"
        ) from error
    with sock:
        host, port = sock.getsockname()[:2]
        logger.info("listening on %s port %d with %d workers", host, port, config.workers)
        with contextlib.suppress(KeyboardInterrupt):  # as uvicorn.run: a second Ctrl-C
            Multiprocess(uvicorn_config, sockets=[sock]).run()
