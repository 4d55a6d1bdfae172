"""Tell what kind of input a file is from its first bytes (the extension is only a hint)."""

from __future__ import annotations

import json
import re

FORMATS = ("text", "html", "disqus", "wxr", "reddit", "json", "jsonl", "csv")
# "xml" is what detect_format says of XML that is no export it knows: it is rejected, not parsed.
SNIFF_BYTES = 65536

_XML_START = re.compile(rb"<\?xml|<disqus\b|<rss\b", re.IGNORECASE)
_HTML_START = re.compile(rb"<!doctype\s+html|<html\b|<head\b|<body\b|<div\b|<article\b", re.I)
# What may come before a page's first tag: a byte order mark, blank space, comments.
_LEADING_JUNK = re.compile(rb"(?:\xef\xbb\xbf|\s|<!--.*?-->)*", re.S)
_TEXT_FIELD_NAMES = frozenset(
    {"text", "content", "comment", "body", "message", "comment_text", "tweet"}
)


def _looks_like_csv(head: bytes) -> bool:
    first_line = head.split(b"\n", 1)[0].decode("utf-8", "replace").strip().lstrip("\ufeff")
    for delimiter in (",", "\t", ";"):
        names = {name.strip().strip('"').casefold() for name in first_line.split(delimiter)}
        if len(names) > 1 and names & _TEXT_FIELD_NAMES:
            return True
    return False


def _json_kind(head: bytes, complete: bool) -> str | None:
    """'reddit', 'json' or 'jsonl' for JSON-looking content, else None."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if not text or text[0] not in "[{":
        return None
    if re.search(r'"kind"\s*:\s*"(?:Listing|t1|t3|more)"', text):
        return "reddit"
    first_line, _, rest = text.partition("\n")
    if rest.strip() and first_line.rstrip().endswith("}"):
        try:
            json.loads(first_line)
        except ValueError:
            pass
        else:
            return "jsonl"
    if complete:
        try:
            json.loads(text)
        except ValueError:
            return "jsonl" if text[0] == "{" else "json"
    return "json"


def detect_format(head: bytes, name: str = "", complete: bool = False) -> str:
    """Guess the format of an input from its first bytes.

    Parameters
    ----------
    head : bytes
        The first :data:`SNIFF_BYTES` bytes of the input (or all of it).
    name : str
        File name, used only to break ties (``.jsonl``, ``.csv``, ``.tsv``).
    complete : bool
        Whether ``head`` is the whole input.

    Returns
    -------
    str
        One of :data:`FORMATS`, or ``"xml"`` for XML of no known kind; plain text pages
        are the fallback.

    >>> detect_format(b'<?xml version="1.0"?><disqus xmlns="http://disqus.com">')
    'disqus'
    >>> detect_format(b"Some title\\n\\nSome paragraph.\\n")
    'text'
    """
    lowered_name = name.casefold()
    probe = head[:4096]
    xml_match = _XML_START.search(probe)
    html_match = _HTML_START.search(probe)
    if xml_match and (not html_match or xml_match.start() < html_match.start()):
        if re.search(rb"<disqus\b", head, re.I):
            return "disqus"
        if b"wordpress.org/export" in head or b"<wp:" in head:
            return "wxr"
        if html_match:
            return "html"
        return "xml"
    if html_match and _LEADING_JUNK.fullmatch(probe[: html_match.start()]):
        return "html"
    # A dump whose fields hold HTML is still a dump: JSON and CSV are recognised by their
    # first byte and header before markup further in can make the input look like a page.
    kind = _json_kind(head, complete)
    if kind:
        if kind == "json" and lowered_name.endswith(".jsonl"):
            return "jsonl"
        return kind
    if lowered_name.endswith((".csv", ".tsv")) or _looks_like_csv(head):
        return "csv"
    if html_match and html_match.start() < 1024:
        return "html"
    if lowered_name.endswith((".html", ".htm")):
        return "html"
    return "text"
