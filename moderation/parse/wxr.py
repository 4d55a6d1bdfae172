"""Read a WordPress WXR export: one article per post with comments, streamed item by item.

>>> xml = (b'<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item>'
...        b'<title>Post</title><wp:post_id>5</wp:post_id>'
...        b'<wp:comment><wp:comment_id>1</wp:comment_id>'
...        b'<wp:comment_content>First!</wp:comment_content>'
...        b'<wp:comment_approved>1</wp:comment_approved></wp:comment>'
...        b'<wp:comment><wp:comment_id>2</wp:comment_id>'
...        b'<wp:comment_content>Buy now</wp:comment_content>'
...        b'<wp:comment_approved>spam</wp:comment_approved>'
...        b'<wp:comment_parent>1</wp:comment_parent></wp:comment>'
...        b'<wp:comment><wp:comment_id>3</wp:comment_id>'
...        b'<wp:comment_content>Linked here</wp:comment_content>'
...        b'<wp:comment_approved>0</wp:comment_approved>'
...        b'<wp:comment_type>pingback</wp:comment_type></wp:comment>'
...        b'</item></channel></rss>')
>>> records = read_wxr(Input("<text>", data=xml), ParseOptions())
>>> comments = [record for record in records if record.record == "comment"]
>>> [(c.id, c.parent_id, c.approved, c.platform_spam) for c in comments]
[('1', None, True, False), ('2', '1', False, True), ('3', None, False, False)]
>>> [c.kind for c in comments]
['comment', 'comment', 'pingback']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from moderation.parse import ParseOptions
from moderation.parse.source import Input
from moderation.parse.text import html_to_text
from moderation.parse.xmlsafe import (
    child,
    child_text,
    children_by_name,
    element_text,
    inner_markup,
    iter_elements,
    local_name,
)
from moderation.records import Article, Comment, CommentKind, Record, Rejection

__all__ = ["read_wxr"]

FORMAT = "wxr"
_CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
_WP_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})")
_KINDS: dict[str, CommentKind] = {"pingback": "pingback", "trackback": "trackback"}


def _date(gmt: str | None, local: str | None) -> str | None:
    """The GMT date as ISO 8601 UTC where WordPress gives one, else the local date verbatim."""
    match = _WP_DATE.fullmatch(gmt or "")
    if match and not match.group(1).startswith("0000"):
        return f"{match.group(1)}T{match.group(2)}Z"
    return local if local and not local.startswith("0000") else None


def _approval(status: str) -> tuple[bool | None, bool, bool]:
    """``(approved, platform_spam, deleted)`` for a ``wp:comment_approved`` value."""
    if status == "1":
        return True, False, False
    if status == "0":
        return False, False, False
    if status == "spam":
        return False, True, False
    if status == "trash":
        return None, False, True
    return None, False, False


def _fields(element: etree._Element) -> dict[str, str | None]:
    """The stripped text of each child of a ``wp:comment``, by local name (first one wins)."""
    return {name: element_text(node) for name, node in children_by_name(element).items()}


def read_wxr(source: Input, options: ParseOptions) -> Iterator[Record]:
    """Read a WordPress eXtended RSS export (``<item>`` elements with ``<wp:comment>``).

    Each item with comments becomes an article (id = ``wp:post_id``, title, link, date, body
    from ``content:encoded``), followed by its comments. ``wp:comment_approved`` gives
    ``approved`` (``"1"`` / ``"0"``), ``platform_spam`` (``"spam"``) or ``deleted``
    (``"trash"``); ``wp:comment_type`` marks pingbacks and trackbacks. Comment ids are
    WordPress's ``comment_id``; should one repeat in the export, it is qualified as
    ``"<post id>/<comment id>"`` (plus ``-2``, ``-3``... should it repeat within one post)
    and replies in that post point at the qualified id.
    Dates are the GMT ones as ISO 8601 UTC (``...Z``) where present. The file is streamed
    one item at a time; only the set of comment ids seen is kept.

    Parameters
    ----------
    source : Input
        The export.
    options : ParseOptions
        Parse settings (unused by this reader).

    Yields
    ------
    Article, Comment or Rejection
        In file order; a rejection for a comment without text, or comments lost to damage.

    Raises
    ------
    ParseError
        For an unsafe, truncated or unrecoverably damaged file.
    """
    seen: set[str] = set()
    counter = _Counter()
    for item in iter_elements(source, ("item",), depth=2, comment_name="comment"):
        if isinstance(item, Rejection):
            yield item
            continue
        element, line = item
        comments = [
            (node, _fields(node), node.sourceline or line)
            for node in element
            if local_name(node) == "comment"
        ]
        if not comments:
            continue
        # sourceline is relative to the parsed stream; shift by the item's known offset.
        offset = line - (element.sourceline or line)
        article = _item_article(element, line, source)
        yield article
        assigned = _assign_ids(comments, article.id, seen, source.stem, offset)
        yield from _item_comments(comments, assigned, article.id, offset, source, counter)


@dataclass(slots=True)
class _Counter:
    """The position of the last comment given out, across the items of one export."""

    position: int = 0


_Entry = tuple[etree._Element, dict[str, str | None], int]


def _item_article(element: etree._Element, line: int, source: Input) -> Article:
    """The post an ``<item>`` describes: id, title, date, url and body."""
    article_id = (
        child_text(element, "post_id") or child_text(element, "link") or f"{source.stem}/{line}"
    )
    return Article(
        id=article_id,
        title=child_text(element, "title"),
        date=_date(child_text(element, "post_date_gmt"), child_text(element, "post_date")),
        url=child_text(element, "link"),
        body=html_to_text(inner_markup(element.find(_CONTENT_ENCODED))),
        source=source.name,
        format=FORMAT,
    )


def _assign_ids(
    comments: list[_Entry], article_id: str, seen: set[str], stem: str, offset: int
) -> list[str]:
    """Every comment id of one item, before any is given out, so that replies may point
    forwards; an id seen before in the export is qualified by the post."""
    assigned: list[str] = []
    for _node, fields, comment_line in comments:
        raw_id = fields.get("comment_id") or f"{stem}/{comment_line + offset}"
        comment_id = raw_id if raw_id not in seen else f"{article_id}/{raw_id}"
        copy = 1
        while comment_id in seen:
            copy += 1
            comment_id = f"{article_id}/{raw_id}-{copy}"
        seen.add(comment_id)
        assigned.append(comment_id)
    return assigned


def _item_comments(
    comments: list[_Entry],
    assigned: list[str],
    article_id: str,
    offset: int,
    source: Input,
    counter: _Counter,
) -> Iterator[Comment | Rejection]:
    """The comments of one item, replies pointing at the ids :func:`_assign_ids` gave."""
    ids: dict[str, str] = {}
    for (_node, fields, _line), comment_id in zip(comments, assigned, strict=True):
        raw_id = fields.get("comment_id") or comment_id
        ids.setdefault(raw_id, comment_id)
    for (node, fields, comment_line), comment_id in zip(comments, assigned, strict=True):
        approved, spam, deleted = _approval((fields.get("comment_approved") or "").casefold())
        text = html_to_text(inner_markup(child(node, "comment_content")))
        if not text and not deleted:
            yield Rejection(source.name, "comment has no text", comment_line + offset, comment_id)
            continue
        parent = fields.get("comment_parent")
        counter.position += 1
        yield Comment(
            id=comment_id,
            text=text,
            article_id=article_id,
            parent_id=ids.get(parent, parent) if parent and parent != "0" else None,
            position=counter.position,
            author=fields.get("comment_author"),
            created_at=_date(fields.get("comment_date_gmt"), fields.get("comment_date")),
            source=source.name,
            format=FORMAT,
            line=comment_line + offset,
            deleted=deleted,
            platform_spam=spam,
            approved=approved,
            kind=_KINDS.get((fields.get("comment_type") or "").casefold(), "comment"),
        )
