"""Scored rows as `moderation score` writes them, made up for the review tests, and a review
server run as a real process (`python -m moderation review ...`)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from moderation.pipeline.writers import RowWriter
from moderation.review.priority import Thresholds
from tests.support import ROOT

# The bundled model's review thresholds: the rows' flags and the queue's order follow them.
THRESHOLDS = Thresholds.from_card().review

HOSTILE_TEXTS = (
    "<script>document.title='pwned'</script> subscribe to my channel",
    "</textarea><img src=x onerror=\"document.title='pwned'\"> check my channel",
    "<a href=\"javascript:document.title='pwned'\">free gift cards</a>",
    "javascript:document.title='pwned' click here",
)


def scored(
    ident: str,
    text: str,
    *,
    action: str = "approve",
    spam: float = 0.01,
    incitement: float = 0.01,
    stance: str = "neutral",
    scores: tuple[float, float, float] = (0.8, 0.1, 0.1),
    article: str | None = "a1",
    parent: str | None = None,
    cluster: str | None = None,
    author: str | None = None,
    created_at: str | None = None,
    reasons: dict[str, list] | None = None,
) -> dict[str, Any]:
    """One row in the field order of Verdict.to_dict, plus author and created_at when given."""
    flags = [f for f, s in (("spam", spam), ("incitement", incitement)) if s >= THRESHOLDS[f]]
    row = {
        "id": ident,
        "text": text,
        "target": "russia_ukraine",
        "stance": stance,
        "stance_scores": dict(zip(("neutral", "pro_russia", "pro_ukraine"), scores, strict=True)),
        "spam": spam,
        "incitement": incitement,
        "flags": flags,
        "action": action,
        "reasons": reasons or {},
        "article_id": article,
        "parent_id": parent,
        "duplicate_of": None,
        "cluster_id": cluster or f"k-{ident}",
        "story_id": None,
        "truncated": False,
    }
    if author is not None:
        row["author"] = author
    if created_at is not None:
        row["created_at"] = created_at
    return row


def not_judged(ident: str, text: str, language: str = "de", **fields: Any) -> dict[str, Any]:
    """A row as `moderation score` writes a comment in a language the model does not judge:
    no stance, no scores, action review, the reason ``unsupported_language``, its language."""
    row = scored(ident, text, action="review", **fields)
    row.update(stance=None, stance_scores={}, spam=None, incitement=None, flags=[])
    row.update(reasons={"unsupported_language": []}, language=language)
    return row


def write_dump(path: Path, rows: Iterable[dict[str, Any]], output_format: str = "jsonl") -> Path:
    """Write rows with the scorer's own writer (JSONL, or CSV with its neutralised cells)."""
    rows = list(rows)
    columns = list(dict.fromkeys(key for row in rows for key in row))  # CSV: every field
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = RowWriter(stream, output_format, columns)
        for row in rows:
            writer.write(row)
    return path


def small_queue() -> list[dict[str, Any]]:
    """A thread with one of each tier, a reply, a three-copy campaign and hostile texts.

    The campaign scores exactly the model's spam threshold, so it is the least certain review
    item and comes first after the remove tier, whatever the bundled model's thresholds.
    """
    rows = [
        scored("c1", "Peace talks now, both sides must stop.", scores=(0.9, 0.05, 0.05)),
        scored(
            "c2",
            "Russia should nuke them all",
            action="remove",
            incitement=0.95,
            stance="pro_russia",
            scores=(0.02, 0.95, 0.03),
            reasons={"incitement": [["nuke", 1.2], ["should", 0.8]]},
            author="ivan",
        ),
        scored("c3", "Not sure what to think of it", scores=(0.4, 0.3, 0.3)),
        scored(
            "c4",
            "Check my channel for the truth",
            action="review",
            spam=0.5,
            reasons={"spam": [["channel", 1.1], ["check my", 0.9]]},
            parent="c1",
        ),
    ]
    for index, author in enumerate(("bot1", "bot2", "bot3"), start=5):
        rows.append(
            scored(
                f"c{index}",
                "Win free crypto at coins.example now",
                action="review",
                spam=THRESHOLDS["spam"],
                cluster="camp",
                article=f"a{index % 2 + 1}",
                author=author,
            )
        )
    for index, text in enumerate(HOSTILE_TEXTS, start=8):
        rows.append(
            scored(
                f"c{index}",
                text,
                action="review",
                spam=0.5,
                author=text[:30],
                reasons={"spam": [["channel", 1.0], ["click here", 0.5]]},
            )
        )
    return rows


class Server:
    """`moderation review` in a subprocess: its address, and a cookie-keeping HTTP opener."""

    def __init__(self, dumps: list[Path], db: Path, *extra: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        command = [
            sys.executable,
            "-m",
            "moderation",
            "review",
            *map(str, dumps),
            "--db",
            str(db),
            "--no-open",
            "--port",
            "0",
            "--reviewer",
            "tester",
            *extra,
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        assert self.process.stdout is not None
        self._stderr: str | None = None
        self.first_line = self.process.stdout.readline().strip()
        match = re.fullmatch(
            r"review: (http://127\.0\.0\.\d+:(\d+)/)\?token=(\S+)", self.first_line
        )
        if match is None:
            self.stop()
            raise AssertionError(f"first line {self.first_line!r}; stderr: {self.stderr()}")
        self.base, self.port, self.token = match.group(1), int(match.group(2)), match.group(3)
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def stderr(self) -> str:
        """What the server wrote on stderr (once it has stopped; empty while it runs)."""
        if self.process.poll() is None or self.process.stderr is None:
            return ""
        if self._stderr is None:
            self._stderr = self.process.stderr.read()
        return self._stderr

    def get(self, path: str, *, opener: Any = None) -> tuple[int, str]:
        try:
            with (opener or self.opener).open(self.base + path.lstrip("/"), timeout=20) as answer:
                return answer.status, answer.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def post(self, path: str, fields: dict[str, str], csrf: str) -> dict[str, Any]:
        body = urllib.parse.urlencode({**fields, "csrf": csrf}).encode()
        request = urllib.request.Request(
            self.base + path.lstrip("/"), data=body, headers={"Accept": "application/json"}
        )
        with self.opener.open(request, timeout=20) as answer:
            return json.loads(answer.read())

    def login(self) -> str:
        """Visit with the token (the cookie is kept); return the page's CSRF token."""
        status, page = self.get(f"/?token={self.token}")
        assert status == 200, page
        return re.search(r'<meta name="csrf" content="([^"]+)">', page).group(1)

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            (self.process.kill if kill else self.process.terminate)()
        self.process.wait(timeout=20)
        self.stderr()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
