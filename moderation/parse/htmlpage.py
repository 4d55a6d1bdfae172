"""Read a saved HTML article page: the article, then each comment of its thread as its own record.

Pages are parsed with lxml from bytes, so the page's own ``<meta charset>`` decides the
encoding, and every selector comes from :mod:`moderation.parse.selectors`.
"""

from __future__ import annotations

import codecs
import copy
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree, html

from moderation.errors import ParseError
from moderation.parse import selectors
from moderation.parse.charset import decode_page
from moderation.parse.nearness import in_chrome
from moderation.parse.source import Input
from moderation.parse.text import element_text
from moderation.records import Article, Comment, CommentKind, Record, Rejection

if TYPE_CHECKING:
    from moderation.parse import ParseOptions

__all__ = ["read_html_page"]

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(slots=True)
class _Item:
    """One comment element found in the page, before its text is read."""

    element: html.HtmlElement
    own_id: str | None = None
    kind: CommentKind = "comment"
    parent: html.HtmlElement | None = None
    text: str = ""
    author: str | None = None
    created_at: str | None = None


def _parser() -> html.HTMLParser:
    # The page is handed over as UTF-8 (see _load), so libxml2 never guesses the encoding.
    return html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _load(source: Input) -> html.HtmlElement:
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
        root = html.document_fromstring(text.encode("utf-8"), parser=_parser())
    except (etree.ParserError, ValueError) as error:
        raise ParseError(source.name, f"not an HTML page ({error})") from error
    if not root.text_content().strip():
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


def _is_inside(element: etree._Element, container: etree._Element) -> bool:
    return element is container or any(a is container for a in element.iterancestors())


# --- Article ---------------------------------------------------------------------------------


def _read_article(root: html.HtmlElement, source: Input) -> Article:
    """Title, url, date and body of the article; comments, forms and navigation left out."""
    body, captions = "", []
    found = _first(selectors.ARTICLE_BODY_XPATH, root)
    if found:
        element = copy.deepcopy(found[0])
        for caption in selectors.ARTICLE_CAPTION_XPATH[0](element):
            text = _one_line(caption)
            if text and text not in captions:
                captions.append(text)
            caption.drop_tree()
        for xpath in selectors.ARTICLE_STRIP_XPATH:
            for unwanted in xpath(element):
                unwanted.drop_tree()
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


# --- Finding the comments --------------------------------------------------------------------


def _kind(element: etree._Element) -> CommentKind:
    if any(xpath(element) for xpath in selectors.PINGBACK_XPATH):
        return "pingback"
    if any(xpath(element) for xpath in selectors.TRACKBACK_XPATH):
        return "trackback"
    return "comment"


def _own_id(element: etree._Element, alias: etree._Element | None) -> str | None:
    """The markup's own id of a comment, or of the same comment matched again inside it."""
    for candidate in (element, alias):
        if candidate is not None:
            value = _first_value(selectors.COMMENT_ID_XPATH, candidate)
            if value:
                return value
    return None


def _own_body(outer: etree._Element, found: set[etree._Element]) -> bool:
    """Whether ``outer`` has a text element of its own: one no other matched item encloses."""
    for xpath in selectors.COMMENT_BODY_XPATH:
        for body in xpath(outer):
            enclosing = next((a for a in body.iterancestors() if a in found), None)
            if enclosing is outer or not _is_inside(body, outer):
                return True
    return False


def _find_items(root: html.HtmlElement) -> list[_Item]:
    """Every comment element once, in document order, each with its parent comment element.

    Matches from all item selectors are merged. An item nested in another without a reply
    list between them is either the same comment matched twice (``li.comment >
    div.the-comment``: the outer one is kept) or, when the outer one has several such items
    and no text of its own, a wrapper around comments that is no comment itself.
    """
    found: set[etree._Element] = set()
    for xpath in selectors.COMMENT_ITEM_XPATH:
        found.update(element for element in xpath(root) if not in_chrome(element))
    if not found:
        return []
    # XPath searches the whole tree, which on damaged pages can reach beyond ``root``.
    order = {element: index for index, element in enumerate(root.getroottree().iter())}
    elements = sorted(found, key=lambda element: order.get(element, len(order)))

    nested: dict[etree._Element, list[etree._Element]] = {}
    for element in elements:
        listed = False
        for ancestor in element.iterancestors():
            if ancestor in found:
                if not listed:
                    nested.setdefault(ancestor, []).append(element)
                break
            listed = listed or selectors.LIST_BETWEEN_XPATH[0](ancestor)
    merged: dict[etree._Element, etree._Element] = {}
    wrappers: set[etree._Element] = set()
    for outer, inner in nested.items():
        if _own_body(outer, found):
            continue  # replies nested straight inside their parent
        if len(inner) == 1:
            merged[inner[0]] = outer
        else:
            wrappers.add(outer)

    kept = [e for e in elements if e not in merged and e not in wrappers]
    kept_set = set(kept)
    aliases = {outer: inner for inner, outer in merged.items()}
    return [
        _Item(
            element,
            own_id=_own_id(element, aliases.get(element)),
            kind=_kind(element),
            parent=_parent_element(element, kept_set),
        )
        for element in kept
    ]


def _parent_element(element: etree._Element, items: set[etree._Element]) -> etree._Element | None:
    """The comment an item replies to: an enclosing item, or the item just before the reply
    list the item sits in (wordpress.com and Drupal put that list after the comment)."""
    for ancestor in element.iterancestors():
        if ancestor in items:
            return ancestor
        if selectors.REPLY_LIST_XPATH[0](ancestor):
            previous = ancestor.getprevious()
            if previous is not None and previous in items:
                return previous
    return None


# --- Reading one comment ---------------------------------------------------------------------


def _date(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return _one_line(element.get("datetime") or element.get("content") or element)


def _read_item(item: _Item) -> None:
    """Fill in text, author and date; the item's replies must already be out of the tree."""
    element = item.element
    authors = _first(selectors.COMMENT_AUTHOR_XPATH, element)
    dates = _first(selectors.COMMENT_DATE_XPATH, element)
    item.author = _one_line(authors[0]) if authors else None  # type: ignore[arg-type]
    item.created_at = _date(dates[0]) if dates else None  # type: ignore[arg-type]
    bodies = _first(selectors.COMMENT_BODY_XPATH, element)
    if bodies:
        body = bodies[0]
    else:  # no text element: the item itself, less its author and date
        body = element
        for meta in authors[:1] + dates[:1]:
            if meta is not element:
                meta.drop_tree()  # type: ignore[union-attr]
    for xpath in selectors.COMMENT_CHROME_XPATH:
        for chrome in xpath(body):
            if chrome is not body:
                chrome.drop_tree()
    item.text = element_text(body)


def _read_comments(root: html.HtmlElement, source: Input) -> Iterator[Comment | Rejection]:
    items = _find_items(root)
    # Innermost and last first: each reply is read, then cut out of the tree, so that its
    # parent's text is only the parent's own.
    for item in reversed(items):
        _read_item(item)
        item.element.drop_tree()

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
            kind=item.kind,
        )


def read_html_page(source: Input, options: ParseOptions | None = None) -> Iterator[Record]:
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
    yield _read_article(root, source)  # first: reading the comments cuts them out of the tree
    yield from _read_comments(root, source)
