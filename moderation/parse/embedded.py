"""Comments a page carries as data rather than markup: JSON-LD and embedded JSON state.

Some pages describe their thread only in ``<script type="application/ld+json">`` (schema.org
``Comment``, ``Review``, ``Answer``, nested under the article's ``comment`` / ``review``
property), and script-rendered pages (new Reddit, Next.js sites) ship theirs as a JSON state
object that the browser turns into markup. Both are read here when the markup itself holds
no comment. A JSON object is taken for a comment only when it says so: a schema.org comment
type, a Reddit ``t1`` thing, or an object under a key that names comments or replies that has
a text, an author and an id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from moderation.parse.text import html_to_text

__all__ = ["EmbeddedComment", "embedded_comments"]

_TYPES = frozenset({"Comment", "Review", "Answer", "UserComments"})
_NESTED_KEYS = ("comment", "comments", "review", "reviews", "suggestedAnswer", "acceptedAnswer")
_TEXT_KEYS = ("text", "reviewBody", "commentText", "body", "bodyText", "body_html", "message")
_STATE_TEXT_KEYS = _TEXT_KEYS + ("bodyHTML", "content", "comment", "richtextContent", "media")
_AUTHOR_KEYS = ("author", "authorName", "author_name", "user", "username", "displayName")
_TIME_KEYS = ("dateCreated", "datePublished", "commentTime", "created_utc", "created", "date")
_ID_KEYS = ("@id", "id", "commentId", "comment_id", "name", "url")
_PARENT_KEYS = ("parentId", "parent_id", "parent")
_COMMENT_KEY = re.compile(r"comment|repl|kommentar|review|answer", re.I)
_ASSIGNMENT = re.compile(r"^[\s;]*(?:window\.)?[\w.$\[\]'\"]+\s*=\s*(\{.*\})\s*;?\s*$", re.S)
MAX_SCRIPT = 8 * 1024 * 1024  # a state object larger than this is not read


@dataclass(frozen=True, slots=True)
class EmbeddedComment:
    """One comment read from page data."""

    id: str | None
    parent_id: str | None
    author: str | None
    created_at: str | None
    text: str
    is_comment: bool = True  # a schema.org Comment, not a Review or Answer


def _types(node: dict) -> set[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {str(v).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for v in values if v}


def _plain(value: object) -> str:
    """Text of a field: a string (HTML or not), or the strings of a rich-text document."""
    if isinstance(value, str):
        return html_to_text(value)
    if isinstance(value, dict):
        parts = [_plain(v) for k, v in value.items() if k in ("t", "text", "document", "c")]
        return "\n".join(p for p in parts if p)
    if isinstance(value, list):
        return "\n".join(p for p in (_plain(v) for v in value) if p)
    return ""


def _author(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        for key in ("name", "username", "displayName", "alternateName"):
            if isinstance(value.get(key), str) and value[key].strip():
                return value[key].strip()
    if isinstance(value, list) and value:
        return _author(value[0])
    return None


def _field(node: dict, keys: tuple[str, ...]) -> object:
    return next((node[key] for key in keys if node.get(key) not in (None, "", [], {})), None)


def _time_text(value: object) -> str | None:
    """A time as text; Unix seconds (``created_utc``) as ISO 8601 in UTC."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        seconds = float(value)
        if 1e8 <= seconds <= 1e10:
            return datetime.fromtimestamp(seconds, tz=UTC).isoformat()
    return str(value)


def _make(
    node: dict, parent: str | None, text_keys: tuple[str, ...], is_comment: bool = True
) -> EmbeddedComment | None:
    text = _plain(_field(node, text_keys))
    if not text:
        return None
    ident = _field(node, _ID_KEYS)
    time = _field(node, _TIME_KEYS)
    own_parent = _field(node, _PARENT_KEYS)
    return EmbeddedComment(
        id=str(ident) if ident is not None else None,
        parent_id=str(own_parent) if isinstance(own_parent, str | int) else parent,
        author=_author(_field(node, _AUTHOR_KEYS)),
        created_at=_time_text(time),
        text=text,
        is_comment=is_comment,
    )


def _walk_linked_data(node: object, parent: str | None, top: bool) -> Iterator[EmbeddedComment]:
    """schema.org comments in JSON-LD; a top-level Review is the page's own subject, not one."""
    if isinstance(node, list):
        for item in node:
            yield from _walk_linked_data(item, parent, top)
        return
    if not isinstance(node, dict):
        return
    if "@graph" in node:
        yield from _walk_linked_data(node["@graph"], parent, True)
        return
    own = parent
    if _types(node) & _TYPES and not (top and "Comment" not in _types(node)):
        comment = _make(node, parent, _TEXT_KEYS, "Comment" in _types(node))
        if comment is not None:
            yield comment
            own = comment.id or parent
    for key in _NESTED_KEYS:
        if key in node:
            yield from _walk_linked_data(node[key], own, False)
    if "mainEntity" in node:  # a QAPage's Question, or the page's own Review
        yield from _walk_linked_data(node["mainEntity"], own, True)


def _walk_state(node: object, under_comments: bool, depth: int = 0) -> Iterator[EmbeddedComment]:
    """Comment-like objects in a JSON state: under a key naming comments, or Reddit ``t1``."""
    if depth > 40:
        return
    if isinstance(node, list):
        for item in node:
            yield from _walk_state(item, under_comments, depth + 1)
        return
    if not isinstance(node, dict):
        return
    if node.get("kind") == "t1" and isinstance(node.get("data"), dict):
        yield from _walk_state(node["data"], True, depth + 1)
        return
    if under_comments and _field(node, _AUTHOR_KEYS) is not None and _field(node, _ID_KEYS):
        comment = _make(node, None, _STATE_TEXT_KEYS)
        if comment is not None:
            yield comment
    for key, value in node.items():
        if isinstance(value, dict | list):
            named = under_comments or bool(_COMMENT_KEY.search(key))
            yield from _walk_state(value, named, depth + 1)


def _script_json(script: etree._Element) -> object | None:
    text = (script.text or "").strip()
    if not text or len(text) > MAX_SCRIPT:
        return None
    kind = (script.get("type") or "").lower()
    if not kind.endswith("json"):
        match = _ASSIGNMENT.match(text)
        if match is None:
            return None
        text = match.group(1)
    try:
        return json.loads(text)
    except ValueError:  # one broken script does not spoil the page
        return None


def embedded_comments(root: etree._Element) -> list[EmbeddedComment]:
    """Comments from the page's JSON-LD, else from its embedded JSON state; each once."""
    found: list[EmbeddedComment] = []
    scripts = list(root.iter("script"))
    for script in scripts:
        if (script.get("type") or "").lower() == "application/ld+json":
            data = _script_json(script)
            found.extend(_walk_linked_data(data, None, True))
    if len(found) == 1 and not found[0].is_comment:
        found = []  # one review beside the page's subject is the page's own (a review article)
    if not found:
        for script in scripts:
            if (script.get("type") or "").lower() != "application/ld+json":
                found.extend(_walk_state(_script_json(script), False))
    unique: dict[tuple[str | None, str], EmbeddedComment] = {}
    for comment in found:
        unique.setdefault((comment.id, comment.text), comment)
    return list(unique.values())
