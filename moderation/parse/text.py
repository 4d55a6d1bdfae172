"""Turn HTML fragments and raw strings into the plain text every later stage reads."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from lxml import etree, html

# Elements after which a paragraph break is kept; <br> keeps a line break.
_BLOCK_TAGS = frozenset(
    ("p", "div", "li", "ul", "ol", "blockquote", "pre", "section", "article", "header")
    + ("footer", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "dd", "dt", "dl")
    + ("figure", "figcaption")
)
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_RUN = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise_whitespace(text: str) -> str:
    """Collapse runs of spaces inside lines, trim lines, keep paragraph breaks as one blank line.

    >>> normalise_whitespace("  a\\u00a0 b \\n\\n\\n\\n c ")
    'a b\\n\\nc'
    """
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip()


def _append_text(element: etree._Element, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in ("script", "style", "noscript", "template"):
        if element.tail:
            parts.append(element.tail)
        return
    if tag == "br":
        parts.append("\n")
    elif tag in _BLOCK_TAGS:
        parts.append("\n\n")
    if element.text and tag:
        parts.append(element.text)
    for child in element:
        _append_text(child, parts)
    if tag in _BLOCK_TAGS:
        parts.append("\n\n")
    if element.tail:
        parts.append(element.tail)


def element_text(element: etree._Element) -> str:
    """Plain text of a parsed HTML element, with paragraph and line breaks kept."""
    parts: list[str] = []
    if element.text:
        parts.append(element.text)
    for child in element:
        _append_text(child, parts)
    return normalise_whitespace("".join(parts))


_STRING = etree.XPath("string()")


def text_content(element: etree._Element) -> str:
    """All the text under an element, as one string (what ``lxml.html``'s ``text_content``
    gives, for the plain elements of ``lxml.etree``)."""
    return str(_STRING(element))


def html_to_text(fragment: str) -> str:
    """Strip tags from an HTML fragment, decode entities and normalise whitespace.

    Plain text without markup passes through with only its whitespace normalised.

    >>> html_to_text("<p>Hello &amp; welcome</p><p>Second<br>line</p>")
    'Hello & welcome\\n\\nSecond\\nline'
    """
    if "<" not in fragment and "&" not in fragment:
        return normalise_whitespace(fragment)
    try:
        root = html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError, AssertionError, IndexError):
        # lxml asserts (IndexError under -O) when a "fragment" is a document head without a
        # body; read it as a whole document instead so its text is not lost.
        return _document_text(fragment)
    return element_text(root)


def _document_text(markup: str) -> str:
    """The text of ``markup`` read as a whole HTML document; the markup itself if unreadable."""
    try:
        root = html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return normalise_whitespace(markup)
    return element_text(root)


@lru_cache(maxsize=8192)
def fold_for_matching(text: str) -> str:
    """NFKC and case-fold, for comparing page lines (titles, chrome), not for output."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
