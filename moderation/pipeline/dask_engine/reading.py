"""Parse one block on a worker into the records the local engine would have read there.

A whole local input goes through :func:`moderation.parse.parse` as it is. A remote one is
copied to a temporary file of the same name first, so that ids made up from its file name are
the same. A byte range is given to ``parse`` as content (its format forced), and the records
are then named as the file's: their source, their line numbers (the range's first line is
known) and the ids ``parse`` made up from the content's stem and a line number
(``text-<sha1>/<line>``) become the file's (``<file stem>/<file line>``).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from moderation.errors import ModerationError, ParseError
from moderation.parse import ParseOptions, parse
from moderation.parse.source import Input
from moderation.pipeline.dask_engine.blocks import Block
from moderation.records import Article, Comment, Record, Rejection, Unloaded

_CONTENT_NAME = "<text>"
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class BlockError:
    """An error that stopped a block, in a form that travels between processes (a
    :class:`ParseError` rebuilt by pickle would lose its arguments)."""

    kind: type[ModerationError]
    message: str
    source: str | None = None
    line: int | None = None

    @classmethod
    def of(cls, error: ModerationError) -> BlockError:
        if isinstance(error, ParseError):
            return cls(ParseError, error.reason, error.source, error.line)
        return cls(type(error), str(error))

    def exception(self) -> ModerationError:
        """The error again, as it was raised."""
        if self.kind is ParseError:
            return ParseError(self.source or "", self.message, self.line)
        return self.kind(self.message)


@dataclass
class ParsedBlock:
    """A block's records in input order, or the error that stopped it (``strict`` options)."""

    number: int
    records: list[Record] = field(default_factory=list)
    error: BlockError | None = None


@dataclass(frozen=True, slots=True)
class _Renaming:
    """How records parsed from content are named as the file's."""

    name: str
    content_stem: str
    stem: str
    line_offset: int

    def id(self, value: str | None) -> str | None:
        if value is None or not value.startswith(self.content_stem):
            return value
        rest = value[len(self.content_stem) :]
        if not rest:
            return self.stem
        if not rest.startswith("/"):
            return value
        number = _NUMBER.match(rest, 1)
        if number is None:
            return self.stem + rest
        return f"{self.stem}/{int(number.group()) + self.line_offset}{rest[number.end() :]}"

    def line(self, value: int | None) -> int | None:
        return None if value is None else value + self.line_offset

    def record(self, record: Record) -> Record:
        ours = getattr(record, "source", None) == _CONTENT_NAME
        changes: dict[str, object] = {"source": self.name} if ours else {}
        if isinstance(record, Rejection | Comment) and ours:
            changes["line"] = self.line(record.line)
        if isinstance(record, Comment | Rejection | Article):
            changes["id"] = self.id(record.id)
        if isinstance(record, Comment | Unloaded):
            changes["parent_id"] = self.id(record.parent_id)
            changes["article_id"] = self.id(record.article_id)
        if isinstance(record, Unloaded):
            changes["ids"] = [self.id(value) for value in record.ids]
        return dataclasses.replace(record, **changes)  # type: ignore[arg-type]

    def error(self, error: ModerationError) -> ModerationError:
        if isinstance(error, ParseError) and error.source == _CONTENT_NAME:
            return ParseError(self.name, error.reason, self.line(error.line))
        return error


def _read_range(block: Block) -> bytes:
    with block.source.open() as stream:
        stream.seek(block.start)
        return block.prefix + stream.read(block.end - block.start)


def _parse_content(
    block: Block, data: bytes, options: ParseOptions, line_offset: int
) -> ParsedBlock:
    renaming = _Renaming(
        block.source.name, Input(_CONTENT_NAME, data=data).stem, block.source.stem, line_offset
    )
    parsed = ParsedBlock(block.number)
    try:
        for record in parse(data, options):
            parsed.records.append(renaming.record(record))
    except ModerationError as error:
        parsed.error = BlockError.of(renaming.error(error))
    return parsed


def _parse_path(block: Block, path: str, options: ParseOptions) -> ParsedBlock:
    parsed = ParsedBlock(block.number)
    try:
        for record in parse([path], options):
            if path != block.source.name and getattr(record, "source", None) == path:
                record = dataclasses.replace(record, source=block.source.name)  # type: ignore[arg-type]
            parsed.records.append(record)
    except ParseError as error:
        source = block.source.name if error.source == path else error.source
        parsed.error = BlockError(ParseError, error.reason, source, error.line)
    except ModerationError as error:
        parsed.error = BlockError.of(error)
    return parsed


def parse_block(block: Block, options: ParseOptions) -> ParsedBlock:
    """The records of one block, named as the local engine names them.

    Parameters
    ----------
    block : Block
    options : ParseOptions
        The run's; a range is parsed with its format forced to the dump's.
    """
    source = block.source
    if block.kind is not None:
        offset = block.first_line - (2 if block.prefix else 1)
        forced = dataclasses.replace(options, format=block.kind)
        return _parse_content(block, _read_range(block), forced, offset)
    if source.data is not None:
        return _parse_content(block, source.data, options, 0)
    if source.local:
        return _parse_path(block, source.name, options)
    with tempfile.TemporaryDirectory(prefix="moderation-block-") as folder:
        copy = Path(folder) / (PurePosixPath(source.url or source.name).name or "input")
        with source.open() as remote, copy.open("wb") as local:
            shutil.copyfileobj(remote, local)
        return _parse_path(block, str(copy), options)
