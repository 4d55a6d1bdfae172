"""Real platform exports in ../shared/pages: the hand counts of its README, read through parse."""

from __future__ import annotations

from collections import Counter

import pytest

from moderation.parse import parse
from moderation.records import Article, Comment, Record, Rejection, Unloaded
from tests.support import SHARED

PAGES = SHARED / "pages"

pytestmark = pytest.mark.shared


def read(*parts: str, **settings: object) -> list[Record]:
    path = PAGES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not there: the real exports live in ../shared/pages")
    return list(parse(path, **settings))


def comments_of(items: list[Record]) -> list[Comment]:
    return [item for item in items if isinstance(item, Comment)]


def assert_parents_resolve(comments: list[Comment]) -> None:
    ids = [c.id for c in comments]
    assert len(ids) == len(set(ids)), "comment ids must be unique in an export"
    assert all(c.parent_id in ids for c in comments if c.parent_id is not None)


def test_isso_disqus_six_posts_two_replies_one_deleted() -> None:
    items = read("disqus", "isso-disqus.xml", articles=True)
    assert not any(isinstance(item, Rejection) for item in items)
    comments = comments_of(items)
    assert len(comments) == 6
    assert sum(c.parent_id is not None for c in comments) == 2
    assert_parents_resolve(comments)
    deleted = [c for c in comments if c.deleted]
    assert len(deleted) == 1 and deleted[0].text == ""
    assert all(c.format == "disqus" for c in comments)
    assert "Hello, World." in [c.text for c in comments]  # CDATA HTML as plain text
    assert not any("<p>" in c.text for c in comments)
    articles = [item for item in items if isinstance(item, Article)]
    assert "Hello, World!" in [a.title for a in articles]


def test_yesilmavihayat_disqus_fifty_one_posts_two_deleted() -> None:
    items = read("disqus", "yesilmavihayat-disqus-export.xml")
    assert not any(isinstance(item, Rejection) for item in items)
    comments = comments_of(items)
    assert len(comments) == 51
    assert sum(c.deleted for c in comments) == 2
    assert all(c.parent_id is None for c in comments)
    assert len({c.article_id for c in comments}) == 1
    assert any("🙏" in c.text for c in comments)


def test_wordpress_theme_unit_test_thirty_three_comments() -> None:
    items = read("wxr", "wordpress-importer-theme-unit-test-data.xml")
    assert not any(isinstance(item, Rejection) for item in items)
    comments = comments_of(items)
    assert len(comments) == 33
    assert Counter(c.approved for c in comments) == {True: 30, False: 3}
    kinds = Counter(c.kind for c in comments)
    assert kinds["pingback"] == 2 and kinds["trackback"] == 2
    assert sum(c.parent_id is not None for c in comments) == 10
    assert_parents_resolve(comments)
    assert all(c.format == "wxr" and c.created_at for c in comments)


def test_isso_wordpress_eight_comments_three_replies() -> None:
    comments = comments_of(read("wxr", "isso-wordpress.xml"))
    assert len(comments) == 8
    assert sum(c.parent_id is not None for c in comments) == 3
    assert_parents_resolve(comments)  # comment_id 11 appears in two posts
    assert "When you have a comment with multiple lines:" in comments[5].text


def test_graw_reddit_thread_comments_and_unloaded_stubs() -> None:
    items = read("json", "graw-reddit-thread.json", articles=True)
    assert not any(isinstance(item, Rejection) for item in items)
    comments = comments_of(items)
    assert len(comments) == 199
    assert_parents_resolve(comments)
    unloaded = [item for item in items if isinstance(item, Unloaded)]
    assert len(unloaded) == 125
    assert all(u.count >= 0 and u.article_id == "t3_1cebxh" for u in unloaded)
    ids = {c.id for c in comments}
    assert not ids & {name for u in unloaded for name in u.ids}, "stubs must not become comments"
    (article,) = [item for item in items if isinstance(item, Article)]
    assert article.id == "t3_1cebxh" and article.title
    assert all(c.created_at and c.created_at.endswith("Z") for c in comments)
    assert not any("&gt;" in c.text or "&amp;" in c.text for c in comments)


def test_isso_generic_json_two_comments() -> None:
    items = read("json", "isso-generic.json", articles=True)
    assert not any(isinstance(item, Rejection) for item in items)
    comments = comments_of(items)
    assert len(comments) == 2
    assert any("free online poker" in c.text for c in comments)
    assert len({c.id for c in comments}) == 2
    assert len([item for item in items if isinstance(item, Article)]) == 2
    assert all(c.format == "json" for c in comments)
