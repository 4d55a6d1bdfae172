"""Prometheus metrics of the service, and one access-log line per request.

Metrics: requests by route, method and status; comments judged by route; request latency (a
histogram by route); rejections by reason (too large, invalid JSON, timeout, no key ...);
requests in flight. With several workers, each process writes its values to files in a
directory shared by all (prometheus-client's multiprocess mode, the directory named by
``PROMETHEUS_MULTIPROC_DIR``); ``/metrics``, whichever worker answers it, sums the counters
and histograms of every worker, those that have exited included, and the in-flight gauge of
the live ones.

The access log never holds the query string (it may carry ``?key=``) or any comment text.
"""

from __future__ import annotations

import logging
import os
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from moderation.service.auth import REJECTION_KEY

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
access_log = logging.getLogger("moderation.service.access")


class Metrics:
    """The service's metrics, in a registry of their own (several apps may share a process).

    Parameters
    ----------
    routes : iterable of str
        Route paths used as labels; any other path is counted as ``other``.
    """

    def __init__(self, routes: tuple[str, ...]) -> None:
        self.routes = frozenset(routes)
        self.multiprocess_dir = os.environ.get(MULTIPROCESS_VARIABLE)
        self.registry = CollectorRegistry()
        registry = self.registry
        self.requests = Counter(
            "moderation_http_requests",
            "HTTP requests answered, by route, method and status.",
            ["route", "method", "status"],
            registry=registry,
        )
        self.comments = Counter(
            "moderation_comments", "Comments judged, by route.", ["route"], registry=registry
        )
        self.latency = Histogram(
            "moderation_http_request_duration_seconds",
            "Time from request start to response end, by route.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.rejections = Counter(
            "moderation_rejections",
            "Requests refused with a 4xx, by reason.",
            ["reason"],
            registry=registry,
        )
        self.in_flight = Gauge(
            "moderation_http_requests_in_flight",
            "Requests being handled.",
            registry=registry,
            multiprocess_mode="livesum",
        )

    def route(self, path: str) -> str:
        return path if path in self.routes else "other"

    def render(self) -> bytes:
        """The metrics in Prometheus text format (of every worker in multiprocess mode)."""
        if self.multiprocess_dir:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=self.multiprocess_dir)
            return generate_latest(registry)
        return generate_latest(self.registry)


class ObserveMiddleware:
    """Count, time and log every HTTP request (outermost, so refusals are counted too)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        route = self.metrics.route(scope["path"])

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, observed_send)
        finally:
            self.metrics.in_flight.dec()
            elapsed = time.perf_counter() - start
            self.metrics.requests.labels(route, scope["method"], str(status)).inc()
            self.metrics.latency.labels(route).observe(elapsed)
            reason = scope.get(REJECTION_KEY)
            if reason is not None:
                self.metrics.rejections.labels(reason).inc()
            client = scope.get("client") or ("-", 0)
            access_log.info(
                '%s "%s %s" %d %.1f ms', client[0], scope["method"], route, status, elapsed * 1e3
            )
