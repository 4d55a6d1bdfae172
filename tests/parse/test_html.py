"""The HTML page reader on the project's own hand-written pages, one per comment markup."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from lxml import etree

from moderation.errors import ParseError
from moderation.parse import ParseOptions, comments, parse, selectors
from moderation.parse import htmlpage as htmlpage_module
from moderation.parse.htmlpage import read_html_page
from moderation.parse.query import Query
from moderation.parse.source import Input
from moderation.records import Article, Comment, Rejection
from tests.support import FIXTURES

HTML_FIXTURES = FIXTURES / "html"
ALL_FIXTURES = sorted(path.name for path in HTML_FIXTURES.glob("*.html"))

# Form, widget and navigation text written into the fixtures: never part of a comment.
NOT_COMMENT_TEXT = (
    "Leave a Reply",
    "Your email address will not be published",
    "Required fields are marked",
    "Erforderliche Felder sind mit",
    "Notify me when new comments are added",
    "This site uses Akismet to reduce spam",
    "Write a comment",
    "Kommentar schreiben",
    "Netiquette",
    "Recent Comments",
    "Neueste Kommentare",
    "Post Comment",
    "Share this",
    "Liked by",
    "About",
)
# Toolbar and label words that must never stand as a line of their own in a comment.
TOOLBAR_LINES = {"reply", "antworten", "- antworten", "melden", "report", "like", "edit"}
TOOLBAR_WORDS = ("says:", "sagt:")


def read(name: str) -> list[Article | Comment | Rejection]:
    path = HTML_FIXTURES / name
    return list(read_html_page(Input(str(path), path=path), ParseOptions()))


def comments_of(name: str) -> list[Comment]:
    return [record for record in read(name) if isinstance(record, Comment)]


def by_id(name: str) -> dict[str, Comment]:
    return {comment.id: comment for comment in comments_of(name)}


# --- Per markup ---------------------------------------------------------------------------------


def test_wordpress_nested_thread_with_pingback_and_form() -> None:
    records = read("wordpress_nested.html")
    article = records[0]
    assert isinstance(article, Article)
    assert article.id == "wordpress_nested"
    assert article.title == "Fixing a leaky tap"
    assert article.url == "https://tinker.example/2021/03/leaky-tap/"
    assert article.date == "2021-03-04T09:15:00+00:00"
    assert article.site == "The Tinker Blog"
    assert article.captions == ["The culprit: a worn washer."]
    assert "swap the washer" in article.body
    assert "worn washer" not in article.body  # the caption is kept apart
    assert "Worked first time" not in article.body
    assert "Leave a Reply" not in article.body

    found = by_id("wordpress_nested.html")
    assert list(found) == [f"comment-{n}" for n in range(101, 107)]
    first = found["comment-101"]
    assert first.text == "Worked first time, thanks.\n\nMy washer was completely flat."
    assert found["comment-101"].parent_id is None
    assert found["comment-102"].parent_id == "comment-101"
    assert found["comment-103"].parent_id == "comment-102"
    assert found["comment-104"].parent_id is None
    assert found["comment-101"].author == "Priya"
    assert found["comment-104"].author == "Marco"
    assert found["comment-102"].created_at == "2021-03-04T11:30:00+00:00"
    assert [c.kind for c in found.values()] == ["comment"] * 4 + ["pingback", "trackback"]
    assert "Weekly DIY round-up" in found["comment-105"].text
    assert "Edit" not in found["comment-105"].text
    # a parent's text is its own, not its replies'
    assert "spare washer" not in found["comment-101"].text
    assert all(c.source == str(HTML_FIXTURES / "wordpress_nested.html") for c in found.values())
    assert all(c.format == "html" for c in found.values())
    assert all(c.article_id == "wordpress_nested" for c in found.values())
    assert [c.position for c in found.values()] == [1, 2, 3, 4, 5, 6]


def test_disqus_noscript_fallback_without_declared_charset_reads_utf8() -> None:
    found = comments_of("disqus_noscript.html")
    assert [c.id for c in found] == [f"disqus_noscript/{n}" for n in (1, 2, 3)]
    assert [c.author for c in found] == ["Zoë", "Guest", "Ben"]
    assert found[0].text == "A naïve question: does the café trick with salt in coffee work?"
    assert found[1].text == "Myth #4 took me years to unlearn.\n\nGrüße aus Köln."
    assert all(c.parent_id is None for c in found)


def test_disqus_plugin_list_with_replies_and_pingback() -> None:
    found = comments_of("disqus_plugin.html")
    assert [(c.id, c.parent_id, c.kind) for c in found] == [
        ("dsq-comment-51", None, "comment"),
        ("dsq-comment-52", "dsq-comment-51", "comment"),
        ("disqus_plugin/3", None, "pingback"),
    ]
    assert [c.author for c in found[:2]] == ["Kim", "Rafa"]
    assert found[0].text == "Mind the battery if it stays plugged in for years."


def test_forum_thread_drops_toolbars_and_keeps_nesting() -> None:
    found = by_id("forum_toolbar.html")
    assert {cid: c.parent_id for cid, c in found.items()} == {
        "bb_message_5001": None,
        "bb_message_5002": "bb_message_5001",
        "bb_message_5003": "bb_message_5002",
        "bb_message_5004": None,
    }
    first = found["bb_message_5001"]
    assert first.text == "Endlich! Die Kreuzung am Markt ist lebensgefährlich."
    assert first.author == "Radlerin"
    assert first.created_at == "2022-05-02T08:10:00+02:00"
    assert found["bb_message_5002"].author == "Autofahrer"
    for comment in found.values():
        assert "antworten" not in comment.text
        assert "melden" not in comment.text
        assert comment.author not in comment.text


def test_widget_and_form_only_page_yields_just_the_article() -> None:
    records = read("widget_form_only.html")
    assert len(records) == 1
    article = records[0]
    assert isinstance(article, Article)
    assert article.title == "Zehn Tipps für den Balkongarten • Gartenliebe"
    assert article.date == "2020-04-18T12:00:00+00:00"
    assert article.body.startswith("Tomaten brauchen viel Sonne")
    assert "Erforderliche Felder" not in article.body


def test_wordpress_com_reply_lists_after_the_comment() -> None:
    found = by_id("highlander_siblings.html")
    assert {cid: c.parent_id for cid, c in found.items()} == {
        "comment-201": None,
        "comment-202": "comment-201",
        "comment-203": None,
    }
    assert found["comment-201"].text == "Puddles count as reflections, right?"
    assert found["comment-201"].author == "Ana"
    assert found["comment-201"].created_at == "Jan 3rd at 9:12 am"
    assert found["comment-202"].text == "They absolutely do."
    article = read("highlander_siblings.html")[0]
    assert article.url == "https://photos.example.wordpress.com/challenge/"
    assert article.body == "This week: reflections."


def test_drupal_comments_indented_replies_and_anchor_ids() -> None:
    found = by_id("drupal_comments.html")
    assert {cid: c.parent_id for cid, c in found.items()} == {
        "comment-7": None,
        "comment-8": "comment-7",
        "comment-9": None,
    }
    assert found["comment-7"].text == "Sunday is the only day I have time to read there."
    assert found["comment-7"].author == "Hana (not verified)"
    # "Mon, 05/01/2023 - 12:40" on a page in US English (lang="en"): 1 May, as ISO 8601
    assert found["comment-8"].created_at == "2023-05-01T12:40:00"
    assert found["comment-9"].text == "The old opening hours were shorter."
    assert found["comment-9"].author == "Old Timer"
    article = read("drupal_comments.html")[0]
    assert "opens on Sundays" in article.body
    assert "Sunday is the only day" not in article.body


def test_bem_comment_with_nested_reply_list() -> None:
    found = by_id("bem_replies.html")
    assert {cid: c.parent_id for cid, c in found.items()} == {
        "comment-3001": None,
        "comment-3002": "comment-3001",
    }
    assert found["comment-3001"].text == "Is there a hash for the patched build?"
    assert found["comment-3001"].author == "Sam"
    assert found["comment-3002"].created_at == "2023-01-10T07:30:00-04:00"


def test_thesis_definition_list_and_trackback_list() -> None:
    found = comments_of("thesis_list.html")
    assert [(c.id, c.kind) for c in found] == [
        ("comment-4001", "comment"),
        ("comment-4002", "comment"),
        ("thesis_list/3", "trackback"),
    ]
    assert found[0].text == "Where is the 1972 Tokyo set?"
    assert found[0].author == "Riffster"
    assert found[0].created_at == "2015-06-02T21:00:00"  # "June 2, 2015 at 9:00 pm"
    assert found[2].text == "Live music news this week"


def test_single_comment_under_kommentar_heading_in_declared_latin1() -> None:
    assert (HTML_FIXTURES / "single_kommentar.html").read_bytes().count("ö".encode("latin-1")) == 1
    (comment,) = comments_of("single_kommentar.html")
    assert comment.id == "single_kommentar/1"
    assert comment.text == "Schön, dann spare ich mir morgens zwanzig Minuten."
    assert comment.author == "Pendlerin"
    assert comment.created_at == "vor 3 Wochen"


def test_the_comment_inside_li_is_one_comment_each() -> None:
    found = comments_of("avada_the_comment.html")
    assert [(c.id, c.parent_id, c.kind) for c in found] == [
        ("comment-301", None, "comment"),
        ("comment-302", "comment-301", "comment"),
        ("comment-303", None, "pingback"),
    ]
    assert found[0].text == "Car-Sharing reicht mir auch völlig."
    assert found[0].author == "Jonas"
    assert "Antworten" not in found[0].text


def test_nesting_edge_cases() -> None:
    records = read("nesting_edge_cases.html")[1:]
    rejections = [r for r in records if isinstance(r, Rejection)]
    assert [(r.id, r.reason) for r in rejections] == [("comment-502", "comment without text")]
    assert rejections[0].line is not None
    found = {c.id: c for c in records if isinstance(c, Comment)}
    assert found["comment-501"].text == "Matched twice, emitted once."  # li + inner id: once
    assert found["comment-501"].author == "Ines"
    # the section.comment wrapper around two comments is no comment itself
    assert found["comment-503"].parent_id is None
    assert found["comment-504"].parent_id is None
    assert found["comment-505"].text == "A parent with a direct reply."
    assert found["comment-506"].parent_id == "comment-505"
    # the empty box is dropped and its reply moves up
    assert found["comment-507"].parent_id is None
    assert len(found) == 6


# --- Across every fixture -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_article_comes_first_and_once(name: str) -> None:
    records = read(name)
    assert isinstance(records[0], Article)
    assert records[0].format == "html"
    assert not any(isinstance(record, Article) for record in records[1:])


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_no_form_widget_or_toolbar_text_in_comments(name: str) -> None:
    for comment in comments_of(name):
        for text in NOT_COMMENT_TEXT:
            assert text not in comment.text, (comment.id, text)
        lines = {line.strip().casefold() for line in comment.text.splitlines()}
        assert not lines & TOOLBAR_LINES, (comment.id, lines & TOOLBAR_LINES)
        assert not any(word in comment.text for word in TOOLBAR_WORDS), comment.id


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_each_comment_is_one_record_with_a_real_parent(name: str) -> None:
    found = comments_of(name)
    ids = [comment.id for comment in found]
    assert len(ids) == len(set(ids))
    positions = {comment.id: comment.position for comment in found}
    assert [comment.position for comment in found] == sorted(positions.values())
    texts = {comment.id: comment.text for comment in found}
    for comment in found:
        assert comment.text
        if comment.parent_id is not None:
            assert comment.parent_id in positions
            assert positions[comment.parent_id] < comment.position
            assert comment.text not in texts[comment.parent_id]
    assert len(set(texts.values())) == len(texts)  # nothing emitted twice


# --- Encodings and errors -----------------------------------------------------------------------


def test_undeclared_windows_1252_page(tmp_path: Path) -> None:
    page = tmp_path / "legacy.html"
    html = "<html><body><ol class='commentlist'><li class='comment' id='comment-1'>"
    html += "<div class='comment-content'>Caf\u00e9 \u201cquotes\u201d</div>"
    html += "</li></ol></body></html>"
    page.write_bytes(html.encode("windows-1252"))
    (comment,) = [r for r in read_html_page(Input(str(page), path=page)) if isinstance(r, Comment)]
    assert comment.text == "Caf\u00e9 \u201cquotes\u201d"


def test_utf8_bom_page(tmp_path: Path) -> None:
    page = tmp_path / "bom.html"
    page.write_bytes(b"\xef\xbb\xbf<html><head><title>Gr\xc3\xbc\xc3\x9fe</title></head></html>")
    (article,) = read_html_page(Input(str(page), path=page))
    assert article.title == "Grüße"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\t ", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"<html><body><div></div></body></html>", "without any text"),
    ],
)
def test_unreadable_pages_raise_parse_error_naming_the_file(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    page = tmp_path / "broken.html"
    page.write_bytes(content)
    with pytest.raises(ParseError) as raised:
        list(read_html_page(Input(str(page), path=page)))
    assert raised.value.source == str(page)
    assert reason in raised.value.reason
    assert str(page) in str(raised.value)


def test_through_parse_with_format_detection() -> None:
    path = HTML_FIXTURES / "wordpress_nested.html"
    records = list(parse(path, articles=True))
    assert isinstance(records[0], Article)
    assert [r.id for r in records[1:]] == [f"comment-{n}" for n in range(101, 107)]
    assert [c.id for c in comments(path)] == [f"comment-{n}" for n in range(101, 107)]


def test_docstring_example() -> None:
    result = doctest.testmod(htmlpage_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted and not result.failed


# --- Selectors ----------------------------------------------------------------------------------


def test_every_selector_is_a_precompiled_xpath_list() -> None:
    # An entry is a compiled XPath, or a Query that stands for one (tests/parse/test_query.py
    # checks that both find the same).
    for name in selectors.__all__:
        value = getattr(selectors, name)
        assert isinstance(value, list) and value, name
        assert all(isinstance(xpath, etree.XPath | Query) for xpath in value), name
        queries = [q for q in value if isinstance(q, Query)]
        assert all(isinstance(q.xpath, etree.XPath) for q in queries), name


def test_an_empty_selector_group_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty selector group"):
        selectors._alt([])
