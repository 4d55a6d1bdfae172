"""Read a Disqus XML export: one article per thread, one comment per post, streamed."""

from __future__ import annotations

from collections.abc import Iterator

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
from moderation.records import Article, Comment, Record, Rejection

__all__ = ["read_disqus"]

FORMAT = "disqus"
_DSQ_ID = "{http://disqus.com/disqus-internals}id"


def _dsq_id(element: etree._Element | None) -> str | None:
    """The ``dsq:id`` attribute (any namespace prefix), or ``None``."""
    if element is None:
        return None
    value = element.get(_DSQ_ID)
    if value is None:
        value = next((v for k, v in element.attrib.items() if k.rpartition("}")[2] == "id"), None)
    if value is None:
        return None
    return value.strip() or None


def _flag(element: etree._Element | None) -> bool:
    return (element_text(element) or "").casefold() == "true"


def _author(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return child_text(element, "name") or child_text(element, "username")


def _article(thread: etree._Element, line: int, source: Input) -> Article:
    return Article(
        id=_dsq_id(thread) or child_text(thread, "id") or f"{source.stem}/{line}",
        title=child_text(thread, "title"),
        date=child_text(thread, "createdAt"),
        url=child_text(thread, "link"),
        body=html_to_text(inner_markup(child(thread, "message"))),
        source=source.name,
        format=FORMAT,
    )


def read_disqus(source: Input, options: ParseOptions) -> Iterator[Record]:
    """Read a Disqus export (``<disqus>`` with ``<thread>`` and ``<post>`` elements).

    Threads become articles (id = ``dsq:id``, title, link, creation date) and posts become
    comments: id = the post's ``dsq:id``, ``article_id`` / ``parent_id`` = the ``dsq:id`` of
    its ``<thread>`` / ``<parent>``, HTML message as plain text. Deleted and spam posts stay,
    flagged ``deleted`` / ``platform_spam``. The file is streamed: no post is kept in memory.

    Parameters
    ----------
    source : Input
        The export.
    options : ParseOptions
        Parse settings (unused by this reader).

    Yields
    ------
    Article, Comment or Rejection
        In file order; a rejection for a live post without text, or posts lost to damage.

    Raises
    ------
    ParseError
        For an unsafe, truncated or unrecoverably damaged file (see
        :func:`~moderation.parse.xmlsafe.iter_elements`).

    Examples
    --------
    >>> xml = (b'<?xml version="1.0"?><disqus xmlns:dsq="http://disqus.com/disqus-internals">'
    ...        b'<post dsq:id="1"><message><![CDATA[<p>First!</p>]]></message>'
    ...        b'<thread dsq:id="9"/></post>'
    ...        b'<post dsq:id="2"><message>Second.</message><thread dsq:id="9"/>'
    ...        b'<parent dsq:id="1"/></post>'
    ...        b'<post dsq:id="3"><message/><isDeleted>true</isDeleted></post></disqus>')
    >>> [(c.id, c.text, c.parent_id, c.deleted)
    ...  for c in read_disqus(Input("<text>", data=xml), ParseOptions())]
    [('1', 'First!', None, False), ('2', 'Second.', '1', False), ('3', '', None, True)]
    """
    position = 0
    for item in iter_elements(source, ("thread", "post"), depth=1, comment_name="post"):
        if isinstance(item, Rejection):
            yield item
            continue
        element, line = item
        if local_name(element) == "thread":
            yield _article(element, line, source)
            continue
        fields = children_by_name(element)
        comment_id = _dsq_id(element) or f"{source.stem}/{line}"
        text = html_to_text(inner_markup(fields.get("message")))
        deleted = _flag(fields.get("isDeleted"))
        if not text and not deleted:
            yield Rejection(source.name, "post has no message text", line, comment_id)
            continue
        position += 1
        yield Comment(
            id=comment_id,
            text=text,
            article_id=_dsq_id(fields.get("thread")),
            parent_id=_dsq_id(fields.get("parent")),
            position=position,
            author=_author(fields.get("author")),
            created_at=element_text(fields.get("createdAt")),
            source=source.name,
            format=FORMAT,
            line=line,
            deleted=deleted,
            platform_spam=_flag(fields.get("isSpam")),
        )
