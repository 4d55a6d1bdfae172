"""The HTML reader on every real page in ../shared/pages (html/ and html-more/).

Read in place and skipped when the shared folder is not beside the checkout. The gold is
``html-more-gold.json`` (see ../shared/pages/README.md): comment snippets must each lie in one
extracted comment, article snippets in none.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from moderation.parse import parse
from moderation.parse.dates import find_date
from moderation.records import Comment
from tests.support import SHARED

PAGES = SHARED / "pages"
pytestmark = pytest.mark.shared

# Toolbar words a comment's own text never is, line by line (case-folded).
TOOLBAR = {
    "reply",
    "antworten",
    "antwort",
    "melden",
    "report",
    "like",
    "gefällt mir",
    "zitieren",
    "quote",
    "répondre",
    "responder",
    "löschen",
    "delete",
    "permalink",
    "[ antworten ]",
    "antworten | melden",
    "reply · report",
}


def _pages() -> list[Path]:
    if not PAGES.is_dir():
        return []
    return sorted(PAGES.joinpath("html").glob("*.html")) + sorted(
        PAGES.joinpath("html-more").glob("*.html")
    )


@cache
def _comments(path: Path) -> tuple[Comment, ...]:
    records = list(parse(path, format="html"))
    return tuple(r for r in records if isinstance(r, Comment))


def _collapse(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("path", _pages(), ids=lambda p: p.name)
def test_no_comment_keeps_its_header_line_or_toolbar(path: Path) -> None:
    for comment in _comments(path):
        lines = [line.strip() for line in comment.text.split("\n") if line.strip()]
        for line in lines:
            folded = line.casefold()
            assert folded not in TOOLBAR, (comment.id, line)
            assert not re.fullmatch(r"[+-]?\d+\s*(likes?|votes?|points?)?", folded), (
                comment.id,
                line,
            )
            if comment.author and len(line) <= 100 and comment.author in line:
                assert find_date(line) is None, (comment.id, line)
        if comment.author and lines:
            assert lines[0] != comment.author, comment.id


def test_html_more_gold_recall_and_no_article_text_in_comments() -> None:
    gold_path = PAGES / "html-more-gold.json"
    if not gold_path.is_file():
        pytest.skip(f"{gold_path} is not there (../shared beside the checkout)")
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    wanted = hits = articles = article_hits = 0
    for name, entry in gold.items():
        found = _comments(PAGES / "html-more" / name)
        texts = [_collapse(f"{c.title or ''} {c.text}") for c in found]  # the title apart
        authors = {_collapse(c.author or "") for c in found}
        for snippet in entry["comments"]:
            wanted += 1
            snip = _collapse(snippet)
            hits += snip in authors or any(snip in text for text in texts)
        for snippet in entry["article"]:
            articles += 1
            article_hits += any(_collapse(snippet) in text for text in texts)
    assert hits / wanted >= 0.95, (hits, wanted)
    assert article_hits / articles <= 0.02, (article_hits, articles)
