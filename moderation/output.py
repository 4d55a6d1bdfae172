"""Write records as JSON Lines or CSV, atomically, and safe to open in a spreadsheet."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
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


def json_line(row: Mapping[str, Any]) -> str:
    """One compact JSON object and a newline."""
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"


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
        if output_format not in ("jsonl", "csv"):
            raise ValueError(f"unknown output format {output_format!r}; use 'jsonl' or 'csv'")
        self.stream = stream
        self.output_format = output_format
        self.columns = list(columns) if columns else None
        self._csv: Any = None
        self.header = header
        self.count = 0

    def write(self, row: Mapping[str, Any]) -> None:
        """Write one row."""
        if self.output_format == "jsonl":
            self.stream.write(json_line(row))
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
def open_output(path: str | Path | None) -> Iterator[TextIO]:
    """Open ``path`` for writing text atomically (temporary file, then rename); ``-`` is stdout.

    If the block raises, the temporary file is removed and an existing output stays as it was.
    """
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
