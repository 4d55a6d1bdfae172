"""Read a saved HTML article page: the article, then each comment of its thread as its own record.

Pages are parsed with lxml from bytes, so the page's own ``<meta charset>`` decides the
encoding, and every selector comes from :mod:`moderation.parse.selectors`.
"""

from __future__ import annotations

import codecs
import copy
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from lxml import etree

from moderation.errors import ParseError
from moderation.parse import selectors
from moderation.parse.charset import decode_page
from moderation.parse.commentlines import clean_comment_text
from moderation.parse.embedded import embedded_comments
from moderation.parse.htmlfields import dayfirst, drop, iso_time, read_item
from moderation.parse.htmlitems import FINDERS, find_items
from moderation.parse.source import Input
from moderation.parse.text import element_text, text_content
from moderation.records import Article, Comment, Record, Rejection

if TYPE_CHECKING:
    from moderation.parse import ParseOptions

__all__ = ["read_html_page"]

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _parser() -> etree.HTMLParser:
    """lxml's plain HTML parser (a new one per page: parsers are not shared between threads).

    The page is handed over as UTF-8 (see :func:`_load`), so libxml2 never guesses the
    encoding. The plain parser, not ``lxml.html``'s: that one picks each element's Python
    class in Python, which made every walk over the tree several times slower; ids are not
    collected, as no lookup by id is made.
    """
    return etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False
    )


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _load(source: Input) -> etree._Element:
    """Parse the page, decoded with the encoding :func:`decode_page` chooses.

    The page is decoded here (byte-order mark, the page's declaration checked against the
    bytes, valid UTF-8, charset-normalizer) and handed to lxml as UTF-8 with that encoding
    named, because libxml2 left to itself reads non-ASCII text before ``<meta charset>`` as
    Latin-1.
    """
    data = source.read_bytes()
    if not data.strip():
        raise ParseError(source.name, "empty file, not an HTML page")
    if b"\x00" in data[:8192] and not data.startswith(_UTF16_BOMS):
        raise ParseError(source.name, "binary file (NUL bytes), not an HTML page")
    decoded = decode_page(data)
    # Control characters are not allowed in XML/HTML text and make lxml refuse to move it
    # when a reply is cut out of the tree; they carry no text, so they are dropped.
    text = _CONTROL_CHARS.sub("", decoded.text)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser=_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as error:
        raise ParseError(source.name, f"not an HTML page ({error})") from error
    if root is None:
        raise ParseError(source.name, "not an HTML page (Document is empty)")
    if not text_content(root).strip():
        raise ParseError(source.name, "HTML page without any text")
    return root


def _first(xpaths: Sequence[etree.XPath], context: etree._Element) -> list[object]:
    """The matches of the first expression that matches anything, else an empty list."""
    for xpath in xpaths:
        found = xpath(context)
        if found:
            return found
    return []


def _one_line(element: etree._Element | str | None) -> str | None:
    """An element's text (or an attribute value) on one line; ``None`` when empty."""
    if element is None:
        return None
    text = element if isinstance(element, str) else element_text(element)
    return " ".join(text.split()) or None


def _first_value(xpaths: Sequence[etree.XPath], context: etree._Element) -> str | None:
    for value in _first(xpaths, context):
        text = _one_line(value)  # type: ignore[arg-type]
        if text:
            return text
    return None


# --- Article ---------------------------------------------------------------------------------


def _article_element(root: etree._Element) -> etree._Element | None:
    """The element that holds the article's text, where the page marks one."""
    found = _first(selectors.ARTICLE_BODY_XPATH, root)
    return found[0] if found else None  # type: ignore[return-value]


def _read_article(root: etree._Element, source: Input, text: etree._Element | None) -> Article:
    """Title, url, date and body of the article (from its ``text`` element); comments, forms
    and navigation left out."""
    body, captions = "", []
    if text is not None:
        element = copy.deepcopy(text)
        for caption in selectors.ARTICLE_CAPTION_XPATH[0](element):
            text = _one_line(caption)
            if text and text not in captions:
                captions.append(text)
            drop(caption)
        for xpath in selectors.ARTICLE_STRIP_XPATH:
            for unwanted in xpath(element):
                drop(unwanted)
        body = element_text(element)
    return Article(
        id=source.stem,
        title=_first_value(selectors.ARTICLE_TITLE_XPATH, root),
        date=_first_value(selectors.ARTICLE_DATE_XPATH, root),
        url=_first_value(selectors.ARTICLE_URL_XPATH, root),
        site=_first_value(selectors.ARTICLE_SITE_XPATH, root),
        body=body,
        captions=captions,
        source=source.name,
        format="html",
    )


# --- The comments ----------------------------------------------------------------------------


def _embedded_records(root: etree._Element, source: Input, day_first: bool) -> Iterator[Comment]:
    """Comments the page only carries as JSON-LD or embedded JSON state."""
    article_id = source.stem
    ids: dict[str, str] = {}
    for position, found in enumerate(embedded_comments(root), start=1):
        own = found.id if found.id and found.id not in ids.values() else None
        comment_id = own or f"{article_id}/{position}"
        if found.id:
            ids.setdefault(found.id, comment_id)
        yield Comment(
            id=comment_id,
            text=clean_comment_text(found.text, found.author),
            article_id=article_id,
            parent_id=ids.get(found.parent_id) if found.parent_id else None,
            position=position,
            author=found.author,
            created_at=iso_time(found.created_at, day_first),
            source=source.name,
            format="html",
        )


def _read_comments(
    root: etree._Element,
    source: Input,
    finders: tuple[str, ...] = FINDERS,
    base: str = "",
    article: etree._Element | None = None,
) -> Iterator[Comment | Rejection]:
    """Each comment of the page in document order; ``base`` (the page's URL) completes links,
    no comment is found inside the ``article`` text element."""
    found = find_items(root, finders, article)
    items = found.items
    day_first = dayfirst(root)
    if not items:
        yield from _embedded_records(root, source, day_first)
        return
    # Innermost and last first: each reply is read, then cut out of the tree, so that its
    # parent's text is only the parent's own.
    for item in reversed(items):
        read_item(item, found.signals, day_first)
        drop(item.element)

    # A matched element without text that holds replies is a wrapper, not a comment.
    by_element = {item.element: item for item in items}
    has_replies = {item.parent for item in items if item.parent is not None}
    empty_wrappers = {i.element for i in items if not i.text and i.element in has_replies}

    article_id = source.stem
    ids: dict[etree._Element, str] = {}
    taken: set[str] = set()
    position = 0
    for item in items:
        if item.element in empty_wrappers:
            continue
        position += 1
        own = item.own_id
        comment_id = own if own and own not in taken else f"{article_id}/{position}"
        ids[item.element] = comment_id
        taken.add(comment_id)
        parent = item.parent
        while parent in empty_wrappers:
            parent = by_element[parent].parent
        line = item.element.sourceline
        if not item.text:
            yield Rejection(source.name, "comment without text", line, comment_id)
            continue
        yield Comment(
            id=comment_id,
            text=item.text,
            article_id=article_id,
            parent_id=ids.get(parent) if parent is not None else None,
            position=position,
            author=item.author,
            created_at=item.created_at,
            source=source.name,
            format="html",
            line=line,
            kind=item.kind,  # type: ignore[arg-type]
            title=item.title,
            permalink=urljoin(base, item.permalink) if item.permalink else None,
        )


def read_html_page(
    source: Input, options: ParseOptions | None = None, *, finders: tuple[str, ...] = FINDERS
) -> Iterator[Record]:
    """Split a saved HTML article page into its article and its comments.

    Supports WordPress comment lists (core, wordpress.com, Avada ``.the-comment``), Drupal
    comments, the Disqus no-script fallback, BEM ``c-comment``, forum-style ``li`` threads,
    the Thesis ``dt``/``dd`` list and generic ``id="comment-N"`` items. Comment forms,
    "recent comments" widgets, toolbars and navigation are never read as comments.

    Parameters
    ----------
    source : Input
        The page.
    options : ParseOptions, optional
        Unused: pages have no field mapping; :func:`moderation.parse.parse` applies
        ``strict`` and ``articles``.
    finders : tuple of str, optional
        Which comment finders to try (a subset of ``htmlitems.FINDERS``, tried in that
        order); the benchmark measures the structural finder alone with ``("structure",)``.

    Yields
    ------
    Article
        First, always: title, url, date and body where the page has them.
    Comment or Rejection
        Then each comment in document order: ``id`` is the markup's own id (such as
        ``"comment-123"``), else ``"<article_id>/<position>"``; ``parent_id`` is the
        comment a reply sits under; pingbacks and trackbacks are kept with their ``kind``.
        A comment element without any text becomes a :class:`Rejection`.

    Raises
    ------
    ParseError
        When the file is empty, binary or has no text.

    Examples
    --------
    >>> page = b'''<html><head><title>Story</title></head><body><ol class="commentlist">
    ... <li class="comment" id="comment-1"><cite class="fn">Ann</cite><p>First!</p>
    ...   <ul class="children"><li class="comment" id="comment-2"><p>Welcome.</p></li></ul>
    ... </li>
    ... <li class="pingback" id="comment-3"><p>Linked from a blog</p></li></ol></body></html>'''
    >>> records = list(read_html_page(Input("<text>", data=page)))
    >>> for comment in records[1:]:
    ...     print(comment.id, comment.parent_id, comment.kind, repr(comment.text))
    comment-1 None comment 'First!'
    comment-2 comment-1 comment 'Welcome.'
    comment-3 None pingback 'Linked from a blog'
    """
    root = _load(source)
    text = _article_element(root)
    article = _read_article(root, source, text)  # first: reading the comments cuts them out
    # All read before any is given out, so that a page that fails half-way gives one
    # rejection, not half its comments.
    records = list(_read_comments(root, source, finders, article.url or "", text))
    yield article
    yield from records
