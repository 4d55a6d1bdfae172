"""Where parse input comes from: a file, standard input or a string, opened the same way."""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from moderation.errors import ParseError

LOG = logging.getLogger("moderation.parse")


@dataclass(frozen=True, slots=True)
class Input:
    """One input to parse: a file on disk, or bytes already in memory (stdin, a string).

    Attributes
    ----------
    name : str
        What messages call it: the path as given, or ``"<stdin>"`` / ``"<text>"``.
    path : Path or None
        The file, when the input is one.
    data : bytes or None
        The content, when it is already in memory.
    """

    name: str
    path: Path | None = None
    data: bytes | None = field(default=None, repr=False)

    @property
    def stem(self) -> str:
        """A short stable id: the file name without extension, else a hash of the content."""
        if self.path is not None:
            return self.path.stem
        digest = hashlib.sha1(self.data or b"").hexdigest()[:12]
        return f"{self.name.strip('<>')}-{digest}"

    def open(self) -> BinaryIO:
        """Open the input for binary reading; the caller closes it."""
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        try:
            return self.path.open("rb")
        except OSError as error:
            raise ParseError(self.name, f"cannot read file: {error.strerror or error}") from error

    def read_bytes(self, limit: int | None = None) -> bytes:
        """Read the whole input (or its first ``limit`` bytes)."""
        with self.open() as stream:
            return stream.read() if limit is None else stream.read(limit)

    def read_text(self) -> str:
        """Read the whole input as text: UTF-8, with lines in another encoding recovered.

        Scrapes often mix encodings; a line that is not UTF-8 is read as Windows-1252 and the
        recovery is logged with its line numbers, so no comment is lost to one stray byte.
        """
        data = self.read_bytes()
        if b"\x00" in data[:8192]:
            raise ParseError(self.name, "binary file (NUL bytes), not a page, export or dump")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        lines, recovered = [], []
        for number, raw in enumerate(data.split(b"\n"), start=1):
            try:
                lines.append(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
            except UnicodeDecodeError:
                lines.append(raw.decode("cp1252", errors="replace"))
                recovered.append(number)
        shown = ", ".join(map(str, recovered[:10])) + (" …" if len(recovered) > 10 else "")
        LOG.warning("%s: line(s) %s are not UTF-8; read as Windows-1252", self.name, shown)
        return "\n".join(lines)
