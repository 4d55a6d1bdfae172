"""Read one comment element: its author, time, title, permalink and text.

Known markup names its parts (:mod:`moderation.parse.selectors`); for markup found by shape,
the parts are the elements the structural pass marked as author, date, avatar, toolbar or
header (:mod:`moderation.parse.structure`), and the text is what is left. Either way, header
and toolbar lines still in the text are dropped (:mod:`moderation.parse.commentlines`) and
dates are written as ISO 8601 where the page's words can be read
(:mod:`moderation.parse.dates`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

from moderation.parse import selectors
from moderation.parse.commentlines import clean_comment_text
from moderation.parse.dates import find_date, parse_date
from moderation.parse.htmlitems import Item
from moderation.parse.names import ACTION_WORDS, DATE_WORDS, has_word, name_tokens
from moderation.parse.structure import (
    AUTHOR,
    CONTROL,
    FORM,
    HEADER,
    META_BITS,
    PERMALINK,
    SHORT_META,
    TIME,
    VOTE,
    Signals,
)
from moderation.parse.text import element_text

__all__ = ["dayfirst", "drop", "iso_time", "read_item"]

# A header, toolbar or meta element is cut out of the text only when it is short: an old
# theme that prints the whole comment inside its "comment-author" box keeps it.
_SHORT_META = SHORT_META
# Links that act on a comment (they often carry its anchor too): never its permalink.
_BUTTON_WORDS = (*ACTION_WORDS, "quote", "zitat", "share")
_TITLE_CLASSES = re.compile(r"title|subject|betreff|titel|headline|heading", re.I)


def drop(element: etree._Element) -> None:
    """Remove an element but keep its tail; nothing happens when it is already out of the tree.

    One element can match two roles (a theme whose author element is also its date), so a
    second removal must be harmless.
    """
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    parent.remove(element)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _one_line(value: etree._Element | str | None) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else element_text(value)
    return " ".join(text.split()) or None


def _first(xpaths: Sequence[etree.XPath], context: etree._Element) -> list:
    for xpath in xpaths:
        found = xpath(context)
        if found:
            return found
    return []


def _outermost(elements: list) -> list:
    """Matches not inside another match (a title and a text may both match one expression)."""
    chosen = set(elements)
    return [e for e in elements if not any(a in chosen for a in e.iterancestors())]


def iso_time(raw: str | None, dayfirst: bool = True) -> str | None:
    """A comment's time as ISO 8601 where it can be read; relative times stay as printed.

    ``dayfirst`` is False on pages in US English, where 05/01/2023 is the 1st of May.
    """
    if not raw:
        return None
    iso = parse_date(raw, dayfirst=dayfirst)
    if iso:
        return iso
    found = find_date(raw, dayfirst=dayfirst)
    if found is not None:
        return found.iso or found.text
    return raw


def dayfirst(root: etree._Element) -> bool:
    """Whether the page's numeric dates put the day first: all but US English ones do."""
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    lang = lang.strip().lower().replace("_", "-")
    return not (lang == "en" or lang.startswith("en-us"))


def _date_value(element: etree._Element) -> str | None:
    return _one_line(element.get("datetime") or element.get("content") or element)


def _marked(element: etree._Element, signals: Signals, bit: int) -> etree._Element | None:
    """The first descendant (or the element) whose own marks include ``bit``, with text."""
    for candidate in element.iter():
        if signals.own.get(candidate, 0) & bit and (
            candidate.get("datetime") or candidate.get("content") or _one_line(candidate)
        ):
            return candidate
    return None


def _author_of(element: etree._Element, signals: Signals | None) -> str | None:
    found = _first(selectors.COMMENT_AUTHOR_XPATH, element)
    if found:
        return _one_line(found[0])
    if signals is None:
        return None
    marked = _marked(element, signals, AUTHOR)
    text = _one_line(marked) if marked is not None and marked is not element else None
    return text if text and len(text) <= 80 else None


def _time_of(element: etree._Element, signals: Signals | None, dayfirst: bool) -> str | None:
    found = _first(selectors.COMMENT_DATE_XPATH, element)
    if found:
        return iso_time(_date_value(found[0]), dayfirst)
    if signals is None:  # known markup without a known date element: a date-named one
        named = (e for e in element.iter() if has_word(name_tokens(e), DATE_WORDS))
        marked = next((e for e in named if _one_line(e)), None)
    else:
        marked = _marked(element, signals, TIME)
    return iso_time(_date_value(marked), dayfirst) if marked is not None else None


def _without_date(author: str | None) -> str | None:
    """An author element that also prints the date ("Hilde, 3 May 2021"): the name alone."""
    if not author:
        return author
    found = find_date(author)
    if found is None:
        return author
    name = (author[: found.start] + author[found.end :]).strip(" ,;|·-–—@")
    return name or author


def _permalink_of(element: etree._Element, signals: Signals | None) -> str | None:
    """A link to the comment's own anchor, else one marked as a permalink that is no reply or
    vote button (those carry the comment's number too)."""
    links = [link for link in element.iter("a") if not _is_button(link, signals)]
    own_id = element.get("id") or element.get("data-comment-id")
    for link in links:
        if own_id and (link.get("href") or "").endswith("#" + own_id):
            return link.get("href")
    if signals is None:
        return None
    return next((a.get("href") for a in links if signals.own.get(a, 0) & PERMALINK), None)


def _is_button(link: etree._Element, signals: Signals | None) -> bool:
    if signals is not None and signals.own.get(link, 0) & (CONTROL | VOTE):
        return True
    return has_word(name_tokens(link), _BUTTON_WORDS)


def _semantic_title(element: etree._Element) -> str | None:
    """A schema.org item's own ``name`` or ``headline`` (a review's title), not a nested one's."""
    for candidate in element.iterdescendants():
        if not isinstance(candidate.tag, str):
            continue
        if (candidate.get("itemprop") or "") not in ("name", "headline"):
            continue
        scope = next((a for a in candidate.iterancestors() if a.get("itemscope") is not None), None)
        if scope is element:
            return _one_line(candidate)
    return None


def _strip_structural(element: etree._Element, signals: Signals) -> str | None:
    """Cut header, toolbar, avatar and form parts out of a block found by shape; its title."""
    title = None
    for candidate in list(element.iterdescendants()):
        if not isinstance(candidate.tag, str) or candidate.getparent() is None:
            continue
        own = signals.own.get(candidate, 0)
        short = signals.text.get(candidate, 0) <= _SHORT_META and candidate.find(".//p") is None
        if own & FORM or (own & META_BITS and short) or candidate.tag in ("button", "img"):
            drop(candidate)
        elif title is None and short and _is_title(candidate, signals):
            title = _one_line(candidate)
            drop(candidate)
    return title


def _is_title(candidate: etree._Element, signals: Signals) -> bool:
    named = _TITLE_CLASSES.search(candidate.get("class") or "") is not None
    heading = candidate.tag in ("h2", "h3", "h4", "h5", "h6")
    return (named or heading) and not signals.subtree.get(candidate, 0) & (AUTHOR | TIME | HEADER)


def _strip_selected(body: etree._Element, keep: list) -> None:
    """Cut the known toolbar / meta parts, but never one that holds a text element."""
    for xpath in selectors.COMMENT_CHROME_XPATH:
        for chrome in xpath(body):
            if chrome is body or any(chrome is k or _inside(k, chrome) for k in keep):
                continue
            drop(chrome)


def _inside(element: etree._Element, container: etree._Element) -> bool:
    return any(a is container for a in element.iterancestors())


def read_item(item: Item, signals: Signals | None, dayfirst: bool = True) -> None:
    """Fill in the item's fields; its replies must already be out of the tree."""
    element = item.element
    item.author = _without_date(_author_of(element, signals))
    item.created_at = _time_of(element, signals, dayfirst)
    item.permalink = _permalink_of(element, signals)
    bodies = _outermost(_first(selectors.COMMENT_BODY_XPATH, element))
    if bodies:
        for body in bodies:
            _strip_selected(body, bodies)
        text = "\n\n".join(element_text(body) for body in bodies)
    else:
        if signals is not None:
            item.title = _strip_structural(element, signals)
        for meta in (
            _first(selectors.COMMENT_AUTHOR_XPATH, element)[:1]
            + _first(selectors.COMMENT_DATE_XPATH, element)[:1]
        ):
            if meta is not element and len(_one_line(meta) or "") <= _SHORT_META:
                drop(meta)
        _strip_selected(element, [])
        text = element_text(element)
    if item.title is None and element.get("itemscope") is not None:
        item.title = _semantic_title(element)
    item.text = clean_comment_text(text, item.author)
