"""Which elements of a page are its comments, once each, with the comment each replies to.

Three finders, tried in order, the first that finds anything wins: the known markups of
:mod:`moderation.parse.selectors` (the fast exact path), schema.org microdata and RDFa
comments and reviews, then the structural finder of :mod:`moderation.parse.structure` for
markup no selector knows. Their matches are arranged the same way: an element matched inside
another without a reply list between them is the same comment matched twice, or the outer
one is a wrapper around several comments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lxml import etree

from moderation.parse import selectors
from moderation.parse.nearness import in_chrome
from moderation.parse.structure import META_BITS, Signals, find_blocks, page_signals
from moderation.parse.text import text_content

__all__ = ["FINDERS", "Found", "Item", "find_items"]

# The finders in the order they are tried: known markup, schema.org items, shape.
FINDERS = ("selectors", "semantic", "structure")


@dataclass(slots=True)
class Item:
    """One comment element found in the page, and what was read from it."""

    element: etree._Element
    own_id: str | None = None
    kind: str = "comment"
    parent: etree._Element | None = None
    text: str = ""
    author: str | None = None
    created_at: str | None = None
    title: str | None = None
    permalink: str | None = None


@dataclass(slots=True)
class Found:
    """The comment elements of a page and how they were found."""

    items: list[Item]
    method: str  # "selectors", "semantic", "structure" or "none"
    signals: Signals | None = None


def _first_value(xpaths: list[etree.XPath], context: etree._Element) -> str | None:
    for xpath in xpaths:
        for value in xpath(context):
            text = value if isinstance(value, str) else " ".join(text_content(value).split())
            if text and text.strip():
                return text.strip()
    return None


def _kind(element: etree._Element) -> str:
    if any(xpath(element) for xpath in selectors.PINGBACK_XPATH):
        return "pingback"
    if any(xpath(element) for xpath in selectors.TRACKBACK_XPATH):
        return "trackback"
    return "comment"


def _is_inside(element: etree._Element, container: etree._Element) -> bool:
    return element is container or any(a is container for a in element.iterancestors())


def _selector_own_body(outer: etree._Element, found: set[etree._Element]) -> bool:
    """Whether ``outer`` has a text element of its own: one no other matched item encloses."""
    for xpath in selectors.COMMENT_BODY_XPATH:
        for body in xpath(outer):
            enclosing = next((a for a in body.iterancestors() if a in found), None)
            if enclosing is outer or not _is_inside(body, outer):
                return True
    return False


def _structural_own_body(signals: Signals) -> Callable[[etree._Element, set], bool]:
    """Whether ``outer`` has text of its own beside the blocks inside it (a parent comment)."""

    def other_text(element: etree._Element, found: set[etree._Element]) -> int:
        if element in found or signals.own.get(element, 0) & META_BITS:
            return signals.text.get(element, 0)
        return sum(other_text(child, found) for child in element if isinstance(child.tag, str))

    def own_body(outer: etree._Element, found: set[etree._Element]) -> bool:
        inner = sum(other_text(child, found) for child in outer if isinstance(child.tag, str))
        return signals.text.get(outer, 0) - inner >= 40

    return own_body


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


def arrange(
    root: etree._Element,
    found: set[etree._Element],
    own_body: Callable[[etree._Element, set], bool],
) -> list[Item]:
    """Every comment element once, in document order, each with its parent comment element."""
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
        if own_body(outer, found):
            continue  # replies nested straight inside their parent
        if len(inner) == 1:
            merged[inner[0]] = outer
        else:
            wrappers.add(outer)
    kept = [e for e in elements if e not in merged and e not in wrappers]
    kept_set = set(kept)
    aliases = {outer: inner for inner, outer in merged.items()}
    items = []
    for element in kept:
        own_id = _first_value(selectors.COMMENT_ID_XPATH, element)
        alias = aliases.get(element)
        if not own_id and alias is not None:
            own_id = _first_value(selectors.COMMENT_ID_XPATH, alias)
        parent = _parent_element(element, kept_set)
        items.append(Item(element, own_id=own_id, kind=_kind(element), parent=parent))
    return items


def _not_the_page(elements: Iterable[etree._Element], root: etree._Element) -> set:
    """Matches that are not the page's main item (a page typed Review, say) nor in chrome."""
    body = root.find("body")
    total = len(" ".join(text_content(body if body is not None else root).split())) or 1
    kept = set()
    for element in elements:
        if element.find(".//h1") is not None or element.tag in ("html", "body"):
            continue
        if len(" ".join(text_content(element).split())) > 0.6 * total:
            continue
        if not in_chrome(element):
            kept.add(element)
    return kept


def find_items(
    root: etree._Element,
    finders: tuple[str, ...] = FINDERS,
    article: etree._Element | None = None,
) -> Found:
    """The page's comment elements, from the first of ``finders`` that finds any.

    ``finders`` is a subset of :data:`FINDERS`; the benchmark passes ``("structure",)`` to
    measure how the structural finder does on its own, as on markup no selector knows.
    ``article`` is the article's text element, where the page has one (no block inside it is
    a comment).
    """
    found: set[etree._Element] = set()
    if "selectors" in finders:
        for xpath in selectors.COMMENT_ITEM_XPATH:
            found.update(element for element in xpath(root) if not in_chrome(element))
    if found:
        return Found(arrange(root, found, _selector_own_body), "selectors")
    semantic: list[etree._Element] = []
    if "semantic" in finders:
        for xpath in selectors.SEMANTIC_ITEM_XPATH:
            semantic.extend(xpath(root))
    found = _not_the_page(semantic, root)
    if found:
        return Found(arrange(root, found, _selector_own_body), "semantic")
    body = root.find("body")
    signals = page_signals(body if body is not None else root)
    found = set(find_blocks(root, signals, article))
    if found:
        return Found(arrange(root, found, _structural_own_body(signals)), "structure", signals)
    return Found([], "none", signals)
