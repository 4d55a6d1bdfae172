"""`moderation review` as a user runs it: a real server process on 127.0.0.1 that prints its
address first, refuses requests without the token, and keeps decisions through a kill."""

from __future__ import annotations

import re
import sqlite3
import urllib.request

from tests.review.support import Server, small_queue, write_dump


def test_serves_the_queue_behind_the_token(tmp_path) -> None:
    dump = write_dump(tmp_path / "out.jsonl", small_queue())
    server = Server([dump], tmp_path / "review.sqlite")
    try:
        stranger = urllib.request.build_opener()  # no cookie, no token
        for path in ("/", "/dashboard", "/comment/1", "/static/review.css", "/chart/time.png"):
            assert server.get(path, opener=stranger)[0] == 403, path
        assert server.get("/?token=not-it", opener=stranger)[0] == 403
        server.login()
        status, page = server.get("/")
        assert status == 200
        actions = re.findall(r'<article class="card action-(\w+)"', page)
        assert actions[:9] == ["remove"] + ["review"] * 8 and set(actions[9:]) == {"approve"}
    finally:
        server.stop()
    assert "out.jsonl: 11 comments loaded" in server.stderr()


def test_decisions_survive_a_killed_server(tmp_path) -> None:
    dump, db = write_dump(tmp_path / "out.jsonl", small_queue()), tmp_path / "review.sqlite"
    server = Server([dump], db)
    try:
        csrf = server.login()
        answer = server.post("/decide", {"key": "2", "op": "remove"}, csrf)
        assert answer["states"][0]["decision"] == "remove"  # what the page shows as saved
        server.post("/decide", {"key": "2", "op": "toggle:spam"}, csrf)
    finally:
        server.stop(kill=True)  # SIGKILL: no shutdown, no flush
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT op, reviewer FROM decisions ORDER BY id").fetchall()
    assert rows == [("remove", "tester"), ("toggle:spam", "tester")]
    again = Server([dump], db)
    try:
        again.login()
        _, undecided = again.get("/")
        _, decided = again.get("/?status=decided")
        assert 'id="c2"' not in undecided and 'id="c2"' in decided
        assert "removed · spam yes" in decided
    finally:
        again.stop()
    assert "11 comments already in the database" in again.stderr()


def test_another_address_is_warned_about(tmp_path) -> None:
    dump = write_dump(tmp_path / "out.jsonl", small_queue())
    server = Server([dump], tmp_path / "review.sqlite", "--host", "127.0.0.2")
    try:
        assert server.first_line.startswith("review: http://127.0.0.2:")
    finally:
        server.stop()
    assert "warning: listening on 127.0.0.2" in server.stderr()


def test_a_file_that_is_not_a_score_output_is_a_clean_error(tmp_path) -> None:
    from click.testing import CliRunner

    from moderation.cli import main

    page = tmp_path / "page.jsonl"
    page.write_text('{"record": "article", "id": "a1"}\n', encoding="utf-8")
    db = tmp_path / "review.sqlite"
    result = CliRunner().invoke(main, ["review", str(page), "--db", str(db), "--no-open"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no scored comment could be read" in result.stderr
    assert "page.jsonl:1: a scored row needs 'id' and 'text'" in result.stderr  # and why
    assert result.stdout == ""  # no address: nothing was served
