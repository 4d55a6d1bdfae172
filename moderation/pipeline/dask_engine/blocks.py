"""Inputs as blocks: whole files, or byte ranges of whole lines (records) of a large dump.

Everything ``parse`` reads is taken, as files, folders (walked as the local engine walks them),
globs or fsspec URLs. A JSONL or CSV dump larger than ``blocksize`` is cut into byte ranges,
as ``dask.bag.read_text(blocksize=...)`` cuts text: a range starts after the first line end at
or after its nominal offset and ends at the next range's start, so no line is cut and none is
read twice. Each range's newlines are counted (in parallel, on the workers) so that every
block knows the number of its first line: rejections and made-up ids (``<stem>/<line>``) come
out as the local engine writes them.

CSV needs more care, since a quoted field may hold line breaks: a CSV range ends at the first
*record* end at or after the next nominal offset, found by reading the range with the
:mod:`csv` module (the dialect ``parse`` reads it with) from a known record start. A range
that ran past its nominal end moves the next range's start; that range is read again from
there. A range whose quoting breaks (a quote that never closes, text after a closing quote)
takes the rest of the file into one block: from there on the file is read exactly as the local
engine reads it, one stray quote costing the parallelism of what follows, never a row.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from moderation.parse import ParseOptions, iter_inputs, parse
from moderation.parse.detect import SNIFF_BYTES, detect_format

_GLOB_CHARS = frozenset("*?[")
_CHUNK = 1 << 22


@dataclass(frozen=True, slots=True)
class Source:
    """One input as the local engine names it, and where a worker reads it.

    Attributes
    ----------
    name : str
        What rejections call it: the path as ``parse`` was given it, the URL, or ``<stdin>``.
    url : str or None
        A local path or an fsspec URL (``None`` for standard input, held in ``data``).
    local : bool
        ``url`` is a path of this machine's file system (read by ``parse`` itself).
    data : bytes or None
        Standard input's content.
    """

    name: str
    url: str | None
    local: bool = True
    data: bytes | None = None

    @property
    def stem(self) -> str:
        """The stem ``parse`` makes up ids from: the file name's, or a hash of the content."""
        if self.data is not None:
            return f"{self.name.strip('<>')}-{hashlib.sha1(self.data).hexdigest()[:12]}"
        return PurePosixPath(self.url or self.name).stem

    def open(self) -> BinaryIO:
        """Open for binary reading (fsspec for URLs)."""
        import fsspec

        return fsspec.open(self.url, "rb").open()


@dataclass(frozen=True, slots=True)
class Block:
    """A piece of the input that one task parses.

    Attributes
    ----------
    number : int
        Its place in input order (rows and parts follow it).
    source : Source
    kind : {"jsonl", "csv"} or None
        A byte range of a dump of that format; ``None`` for a whole input parsed as is.
    start, end : int
        The byte range (whole lines or records).
    first_line : int
        Line number of the range's first line in the file.
    prefix : bytes
        Read before the range: the CSV header, or a blank line (so that the range's first line
        is never taken for the file's first, whose byte-order mark is dropped).
    """

    number: int
    source: Source
    kind: str | None = None
    start: int = 0
    end: int = 0
    first_line: int = 1
    prefix: bytes = b""


@dataclass(frozen=True, slots=True)
class FilePlan:
    """What a first look at an input decided: its size, and how it may be cut."""

    source: Source
    kind: str | None = None
    size: int = 0
    header: bytes = b""
    header_lines: int = 0
    delimiter: str = ","


@dataclass(frozen=True, slots=True)
class Span:
    """A byte range as a scan found it: its bounds, its newlines, and whether CSV quoting
    broke in it."""

    start: int
    end: int
    newlines: int
    broken: bool = False


def expand_inputs(inputs: Iterable[str | Path]) -> list[Source]:
    """Files, folders, globs, URLs and ``-`` as the sources they name, in input order.

    Local folders are walked by :func:`moderation.parse.iter_inputs` (as the local engine
    walks them); a glob matching nothing stays as it is, and is reported as missing.
    """
    sources: list[Source] = []
    for raw in inputs:
        text = str(raw)
        if text == "-":
            sources.append(Source("<stdin>", None, data=sys.stdin.buffer.read()))
        elif "://" in text and not text.startswith("file://"):
            sources.extend(_remote(text))
        elif not Path(text).exists() and _GLOB_CHARS & set(text) and glob.glob(text):
            for match in sorted(glob.glob(text, recursive=True)):
                sources.extend(Source(i.name, i.name) for i in iter_inputs([match]))
        else:
            sources.extend(Source(item.name, item.name) for item in iter_inputs([text]))
    return sources


def _remote(url: str) -> Iterator[Source]:
    """The files an fsspec URL names: itself (named as given), a folder's files (hidden ones
    left out) or a glob's matches, sorted (named by fsspec's full URL)."""
    from fsspec.core import url_to_fs

    fs, path = url_to_fs(url)
    if _GLOB_CHARS & set(path):
        paths = sorted(fs.glob(path))
    elif fs.isdir(path):
        paths = sorted(p for p in fs.find(path) if not PurePosixPath(p).name.startswith("."))
    else:
        yield Source(url, url, local=False)
        return
    for found in paths:
        name = fs.unstrip_protocol(found)
        yield Source(name, name, local=False)


def _csv_header(head: bytes) -> tuple[bytes, int] | None:
    """The header line of a CSV head (its first non-blank line, with its line end) and the
    number of lines up to it, or None when the head holds no whole header line."""
    lines = head.splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        if line.strip():
            return (line, number) if line.endswith(b"\n") else None
    return None


def _delimiter(header: bytes) -> str:
    """The delimiter ``parse`` sniffs from a CSV header: the most frequent of , ; and tab."""
    text = header.decode("utf-8", "replace")
    counts = {delimiter: text.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def look(source: Source, options: ParseOptions, blocksize: int) -> FilePlan:
    """Decide on a worker whether an input is cut into ranges: a JSONL or CSV dump larger
    than ``blocksize`` (a CSV only when its header alone parses without a rejection)."""
    if source.data is not None or (source.local and not Path(source.url or "").is_file()):
        return FilePlan(source)
    with source.open() as stream:
        head = stream.read(SNIFF_BYTES)
        size = stream.seek(0, 2)
    if not head.strip() or size <= blocksize:
        return FilePlan(source)
    kind = options.format or detect_format(head, source.name, complete=len(head) < SNIFF_BYTES)
    if kind == "jsonl":
        return FilePlan(source, kind, size)
    found = _csv_header(head) if kind == "csv" else None
    if found is None:
        return FilePlan(source)
    header, number = found
    check = replace(options, format="csv", strict=False, articles=False)
    if any(True for _ in parse(header, check)):
        return FilePlan(source)  # a header parse rejects: the whole file says so once
    return FilePlan(source, kind, size, header, number, _delimiter(header))


def _record_end(stream: BinaryIO, at: int, size: int) -> int:
    """The first position at or after ``at`` that follows a newline (or the end)."""
    if at <= 0:
        return 0
    if at >= size:
        return size
    stream.seek(at - 1)
    position = at - 1
    while True:
        chunk = stream.read(1 << 16)
        if not chunk:
            return size
        found = chunk.find(b"\n")
        if found >= 0:
            return position + found + 1
        position += len(chunk)


def scan_lines(source: Source, low: int, high: int, size: int) -> Span:
    """A JSONL range: from the first line start at or after ``low`` to the first at or after
    ``high``, with its newlines counted."""
    with source.open() as stream:
        start, end = _record_end(stream, low, size), _record_end(stream, high, size)
        stream.seek(start)
        newlines, left = 0, end - start
        while left > 0:
            chunk = stream.read(min(_CHUNK, left))
            if not chunk:
                break
            newlines += chunk.count(b"\n")
            left -= len(chunk)
    return Span(start, end, newlines)


def _decoded(stream: BinaryIO, first: bool, ends: list[int], at: int) -> Iterator[str]:
    """Physical lines decoded as ``parse`` decodes CSV lines (a line that is not UTF-8 is
    read as a blank one), noting the position after each in ``ends``."""
    for number, raw in enumerate(stream, start=1):
        at += len(raw)
        ends.append(at)
        try:
            yield raw.decode("utf-8-sig" if first and number == 1 else "utf-8")
        except UnicodeDecodeError:
            yield "\n"


def scan_records(plan: FilePlan, start: int, stop: int) -> Span:
    """A CSV range read from the record start ``start`` to the first record end at or after
    ``stop`` (its header skipped when it starts the file); ``broken`` when its quoting breaks.

    The reader takes one physical line at a time and never reads ahead, so the position after
    the last line it took is where its last record ends.
    """
    ends: list[int] = []
    with plan.source.open() as stream:
        stream.seek(start)
        lines = _decoded(stream, start == 0, ends, start)
        for _ in range(plan.header_lines if start == 0 else 0):
            next(lines, None)
        try:
            for _ in csv.reader(lines, delimiter=plan.delimiter, strict=True):
                if ends[-1] >= stop:
                    break
        except csv.Error:
            return Span(start, plan.size, 0, broken=True)
    end = ends[-1] if ends else start
    # Every line taken ends with a newline but perhaps the file's last.
    newlines = len(ends) - (end == plan.size and _ends_without_newline(plan.source, end))
    return Span(start, end, newlines)


def _ends_without_newline(source: Source, size: int) -> bool:
    if size == 0:
        return False
    with source.open() as stream:
        stream.seek(size - 1)
        return stream.read(1) != b"\n"
