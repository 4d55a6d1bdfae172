"""The review web application (Starlette): the queue, a comment's page, the dashboard, and the
POST endpoints that record decisions.

Every request opens its own SQLite connection (requests run on worker threads) and every
decision is committed before the answer goes back, so what the page shows as saved is on disk.
Templates are Jinja2 with autoescaping; the only script is ``static/review.js``.
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from moderation.labels import FLAGS
from moderation.review import dashboard, decisions, queue
from moderation.review.security import CSRF_FIELD, CSRF_HEADER, GuardMiddleware, csrf_ok
from moderation.review.store import ReviewError, connect
from moderation.review.views import cards, model_flags, state_json

HERE = Path(__file__).resolve().parent
MAX_FORM_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Settings:
    """What the application serves: the store, the dumps under review, who decides."""

    db: Path
    dump_ids: tuple[int, ...]
    reviewer: str
    token: str
    csrf: str


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["query"] = lambda params: urlencode(
        {k: v for k, v in params.items() if v not in ("", None)}
    )
    return environment


class ReviewApp:
    """The endpoints, bound to one :class:`Settings`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.templates = _environment()

    @contextlib.contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        connection = connect(self.settings.db)
        try:
            yield connection
        finally:
            connection.close()

    def render(self, request: Request, name: str, status: int = 200, **context: object) -> Response:
        page = self.templates.get_template(name).render(
            nonce=request.scope["state"]["nonce"],
            csrf=self.settings.csrf,
            reviewer=self.settings.reviewer,
            flags=FLAGS,
            **context,
        )
        return HTMLResponse(page, status_code=status)

    # -- pages ------------------------------------------------------------------------------

    def queue_page(self, request: Request) -> Response:
        filters = queue.QueueFilter.from_params(request.query_params)
        number = _positive(request.query_params.get("page", "1"), "page")
        with self.connection() as connection:
            rows, total = queue.page(connection, filters, self.settings.dump_ids, number)
            shown = cards(connection, rows)
        return self.render(
            request,
            "queue.html",
            cards=shown,
            filters=filters,
            total=total,
            page=number,
            pages=max(1, -(-total // queue.PAGE_SIZE)),
            first=(number - 1) * queue.PAGE_SIZE,
            statuses=queue.STATUSES,
            actions=queue.ACTIONS,
            here=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        )

    def comment_page(self, request: Request) -> Response:
        key = _positive(request.path_params["key"], "key")
        with self.connection() as connection:
            row = queue.comment(connection, key)
            if row["dump_id"] not in self.settings.dump_ids:
                raise ReviewError(f"comment {key} is not in the dumps under review")
            return self.render(
                request,
                "comment.html",
                item=cards(connection, [row])[0],
                thread=cards(connection, queue.thread(connection, row)),
                members=queue.cluster_members(connection, row),
                history=decisions.history(connection, key),
                here=f"/comment/{key}",
            )

    def dashboard_page(self, request: Request) -> Response:
        ids = self.settings.dump_ids
        with self.connection() as connection:
            per_dump = dashboard.per_dump(connection, ids)
            articles = dashboard.top_articles(dashboard.counts(connection, ids, "article_id"))
            return self.render(
                request,
                "dashboard.html",
                per_dump=per_dump,
                articles=articles,
                has_times=bool(dashboard.stances_over_time(connection, ids)),
                campaigns=dashboard.campaigns(connection, ids),
                agreement=dashboard.agreement(connection, ids),
            )

    def chart(self, request: Request) -> Response:
        from moderation.review import charts

        name, ids = request.path_params["name"], self.settings.dump_ids
        with self.connection() as connection:
            if name == "dumps":
                png = charts.actions_chart(dashboard.per_dump(connection, ids), "Actions per dump")
            elif name == "articles":
                groups = dashboard.top_articles(dashboard.counts(connection, ids, "article_id"))
                png = charts.actions_chart(groups[:15], "Actions per article (most comments)")
            elif name == "time":
                png = charts.stance_time_chart(dashboard.stances_over_time(connection, ids))
            elif name == "agreement":
                png = charts.agreement_chart(dashboard.agreement(connection, ids))
            elif name == "campaigns":
                png = charts.campaigns_chart(dashboard.campaigns(connection, ids))
            else:
                return Response("no such chart", status_code=404, media_type="text/plain")
        return Response(png, media_type="image/png")

    # -- decisions --------------------------------------------------------------------------

    async def _form(self, request: Request) -> dict[str, str]:
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            raise ReviewError("form too large")
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        if not csrf_ok(request.headers.get(CSRF_HEADER), form, self.settings.csrf):
            raise PermissionError("missing or wrong CSRF token: reload the page")
        return form

    def _answer(self, request: Request, form: dict[str, str], keys: Sequence[int]) -> Response:
        if "application/json" in request.headers.get("accept", ""):
            with self.connection() as connection:
                states = []
                for key in keys:
                    row = queue.comment(connection, key)
                    state = decisions.state_of(connection, key)
                    states.append(state_json(key, state, model_flags(row)))
            return JSONResponse({"states": states})
        return RedirectResponse(_local(form.get("next", "/")), status_code=303)

    async def decide(self, request: Request) -> Response:
        form = await self._form(request)
        key = _positive(form.get("key", ""), "key")
        with self.connection() as connection:
            self._check_key(connection, key)
            decisions.decide(connection, key, form.get("op", ""), self.settings.reviewer)
        return self._answer(request, form, [key])

    async def bulk(self, request: Request) -> Response:
        form = await self._form(request)
        key = _positive(form.get("key", ""), "key")
        with self.connection() as connection:
            self._check_key(connection, key)
            keys = decisions.decide_cluster(
                connection, key, form.get("op", ""), self.settings.reviewer
            )
        return self._answer(request, form, keys)

    async def undo(self, request: Request) -> Response:
        form = await self._form(request)
        with self.connection() as connection:
            keys = decisions.undo(connection, self.settings.reviewer)
        return self._answer(request, form, keys)

    def _check_key(self, connection: sqlite3.Connection, key: int) -> None:
        if queue.comment(connection, key)["dump_id"] not in self.settings.dump_ids:
            raise ReviewError(f"comment {key} is not in the dumps under review")


def _positive(value: str, name: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ReviewError(f"{name}={value[:40]!r}: use a whole number from 1")
    return int(value)


def _local(target: str) -> str:
    """A redirect target on this server only: a path, never ``//host`` or a scheme."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def create_app(settings: Settings) -> GuardMiddleware:
    """The ASGI application: the routes behind the token and CSP guard."""
    review = ReviewApp(settings)

    async def failed(request: Request, error: Exception) -> Response:
        status = 403 if isinstance(error, PermissionError) else 400
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"error": str(error)}, status_code=status)
        return review.render(request, "error.html", status=status, message=str(error))

    routes = [
        Route("/", review.queue_page),
        Route("/comment/{key}", review.comment_page),
        Route("/dashboard", review.dashboard_page),
        Route("/chart/{name}.png", review.chart),
        Route("/decide", review.decide, methods=["POST"]),
        Route("/bulk", review.bulk, methods=["POST"]),
        Route("/undo", review.undo, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    handlers = {ReviewError: failed, PermissionError: failed}
    app = Starlette(routes=routes, exception_handlers=handlers)  # type: ignore[arg-type]
    return GuardMiddleware(app, settings.token)


def new_secret() -> str:
    """A fresh access or CSRF token."""
    return secrets.token_urlsafe(24)


__all__ = ["CSRF_FIELD", "Settings", "create_app", "new_secret"]
