"""Read comment dumps (JSONL, JSON, CSV) with configurable or guessed field names, streamed."""

from __future__ import annotations

import collections
import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple, TextIO, get_args

from moderation.errors import ParseError
from moderation.parse import ParseOptions
from moderation.parse.source import Input
from moderation.parse.text import html_to_text, normalise_whitespace
from moderation.records import Article, Comment, CommentKind, Record, Rejection

__all__ = ["DUMP_KINDS", "FIELD_NAMES", "read_dump"]

DUMP_KINDS = ("jsonl", "json", "csv")
# Column names tried, in order, for each role not given in ParseOptions.fields (any case).
# "name" is both an id (Reddit's fullname) and an author: it goes to whichever of the two
# has no other column, and to the author when neither has.
FIELD_NAMES: Mapping[str, tuple[str, ...]] = {
    "id": ("id", "comment_id", "_id", "name"),
    "text": ("text", "content", "body", "message", "comment", "comment_text"),
    "parent": ("parent", "parent_id", "in_reply_to"),
    "article": ("article", "article_id", "thread", "thread_id", "post_id", "link_id", "url"),
    "author": ("author", "user", "username", "user_name", "name"),
    "time": ("time", "created_at", "created", "date", "timestamp", "created_utc", "published"),
    "target": ("target", "stance_target"),
}
# Lists an object may hold its comments (or a comment its replies) under, when it has several.
_LIST_NAMES = ("comments", "replies", "children", "posts", "items", "data", "results")
# Records `moderation parse` writes that are not comments: skipped when a dump is read back.
_NOT_COMMENTS = frozenset({"article", "unloaded", "rejection"})
_KINDS = frozenset(get_args(CommentKind))
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_EPOCH = re.compile(r"\d{9,13}(?:\.\d+)?")
_NOT_SPACE = re.compile(r"\S")
_CHUNK = 1 << 20
# Key tuples whose reading plan is remembered (a dump has a few; a hostile one, any number).
_PLANS_KEPT = 256


class _Plan(NamedTuple):
    """The keys of a flat row's roles (``None`` where the row has none)."""

    id: str | None
    text: str
    parent: str | None
    article: str | None
    author: str | None
    time: str | None
    target: str | None


@dataclass(frozen=True, slots=True)
class _Scope:
    """Where a row sits: defaults for its article and parent, and how to qualify its ids."""

    article_id: str | None = None
    parent_id: str | None = None
    prefix: str = ""
    fallback: str = ""
    line: int | None = None


def _columns(keys: tuple[str, ...], fields: Mapping[str, str]) -> dict[str, str | None]:
    """Map each role to a key of the row: the configured name, else a guessed one."""
    folded: dict[str, str] = {}
    for key in keys:
        folded.setdefault(key.casefold(), key)
    columns: dict[str, str | None] = {}
    for role, wanted in fields.items():
        columns[role] = wanted if wanted in keys else folded.get(wanted.casefold())
    taken = {key for key in columns.values() if key is not None}
    for role in ("text", "parent", "article", "time", "id", "author", "target"):
        if role in columns:
            continue
        found = next(
            (
                folded[name]
                for name in FIELD_NAMES[role]
                if name != "name" and name in folded and folded[name] not in taken
            ),
            None,
        )
        columns[role] = found
        if found is not None:
            taken.add(found)
    name = folded.get("name")
    if name is not None and name not in taken:
        if columns["author"] is None and "author" not in fields:
            columns["author"] = name
        elif columns["id"] is None and "id" not in fields:
            columns["id"] = name
    return columns


def _scalar(value: object) -> str | None:
    """A string for an id-like value (strings and numbers), ``None`` for anything else."""
    if type(value) is str:  # the usual case first
        return value.strip() or None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | str):
        text = str(value).strip()
        return text or None
    return None


def _time(value: object) -> str | None:
    """Epoch seconds (or milliseconds) as ISO 8601 UTC; any other value verbatim."""
    text = _scalar(value)
    if text is None or not _EPOCH.fullmatch(text):
        return text
    seconds = float(text)
    if seconds > 1e11:
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return text


def _tidy(text: str) -> bool:
    """Whether ``text`` is surely as :func:`normalise_whitespace` leaves it: one line, no
    control character or whitespace but single spaces, none at either end.

    Most comments are; the check costs a tenth of the normalisation. False says nothing
    (a text with a line break, say, may be tidy too): the caller then normalises.
    """
    # isprintable() is False for every control character and every whitespace but " ".
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def _normalised(text: str) -> str:
    """``normalise_whitespace(text)``, skipped where :func:`_tidy` shows it would not change."""
    return text if _tidy(text) else normalise_whitespace(text)


def _plain(text: str, html: bool | None = None) -> str:
    """A text field as plain text: decoded as HTML when ``html`` is True, or when it is None
    and the field holds a tag or an entity (``&#39;``, ``&quot;``); U+FEFF dropped always."""
    if "\ufeff" in text:
        text = text.replace("\ufeff", "")
    if html is False:
        return _normalised(text)
    if html or _HTML_TAG.search(text) or ("&" in text and _ENTITY.search(text)):
        return html_to_text(text)
    return _normalised(text)


class _Reader:
    """Turns the rows of one dump into records, keeping the running comment position."""

    def __init__(self, source: Input, options: ParseOptions, kind: str) -> None:
        self.source = source
        self.options = options
        self.kind = kind
        self.position = 0
        self._columns: dict[tuple[str, ...], dict[str, str | None]] = {}
        self._plans: dict[tuple[str, ...], _Plan | None] = {}
        self._stem: str | None = None

    @property
    def stem(self) -> str:
        """The source's stem, worked out once (for bytes in memory it hashes all of them)."""
        if self._stem is None:
            self._stem = self.source.stem
        return self._stem

    def columns(self, row: Mapping[str, Any]) -> dict[str, str | None]:
        keys = tuple(row)
        if keys not in self._columns:
            if len(self._columns) > _PLANS_KEPT:
                self._columns.clear()
            self._columns[keys] = _columns(keys, self.options.fields)
        return self._columns[keys]

    def plan(self, keys: tuple[str, ...]) -> _Plan | None:
        """How to read a row with these keys as one flat comment, or ``None`` when it may be
        anything else (no text column, a ``record`` field, a key that may hold replies):
        :meth:`rows` decides those."""
        if keys in self._plans:
            return self._plans[keys]
        if len(self._plans) > _PLANS_KEPT:
            self._plans.clear()
        columns = _columns(keys, self.options.fields)
        used = {key for key in columns.values() if key is not None}
        text = columns["text"]
        replies = any(key not in used and key.casefold() in _LIST_NAMES for key in keys)
        plan = None
        if text is not None and "record" not in keys and not replies:
            plan = _Plan(
                columns["id"],
                text,
                columns["parent"],
                columns["article"],
                columns["author"],
                columns["time"],
                columns["target"],
            )
        self._plans[keys] = plan
        return plan

    def flat(self, value: object, line: int) -> Comment | Rejection | None:
        """The record of a top-level row that is one comment with no replies, read with less
        work than :meth:`rows` does for any row (the same record it would give); ``None`` when
        the row is something else, for :meth:`rows`."""
        if type(value) is not dict:
            return None
        plan = self.plan(tuple(value))
        if plan is None:
            return None
        raw_id = _scalar(value[plan.id]) if plan.id is not None else None
        comment_id = raw_id if raw_id is not None else f"{self.stem}/{line}"
        text = value[plan.text]
        if not isinstance(text, str):
            return Rejection(self.source.name, "text is not a string", line, comment_id)
        text = _plain(text, self.options.html_text)
        if not text:
            return Rejection(self.source.name, "row has empty text", line, comment_id)
        self.position += 1
        return Comment(
            id=comment_id,
            text=text,
            article_id=_scalar(value[plan.article]) if plan.article is not None else None,
            parent_id=_scalar(value[plan.parent]) if plan.parent is not None else None,
            position=self.position,
            author=_scalar(value[plan.author]) if plan.author is not None else None,
            created_at=_time(value[plan.time]) if plan.time is not None else None,
            source=self.source.name,
            format=self.kind,
            line=line,
            target=_scalar(value[plan.target]) if plan.target is not None else None,
        )

    def records(self, value: object, line: int) -> Iterator[Record]:
        """Records for one top-level row: :meth:`flat` where it can, else :meth:`rows`."""
        record = self.flat(value, line)
        if record is not None:
            yield record
        else:
            yield from self.rows(value, line)

    def rows(self, value: object, line: int | None) -> Iterator[Record]:
        """Records for one top-level row (an object, or anything else to reject)."""
        stack: list[tuple[object, _Scope, int]] = [(value, _Scope(line=line), 0)]
        while stack:
            row, scope, index = stack.pop()
            if not isinstance(row, dict):
                yield Rejection(self.source.name, "row is not a JSON object", scope.line)
                continue
            record_type = row.get("record")
            if isinstance(record_type, str) and record_type in _NOT_COMMENTS:
                continue
            if record_type == "comment":
                yield self.native(row, scope.line)
                continue
            columns = self.columns(row)
            children: list[tuple[object, _Scope, int]] = []
            if columns["text"] is not None:
                record = self.comment(row, columns, scope, index)
                yield record
                lists = self.lists(row, columns, named_only=True)
                if lists:
                    own_id = record.id if record.id else scope.fallback
                    inner = _Scope(
                        article_id=getattr(record, "article_id", None) or scope.article_id,
                        parent_id=own_id,
                        prefix=scope.prefix,
                        fallback=own_id or "",
                        line=scope.line,
                    )
                    children = [
                        (item, inner, i) for _, items in lists for i, item in enumerate(items, 1)
                    ]
            else:
                lists = self.lists(row, columns, named_only=False)
                if not lists:
                    looked = self.options.fields.get("text") or ", ".join(FIELD_NAMES["text"])
                    row_id = _scalar(row.get(columns["id"])) if columns["id"] else None
                    yield Rejection(
                        self.source.name, f"row has no text field ({looked})", scope.line, row_id
                    )
                    continue
                if len(lists) > 1:
                    names = ", ".join(name for name, _ in lists)
                    yield Rejection(
                        self.source.name,
                        f"object holds several lists ({names}): cannot tell which has the comments",
                        scope.line,
                    )
                    continue
                where = f"{self.stem}/{scope.line}" if scope.line else self.stem
                inner = _Scope(
                    scope.article_id,
                    scope.parent_id,
                    scope.prefix,
                    scope.fallback or where,
                    scope.line,
                )
                article_id = self.container_id(row, columns)
                if article_id is not None:
                    yield Article(
                        id=article_id,
                        title=_scalar(row.get("title")),
                        url=_scalar(row.get("url")),
                        source=self.source.name,
                        format=self.kind,
                    )
                    inner = _Scope(article_id, None, f"{article_id}#", article_id, scope.line)
                children = [(item, inner, i) for i, item in enumerate(lists[0][1], 1)]
            stack.extend(reversed(children))

    @staticmethod
    def lists(
        row: Mapping[str, Any], columns: Mapping[str, str | None], named_only: bool
    ) -> list[tuple[str, list]]:
        """The values of ``row`` that are lists of objects (only the usual names for replies)."""
        used = {key for key in columns.values() if key is not None}
        found = [
            (key, value)
            for key, value in row.items()
            if key not in used
            and (not named_only or key.casefold() in _LIST_NAMES)
            and isinstance(value, list)
            and any(isinstance(item, dict) for item in value)
        ]
        if len(found) > 1:
            preferred = [(key, value) for key, value in found if key.casefold() in _LIST_NAMES]
            found = preferred[:1] or found
        return found

    @staticmethod
    def container_id(row: Mapping[str, Any], columns: Mapping[str, str | None]) -> str | None:
        for role in ("article", "id"):
            key = columns[role]
            if key is not None and _scalar(row.get(key)) is not None:
                return _scalar(row.get(key))
        return None

    def comment(
        self, row: Mapping[str, Any], columns: Mapping[str, str | None], scope: _Scope, index: int
    ) -> Comment | Rejection:
        def value(role: str) -> object:
            key = columns[role]
            return row.get(key) if key is not None else None

        raw_id = _scalar(value("id"))
        if raw_id is not None:
            comment_id = scope.prefix + raw_id
        elif scope.fallback:
            comment_id = f"{scope.fallback}/{index}"
        else:
            comment_id = f"{self.stem}/{scope.line if scope.line is not None else index}"
        text = value("text")
        if not isinstance(text, str):
            return Rejection(self.source.name, "text is not a string", scope.line, comment_id)
        text = _plain(text, self.options.html_text)
        if not text:
            return Rejection(self.source.name, "row has empty text", scope.line, comment_id)
        parent = _scalar(value("parent"))
        self.position += 1
        return Comment(
            id=comment_id,
            text=text,
            article_id=_scalar(value("article")) or scope.article_id,
            parent_id=scope.prefix + parent if parent is not None else scope.parent_id,
            position=self.position,
            author=_scalar(value("author")),
            created_at=_time(value("time")),
            source=self.source.name,
            format=self.kind,
            line=scope.line if index == 0 else None,
            target=_scalar(value("target")),
        )

    def native(self, row: Mapping[str, Any], line: int | None) -> Comment | Rejection:
        """A comment record written by ``moderation parse``, read back field for field."""

        def string(name: str) -> str | None:
            value = row.get(name)
            return value if isinstance(value, str) else None

        def flag(name: str) -> bool:
            return row.get(name) is True

        comment_id = _scalar(row.get("id")) or f"{self.stem}/{line}"
        text = row.get("text")
        if not isinstance(text, str):
            return Rejection(self.source.name, "text is not a string", line, comment_id)
        deleted = flag("deleted")
        text = _normalised(text)
        if not text and not deleted:
            return Rejection(self.source.name, "row has empty text", line, comment_id)
        self.position += 1
        position = row.get("position")
        approved = row.get("approved")
        kind = row.get("kind")
        # Source and line go together: both as recorded, or both this file's.
        source, original_line = string("source"), row.get("line")
        if source is None:
            source, original_line = self.source.name, line
        elif not isinstance(original_line, int) or isinstance(original_line, bool):
            original_line = None
        return Comment(
            id=comment_id,
            text=text,
            article_id=string("article_id"),
            parent_id=string("parent_id"),
            position=position if isinstance(position, int) and position > 0 else self.position,
            author=string("author"),
            created_at=string("created_at"),
            source=source,
            format=string("format") or self.kind,
            line=original_line,
            deleted=deleted,
            platform_spam=flag("platform_spam"),
            approved=approved if isinstance(approved, bool) else None,
            kind=kind if kind in _KINDS else "comment",
            target=string("target"),
        )


def _read_jsonl(reader: _Reader, stream: io.BufferedIOBase) -> Iterator[Record]:
    name = reader.source.name
    for number, raw in enumerate(stream, 1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            yield Rejection(name, f"not valid UTF-8 ({error.reason})", number)
            continue
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield Rejection(name, f"invalid JSON: {error.msg} (column {error.colno})", number)
            continue
        except RecursionError:
            yield Rejection(name, "invalid JSON: nested too deeply", number)
            continue
        record = reader.flat(value, number)  # reader.records(), inlined: the hot path
        if record is not None:
            yield record
        else:
            yield from reader.rows(value, number)


def _sniff_delimiter(header: str) -> str:
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


class _CsvLines:
    """Physical lines of a CSV file for :mod:`csv`, decoded one by one, with a pushback.

    A record whose quoting breaks (a quote that never closes, text after a closing quote) is
    rejected at its first line and the lines it swallowed are read again, so one stray quote
    costs one row instead of silently merging the rest of the file into one comment.
    """

    def __init__(self, stream: io.BufferedIOBase, name: str) -> None:
        self.stream = stream
        self.name = name
        self.number = 0
        self.pending: collections.deque[tuple[int, str]] = collections.deque()
        self.consumed: list[tuple[int, str]] = []
        self.undecodable: list[int] = []

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        if self.pending:
            number, line = self.pending.popleft()
        else:
            raw = self.stream.readline()
            if not raw:
                raise StopIteration
            self.number += 1
            number = self.number
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                self.undecodable.append(number)
                line = "\n"  # reported by the caller; the line is not read as a row
        self.consumed.append((number, line))
        return line

    def start_record(self) -> None:
        self.consumed = []

    def resync(self) -> int:
        """Give back all but the first line of the broken record; return its line number."""
        first, *rest = self.consumed
        self.pending.extendleft(reversed(rest))
        self.consumed = []
        return first[0]


def _read_csv(reader: _Reader, stream: io.BufferedIOBase) -> Iterator[Record]:
    name = reader.source.name
    lines = _CsvLines(stream, name)
    header_line = next(lines, "")
    while header_line and not header_line.strip():  # blank lines before the header
        header_line = next(lines, "")
    delimiter = _sniff_delimiter(header_line)
    try:
        header = [cell.strip() for cell in next(csv.reader([header_line], delimiter=delimiter), [])]
    except csv.Error as error:
        raise ParseError(name, f"unreadable CSV header: {error}", 1) from error
    if not any(header):
        raise ParseError(name, "CSV without a header row", 1)
    if reader.columns(dict.fromkeys(key for key in header if key))["text"] is None:
        looked = reader.options.fields.get("text") or ", ".join(FIELD_NAMES["text"])
        raise ParseError(
            name,
            f"no text column in the header ({', '.join(header)}); looked for {looked}: "
            "name it with fields={'text': ...}",
            1,
        )
    rows = csv.reader(lines, delimiter=delimiter, strict=True)
    while True:
        lines.start_record()
        try:
            cells = next(rows, None)
        except csv.Error as error:
            start = lines.resync()
            yield Rejection(
                name, f"broken CSV quoting ({error}); the next lines are read again", start, None
            )
            rows = csv.reader(lines, delimiter=delimiter, strict=True)
            continue
        while lines.undecodable:
            yield Rejection(name, "not valid UTF-8", lines.undecodable.pop(0), None)
        if cells is None:
            return
        if not cells or not any(cell.strip() for cell in cells):
            continue
        start = lines.consumed[0][0] if lines.consumed else lines.number
        if len(cells) > len(header):
            yield Rejection(
                name, f"row has {len(cells)} fields, the header {len(header)}", start, None
            )
            continue
        # Every header key in every row (empty cells as ""), so columns are guessed once.
        row = {key: cells[i] if i < len(cells) else "" for i, key in enumerate(header) if key}
        yield from reader.records(row, start)


class _TextBuffer:
    """A window on a text stream, read in chunks, that knows the line of its position."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.text = ""
        self.pos = 0
        self.line = 1
        self.eof = False

    def more(self, size: int = _CHUNK) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(size)
        if not chunk:
            self.eof = True
            return False
        self.text = self.text[self.pos :] + chunk
        self.pos = 0
        return True

    def advance(self, end: int) -> None:
        self.line += self.text.count("\n", self.pos, end)
        self.pos = end

    def peek(self) -> str:
        """The next non-space character (skipping to it), or ``""`` at the end."""
        while True:
            match = _NOT_SPACE.search(self.text, self.pos)
            if match:
                self.advance(match.start())
                return self.text[self.pos]
            self.advance(len(self.text))
            if not self.more():
                return ""

    def error(self, name: str, reason: str, at: int) -> ParseError:
        return ParseError(name, reason, self.line + self.text.count("\n", self.pos, at))


def _json_values(source: Input, stream: TextIO) -> Iterator[tuple[object, int]]:
    """The elements of a top-level JSON array, one at a time with their line (or the one value)."""
    decoder = json.JSONDecoder()
    buffer = _TextBuffer(stream)
    first = buffer.peek()
    if first != "[":
        line = buffer.line
        text = buffer.text[buffer.pos :] + stream.read()
        try:
            yield json.loads(text), line
        except json.JSONDecodeError as error:
            reason = f"invalid JSON: {error.msg}"
            raise ParseError(source.name, reason, line + error.lineno - 1) from error
        except RecursionError as error:
            raise ParseError(source.name, "JSON nested too deeply to read", line) from error
        return
    buffer.advance(buffer.pos + 1)
    if buffer.peek() == "]":
        return
    while True:
        size = _CHUNK
        while True:
            try:
                value, end = decoder.raw_decode(buffer.text, buffer.pos)
            except json.JSONDecodeError as error:
                complete = buffer.eof or (
                    error.pos < len(buffer.text) - 1 and not error.msg.startswith("Unterminated")
                )
                if complete or not buffer.more(size):
                    raise buffer.error(
                        source.name, f"invalid JSON: {error.msg}", error.pos
                    ) from None
            except RecursionError:
                raise buffer.error(
                    source.name, "JSON nested too deeply to read", buffer.pos
                ) from None
            else:
                if end < len(buffer.text) or not buffer.more(size):
                    break
            size *= 2
        line = buffer.line
        buffer.advance(end)
        yield value, line
        separator = buffer.peek()
        if separator == ",":
            buffer.advance(buffer.pos + 1)
            buffer.peek()
        elif separator == "]":
            buffer.advance(buffer.pos + 1)
            if buffer.peek():
                raise buffer.error(source.name, "extra data after the JSON array", buffer.pos)
            return
        else:
            reason = "unexpected end of file" if not separator else "expected ',' or ']'"
            raise buffer.error(source.name, f"invalid JSON: {reason}", buffer.pos)


def read_dump(source: Input, options: ParseOptions, kind: str) -> Iterator[Record]:
    """Read a comment dump: JSON Lines, a JSON array (or object), or CSV.

    Columns are found by role (``id``, ``text``, ``parent``, ``article``, ``author``,
    ``time``): ``options.fields`` names them, and roles it does not name are guessed from
    :data:`FIELD_NAMES`, ignoring case. An object without a text field that holds one list of
    objects is a thread: it becomes an article (its id, title, url) and the list its comments,
    whose ids and parents are then qualified as ``"<thread id>#<id>"`` (ids often restart in
    each thread). A list of objects inside a comment is read as its replies. Records written by
    ``moderation parse`` (``"record": "comment"``) are read back field for field; its article,
    unloaded and rejection records are skipped.

    Everything is streamed: JSONL line by line, CSV row by row (delimiter ``,``, ``;`` or tab,
    sniffed from the header), a JSON array element by element. A bad row (invalid JSON, not
    an object, no text, text not a string) becomes a :class:`Rejection` with its physical line
    and reading goes on. Numbers in the time role are read as epoch seconds (ISO 8601 UTC).

    Parameters
    ----------
    source : Input
        The dump.
    options : ParseOptions
        ``fields`` maps roles to column names.
    kind : {"jsonl", "json", "csv"}
        The dump format; also the ``format`` of the comments.

    Yields
    ------
    Comment, Article or Rejection
        Comments in row order (``position`` counts them from 1), missing ids made up as
        ``"<file stem>/<line>"``.

    Raises
    ------
    ParseError
        When the file as a whole cannot be read: a JSON array broken mid-way (rows before
        the damage are already yielded), a CSV without header, bytes that are not UTF-8.

    Examples
    --------
    >>> dump = b'{"Nr": 1, "Kommentar": "Hallo!"}\\n{"Nr": 2, "Kommentar": 7}\\nnot json\\n'
    >>> options = ParseOptions(fields={"id": "Nr", "text": "Kommentar"})
    >>> records = list(read_dump(Input("<text>", data=dump), options, "jsonl"))
    >>> records[0].id, records[0].text, records[0].line
    ('1', 'Hallo!', 1)
    >>> for rejection in records[1:]:
    ...     print(rejection)
    <text>:2: text is not a string
    <text>:3: invalid JSON: Expecting value (column 1)
    """
    if kind not in DUMP_KINDS:
        raise ParseError(source.name, f"unknown dump format {kind!r}; use one of {DUMP_KINDS}")
    reader = _Reader(source, options, kind)
    with source.open() as stream:
        if kind == "jsonl":
            yield from _read_jsonl(reader, stream)
            return
        if kind == "csv":
            yield from _read_csv(reader, stream)
            return
        text = io.TextIOWrapper(stream, encoding="utf-8-sig")
        try:
            for value, line in _json_values(source, text):
                yield from reader.records(value, line)
        except UnicodeDecodeError as error:
            raise ParseError(source.name, f"not valid UTF-8 ({error.reason})") from error
        finally:
            text.detach()
