"""Cut the comment thread of a plain-text page into comments, with their headers and replies.

Two shapes of thread are read. A *numbered* thread ("  1. First comment", further paragraphs
indented, replies as a nested list that starts again at "1.") gives one comment per item. A
*plain* thread is cut at its comment headers ("Anna · 3 hours ago", "Posted by Max on ...")
when it has them, else at blank lines and toolbars. Either way header lines become the
comment's author and time, toolbar lines ("Reply · Like · 12") are dropped, and a comment
indented under another one (or introduced by "In reply to NAME") is linked to it as a reply.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from moderation.parse.chrome import (
    FOOTER,
    NUMBERED_ITEM,
    REACTION,
    RELATED,
    LineKind,
    classify_line,
    is_toolbar,
)
from moderation.parse.headers import (
    Header,
    looks_like_name,
    read_comment_header,
    reply_target,
    toolbar_date,
)
from moderation.parse.text import fold_for_matching, normalise_whitespace

__all__ = ["Draft", "PageLine", "numbered_comments", "numbered_thread", "plain_comments"]

_MAX_TOP_INDENT = 6  # a top-level "1." item is indented by at most this much


@dataclass(frozen=True, slots=True)
class PageLine:
    """One non-blank line of a page: its 1-based number, stripped text and indentation."""

    number: int
    text: str
    indent: int

    @property
    def folded(self) -> str:
        return fold_for_matching(self.text)


@dataclass(slots=True)
class Draft:
    """A comment being assembled: its text lines, header fields and parent (a draft index)."""

    indent: int
    line: int
    lines: list[PageLine] = field(default_factory=list)
    author: str | None = None
    date: str | None = None
    reply_to: str | None = None
    parent: int | None = None
    closed: bool = False  # a toolbar ended it: the next text line starts a new comment

    def add_header(self, header: Header) -> None:
        """Take what a header line says, where this comment does not know it yet."""
        self.author = self.author or header.author
        self.date = self.date or header.date
        self.reply_to = self.reply_to or header.reply_to

    @property
    def text(self) -> str:
        """Lines of a paragraph joined by a line break, paragraphs by a blank line."""
        paragraphs: list[list[str]] = []
        previous = None
        for line in self.lines:
            if previous is not None and line.number == previous + 1:
                paragraphs[-1].append(line.text)
            else:
                paragraphs.append([line.text])
            previous = line.number
        return "\n\n".join(normalise_whitespace("\n".join(p)) for p in paragraphs)


# --- what each thread line is ------------------------------------------------------------

_DROP, _TOOLBAR, _HEADER, _REPLY_TO, _TEXT = "drop", "toolbar", "header", "reply_to", "text"


@dataclass(frozen=True, slots=True)
class _Marked:
    line: PageLine
    kind: str
    header: Header | None = None


def _mark(line: PageLine, in_item: bool) -> _Marked:
    """Tell a thread line's kind: form/heading to drop, toolbar, header, reply-to, or text.

    Inside a numbered item only toolbars and headers are taken out: the item is a comment.
    """
    folded = line.folded
    if not in_item and (
        classify_line(folded) is LineKind.COMMENTS_START
        or REACTION.match(folded)
        or FOOTER.search(folded)
    ):
        return _Marked(line, _DROP)
    if is_toolbar(folded):
        return _Marked(line, _TOOLBAR)
    date = toolbar_date(line.text)
    if date is not None:
        return _Marked(line, _TOOLBAR, Header(date=date))
    target = reply_target(line.text)
    if target is not None:
        return _Marked(line, _REPLY_TO, Header(reply_to=target))
    header = read_comment_header(line.text)
    if header is not None:
        return _Marked(line, _HEADER, header)
    return _Marked(line, _TEXT)


def _mark_all(lines: list[PageLine], in_item: bool = False) -> list[_Marked]:
    """Mark every line; a name line right above a date-only line is that header's author."""
    marked = [_mark(line, in_item) for line in lines]
    related_block = False  # a "related articles" heading and the headline lines under it
    for index, item in enumerate(marked):
        joined = index > 0 and item.line.number == marked[index - 1].line.number + 1
        related_block = (joined and related_block) or (
            not in_item and bool(RELATED.search(item.line.folded))
        )
        if related_block:
            marked[index] = _Marked(item.line, _DROP)
    for index, item in enumerate(marked[:-1]):
        following = marked[index + 1]
        if (
            item.kind == _TEXT
            and following.kind == _HEADER
            and following.header is not None
            and following.header.author is None
            and following.line.number == item.line.number + 1
            and (index == 0 or marked[index - 1].line.number < item.line.number - 1
                 or marked[index - 1].kind in (_TOOLBAR, _DROP))
            and looks_like_name(item.line.text)
        ):  # fmt: skip
            marked[index] = _Marked(item.line, _HEADER, Header(author=item.line.text))
    return marked


# --- plain threads -----------------------------------------------------------------------


def _by_headers(marked: list[_Marked]) -> list[Draft]:
    """Cut a thread at its header lines; a toolbar closes the comment above it."""
    drafts: list[Draft] = []
    for item in marked:
        current = drafts[-1] if drafts else None
        if item.kind == _DROP:
            continue
        if item.kind == _TOOLBAR:
            if current is not None:
                if item.header is not None and current.date is None:
                    current.date = item.header.date
                current.closed = True
            continue
        if item.kind in (_HEADER, _REPLY_TO) and item.header is not None:
            if current is None or current.lines or current.closed:
                current = Draft(item.line.indent, item.line.number)
                drafts.append(current)
            current.add_header(item.header)
            continue
        if current is None or current.closed:
            current = Draft(item.line.indent, item.line.number)
            drafts.append(current)
        current.lines.append(item.line)
    return drafts


def _by_blocks(marked: list[_Marked]) -> list[Draft]:
    """Cut a thread at blank lines and toolbars; header lines at a block's edges are its own."""
    drafts: list[Draft] = []
    pending: list[Header] = []  # a block of header lines only: it belongs to the next block
    previous_number = None
    for item in marked:
        current = drafts[-1] if drafts else None
        if item.kind in (_DROP, _TOOLBAR):
            if item.header is not None and current is not None and current.date is None:
                current.date = item.header.date
            previous_number = None
            continue
        joined = previous_number is not None and item.line.number == previous_number + 1
        previous_number = item.line.number
        if item.kind != _TEXT and item.header is not None:
            if joined and current is not None and current.lines:
                current.add_header(item.header)  # a header under the text: a footer
            else:
                pending.append(item.header)
            continue
        if not joined or current is None or not current.lines:
            current = Draft(item.line.indent, item.line.number)
            drafts.append(current)
            for header in pending:
                current.add_header(header)
            pending = []
        current.lines.append(item.line)
    return drafts


def _link_by_indent(drafts: list[Draft], start: int = 0) -> None:
    """A draft indented deeper than an earlier one replies to the nearest such one."""
    open_drafts: list[int] = [start] if start < len(drafts) else []  # indents rising
    for index in range(start + 1, len(drafts)):
        indent = drafts[index].indent
        while open_drafts and drafts[open_drafts[-1]].indent >= indent:
            open_drafts.pop()
        if drafts[index].parent is None and open_drafts:
            drafts[index].parent = open_drafts[-1]
        open_drafts.append(index)


def _link_by_name(drafts: list[Draft]) -> None:
    """ "In reply to NAME": the parent is NAME's latest comment above."""
    for index, draft in enumerate(drafts):
        if draft.reply_to is None:
            continue
        for earlier in range(index - 1, -1, -1):
            if drafts[earlier].author == draft.reply_to:
                draft.parent = earlier
                break


def _without_empty(drafts: list[Draft]) -> list[Draft]:
    """Drop drafts without text (a header alone); their replies go to their own parent."""
    original = [draft.parent for draft in drafts]
    new_index: dict[int, int] = {}
    kept: list[Draft] = []
    for index, draft in enumerate(drafts):
        parent = original[index]
        while parent is not None and parent not in new_index:
            parent = original[parent]
        draft.parent = None if parent is None else new_index[parent]
        if draft.lines:
            new_index[index] = len(kept)
            kept.append(draft)
    return kept


def plain_comments(lines: list[PageLine]) -> list[Draft]:
    """The comments of an unnumbered thread, in order, with header fields and parents.

    A thread whose first line is a comment header is cut at headers (so a comment keeps its
    paragraphs); any other thread at blank lines and toolbars, as a scrape without headers
    shows one comment per block.
    """
    marked = _mark_all(lines)
    first = next((item for item in marked if item.kind not in (_DROP, _TOOLBAR)), None)
    header_led = first is not None and first.kind in (_HEADER, _REPLY_TO)
    drafts = [d for d in (_by_headers if header_led else _by_blocks)(marked) if d.lines]
    _link_by_indent(drafts)
    _link_by_name(drafts)
    return drafts


# --- numbered threads --------------------------------------------------------------------


def _item_depth(line: PageLine, levels: list[list[int]]) -> int | None:
    """The nesting depth at which ``line`` is the next item, else None.

    ``levels`` holds ``[indent, next number]`` per open list: the top list, then each nested
    list of replies (which starts again at 1, indented deeper than its parent item).
    """
    match = NUMBERED_ITEM.match(line.text)
    if match is None:
        return None
    number = int(match.group("number"))
    if not levels:
        return 0 if number == 1 and line.indent <= _MAX_TOP_INDENT else None
    if number == levels[0][1] and line.indent <= _MAX_TOP_INDENT:
        return 0
    for depth in range(len(levels) - 1, 0, -1):
        if number == levels[depth][1] and abs(line.indent - levels[depth][0]) <= 1:
            return depth
    if number == 1 and line.indent > levels[-1][0] + 1:
        return len(levels)
    return None


def _enter_item(line: PageLine, depth: int, levels: list[list[int]]) -> None:
    del levels[depth + 1 :]
    if depth == len(levels):
        levels.append([line.indent, 1])
    levels[depth][1] += 1


def is_thread_noise(line: PageLine) -> bool:
    """Chrome around a numbered thread: only unindented lines are tested, never comment text."""
    kind = classify_line(line.folded)
    return kind in (LineKind.CHROME, LineKind.COMMENTS_START) or is_toolbar(line.folded)


def _ends_page(line: PageLine) -> bool:
    """An unindented footer or "related articles" heading: the page's end, after a thread."""
    return line.indent < 2 and bool(FOOTER.search(line.folded) or RELATED.search(line.folded))


def numbered_thread(lines: list[PageLine]) -> tuple[int, int] | None:
    """Where the comments of a numbered thread stand: the "1." item and the end, if any.

    The list must run to the end of the page, or to a footer or "related articles" block
    after it. Between items only indented continuation lines and chrome may stand; a
    numbered list in the story, followed by more story, is therefore not the thread.
    """
    for start, line in enumerate(lines):
        levels: list[list[int]] = []
        if _item_depth(line, levels) != 0:
            continue
        _enter_item(line, 0, levels)
        end = len(lines)
        for index in range(start + 1, len(lines)):
            later = lines[index]
            depth = _item_depth(later, levels)
            if depth is not None:
                _enter_item(later, depth, levels)
            elif _ends_page(later):
                end = index
                break
            elif later.indent < 2 and not is_thread_noise(later):
                end = -1
                break
        if end >= 0:
            return start, end
    return None


def _numbered_items(lines: list[PageLine]) -> Iterator[tuple[int, list[PageLine]]]:
    """Each item's depth and lines (its own text first), in order."""
    levels: list[list[int]] = []
    current: list[PageLine] = []
    depth = 0
    for line in lines:
        item_depth = _item_depth(line, levels)
        if item_depth is not None:
            if current:
                yield depth, current
            _enter_item(line, item_depth, levels)
            depth = item_depth
            text = NUMBERED_ITEM.match(line.text).group("text")  # type: ignore[union-attr]
            current = [PageLine(line.number, text, line.indent)]
        elif current and not (line.indent < 2 and is_thread_noise(line)):
            current.append(line)
    if current:
        yield depth, current


def numbered_comments(lines: list[PageLine]) -> list[Draft]:
    """The comments of a numbered thread: one per item, replies from nested lists.

    Inside an item, header and toolbar lines are read as for a plain thread; a further
    header paragraph indented under the item's text is a reply to it.
    """
    drafts: list[Draft] = []
    parents: list[int] = []  # the latest draft at each depth
    for depth, item_lines in _numbered_items(lines):
        first = len(drafts)
        pieces = _by_headers(_mark_all(item_lines, in_item=True))
        if not any(piece.lines for piece in pieces):  # an item of toolbar words only
            pieces = [Draft(item_lines[0].indent, 0, lines=item_lines)]
        pieces[0].line = item_lines[0].number
        pieces[0].indent = item_lines[0].indent
        drafts.extend(pieces)
        del parents[depth:]
        drafts[first].parent = parents[-1] if parents else None
        parents.append(first)
        _link_by_indent(drafts, first)
    _link_by_name(drafts)
    return _without_empty(drafts)
