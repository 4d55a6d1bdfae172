"""Stream elements out of untrusted XML exports: no entities, no network, flat memory."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Collection, Generator, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from lxml import etree

from moderation.errors import ParseError
from moderation.parse.source import Input
from moderation.records import Rejection

__all__ = [
    "PARSER_OPTIONS",
    "RECOVER_LIMIT",
    "child",
    "child_text",
    "children_by_name",
    "element_text",
    "inner_markup",
    "iter_elements",
    "local_name",
]

logger = logging.getLogger(__name__)

# Inputs up to this size are re-read leniently after a syntax error (the whole file is then held
# in memory once); larger ones stop at the error with a ParseError naming the line.
RECOVER_LIMIT = 16 * 1024 * 1024
# How far into the input leading junk (a stray character, whitespace, a BOM) is skipped.
_HEAD_BYTES = 65536
# Every parser reads with these: entities are never expanded or fetched, no DTD is loaded, no
# network is used, and libxml2's limits on text size and nesting depth stay on.
PARSER_OPTIONS: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.DOTALL)
_START_TAG = re.compile(rb"<[A-Za-z_][^<>]*>")
_UNQUOTED_ATTRIBUTE = re.compile(rb"(\s[A-Za-z_][\w:.-]*)=([^\s\"'<>=`/]+)")
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY\s")
_BARE_AMPERSAND = re.compile(rb"&(?!(?:[A-Za-z_][\w.-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")


def local_name(element: etree._Element) -> str:
    """The tag of an element without its namespace (``""`` for comments and PIs)."""
    tag = element.tag
    return tag[tag.find("}") + 1 :] if isinstance(tag, str) else ""


def children_by_name(element: etree._Element) -> dict[str, etree._Element]:
    """The children of an element by local name (the first of each name), in one pass."""
    children: dict[str, etree._Element] = {}
    for node in element:
        tag = node.tag
        if isinstance(tag, str):
            children.setdefault(tag[tag.find("}") + 1 :], node)
    return children


def element_text(element: etree._Element | None) -> str | None:
    """The stripped text of an element and its descendants; ``None`` when absent or empty."""
    if element is None:
        return None
    text = element.text if len(element) == 0 else "".join(element.itertext())
    return (text or "").strip() or None


def child(element: etree._Element, name: str) -> etree._Element | None:
    """The first child whose local name is ``name``, or ``None``."""
    for node in element:
        if local_name(node) == name:
            return node
    return None


def child_text(element: etree._Element, name: str) -> str | None:
    """The stripped text of the first child named ``name``; ``None`` when absent or empty."""
    return element_text(child(element, name))


def inner_markup(element: etree._Element | None) -> str:
    """The content of an element as markup: its text plus any child elements serialised.

    Export messages are usually CDATA (plain text to lxml); a message whose HTML was not
    wrapped in CDATA arrives as child elements, which are serialised back for ``html_to_text``.
    """
    if element is None:
        return ""
    parts = [element.text or ""]
    for node in element:
        if isinstance(node.tag, str):
            parts.append(etree.tostring(node, encoding="unicode", with_tail=True))
        elif node.tail:
            parts.append(node.tail)
    return "".join(parts)


def _skip_leading_junk(source: Input, stream: BinaryIO) -> int:
    """Seek ``stream`` to the first ``<``; return how many lines were skipped.

    A stray character, whitespace or a BOM before ``<?xml`` is a fatal error to libxml2 but
    loses nothing, so it is skipped (and logged when it is more than whitespace and a BOM).
    """
    head = stream.read(_HEAD_BYTES)
    if head.startswith(_UTF16_BOMS):
        stream.seek(0)
        return 0
    start = head.find(b"<")
    if start < 0:
        raise ParseError(source.name, "no XML markup near the start of the input", 1)
    junk = head[:start]
    if junk.removeprefix(b"\xef\xbb\xbf").strip():
        logger.warning("%s: skipped %d stray byte(s) before the XML", source.name, len(junk))
    stream.seek(start)
    return junk.count(b"\n")


def _refuse_entities(source: Input, names: list[str], line: int) -> ParseError:
    listed = f" ({', '.join(names[:5])})" if names else ""
    return ParseError(
        source.name,
        f"the XML declares entities{listed}: refused, as an export never does and entity "
        "expansion or external entities are a known attack",
        line,
    )


def _check_entities(source: Input, root: etree._Element, line_offset: int) -> None:
    """Refuse documents that declare entities: exports never do, attacks always do."""
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is None:
        return
    names = [entity.name for entity in dtd.iterentities()]
    if names:
        raise _refuse_entities(source, names, 1 + line_offset)


def _repair(data: bytes) -> bytes:
    """Fix the damage that loses nothing: unquoted attribute values and bare ``&``.

    Only markup outside CDATA sections is touched, and no line breaks are added, so line
    numbers stay those of the file.
    """

    def fix_tag(match: re.Match[bytes]) -> bytes:
        return _UNQUOTED_ATTRIBUTE.sub(rb'\1="\2"', match.group(0))

    def fix(markup: bytes) -> bytes:
        return _BARE_AMPERSAND.sub(b"&amp;", _START_TAG.sub(fix_tag, markup))

    parts: list[bytes] = []
    last = 0
    for cdata in _CDATA.finditer(data):
        parts.append(fix(data[last : cdata.start()]))
        parts.append(cdata.group(0))
        last = cdata.end()
    parts.append(fix(data[last:]))
    return b"".join(parts)


def _error_line(error: etree.XMLSyntaxError, line_offset: int) -> int | None:
    line = error.position[0] if error.position else error.lineno
    return line + line_offset if line else None


def _stream(
    source: Input,
    stream: BinaryIO,
    names: Collection[str],
    depth: int,
    line_offset: int,
    skip: int,
) -> Iterator[tuple[etree._Element, int]]:
    """Strictly iterparse ``stream``, yielding matching elements after the first ``skip``."""
    level = 0
    matched = 0
    for event, element in etree.iterparse(stream, events=("start", "end"), **PARSER_OPTIONS):
        if event == "start":
            level += 1
            if level == 1:
                _check_entities(source, element, line_offset)
            continue
        if level == depth + 1 and local_name(element) in names:
            matched += 1
            if matched > skip:
                yield element, (element.sourceline or 0) + line_offset
            # Free what has been read: the element's content and everything before it.
            element.clear()
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
        level -= 1


def _at_depth(root: etree._Element, depth: int) -> Iterator[etree._Element]:
    level = [root]
    for _ in range(depth):
        level = [node for parent in level for node in parent if isinstance(node.tag, str)]
    return iter(level)


def _count(element: etree._Element, comment_name: str) -> int:
    return sum(1 for node in element.iter() if local_name(node) == comment_name)


def iter_elements(
    source: Input,
    names: Collection[str],
    depth: int,
    comment_name: str,
) -> Iterator[tuple[etree._Element, int] | Rejection]:
    """Iterate over the elements of an untrusted XML export, one at a time.

    The input is streamed with :func:`lxml.etree.iterparse`: entities are never expanded or
    fetched (a document declaring any is refused), no DTD or network access is used, and each
    element is cleared once the caller has read it, so memory does not grow with the file.

    Damage is handled in steps (junk skipped, :func:`_assess_damage`, :func:`_repair` and
    :func:`_read_repaired`, then :func:`_read_recovering`); elements already yielded are never
    repeated, and comments lost to damage are reported as a rejection.

    Parameters
    ----------
    source : Input
        The export.
    names : collection of str
        Local names (without namespace) of the elements wanted.
    depth : int
        Their depth in the document: 1 for children of the root element.
    comment_name : str
        Local name of one comment (``"post"``, ``"comment"``), to count comments lost.

    Yields
    ------
    (lxml.etree._Element, int) or Rejection
        Each wanted element with the 1-based line where it starts (valid only until the next
        item is requested), or a rejection reporting comments lost to damage.

    Raises
    ------
    ParseError
        On a document declaring entities, a truncated file, or damage in a file too large
        to recover, naming the line.
    """
    progress = _Progress()
    with source.open() as stream:
        line_offset = _skip_leading_junk(source, stream)
        start = stream.tell()
        try:
            for item in _stream(source, stream, names, depth, line_offset, skip=0):
                progress.yielded += 1
                yield item
            return
        except etree.XMLSyntaxError as error:
            first_error = error
        stream.seek(start)
        data = stream.read(RECOVER_LIMIT + 1)
    damage = _assess_damage(source, first_error, data, line_offset)
    fixed = _repair(data)
    if fixed != data:
        repaired = _stream(source, io.BytesIO(fixed), names, depth, line_offset, progress.yielded)
        if (yield from _read_repaired(repaired, progress)):
            logger.warning("%s:%s: recovered from %s", source.name, damage.line, damage.reason)
            return
    yield from _read_recovering(source, fixed, data, names, depth, comment_name, damage, progress)


@dataclass(slots=True)
class _Progress:
    """How many wanted elements were already given out (never given out twice)."""

    yielded: int = 0


@dataclass(frozen=True, slots=True)
class _Damage:
    """Where a syntax error is and what to call it."""

    reason: str
    line: int | None
    line_offset: int


def _assess_damage(
    source: Input, error: etree.XMLSyntaxError, data: bytes, line_offset: int
) -> _Damage:
    """Describe the first syntax error; refuse what is not worth recovering.

    A file too large to read again, one cut off at its end, or one that declares entities
    raises :class:`ParseError` naming the line.
    """
    line = _error_line(error, line_offset)
    reason = f"damaged XML: {str(error.msg or error).splitlines()[0][:200]}"
    last_line = data.rstrip().count(b"\n") + 1 + line_offset
    if len(data) > RECOVER_LIMIT:
        raise ParseError(source.name, f"{reason} (file too large to recover)", line)
    if line is None or line >= last_line:
        raise ParseError(source.name, f"truncated or {reason}", line)
    first_element = _FIRST_ELEMENT.search(data)
    if _ENTITY_DECLARATION.search(data, 0, first_element.start() if first_element else len(data)):
        raise _refuse_entities(source, [], 1 + line_offset)
    return _Damage(reason, line, line_offset)


def _read_repaired(
    items: Iterator[tuple[etree._Element, int]], progress: _Progress
) -> Generator[tuple[etree._Element, int], None, bool]:
    """Give out the elements of the repaired text (unquoted attribute values quoted, bare
    ``&`` escaped); whether it read to the end."""
    try:
        for item in items:
            progress.yielded += 1
            yield item
    except etree.XMLSyntaxError:
        return False
    return True


def _read_recovering(
    source: Input,
    fixed: bytes,
    data: bytes,
    names: Collection[str],
    depth: int,
    comment_name: str,
    damage: _Damage,
    progress: _Progress,
) -> Iterator[tuple[etree._Element, int] | Rejection]:
    """Last resort: lxml's recovering parser, and a rejection for comments it lost.

    The rejection is yielded when fewer comments came out than the file has
    ``<comment_name`` tags (a count that is approximate). Recoveries are logged.
    """
    parser = etree.XMLParser(recover=True, **PARSER_OPTIONS)
    root = etree.fromstring(fixed, parser)
    if root is None:
        raise ParseError(source.name, damage.reason, damage.line)
    _check_entities(source, root, damage.line_offset)
    elements = [node for node in _at_depth(root, depth) if local_name(node) in names]
    expected = len(re.findall(rb"<(?:[\w.-]+:)?" + comment_name.encode() + rb"[\s/>]", data))
    found = sum(_count(node, comment_name) for node in elements)
    if found < expected:
        yield Rejection(
            source.name,
            f"{damage.reason}; recovered {found} of {expected} <{comment_name}> elements, "
            f"{expected - found} lost",
            damage.line,
        )
    else:
        logger.warning("%s:%s: recovered from %s", source.name, damage.line, damage.reason)
    for node in elements[progress.yielded :]:
        yield node, (node.sourceline or 0) + damage.line_offset
        node.clear()
