"""The HTTP routes: each reads its body within the limits, hands the work to the library
(off the event loop) and answers JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from moderation.service import judging, perspective
from moderation.service.batcher import INLINE_COMMENTS
from moderation.service.body import read_body, validate
from moderation.service.errors import ApiError
from moderation.service.schemas import ExplainRequest, ScoreRequest, ScoreResponse, error_responses
from moderation.service.state import ServiceState

SCORE_PATH = "/v1/score"
EXPLAIN_PATH = "/v1/explain"
PERSPECTIVE_PATH = "/v1alpha1/comments:analyze"
ROUTES = (
    "/healthz",
    "/readyz",
    "/metrics",
    "/v1/model",
    SCORE_PATH,
    EXPLAIN_PATH,
    PERSPECTIVE_PATH,
    "/openapi.json",
)
T = TypeVar("T")
router = APIRouter()
_POST_ERRORS = error_responses(400, 401, 408, 413, 415, 422)


def json_body(model_name: str) -> dict[str, Any]:
    """``openapi_extra`` documenting a JSON body that the route reads itself."""
    schema = {"$ref": f"#/components/schemas/{model_name}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    if not state.ready:
        raise ApiError(503, "the scoring thread is not running", "not_ready")
    return state


async def _off_loop(inline: bool, function: Callable[..., T], *args: Any) -> T:
    """``function(*args)``: inline for a small request without the index (well under a
    millisecond: it spares two thread hand-offs, each of which can wait for the GIL behind the
    scorer); otherwise in a worker thread, so that the event loop goes on answering (the index
    may wait for another worker's lock and for the disk)."""
    if inline:
        return function(*args)
    return await run_in_threadpool(function, *args)


def _marked_rows(state: ServiceState, verdicts: list) -> bytes:
    """Duplicates filled, then the response body (one trip to a worker thread for both)."""
    return judging.rows_json(state.duplicates.mark(verdicts))


def _json(value: Any) -> Response:
    return Response(json.dumps(value, ensure_ascii=False), media_type="application/json")


@router.get("/healthz", summary="The process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The model is loaded and scoring runs")
async def readyz(request: Request) -> Response:
    state: ServiceState = request.app.state.service
    if not state.ready:
        return JSONResponse({"status": "not ready"}, status_code=503)
    return JSONResponse({"status": "ready", "sha256": state.moderator.metadata.get("sha256")})


@router.get("/v1/model", summary="The model card: version, checksum, labels, thresholds, metrics")
async def model(request: Request) -> Response:
    return _json(request.app.state.service.model_card())


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    body = await run_in_threadpool(request.app.state.service.metrics.render)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


@router.post(
    SCORE_PATH,
    summary="Judge comments, one `moderation score` row each",
    openapi_extra=json_body("ScoreRequest"),
    responses={200: {"model": ScoreResponse}, **_POST_ERRORS},
)
async def score(request: Request) -> Response:
    state = _state(request)
    config = state.config
    body = await read_body(request, config.max_body_bytes, config.body_timeout)
    parsed = validate(body, ScoreRequest)
    if len(parsed.comments) > config.max_comments:
        raise ApiError(
            413,
            f"{len(parsed.comments)} comments in one request; this server takes at most "
            f"{config.max_comments}: split the batch",
            "too_many_comments",
        )
    small = len(parsed.comments) <= INLINE_COMMENTS
    items = await _off_loop(small, judging.scoring_items, state.moderator, parsed)
    verdicts = await state.batcher.score(items)
    payload = await _off_loop(small and config.index_path is None, _marked_rows, state, verdicts)
    state.metrics.comments.labels(SCORE_PATH).inc(len(items))
    return Response(payload, media_type="application/json")


@router.post(
    EXPLAIN_PATH,
    summary="The n-grams behind every decision on one comment",
    openapi_extra=json_body("ExplainRequest"),
    responses=_POST_ERRORS,
)
async def explain(request: Request) -> Response:
    state = _state(request)
    body = await read_body(request, state.config.max_body_bytes, state.config.body_timeout)
    parsed = validate(body, ExplainRequest)
    result = await run_in_threadpool(
        judging.explanation, state.moderator, parsed.text, parsed.target, parsed.top
    )
    state.metrics.comments.labels(EXPLAIN_PATH).inc()
    return _json(result)


@router.post(
    PERSPECTIVE_PATH,
    summary="Perspective API's comments:analyze (THREAT and SPAM)",
    openapi_extra=json_body("AnalyzeCommentRequest"),
    responses={200: {"model": perspective.AnalyzeCommentResponse}, **_POST_ERRORS},
)
async def analyze(request: Request) -> Response:
    state = _state(request)
    body = await read_body(request, state.config.max_body_bytes, state.config.body_timeout)
    parsed = validate(body, perspective.AnalyzeCommentRequest, code=400)
    judged = state.moderator.languages
    perspective.check(parsed, judged)
    items, spans = perspective.scoring_items(parsed)
    if len(spans) > state.config.max_comments:
        raise ApiError(
            413,
            f"comment.text has {len(spans)} sentences; span scores are given for at most "
            f"{state.config.max_comments}",
            "too_many_comments",
        )
    # Languages named by the request are trusted (as Perspective does): every item is judged.
    verdicts = await state.batcher.score(items, every_language=bool(parsed.languages))
    languages = perspective.response_languages(parsed, verdicts[0])
    state.metrics.comments.labels(PERSPECTIVE_PATH).inc()
    return _json(perspective.response(parsed, languages, verdicts, spans))
