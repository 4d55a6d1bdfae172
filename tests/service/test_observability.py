"""/healthz, /readyz, /v1/model, /metrics and /openapi.json; a worker warmed before it serves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.service.conftest import COMMENTS
from tests.service.live import free_port
from tests.support import ROOT


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_health_and_readiness(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and len(ready["sha256"]) == 64


def test_model_card(client, moderator) -> None:
    card = client.get("/v1/model").json()
    assert card["sha256"] == moderator.metadata["sha256"]
    assert card["version"] == moderator.metadata["versions"]["moderation"]
    assert card["labels"] == moderator.metadata["labels"]
    assert card["thresholds"] == moderator.thresholds
    assert card["metrics"]["spam"] == moderator.metadata["heads"]["spam"]["cv_metrics"]


def test_metrics_count_requests_comments_latency_and_rejections(make_client) -> None:
    with make_client(max_comments=4) as client:
        for _ in range(3):
            assert client.post("/v1/score", json={"comments": COMMENTS[:2]}).status_code == 200
        assert client.post("/v1/score", json={"comments": COMMENTS[:5]}).status_code == 413
        client.post("/v1/score", content=b"{", headers={"Content-Type": "application/json"})
        response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    score = (("method", "POST"), ("route", "/v1/score"))
    assert samples[("moderation_http_requests_total", (*score, ("status", "200")))] == 3
    assert samples[("moderation_http_requests_total", (*score, ("status", "413")))] == 1
    assert samples[("moderation_comments_total", (("route", "/v1/score"),))] == 6
    assert samples[("moderation_rejections_total", (("reason", "too_many_comments"),))] == 1
    assert samples[("moderation_rejections_total", (("reason", "invalid_json"),))] == 1
    count = ("moderation_http_request_duration_seconds_count", (("route", "/v1/score"),))
    assert samples[count] == 5


def test_openapi_schema_and_no_page_loading_from_outside(client) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/v1/score", "/v1/explain", "/v1alpha1/comments:analyze"} <= set(schema["paths"])
    body = schema["paths"]["/v1/score"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"] == "#/components/schemas/ScoreRequest"
    assert "CommentIn" in schema["components"]["schemas"]
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404


@pytest.mark.slow
def test_two_workers_share_metrics_and_the_index(tmp_path) -> None:
    """`moderation serve --workers 2`: /metrics sums both workers; a campaign sent to
    whichever worker answers is found through the index."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", "from moderation.cli import main; main()", "serve"]
    command += ["--port", str(port)]
    command += ["--workers", "2", "--index", str(tmp_path / "index.sqlite")]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        rows = []
        for number in range(12):  # new connections: either worker may answer each
            body = {"comments": [{"id": f"m{number}", "text": COMMENTS[2]["text"]}]}
            rows.append(httpx.post(f"{base}/v1/score", json=body, timeout=30).json())
        metrics = _samples(httpx.get(f"{base}/metrics", timeout=30).text)
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)
    assert [row["verdicts"][0]["duplicate_of"] for row in rows] == [None] + ["m0"] * 11
    key = (("method", "POST"), ("route", "/v1/score"), ("status", "200"))
    assert metrics[("moderation_http_requests_total", key)] == 12


def test_a_worker_loads_the_language_tables_and_scores_once_before_serving(
    make_client, moderator, monkeypatch
) -> None:
    """The detector's tables load lazily: the app loads them (and runs every scoring step
    once) when it starts, so that no request waits for them."""
    from moderation.service import judging

    calls = []
    real_ranker, real_score = judging.ranker, moderator.score_items

    def ranker():
        calls.append("tables")
        return real_ranker()

    def score_items(items, *args, **settings):
        calls.append([item.text for item in items])
        return real_score(items, *args, **settings)

    monkeypatch.setattr(judging, "ranker", ranker)
    monkeypatch.setattr(moderator, "score_items", score_items)
    with make_client() as client:
        assert calls == ["tables", list(judging.WARM_UP_TEXTS)]  # before any request
        client.post("/v1/score", json={"comments": COMMENTS[:1]})
        assert calls[2:] == [[COMMENTS[0]["text"]]]


def test_a_serving_worker_puts_what_it_loaded_out_of_the_collectors_reach(moderator) -> None:
    """`moderation serve`'s workers freeze what is alive after the warm-up (a full garbage
    collection walked the model and the libraries and stalled the worker's requests); an app
    built for tests or embedding leaves the process's collector alone."""
    import gc

    from moderation.service.app import create_app
    from moderation.service.config import ServiceConfig
    from tests.service.conftest import BASE_URL, TestClient

    gc.unfreeze()
    with TestClient(create_app(ServiceConfig(), moderator), base_url=BASE_URL) as client:
        assert client.get("/readyz").status_code == 200
        assert gc.get_freeze_count() == 0
    try:
        app = create_app(ServiceConfig(), moderator, freeze=True)
        with TestClient(app, base_url=BASE_URL) as client:
            assert gc.get_freeze_count() > 10_000  # the model, tables and modules
            assert client.post("/v1/score", json={"comments": COMMENTS[:1]}).status_code == 200
    finally:
        gc.unfreeze()


def test_fastapi_telemetry_stays_off_whatever_the_environment_says(
    make_client, monkeypatch, caplog
) -> None:
    """FastAPI would configure OpenTelemetry exporters from the environment (and send data to a
    collector); the service never lets it."""
    monkeypatch.setenv("FASTAPI_OTEL_AUTO_CONFIGURE", "true")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")
    with caplog.at_level("WARNING"), make_client() as client:
        assert client.get("/healthz").status_code == 200
    assert not [r for r in caplog.records if "telemetry" in r.getMessage().lower()]
