"""The web application in-process: the token on every path, CSRF and origin checks on
changes, the Content-Security-Policy, escaping of hostile comments, pages and charts."""

from __future__ import annotations

import re
import warnings

import pytest

from moderation.review import decisions
from moderation.review.app import Settings, create_app
from moderation.review.priority import Thresholds
from moderation.review.store import load_dump, open_store
from tests.review.support import HOSTILE_TEXTS, scored, small_queue, write_dump

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from starlette.testclient import TestClient

THRESHOLDS = Thresholds({"spam": 0.137, "incitement": 0.306}, {"spam": 0.71, "incitement": 0.88})
BASE = "http://127.0.0.1:8765"
PATHS = ("/", "/dashboard", "/comment/1", "/chart/dumps.png", "/static/review.js", "/nowhere")


@pytest.fixture
def setup(tmp_path):
    rows = [*small_queue(), scored("t1", "dated", created_at="2026-03-01T10:00:00Z")]
    rows.append(scored("t2", "dated too", stance="pro_ukraine", created_at="2026-03-02"))
    db = tmp_path / "r.sqlite"
    connection = open_store(db)
    dump = load_dump(connection, write_dump(tmp_path / "s.jsonl", rows), THRESHOLDS).dump_id
    settings = Settings(db, (dump,), "ann", "the-token", "the-csrf")
    yield TestClient(create_app(settings), base_url=BASE), connection


def _login(client) -> None:
    answer = client.get("/?token=the-token", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert "HttpOnly" in answer.headers["set-cookie"]
    assert "SameSite=Strict" in answer.headers["set-cookie"]


def test_every_path_answers_403_without_the_token(setup) -> None:
    client, _ = setup
    for path in PATHS:
        assert client.get(path).status_code == 403, path
        assert client.get(path + "?token=wrong").status_code == 403, path
    assert client.post("/decide", data={"key": "1", "op": "approve"}).status_code == 403
    client.cookies.set("review_token_8765", "wrong")
    assert client.get("/").status_code == 403


def test_the_token_becomes_a_cookie_and_pages_carry_a_csp(setup) -> None:
    client, _ = setup
    _login(client)
    answer = client.get("/")
    assert answer.status_code == 200
    policy = answer.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "default-src 'none'" in policy and "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy and "http" not in policy
    scripts = re.findall(r"<script[^>]*>", answer.text)
    assert scripts == [f'<script src="/static/review.js" nonce="{nonce}">']
    assert answer.headers["x-frame-options"] == "DENY"
    assert client.get("/static/review.js").status_code == 200
    assert client.get("/").headers["content-security-policy"] != policy  # a nonce per page


def test_hostile_comments_are_escaped(setup) -> None:
    client, connection = setup
    _login(client)
    page = client.get("/?status=all").text + client.get("/comment/8").text
    for text in HOSTILE_TEXTS:
        assert text not in page
    assert "<script>document" not in page and "<img" not in page
    assert "</textarea><" not in page and 'onerror="' not in page
    assert 'href="javascript:' not in page.lower() and "href='javascript:" not in page.lower()
    assert "&lt;script&gt;document.title=" in page
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs and all(h.startswith(("/", "?")) for h in hrefs), hrefs


def test_queue_shows_remove_and_review_first(setup) -> None:
    client, _ = setup
    _login(client)
    page = client.get("/").text
    actions = re.findall(r'<article class="card action-(\w+)"', page)
    assert actions[0] == "remove" and set(actions[1:9]) == {"review"}
    assert set(actions[9:]) == {"approve"}
    assert '<mark class="why why-incitement" title="incitement">nuke</mark>' in page
    assert "campaign: 3 copies" in page and "in reply to c1" in page


def test_changes_need_the_csrf_token_and_the_same_origin(setup) -> None:
    client, connection = setup
    _login(client)
    form = {"key": "1", "op": "approve"}
    assert client.post("/decide", data=form).status_code == 403
    assert client.post("/decide", data={**form, "csrf": "nope"}).status_code == 403
    hostile = client.post(
        "/decide", data={**form, "csrf": "the-csrf"}, headers={"Origin": "http://evil.example"}
    )
    assert hostile.status_code == 403
    assert connection.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0
    answer = client.post(
        "/decide",
        data={**form, "csrf": "the-csrf", "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    rows = connection.execute("SELECT op, reviewer FROM decisions").fetchall()
    assert [tuple(row) for row in rows] == [("approve", "ann")]


def test_json_decisions_bulk_and_undo(setup) -> None:
    client, connection = setup
    _login(client)
    headers = {"Accept": "application/json", "X-CSRF-Token": "the-csrf"}
    key = connection.execute("SELECT key FROM comments WHERE id = 'c6'").fetchone()[0]
    answer = client.post("/bulk", data={"key": str(key), "op": "remove"}, headers=headers)
    states = answer.json()["states"]
    assert len(states) == 3 and {s["text"] for s in states} == {"removed · spam yes"}
    answer = client.post("/undo", headers=headers)
    assert {s["text"] for s in answer.json()["states"]} == {"undecided"}
    bad = client.post("/decide", data={"key": str(key), "op": "explode"}, headers=headers)
    assert bad.status_code == 400 and "unknown decision" in bad.json()["error"]
    missing = client.post("/decide", data={"key": "999", "op": "approve"}, headers=headers)
    assert missing.status_code == 400


def test_comment_page_dashboard_and_charts(setup) -> None:
    client, connection = setup
    _login(client)
    key = connection.execute("SELECT key FROM comments WHERE id = 'c5'").fetchone()[0]
    decisions.decide(connection, key, "remove", "ann")
    page = client.get(f"/comment/{key}").text
    assert "Campaign: 3 copies" in page and "Thread of article a2" in page and "bot1" in page
    board = client.get("/dashboard").text
    assert "Largest campaigns" in board and "/chart/time.png" in board
    assert re.search(r"<td>spam</td><td>1</td><td>1</td>", board)  # removed as flagged: agrees
    for name in ("dumps", "articles", "time", "agreement", "campaigns"):
        chart = client.get(f"/chart/{name}.png")
        assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG"), name
    assert client.get("/chart/other.png").status_code == 404
    assert client.get("/?status=bogus").status_code == 400
    assert client.get("/comment/0").status_code == 400
