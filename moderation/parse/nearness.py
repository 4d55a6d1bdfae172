"""Whether a comment found in a page sits in page chrome, decided by what is nearest to it.

A sidebar widget, a navigation bar or the reply form disqualify an item only when it is nearer
to the item than the comment list is: Blogger wraps each post and its thread in a
``div.widget``, and a page whose ``<nav>`` or sidebar is left unclosed swallows the comment
list that follows. A "recent comments" widget is chrome wherever it stands, so its items stay
out.
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree

from moderation.parse.names import CHROME_WORDS, COMMENT_WORDS, has_word, name_tokens

__all__ = ["in_chrome", "is_comment_area", "is_comment_form", "is_recent_comments"]

# Ids and classes of reply forms and sidebars that name no chrome word of their own.
_FORM_NAMES = frozenset({"respond", "commentform", "comment-form", "reply-form", "comment-respond"})
_CHROME_TAGS = frozenset({"nav"})
_WIDGET_NAMES = frozenset({"sidebar", "secondary", "widget-area"})
_RECENT = ("recent", "latest", "neueste", "letzte", "derniers", "ultimos")
_FORM_PARTS = ("form", "respond", "editor", "compose", "write")
# Chrome words that rule out a comment area (a widget may hold a whole thread, as Blogger's).
_AREA_CHROME = tuple(word for word in CHROME_WORDS if word != "widget")


def _names(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split()) | {element.get("id") or ""}


def is_recent_comments(element: etree._Element) -> bool:
    """A "recent comments" or "latest comments" widget, or one item of it."""
    tokens = name_tokens(element)
    joined = "".join(tokens)
    return has_word(tokens, COMMENT_WORDS) and any(word in joined for word in _RECENT)


def is_comment_form(element: etree._Element) -> bool:
    """A comment or reply form, or the box around one."""
    if element.tag == "form":
        action = (element.get("action") or "").lower()
        return "comment" in action or has_word(name_tokens(element), COMMENT_WORDS + ("reply",))
    if _names(element) & _FORM_NAMES:
        return True
    tokens = name_tokens(element)
    return has_word(tokens, COMMENT_WORDS) and any(
        token.endswith(_FORM_PARTS) or token in _FORM_PARTS for token in tokens
    )


def _is_chrome(element: etree._Element) -> bool:
    if element.tag in _CHROME_TAGS or _names(element) & _WIDGET_NAMES:
        return True
    if is_recent_comments(element) or is_comment_form(element):
        return True
    tokens = name_tokens(element)
    return has_word(tokens, ("widget", "sidebar")) and not has_word(tokens, COMMENT_WORDS)


def is_comment_area(element: etree._Element) -> bool:
    """An element whose names say it holds comments (and no chrome word says otherwise)."""
    tokens = name_tokens(element)
    if not tokens or not _names_comment_area(tokens):
        return False
    return not is_comment_form(element)


@lru_cache(maxsize=8192)
def _names_comment_area(tokens: tuple[str, ...]) -> bool:
    """Names that say comments, and neither "recent comments" nor chrome (cached: pages repeat
    their class names)."""
    if not has_word(tokens, COMMENT_WORDS):
        return False
    joined = "".join(tokens)
    if any(word in joined for word in _RECENT):
        return False
    return not has_word(tokens, _AREA_CHROME)


def in_chrome(element: etree._Element) -> bool:
    """Whether chrome is nearer to ``element`` (or is it) than any comment area around it.

    Walks up from the element: the first ancestor that is either a comment area or chrome
    decides. An element inside neither is not in chrome.
    """
    if is_recent_comments(element) or is_comment_form(element):
        return True
    for ancestor in element.iterancestors():
        if not isinstance(ancestor.tag, str):
            continue
        if _is_chrome(ancestor):
            return True
        if is_comment_area(ancestor):
            return False
    return False
