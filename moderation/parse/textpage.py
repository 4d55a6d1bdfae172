"""Split a plain-text scraped article page into the article and its comment thread.

A scraped page is a title line (maybe repeated, maybe with a site suffix and a ``date``
header), date lines and bylines, story paragraphs with photo captions among them, page chrome
(share and reaction widgets, follow prompts, author boxes, "related articles" blocks, the
comment form) and then the comments: either a numbered list whose further paragraphs are
indented, or plain paragraphs after a comments-start marker such as the comment form, a
comment heading, the page title shown again, or a first comment header after the story.
Comment headers, toolbars and replies are read by :mod:`moderation.parse.textthread`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from moderation.parse.chrome import (
    AUTHOR_BOX,
    AUTHOR_BOX_LINES,
    CREDIT,
    DATELINE,
    RELATED,
    LineKind,
    classify_line,
    is_short_label,
    is_toolbar,
)
from moderation.parse.dates import is_date, is_relative_time, parse_date
from moderation.parse.headers import read_byline, read_comment_header, read_date_line
from moderation.parse.source import Input
from moderation.parse.text import fold_for_matching, normalise_whitespace
from moderation.parse.textthread import (
    Draft,
    PageLine,
    numbered_comments,
    numbered_thread,
    plain_comments,
)
from moderation.records import Article, Comment, Record

FORMAT = "text"
_MAX_TITLE_WORDS = 30
_MAX_SITE_WORDS = 6
_MAX_HEADLINE_WORDS = 20  # a headline under a "related articles" heading


@lru_cache(maxsize=4096)
def _split_title(line: str) -> tuple[str, str | None]:
    """Split "Story title | Site – YouTube" into the title and the site suffix."""
    if " | " in line:
        title, site = line.rsplit(" | ", 1)
        if title.strip() and len(site.split()) <= _MAX_SITE_WORDS:
            return normalise_whitespace(title), normalise_whitespace(site)
    return normalise_whitespace(line), None


def _looks_like_title(text: str) -> bool:
    return len(text.split()) <= _MAX_TITLE_WORDS and not text.rstrip().endswith(".")


def _looks_like_headline(text: str) -> bool:
    return len(text.split()) <= _MAX_HEADLINE_WORDS and not text.rstrip().endswith(
        (".", '"', "”", "“", "»", "«", ":")
    )


def _is_full_header(text: str) -> bool:
    """A comment header with both an author and a time (and no story byline)."""
    if read_byline(text) is not None:
        return False
    header = read_comment_header(text)
    return header is not None and header.author is not None and header.date is not None


def _read_lines(text: str) -> list[PageLine]:
    """The page's non-blank lines, with tabs expanded so that indentation can be compared."""
    lines = []
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        expanded = raw.expandtabs(4)
        if expanded.strip():
            lines.append(PageLine(number, expanded.strip(), len(expanded) - len(expanded.lstrip())))
    return lines


class _StoryReader:
    """Read the page above the thread into the article; collect the thread's lines."""

    def __init__(self, article: Article, lines: list[PageLine]) -> None:
        self.article = article
        self.lines = lines
        self.body: list[str] = []
        self.title_key: str | None = None
        self.previous_was_chrome = False
        self.author_box_left = 0
        self.in_related = False

    def read(self) -> list[PageLine]:
        """Fill the article; return the lines of an unnumbered thread (empty if none)."""
        for index, line in enumerate(self.lines):
            if index == 0 and self._first_line(line):
                continue
            if self._starts_thread(index, line):
                return [
                    later for later in self.lines[index:] if later is not line or self._kept(line)
                ]
            if self._is_title(line.text) or self._boxed(line) or self._metadata(index, line):
                continue
            self._story_line(index, line.text)
        return []

    def _first_line(self, line: PageLine) -> bool:
        """The scrape's " date YYYY-MM-DD Title" header: the date, then the rest of the line."""
        split = read_date_line(line.text)
        if split is None or not split[1]:
            return False
        self._set_date(split[0])
        self._story_line(0, split[1])
        return True

    def _kept(self, line: PageLine) -> bool:
        """Whether the line that started the thread is the thread's first comment line."""
        return classify_line(line.folded) is not LineKind.COMMENTS_START and not self._is_title(
            line.text
        )

    def _is_title(self, text: str) -> bool:
        return self.title_key is not None and (
            fold_for_matching(_split_title(text)[0]) == self.title_key
        )

    def _starts_thread(self, index: int, line: PageLine) -> bool:
        """The comment form or heading, the title shown again after the story (at the top it
        is only a repeat), or a first comment header ("Anna · 3 hours ago") after the story."""
        if self._is_title(line.text):
            return bool(self.body)
        if classify_line(line.folded) is LineKind.COMMENTS_START:
            return True
        if not self.body or self.in_related:
            return False
        return _is_full_header(line.text) and any(
            _is_full_header(later.text) or is_toolbar(later.folded)
            for later in self.lines[index + 1 :]
        )  # a second header or a toolbar below: one dated line alone may be a closing byline

    def _boxed(self, line: PageLine) -> bool:
        """Lines of an author box or of a "related articles" block, which are chrome."""
        folded = line.folded
        if AUTHOR_BOX.match(folded):
            self.author_box_left = AUTHOR_BOX_LINES
            self.previous_was_chrome = True
            return True
        if self.author_box_left and len(line.text.split()) <= 40:
            self.author_box_left -= 1
            return True
        self.author_box_left = 0
        if RELATED.search(folded):
            self.in_related = True
            self.previous_was_chrome = True
            return True
        if self.in_related and (_looks_like_headline(line.text) or is_date(line.text)):
            return True
        self.in_related = False
        return False

    def _metadata(self, index: int, line: PageLine) -> bool:
        """Date lines and bylines, wherever they stand above the thread: the article's own."""
        split = read_date_line(line.text)
        if split is not None and (not split[1] or read_date_line(split[1]) is not None):
            self._set_date(split[0])
            return True
        byline = read_byline(line.text)
        if byline is None and not self.body:
            byline = read_comment_header(line.text)
            if byline is None and self._name_above_date(index, line):
                self.article.author = self.article.author or line.text
                return True
        if byline is None or byline.author is None and byline.date is None:
            return False
        self.article.author = self.article.author or byline.author
        if byline.date:
            self._set_date(byline.date)
        return True

    def _name_above_date(self, index: int, line: PageLine) -> bool:
        following = self.lines[index + 1] if index + 1 < len(self.lines) else None
        header = read_comment_header(line.text + " · " + following.text) if following else None
        return (
            following is not None
            and following.number == line.number + 1
            and is_date(following.text)
            and header is not None
            and header.author == line.text
        )

    def _set_date(self, printed: str) -> None:
        if self.article.date is None and not is_relative_time(printed):
            self.article.date = parse_date(printed)

    def _story_line(self, index: int, text: str) -> None:
        """A title, caption, chrome line or story paragraph."""
        folded = fold_for_matching(text)
        kind = classify_line(folded)
        if kind is LineKind.CAPTION:
            self.article.captions.append(normalise_whitespace(text))
        elif kind is LineKind.CHROME and index > 0 or self._is_label(text):
            self.previous_was_chrome = True
        elif self.title_key is None and not self.body and not self.article.captions:
            if _looks_like_title(text):
                self.article.title, self.article.site = _split_title(text)
                self.title_key = fold_for_matching(self.article.title)
            else:
                self._paragraph(text)
        elif kind is LineKind.CHROME:
            self.previous_was_chrome = True
        elif is_short_label(text) and (
            self.previous_was_chrome
            or (index + 1 < len(self.lines) and self.lines[index + 1].folded == folded)
        ):
            self.previous_was_chrome = True  # an author box or site label inside the chrome
        else:
            self._paragraph(text)

    def _is_label(self, text: str) -> bool:
        """The site's name again, or a short label between the title and the story (a
        section, a desk, an author's role): not story text."""
        if self.article.site and fold_for_matching(text) == fold_for_matching(self.article.site):
            return True
        return self.title_key is not None and not self.body and is_short_label(text)

    def _paragraph(self, text: str) -> None:
        self.body.append(normalise_whitespace(text))
        self.previous_was_chrome = False

    def finish(self) -> Article:
        """Take the wire dateline and closing credit off the body; join the paragraphs."""
        body, article = self.body, self.article
        if body:
            dateline = DATELINE.match(body[0])
            if dateline:
                article.dateline = dateline.group("dateline")
                body[0] = body[0][dateline.end() :]
            if len(body) > 1 and CREDIT.match(body[-1]):
                article.credit = body.pop()
        article.body = "\n\n".join(body)
        return article


def _comment(draft: Draft, position: int, ids: list[str], article: Article, source: Input):
    created_at = parse_date(draft.date, reference=article.date) if draft.date else None
    return Comment(
        id=f"{article.id}/{position}",
        text=draft.text,
        article_id=article.id,
        parent_id=None if draft.parent is None else ids[draft.parent],
        position=position,
        author=draft.author,
        created_at=created_at,
        source=source.name,
        format=FORMAT,
        line=draft.line,
        created_raw=draft.date if draft.date and created_at is None else None,
    )


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
    lines = _read_lines(text)
    numbered = numbered_thread(lines)
    reader = _StoryReader(article, lines if numbered is None else lines[: numbered[0]])
    thread_lines = reader.read()
    yield reader.finish()

    if numbered is not None:
        drafts = numbered_comments(lines[numbered[0] : numbered[1]])
    else:
        drafts = plain_comments(thread_lines)
    ids = [f"{article.id}/{position}" for position in range(1, len(drafts) + 1)]
    for position, draft in enumerate(drafts, start=1):
        yield _comment(draft, position, ids, article, source)


def read_text_page(source: Input, options: object = None) -> Iterator[Record]:
    """Reader for plain-text scraped pages (see :func:`split_page`)."""
    yield from split_page(source.read_text(), source)
