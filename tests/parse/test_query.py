"""The selectors evaluated in Python find exactly what the XPath expressions they stand for find."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from moderation.parse import selectors
from moderation.parse.htmlpage import _load
from moderation.parse.query import Query, class_pattern
from moderation.parse.source import Input
from tests.support import FIXTURES, shared_path

# Markup written for the edge cases of each query: class words split by tabs and newlines, a
# no-break space inside a class (one word for XPath), look-alike names, numbered ids with a
# suffix, dates inside and outside articles and comment areas, nested lists and articles.
EDGES = b"""<html><head><title>Edges</title></head><body>
<article class="post"><div class="entry-content">Story <time datetime="2024-01-02">2 Jan</time>
  <div class="comments">in text<time datetime="2024-01-03">x</time></div></div>
  <article class="inner"><time datetime="2024-01-04">y</time></article></article>
<div class="entry-content\tx" id="comments"><p>area</p></div>
<time datetime="">empty</time><time>no attribute</time>
<ol class="commentlist">
 <li class="comment\neven depth-1" id="comment-1"><div class="comment-body">
   <span class="fn">Ann</span><span class="comment-date">1 May</span>
   <div class="comment-content">Text</div><a class="comment-reply-link">Reply</a></div>
  <ul class="children"><li class="pingback" id="comment-2"><p>ping</p></li></ul></li>
 <li class="comment-form">form</li><li class="comment\xc2\xa0odd" id="nbsp-3">nbsp</li>
 <li class="commentary" id="comment-">none</li><li class="x" id="comment-3a">suffix</li>
 <li id="bb_message_7">forum</li>
</ol>
<div id="disqus_thread"><div class="comment"><p>fallback</p></div>
 <section class="comment"><div class="the-comment"><p>avada</p></div></section></div>
<div class="comment">outside any area</div><div id="comment-44"><p>numbered</p></div>
<dl id="comment_list"><dt class="comment">Bea</dt><dd>text</dd></dl><dt class="comment">x</dt>
<ul id="pings"><li>ping one</li></ul><ul id="trackback_list"><li>track</li></ul>
<div class="c-comment js-comment"><div class="c-comment__replies"><p>r</p></div></div>
<div class="replies indented thread">x</div><dl><dd>d</dd></dl>
</body></html>"""


def _queries() -> Iterator[tuple[str, Query]]:
    for name in selectors.__all__:
        for index, entry in enumerate(getattr(selectors, name)):
            if isinstance(entry, Query):
                yield f"{name}[{index}]", entry


QUERIES = list(_queries())


def _contexts(root: etree._Element, every: int) -> list[etree._Element]:
    elements = list(root.iter(etree.Element))
    return [root, *elements[::every]]


def _same(query: Query, root: etree._Element, every: int) -> None:
    for context in _contexts(root, every):
        expected = query.xpath(context)
        found = query(context)
        if isinstance(expected, list):
            assert isinstance(found, list)
            # elements compared by identity; attribute values as strings
            assert [e if isinstance(e, etree._Element) else str(e) for e in found] == [
                e if isinstance(e, etree._Element) else str(e) for e in expected
            ], (query.expression, context.tag, context.get("class"))
        else:
            assert found is expected, (query.expression, context.tag, context.get("class"))


def _page(data: bytes) -> etree._Element:
    return _load(Input("<edges>", data=data))


def test_there_are_queries_to_check() -> None:
    assert len(QUERIES) >= 10


@pytest.mark.parametrize(("name", "query"), QUERIES, ids=[name for name, _ in QUERIES])
def test_each_query_finds_what_its_xpath_finds_on_the_edge_cases(name: str, query: Query) -> None:
    _same(query, _page(EDGES), every=1)


@pytest.mark.parametrize("page", sorted((FIXTURES / "html").glob("*.html")), ids=lambda p: p.name)
def test_each_query_finds_what_its_xpath_finds_on_the_fixture_pages(page: Path) -> None:
    root = _page(page.read_bytes())
    for _, query in QUERIES:
        _same(query, root, every=1)


def test_each_query_finds_what_its_xpath_finds_on_real_pages() -> None:
    pages = shared_path("pages")
    paths = sorted(pages.glob("html/*.html")) + sorted(pages.glob("html-more/*.html"))[::4]
    for path in paths:
        root = _page(path.read_bytes())
        for _, query in QUERIES:
            _same(query, root, every=97)


def test_the_edge_page_has_what_the_queries_are_about() -> None:
    # The edge cases are there: without them the comparisons above would prove little.
    root = _page(EDGES)
    items = {e.get("id") for q in selectors.COMMENT_ITEM_XPATH for e in q(root) if e.get("id")}
    assert {"comment-1", "comment-2", "comment-44", "bb_message_7"} <= items
    assert "nbsp-3" not in items  # for XPath, a no-break space joins "comment" to "odd"
    assert not {"comment-", "comment-3a"} & items  # numbered ids are digits only
    dates = selectors.ARTICLE_DATE_XPATH[3](root)
    assert dates == ["2024-01-02", "2024-01-04"]


def test_a_class_pattern_needs_words() -> None:
    with pytest.raises(ValueError, match="empty selector group"):
        class_pattern([])


def test_a_query_names_its_scope() -> None:
    with pytest.raises(ValueError, match="scope 'sideways'"):
        Query(".//*", scope="sideways")  # type: ignore[arg-type]


def test_a_query_remembers_a_bounded_number_of_class_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("moderation.parse.query._SEEN_LIMIT", 8)
    query = Query(".//*[x]", classes=("comment",))
    items = "".join(f'<p class="comment c{n}">x</p><p class="other o{n}">y</p>' for n in range(30))
    root = _page(f"<html><body><div>{items}</div></body></html>".encode())
    found = query(root)
    assert [e.get("class") for e in found] == [f"comment c{n}" for n in range(30)]
    assert 0 < len(query._seen) <= 8  # the memory was emptied when full, and still answers
    assert query(root) == found
