"""Where parse input comes from: a file, standard input or a string, opened the same way."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from moderation.errors import ParseError


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
        """Read the whole input as UTF-8 text; a clear error names the first bad line."""
        data = self.read_bytes()
        if b"\x00" in data[:8192]:
            raise ParseError(self.name, "binary file (NUL bytes), not a page, export or dump")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise ParseError(self.name, f"not valid UTF-8 ({error.reason})", line) from error
