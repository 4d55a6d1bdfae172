"""Run the service under uvicorn: one process, or several workers sharing the port.

With one worker the app (and the model already loaded by the command) is served in this
process. With several, uvicorn starts each worker by importing
:func:`moderation.service.app.app_from_environment`, which reads the configuration from the
environment and loads the model itself; their metrics meet in a temporary directory
(prometheus-client's multiprocess mode), removed when the server stops.
"""

from __future__ import annotations

import copy
import os
import tempfile
from typing import Any

from moderation.judge.moderator import Moderator
from moderation.service.config import ENVIRONMENT_VARIABLE, ServiceConfig
from moderation.service.metrics import MULTIPROCESS_VARIABLE

# Seconds an idle keep-alive connection stays open, and a stopping server waits for requests.
KEEP_ALIVE_SECONDS = 5
GRACEFUL_SHUTDOWN_SECONDS = 10


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


def serve(config: ServiceConfig, moderator: Moderator | None = None) -> None:
    """Serve until interrupted (SIGINT or SIGTERM)."""
    import uvicorn

    if config.workers == 1:
        from moderation.service.app import create_app

        uvicorn.run(create_app(config, moderator), **uvicorn_options(config))
        return
    with tempfile.TemporaryDirectory(prefix="moderation-metrics-") as directory:
        os.environ[MULTIPROCESS_VARIABLE] = directory
        os.environ[ENVIRONMENT_VARIABLE] = config.to_environment()
        uvicorn.run(
            "moderation.service.app:app_from_environment",
            factory=True,
            workers=config.workers,
            **uvicorn_options(config),
        )
