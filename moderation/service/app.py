"""The app factory: the judge behind FastAPI routes, with limits, keys, metrics and errors.

``create_app`` builds one app around a loaded model; uvicorn's worker processes call
:func:`app_from_environment`, which reads the configuration `moderation serve` put in the
environment and loads the model there (checked against its card).
"""

from __future__ import annotations

import contextlib
import gc
import inspect
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from starlette.exceptions import HTTPException
from starlette.responses import Response

from moderation import __version__
from moderation.judge.moderator import Moderator
from moderation.service import judging, perspective
from moderation.service.auth import REJECTION_KEY, AccessMiddleware
from moderation.service.batcher import ScoringBatcher
from moderation.service.config import ServiceConfig, is_loopback
from moderation.service.duplicates import DuplicateMarker
from moderation.service.errors import ApiError, error_response
from moderation.service.metrics import Metrics, ObserveMiddleware
from moderation.service.routes import PERSPECTIVE_PATH, ROUTES, router
from moderation.service.schemas import ExplainRequest, ScoreRequest
from moderation.service.state import ServiceState

logger = logging.getLogger("moderation.service")
_REQUEST_MODELS = (ScoreRequest, ExplainRequest, perspective.AnalyzeCommentRequest)
DESCRIPTION = (
    "The moderation judge over HTTP: stance, spam and incitement verdicts as `moderation "
    "score` writes them, explanations, and Perspective API's comments:analyze for THREAT "
    'and SPAM. Every error is `{"error": {"code", "message", "status"}}`.'
)


async def _api_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    request.scope[REJECTION_KEY] = error.reason
    return error.response()


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    request.scope[REJECTION_KEY] = f"http_{error.status_code}"
    return error_response(error.status_code, str(error.detail), dict(error.headers or {}))


async def _validation_error(request: Request, error: Exception) -> Response:
    request.scope[REJECTION_KEY] = "invalid_request"
    return error_response(422, "the request does not match the route's parameters")


async def _internal_error(request: Request, error: Exception) -> Response:
    # The traceback goes to the server's log (uvicorn logs it); the client learns nothing.
    logger.error("internal error on %s: %s", request.url.path, type(error).__name__)
    return error_response(500, "internal error; the server logged it")


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI schema, with the request bodies the routes read themselves."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in _REQUEST_MODELS:
            definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, nested in definition.pop("$defs", {}).items():
                components.setdefault(name, nested)
            components[model.__name__] = definition
        app.openapi_schema = schema
    return app.openapi_schema


def _without_fastapi_telemetry() -> dict[str, Any]:
    """FastAPI's own OpenTelemetry off, where this FastAPI has it (0.16x adds it by default,
    and with ``FASTAPI_OTEL_AUTO_CONFIGURE=true`` in the environment it configures exporters
    that send spans, metrics and logs to a collector): the service sends nothing anywhere, and
    its metrics are Prometheus's at ``/metrics``."""
    if "telemetry" not in inspect.signature(FastAPI).parameters:
        return {}
    off = {"tracing": False, "metrics": False, "logs": False, "auto_configure": False}
    return {"telemetry": off}


def freeze_loaded_objects() -> None:
    """Put every object alive now (the model, the detector's tables, the libraries' modules)
    out of the garbage collector's reach. A full collection walked them all: about 130 ms of
    CPU in a loaded worker, during which none of its requests was answered; a worker's full
    collections came every few seconds under load. Called once, after the warm-up."""
    gc.collect()
    gc.freeze()


def create_app(
    config: ServiceConfig, moderator: Moderator | None = None, *, freeze: bool = False
) -> FastAPI:
    """The service around a model (loaded from ``config.model_path`` when not given).

    The scoring thread starts and stops with the app's lifespan (a server, or a
    ``TestClient`` used as a context manager). ``freeze``: after the warm-up, put what is
    loaded out of the garbage collector's reach (:func:`freeze_loaded_objects`; for a
    process that only serves, as a worker of `moderation serve`).
    """
    moderator = moderator if moderator is not None else Moderator.load(config.model_path)
    state = ServiceState(
        config=config,
        moderator=moderator,
        batcher=ScoringBatcher(moderator, config.max_batch),
        duplicates=DuplicateMarker(config.index_path),
        metrics=Metrics(ROUTES),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        verdicts = judging.warm_up(moderator)  # before the first request is accepted
        if config.index_path is None:  # (warm-up comments never go into a shared index)
            state.duplicates.mark(verdicts[:1])
            state.duplicates.mark(verdicts)
        if freeze:
            freeze_loaded_objects()
        state.batcher.start()
        try:
            yield
        finally:
            state.batcher.stop()
            state.duplicates.close()

    app = FastAPI(
        title="moderation",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN: none is served
        redoc_url=None,
        lifespan=lifespan,
        **_without_fastapi_telemetry(),
    )
    app.state.service = state
    app.include_router(router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _internal_error)
    app.add_middleware(
        AccessMiddleware,
        keys=config.api_keys,
        loopback=is_loopback(config.host),
        query_key_paths=(PERSPECTIVE_PATH,),
    )
    app.add_middleware(ObserveMiddleware, metrics=state.metrics)  # outermost: counts refusals
    return app


def app_from_environment() -> FastAPI:
    """The app of one uvicorn worker process (``factory=True``): configuration from the
    environment, the model loaded in this process."""
    from threadpoolctl import threadpool_limits

    config = ServiceConfig.from_environment()
    if config.workers > 1:  # one process per core: no process needs more than one BLAS thread
        threadpool_limits(1)
    return create_app(config, freeze=True)
