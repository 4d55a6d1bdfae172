"""Write records as JSON Lines or CSV, atomically, and safe to open in a spreadsheet."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> str:
    """Render a value for CSV, prefixing a quote where a spreadsheet would see a formula.

    >>> neutralise_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_cell(["spam", "incitement"])
    'spam;incitement'
    """
    if type(value) is str:  # most cells: skip the checks below
        return "'" + value if value.startswith(_FORMULA_PREFIXES) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = ";".join(str(item) for item in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def _compact_encoder() -> Callable[[Any], str]:
    """What ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` does, made once.

    ``json.dumps`` with options builds a new encoder for every call, a quarter of the cost of
    writing a verdict row; this one is built once. It is the C encoder ``json.dumps`` itself
    uses, so the text is the same, minus the check for circular containers (rows never are;
    one would raise RecursionError instead of ValueError). Where Python has no C encoder, or
    one that is called otherwise, the standard encoder is used as it is.
    """
    options = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return options.encode
    try:
        encode = make(
            None,  # no circular-reference markers
            options.default,
            json.encoder.encode_basestring,
            None,  # indent
            options.key_separator,
            options.item_separator,
            options.sort_keys,
            options.skipkeys,
            options.allow_nan,
        )
        probe = {"a": [1, 0.5, None, True, "é\n"], "b": {}}
        if "".join(encode(probe, 0)) != options.encode(probe):
            return options.encode
    except (TypeError, ValueError):  # another Python's private signature
        return options.encode
    return lambda value: "".join(encode(value, 0))


_encode_compact = _compact_encoder()


def json_line(row: Mapping[str, Any] | Sequence[Any]) -> str:
    """One compact JSON value (an object, or a list) and a newline.

    >>> json_line({"id": "c1", "text": "Ça va?", "flags": [], "spam": 0.25})
    '{"id":"c1","text":"Ça va?","flags":[],"spam":0.25}\\n'
    """
    return _encode_compact(row) + "\n"


# The table a person reads on a terminal: (column, width); the text takes the rest of a line.
TABLE_COLUMNS = (("id", 16), ("action", 7), ("flags", 17), ("stance", 12))
TABLE_MIN_TEXT = 20


def _cut(value: str, width: int, *, tail: bool = False) -> str:
    """``value`` on one line, at most ``width`` characters: its start, or its end with
    ``tail`` (ids differ at the end); an ellipsis marks a cut."""
    flat = " ".join(value.split())
    if len(flat) <= width:
        return flat
    return "…" + flat[1 - width :] if tail else flat[: width - 1] + "…"


class TableWriter:
    """A compact table of verdict rows for a terminal: id, action, flags, stance and the start
    of the text, one line each, under a header; sized to the terminal's width."""

    def __init__(self, stream: TextIO, width: int | None = None) -> None:
        import shutil

        self.stream = stream
        total = width if width is not None else shutil.get_terminal_size().columns
        fixed = sum(size + 1 for _, size in TABLE_COLUMNS)
        self.text_width = max(total - fixed, TABLE_MIN_TEXT)
        self.count = 0

    def _line(self, cells: Sequence[str]) -> str:
        sizes = [size for _, size in TABLE_COLUMNS]
        parts = [_cut(cell, size).ljust(size) for cell, size in zip(cells[:-1], sizes, strict=True)]
        parts[0] = _cut(cells[0], sizes[0], tail=True).ljust(sizes[0])
        return " ".join([*parts, _cut(cells[-1], self.text_width)]).rstrip() + "\n"

    def write(self, row: Mapping[str, Any]) -> None:
        """Write one verdict row (and the header before the first)."""
        if self.count == 0:
            self.stream.write(self._line([name for name, _ in TABLE_COLUMNS] + ["text"]))
        flags = ",".join(row.get("flags") or ()) or "-"
        cells = [str(row.get("id", "")), str(row.get("action", "")), flags]
        self.stream.write(self._line([*cells, str(row.get("stance", "")), row.get("text", "")]))
        self.count += 1


class RowWriter:
    """Write dict rows as JSONL or CSV to a stream; CSV columns are fixed by the first row."""

    def __init__(
        self,
        stream: TextIO,
        output_format: str = "jsonl",
        columns: Sequence[str] | None = None,
        *,
        header: bool = True,
    ) -> None:
        if output_format not in ("jsonl", "csv", "table"):
            raise ValueError(
                f"unknown output format {output_format!r}; use 'jsonl', 'csv' or 'table'"
            )
        self.stream = stream
        self.output_format = output_format
        self.columns = list(columns) if columns else None
        self._csv: Any = None
        self.header = header
        self.count = 0
        if output_format == "table":  # a person's terminal: one bound method does it all
            self.write = TableWriter(stream).write  # type: ignore[method-assign]

    def write(self, row: Mapping[str, Any]) -> None:
        """Write one row."""
        if self.output_format == "jsonl":
            self.stream.write(_encode_compact(row) + "\n")  # json_line(row), one call less
        else:
            if self._csv is None:
                self.columns = self.columns or list(row)
                self._csv = csv.writer(self.stream, lineterminator="\n")
                if self.header:  # not when appending to a resumed file
                    self._csv.writerow(self.columns)
            assert self.columns is not None
            self._csv.writerow([neutralise_cell(row.get(column)) for column in self.columns])
        self.count += 1


@contextlib.contextmanager
def open_output(path: str | Path | TextIO | None) -> Iterator[TextIO]:
    """Open ``path`` for writing text atomically (temporary file, then rename); ``-`` is stdout.

    If the block raises, the temporary file is removed and an existing output stays as it was.
    A stream already open (anything with ``write``) is used as it is, and left open.
    """
    if path is not None and not isinstance(path, str | Path):
        yield path
        return
    if path is None or str(path) == "-":
        stream = (
            io.TextIOWrapper(
                sys.stdout.buffer,
                encoding="utf-8",
                newline="",
                line_buffering=False,
                write_through=True,
            )
            if hasattr(sys.stdout, "buffer")
            else sys.stdout
        )
        try:
            yield stream
        finally:
            stream.flush()
            if stream is not sys.stdout:
                stream.detach()
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
