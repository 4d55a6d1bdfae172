"""The HTML reader on markup it has no selector for, on broken pages, and with odd encodings.

Every page here is the project's own fixture (tests/fixtures/html) or built in the test.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from moderation.parse import comments, parse
from moderation.parse import htmlpage as htmlpage_module
from moderation.parse.charset import declared_encoding, decode_page
from moderation.parse.source import Input
from moderation.records import Article, Comment, Rejection
from tests.support import FIXTURES

HTML = FIXTURES / "html"


def read(name: str) -> list[Comment]:
    return comments(HTML / name)


def by_id(found: list[Comment]) -> dict[str, Comment]:
    return {comment.id: comment for comment in found}


# --- one bad page fails alone --------------------------------------------------------------------


def test_a_page_that_makes_the_reader_raise_is_one_rejection_and_the_rest_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(HTML / "blogger_widget.html", tmp_path / "a_good.html")
    shutil.copy(HTML / "kommentar_items.html", tmp_path / "c_good.html")
    (tmp_path / "b_bad.html").write_text(
        "<html><body><ol class='commentlist'><li class='comment' id='comment-9'>"
        "<p>EXPLODE here</p></li></ol></body></html>",
        encoding="utf-8",
    )
    real = htmlpage_module.read_item

    def failing(item, *args):  # an lxml failure deep in one page, as damaged markup gives
        if "EXPLODE" in "".join(item.element.itertext()):
            raise etree.XPathEvalError("simulated libxml2 failure")
        return real(item, *args)

    monkeypatch.setattr(htmlpage_module, "read_item", failing)
    records = list(parse(tmp_path))
    rejections = [r for r in records if isinstance(r, Rejection)]
    assert len(rejections) == 1
    assert rejections[0].source.endswith("b_bad.html")
    assert "XPathEvalError" in rejections[0].reason
    sources = {Path(c.source).name for c in records if isinstance(c, Comment)}
    assert sources == {"a_good.html", "c_good.html"}
    assert not any(Path(r.source).name == "b_bad.html" for r in records if isinstance(r, Comment))


def test_a_programming_error_is_not_swallowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(HTML / "blogger_widget.html", tmp_path / "page.html")

    def broken(item, *args):
        raise TypeError("a bug, not bad input")

    monkeypatch.setattr(htmlpage_module, "read_item", broken)
    with pytest.raises(TypeError):
        list(parse(tmp_path))


def test_an_element_that_is_both_author_and_date_is_read_once() -> None:
    found = by_id(read("author_is_date.html"))
    assert found["comment-31"].text == "Mine too, after the frost scare."
    assert found["comment-31"].author == "Hilde"
    assert found["comment-31"].created_at == "2021-05-03"
    assert found["comment-32"].text == "Slugs got my first row."


# --- encodings ---------------------------------------------------------------------------------

TITLE_FIRST = (
    "<html><head><title>Grüße aus Köln – Straßenfest</title>"
    '<meta name="description" content="Über das Fest am Rhein">'
    '<meta charset="utf-8"></head><body><div id="comments"><ol class="commentlist">'
    '<li class="comment" id="comment-1"><p>Schön, dass es wieder stattfindet – wir kommen!</p>'
    "</li></ol></div></body></html>"
)


def test_non_ascii_title_before_meta_charset_is_not_mojibake() -> None:
    records = list(parse(TITLE_FIRST.encode("utf-8"), format="html", articles=True))
    article = next(r for r in records if isinstance(r, Article))
    comment = next(r for r in records if isinstance(r, Comment))
    assert article.title == "Grüße aus Köln – Straßenfest"
    assert comment.text == "Schön, dass es wieder stattfindet – wir kommen!"


def test_a_declared_latin1_page_in_latin1_bytes_reads_as_declared() -> None:
    page = TITLE_FIRST.replace("utf-8", "iso-8859-1").replace("–", "-")
    found = comments(page.encode("latin-1"), format="html")
    assert found[0].text == "Schön, dass es wieder stattfindet - wir kommen!"


def test_utf8_bytes_under_a_wrong_latin1_declaration_read_as_utf8() -> None:
    page = TITLE_FIRST.replace("utf-8", "iso-8859-1")
    decoded = decode_page(page.encode("utf-8"))
    assert decoded.how == "utf-8"
    assert comments(page.encode("utf-8"), format="html")[0].text.startswith("Schön")


def test_an_undeclared_windows_1252_page_is_detected() -> None:
    page = TITLE_FIRST.replace('<meta charset="utf-8">', "").replace("–", "—")
    page += "<p>" + "Die Straße war voller Menschen und die Stimmung großartig. " * 20 + "</p>"
    decoded = decode_page(page.encode("cp1252"))
    assert decoded.how in ("detected", "fallback")
    assert "Grüße aus Köln — Straßenfest" in decoded.text


def test_declarations_are_read_from_meta_http_equiv_and_xml() -> None:
    assert declared_encoding(b'<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">')
    assert declared_encoding(b'<?xml version="1.0" encoding="ISO-8859-1"?><html>') == "cp1252"
    assert declared_encoding(b'<meta charset="no-such-codec">') is None
    assert decode_page(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>").how == "bom"


# --- chrome by nearness ---------------------------------------------------------------------------


def test_blogger_thread_inside_a_widget_is_read_and_recent_comments_are_not() -> None:
    found = read("blogger_widget.html")
    assert [c.id for c in found] == ["c101", "c102", "c103"]
    assert by_id(found)["c102"].parent_id == "c101"
    assert by_id(found)["c101"].author == "Marta"
    assert by_id(found)["c101"].created_at == "2019-03-12T10:15:00"
    assert not any("lovely photos" in c.text for c in found)


def test_a_nav_left_open_does_not_swallow_the_comment_list() -> None:
    page = (
        '<html><body><nav class="menu"><ul><li><a href="/">Home</a>'
        "<article><p>The story itself, long enough to be the article of this page.</p></article>"
        '<div id="comments"><ol class="commentlist">'
        '<li class="comment" id="comment-1"><cite class="fn">Ada</cite><p>First reply.</p></li>'
        '<li class="comment" id="comment-2"><cite class="fn">Bo</cite><p>Second one.</p></li>'
        "</ol></div></body></html>"
    )
    assert [c.text for c in comments(page.encode(), format="html")] == [
        "First reply.",
        "Second one.",
    ]


# --- markup no selector knows -----------------------------------------------------------------


def test_german_kommentar_item_markup_with_toolbars() -> None:
    found = by_id(read("kommentar_items.html"))
    assert list(found) == ["k-5501", "k-5502", "k-5503"]
    first = found["k-5501"]
    assert first.text == "Endlich ein Platz, an dem auch die Kleinen schaukeln können."
    assert first.author == "Lotte B."
    assert first.created_at == "2015-01-21T19:04:00"
    assert found["k-5502"].parent_id == "k-5501"
    assert found["k-5503"].text == "Gefällt mir gut. Wann kommen die Bänke?"
    for comment in found.values():
        assert "antworten" not in comment.text and "melden" not in comment.text
        assert "(4)" not in comment.text


def test_schema_org_microdata_comments() -> None:
    found = read("microdata_comments.html")
    assert [(c.author, c.text) for c in found] == [
        ("Oskar", "Forty minutes is too long when it rains."),
        ("Ines", "The summer timetable starts earlier than last year."),
    ]
    assert found[0].created_at == "2021-02-03T09:15:00+00:00"


def test_json_ld_comments_with_a_reply_and_a_broken_script_beside_them() -> None:
    found = by_id(read("jsonld_comments.html"))
    assert list(found) == ["#c1", "#c2", "#c3"]
    assert found["#c2"].parent_id == "#c1"
    assert found["#c2"].author == "Karl"
    assert found["#c3"].author == "Nele"
    assert found["#c1"].text == "High time, the potholes are dangerous."


def test_comments_only_in_embedded_json_state() -> None:
    found = by_id(read("embedded_state.html"))
    assert list(found) == ["t1_a1", "t1_a2"]
    assert found["t1_a2"].parent_id == "t1_a1"
    assert found["t1_a1"].created_at == "2022-04-15T05:20:00+00:00"
    assert all("best bread flour" not in c.text for c in found.values())


def test_bylines_teasers_products_and_a_comment_form_are_no_comments() -> None:
    records = list(parse(HTML / "teasers_no_comments.html", articles=True))
    assert [r for r in records if not isinstance(r, Article)] == []


def test_comment_form_only_page_gives_none() -> None:
    assert read("widget_form_only.html") == []


def test_header_and_text_rows_repeated_make_one_comment_each() -> None:
    # A table (or dt/dd list) that prints each comment's author and date in one row and its
    # text in the next: each pair is one comment, the form after it none.
    found = read("header_text_pairs.html")
    assert [(c.author, c.created_at) for c in found] == [
        ("Camille", "2019-03-12T14:05:00"),
        ("Hugo", "2019-03-12T15:40:00"),
        ("Léa", "2019-03-13T08:12:00"),
    ]
    assert found[1].text == "Dommage que le toboggan ait disparu."
    assert [c.line for c in found] == [9, 11, 13]


# Known markups that the structural finder must also read on its own, as it would the same
# shapes under names no selector knows.
KNOWN_SHAPES = (
    "author_is_date.html",
    "avada_the_comment.html",
    "bem_replies.html",
    "blogger_widget.html",
    "disqus_noscript.html",
    "drupal_comments.html",
    "forum_toolbar.html",
    "highlander_siblings.html",
    "kommentar_items.html",
    "single_kommentar.html",
)


@pytest.mark.parametrize("name", KNOWN_SHAPES)
def test_structural_finder_alone_reads_known_markup_as_the_selectors_do(name: str) -> None:
    path = HTML / name
    selected = list(htmlpage_module.read_html_page(Input(str(path), path)))[1:]
    shaped = list(htmlpage_module.read_html_page(Input(str(path), path), finders=("structure",)))
    texts = [c.text for c in shaped[1:] if isinstance(c, Comment)]
    assert texts == [c.text for c in selected if isinstance(c, Comment)]
    assert shaped[0] == selected[0] or isinstance(shaped[0], Article)


def test_title_and_permalink_are_fields_not_text() -> None:
    found = read("titled_comments.html")
    assert [(c.id, c.title, c.text) for c in found] == [
        ("c-7", "Por fin", "Ahora podré comprar fruta al salir del trabajo."),
        ("c-8", "¿Y los domingos?", "Falta saber si abrirán algún domingo al mes."),
    ]
    # the date link is the permalink (made absolute), not the reply button beside it
    assert found[0].permalink == "https://diario.example/barrio/mercado-horario#c-7"
    assert found[0].to_dict()["title"] == "Por fin"


def test_comments_without_title_or_permalink_say_so() -> None:
    row = read("kommentar_items.html")[0].to_dict()
    assert "title" in row and row["title"] is None  # every row has the same columns (CSV)


STORY = "The council met on Tuesday and agreed to open the library on Sundays. " * 4


def _shaped(page: str) -> list[Comment]:
    records = htmlpage_module.read_html_page(
        Input("<text>", data=page.encode()), finders=("structure",)
    )
    return [r for r in records if isinstance(r, Comment)]


def test_a_short_comment_whose_class_names_its_author_keeps_its_text() -> None:
    # "comment-author-anna" on the comment itself says author; its text blocks are still text
    items = "".join(
        f'<li class="entry entry-author-{name}" id="entry-{n}"><span class="fn">{name}</span>'
        f'<span class="when">3 May 2021</span><div class="words"><p>{text}</p></div></li>'
        for n, (name, text) in enumerate((("anna", "Short and kind."), ("ben", "Me too, thanks!")))
    )
    page = f"<html><body><p>{STORY}</p><h3>2 Comments</h3><ul>{items}</ul></body></html>"
    assert [(c.author, c.text) for c in _shaped(page)] == [
        ("anna", "Short and kind."),
        ("ben", "Me too, thanks!"),
    ]


def test_dates_alone_in_a_comments_paragraphs_do_not_make_it_a_teaser_list() -> None:
    quoted = "".join(
        f"<p>0{day}.05.2019</p><p>Meeting number {day} was moved.</p>" for day in (1, 2, 3)
    )
    blocks = "".join(
        f'<div class="post" id="p{n}"><b class="author">{who}</b> <span>29 May 2019 17:39</span>'
        f"<div>{body}</div></div>"
        for n, (who, body) in enumerate((("Ida", quoted), ("Ole", "<p>Thanks for the list.</p>")))
    )
    page = f"<html><body><p>{STORY}</p><h2>Comments</h2><div>{blocks}</div></body></html>"
    found = _shaped(page)
    assert [c.author for c in found] == ["Ida", "Ole"]
    assert "Meeting number 3 was moved." in found[0].text
