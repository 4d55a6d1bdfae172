"""Split a plain-text scraped article page into the article and its comment thread.

A scraped page is a title line (maybe repeated, maybe with a site suffix and a ``date``
header), story paragraphs with photo captions among them, page chrome (share and reaction
widgets, follow prompts, author boxes, the comment form) and then the comments: either a
numbered list whose further paragraphs are indented, or plain paragraphs after a
comments-start marker such as the comment form or the page title shown again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from moderation.parse.chrome import (
    AUTHOR_BOX,
    AUTHOR_BOX_LINES,
    CREDIT,
    DATE_HEADER,
    DATELINE,
    NUMBERED_ITEM,
    REACTION,
    THREAD_TOOLBAR,
    LineKind,
    classify_line,
    is_short_label,
)
from moderation.parse.source import Input
from moderation.parse.text import fold_for_matching, normalise_whitespace
from moderation.records import Article, Comment, Record

FORMAT = "text"
_MAX_TITLE_WORDS = 30
_MAX_SITE_WORDS = 6


@dataclass(frozen=True, slots=True)
class _Line:
    number: int  # 1-based line number in the file
    text: str  # stripped
    indent: int

    @property
    def folded(self) -> str:
        return fold_for_matching(self.text)


@dataclass(slots=True)
class _Block:
    """Consecutive non-blank lines: one paragraph, or one comment in a plain thread."""

    lines: list[_Line]

    @property
    def text(self) -> str:
        return normalise_whitespace("\n".join(line.text for line in self.lines))


def _split_title(line: str) -> tuple[str, str | None]:
    """Split "Story title | Site – YouTube" into the title and the site suffix."""
    if " | " in line:
        title, site = line.rsplit(" | ", 1)
        if title.strip() and len(site.split()) <= _MAX_SITE_WORDS:
            return normalise_whitespace(title), normalise_whitespace(site)
    return normalise_whitespace(line), None


def _looks_like_title(text: str) -> bool:
    return len(text.split()) <= _MAX_TITLE_WORDS and not text.rstrip().endswith(".")


def _is_thread_noise(line: _Line) -> bool:
    """Chrome around a numbered thread: only unindented lines are tested, never comment text."""
    kind = classify_line(line.folded)
    return kind in (LineKind.CHROME, LineKind.COMMENTS_START) or bool(
        THREAD_TOOLBAR.match(line.folded)
    )


def _is_toolbar(line: _Line) -> bool:
    """Toolbars and reaction buttons between the comments of a plain (unnumbered) thread."""
    folded = line.folded
    return (
        bool(THREAD_TOOLBAR.match(folded) or REACTION.match(folded))
        or classify_line(folded) is LineKind.COMMENTS_START
    )


def _numbered_thread_start(lines: list[_Line]) -> int | None:
    """Index of the "1." item of a numbered list that runs to the end of the page, if any.

    Between items only indented continuation lines and chrome may stand; a numbered list in
    the story, followed by more story, is therefore not taken for the comment thread.
    """
    for start, line in enumerate(lines):
        match = NUMBERED_ITEM.match(
            line.text if line.indent == 0 else " " * line.indent + line.text
        )
        if not match or match.group("number") != "1":
            continue
        expected, valid = 2, True
        for later in lines[start + 1 :]:
            item = NUMBERED_ITEM.match(" " * later.indent + later.text)
            if item and int(item.group("number")) == expected and later.indent <= 6:
                expected += 1
            elif later.indent >= 2 or _is_thread_noise(later):
                continue
            else:
                valid = False
                break
        if valid:
            return start
    return None


def _numbered_comments(lines: list[_Line]) -> Iterator[list[list[_Line]]]:
    """Group the thread's lines into comments, each a list of paragraphs (lists of lines)."""
    paragraphs: list[list[_Line]] = []
    previous_number = 0
    expected = 1
    for line in lines:
        item = NUMBERED_ITEM.match(" " * line.indent + line.text)
        if item and int(item.group("number")) == expected and line.indent <= 6:
            if paragraphs:
                yield paragraphs
            text = item.group("text")
            paragraphs = [[_Line(line.number, text, line.indent)]]
            expected += 1
            previous_number = line.number
            continue
        if not paragraphs or (line.indent < 2 and _is_thread_noise(line)):
            continue
        if line.number == previous_number + 1:
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
        previous_number = line.number
    if paragraphs:
        yield paragraphs


def _paragraphs_text(paragraphs: list[list[_Line]]) -> str:
    return "\n\n".join(
        normalise_whitespace("\n".join(line.text for line in paragraph)) for paragraph in paragraphs
    )


def _blocks(lines: list[_Line]) -> list[_Block]:
    blocks: list[_Block] = []
    for line in lines:
        if blocks and blocks[-1].lines[-1].number == line.number - 1:
            blocks[-1].lines.append(line)
        else:
            blocks.append(_Block([line]))
    return blocks


def split_page(text: str, source: Input) -> Iterator[Record]:
    """Yield the page's :class:`Article`, then one :class:`Comment` per comment, in order.

    Parameters
    ----------
    text : str
        The whole page.
    source : Input
        Where it came from; its ``stem`` becomes the article id.
    """
    article = Article(id=source.stem, source=source.name, format=FORMAT)
    lines = [
        _Line(number, raw.strip(), len(raw) - len(raw.lstrip(" ")))
        for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1)
        if raw.strip()
    ]
    thread_start = _numbered_thread_start(lines)
    page_lines = lines if thread_start is None else lines[:thread_start]

    # Header: a " date YYYY-MM-DD" prefix, then a title, a caption, or already the story.
    title_key: str | None = None
    first_body: list[str] = []
    if page_lines:
        first = page_lines.pop(0)
        rest = first.text
        date_header = DATE_HEADER.match(rest)
        if date_header:
            article.date, rest = date_header.group("date"), date_header.group("rest")
        if rest:
            kind = classify_line(fold_for_matching(rest))
            if kind is LineKind.CAPTION:
                article.captions.append(normalise_whitespace(rest))
            elif _looks_like_title(rest):
                article.title, article.site = _split_title(rest)
                title_key = fold_for_matching(article.title)
            else:
                first_body.append(normalise_whitespace(rest))

    body = list(first_body)
    thread_lines: list[_Line] = []
    in_thread = False
    previous_was_chrome = False
    author_box_left = 0
    for index, line in enumerate(page_lines):
        if in_thread:
            if not _is_toolbar(line):
                thread_lines.append(line)
            continue
        folded = line.folded
        if AUTHOR_BOX.match(folded):
            author_box_left = AUTHOR_BOX_LINES
            previous_was_chrome = True
            continue
        if author_box_left and len(line.text.split()) <= 40:
            author_box_left -= 1
            continue
        author_box_left = 0
        if title_key is not None and fold_for_matching(_split_title(line.text)[0]) == title_key:
            # The title shown again: at the top it is a repeat, after the story the thread.
            in_thread = bool(body)
            continue
        kind = classify_line(folded)
        if kind is LineKind.COMMENTS_START:
            in_thread = True
        elif kind is LineKind.CAPTION:
            article.captions.append(normalise_whitespace(line.text))
        elif kind is LineKind.CHROME:
            previous_was_chrome = True
        elif is_short_label(line.text) and (
            previous_was_chrome
            or (index + 1 < len(page_lines) and page_lines[index + 1].folded == folded)
        ):
            previous_was_chrome = True  # an author box or site label inside the chrome
        else:
            body.append(normalise_whitespace(line.text))
            previous_was_chrome = False

    if body:
        dateline = DATELINE.match(body[0])
        if dateline:
            article.dateline = dateline.group("dateline")
            body[0] = body[0][dateline.end() :]
        if len(body) > 1 and CREDIT.match(body[-1]):
            article.credit = body.pop()
    article.body = "\n\n".join(body)
    yield article

    if thread_start is not None:
        found = [
            (_paragraphs_text(paragraphs), paragraphs[0][0].number)
            for paragraphs in _numbered_comments(lines[thread_start:])
        ]
    else:
        found = [(block.text, block.lines[0].number) for block in _blocks(thread_lines)]
    for position, (comment_text, line_number) in enumerate(found, start=1):
        yield Comment(
            id=f"{article.id}/{position}",
            text=comment_text,
            article_id=article.id,
            position=position,
            source=source.name,
            format=FORMAT,
            line=line_number,
        )


def read_text_page(source: Input, options: object = None) -> Iterator[Record]:
    """Reader for plain-text scraped pages (see :func:`split_page`)."""
    yield from split_page(source.read_text(), source)
