"""Read Reddit API JSON: a thread's post as the article, its comment tree, its ``more`` stubs."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from moderation.errors import ParseError
from moderation.parse import ParseOptions
from moderation.parse.source import Input
from moderation.parse.text import normalise_whitespace
from moderation.records import Article, Comment, Record, Rejection, Unloaded

__all__ = ["read_reddit"]

FORMAT = "reddit"
# Bodies Reddit shows for comments removed by their author or by a moderator.
_DELETED_BODIES = frozenset({"[deleted]", "[removed]"})


def _iso(timestamp: object) -> str | None:
    """Seconds since the epoch as ISO 8601 UTC (``2013-04-15T20:51:28Z``)."""
    if isinstance(timestamp, bool) or not isinstance(timestamp, int | float):
        return None
    try:
        moment = datetime.fromtimestamp(timestamp, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: object) -> str | None:
    """Reddit escapes ``&``, ``<`` and ``>`` in markdown bodies; undo that, tidy whitespace."""
    return normalise_whitespace(html.unescape(value)) if isinstance(value, str) else None


def _string(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _more_children(node: dict[str, Any]) -> tuple[list[Any], str | None] | None:
    """The things of a ``morechildren`` response, and the link they all belong to.

    ``/api/morechildren`` answers ``{"json": {"errors": [], "data": {"things": [...]}}}``:
    a flat list of comments and stubs in thread order, each naming its parent.
    """
    answer = node.get("json")
    data = answer.get("data") if isinstance(answer, dict) else None
    things = data.get("things") if isinstance(data, dict) else None
    if not isinstance(things, list):
        return None
    link_ids = (
        _string(thing["data"].get("link_id"))
        for thing in things
        if isinstance(thing, dict) and isinstance(thing.get("data"), dict)
    )
    return things, next((link_id for link_id in link_ids if link_id), None)


def _things(document: object) -> Iterator[tuple[dict[str, Any], str | None]]:
    """Every thing (``t1``, ``t3``, ``more``...) in document order, with its link's fullname.

    Walks listings, ``replies`` and ``morechildren`` answers with an explicit stack, so deep
    threads cannot exhaust Python's recursion limit.
    """
    stack: list[tuple[object, str | None]] = [(document, None)]
    while stack:
        node, link_id = stack.pop()
        if isinstance(node, list):
            stack.extend((item, link_id) for item in reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        more_children = _more_children(node)
        if more_children is not None:
            things, answer_link = more_children
            stack.extend((item, answer_link or link_id) for item in reversed(things))
            continue
        data = node.get("data")
        if not isinstance(data, dict):
            continue
        kind = node.get("kind")
        if kind == "Listing":
            children = data.get("children")
            if isinstance(children, list):
                stack.extend((item, link_id) for item in reversed(children))
            continue
        if kind == "t3":
            link_id = _string(data.get("name")) or link_id
        elif kind == "t1":
            link_id = _string(data.get("link_id")) or link_id
        yield node, link_id
        replies = data.get("replies") if kind == "t1" else None
        if isinstance(replies, dict):
            stack.append((replies, link_id))


def _api_errors(document: object, source: Input) -> Iterator[Rejection]:
    """Errors a ``morechildren`` answer reports instead of comments (rate limit, bad id)."""
    answer = document.get("json") if isinstance(document, dict) else None
    errors = answer.get("errors") if isinstance(answer, dict) else None
    for error in errors if isinstance(errors, list) else []:
        words = error if isinstance(error, list) else [error]
        detail = ": ".join(str(word) for word in words[:2] if word)
        yield Rejection(source.name, f"Reddit API error: {detail or 'unknown'}")


def _parent(fullname: object) -> str | None:
    """A parent's fullname, or ``None`` when the parent is the post itself."""
    name = _string(fullname)
    return None if name is None or name.startswith("t3_") else name


def _load(source: Input) -> object:
    data = source.read_bytes()
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ParseError(source.name, f"not valid UTF-8 ({error.reason})", line) from error
    except json.JSONDecodeError as error:
        raise ParseError(source.name, f"invalid JSON: {error.msg}", error.lineno) from error
    except RecursionError as error:
        raise ParseError(source.name, "JSON nested too deeply to read") from error


def read_reddit(source: Input, options: ParseOptions) -> Iterator[Record]:
    """Read Reddit API JSON: a Listing, the ``[post, comments]`` pair a thread returns, or
    the ``{"json": {"data": {"things": [...]}}}`` answer of ``/api/morechildren``.

    The post (``t3``) becomes the article (id = its fullname, title, url, self text, date).
    Each comment (``t1``) becomes a comment: id = its fullname (``"t1_abc"``), ``parent_id``
    = its parent's fullname or ``None`` under the post, ``created_at`` = ``created_utc`` as
    ISO 8601 UTC. Bodies ``[deleted]`` / ``[removed]`` are kept, flagged ``deleted``. Each
    ``more`` stub becomes one :class:`~moderation.records.Unloaded` record: replies the API
    left out are reported, never invented. A ``morechildren`` answer's comments keep the
    link id they carry; each error it lists is a rejection. The whole file is read at once
    (API responses are small); the tree is walked without recursion.

    Parameters
    ----------
    source : Input
        The JSON file.
    options : ParseOptions
        Parse settings (unused by this reader).

    Yields
    ------
    Article, Comment, Unloaded or Rejection
        In document order (depth first, replies after their parent).

    Raises
    ------
    ParseError
        When the file is not valid JSON (naming the line) or is nested too deeply to read.

    Examples
    --------
    >>> thread = b'''[{"kind": "Listing", "data": {"children": [{"kind": "t3", "data":
    ...   {"name": "t3_p", "title": "A post", "created_utc": 0}}]}},
    ...  {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {"name": "t1_a",
    ...   "parent_id": "t3_p", "link_id": "t3_p", "body": "Me &amp; you", "replies": ""}},
    ...  {"kind": "more", "data": {"parent_id": "t3_p", "count": 4, "children": ["b", "c"]}}
    ...  ]}}]'''
    >>> records = list(read_reddit(Input("<text>", data=thread), ParseOptions()))
    >>> [record.record for record in records]
    ['article', 'comment', 'unloaded']
    >>> records[1].text, records[1].parent_id, records[2].count, records[2].ids
    ('Me & you', None, 4, ['t1_b', 't1_c'])
    """
    document = _load(source)
    yield from _api_errors(document, source)
    position = 0
    post_id: str | None = None  # the thread's post, for things listed apart from it
    for thing, link_id in _things(document):
        kind = thing.get("kind")
        data: dict[str, Any] = thing["data"]
        if kind == "t3":
            post_id = link_id
            yield _article(data, source)
        elif kind == "more":
            yield _unloaded(data, link_id or post_id, source)
        elif kind == "t1":
            record = _comment(data, link_id or post_id, position + 1, source)
            position += isinstance(record, Comment)
            yield record


def _article(data: dict[str, Any], source: Input) -> Article:
    """The post (``t3``) as the article: id = its fullname, title, url, self text, date."""
    return Article(
        id=_string(data.get("name")) or f"{source.stem}/post",
        title=_text(data.get("title")),
        date=_iso(data.get("created_utc")),
        url=_string(data.get("url")),
        body=_text(data.get("selftext")) or "",
        site=f"r/{data['subreddit']}" if _string(data.get("subreddit")) else None,
        source=source.name,
        format=FORMAT,
    )


def _unloaded(data: dict[str, Any], article_id: str | None, source: Input) -> Unloaded:
    """A ``more`` stub: the replies it names are reported, never invented."""
    children = data.get("children")
    names = [
        name if name.startswith("t1_") else f"t1_{name}"
        for name in (children if isinstance(children, list) else [])
        if isinstance(name, str) and name
    ]
    count = data.get("count")
    return Unloaded(
        parent_id=_parent(data.get("parent_id")),
        count=count if isinstance(count, int) else len(names),
        ids=names,
        article_id=article_id,
        source=source.name,
        format=FORMAT,
    )


def _comment(
    data: dict[str, Any], article_id: str | None, position: int, source: Input
) -> Comment | Rejection:
    """A comment (``t1``) at ``position``, or the reason it cannot be one."""
    comment_id = _string(data.get("name"))
    if comment_id is None and _string(data.get("id")):
        comment_id = f"t1_{data['id']}"
    text = _text(data.get("body"))
    if text is None:
        return Rejection(source.name, "text is not a string", None, comment_id)
    if not text:
        return Rejection(source.name, "comment has no text", None, comment_id)
    return Comment(
        id=comment_id or f"{source.stem}/{position}",
        text=text,
        article_id=article_id,
        parent_id=_parent(data.get("parent_id")),
        position=position,
        author=_string(data.get("author")),
        created_at=_iso(data.get("created_utc")),
        source=source.name,
        format=FORMAT,
        deleted=text in _DELETED_BODIES,
    )
