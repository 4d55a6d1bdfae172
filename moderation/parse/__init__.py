"""The first stage: turn pages, exports and dumps into one record per comment.

``parse`` takes files, folders, standard input or a string, detects each input's format and
yields :class:`~moderation.records.Comment` records (and :class:`Article` records when asked),
plus a :class:`Rejection` for anything it could not read, so that no comment is silently lost.
"""

from __future__ import annotations

import fnmatch
import re
import sys
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from moderation.errors import ParseError
from moderation.parse.detect import FORMATS, SNIFF_BYTES, detect_format
from moderation.parse.source import Input
from moderation.records import Article, Comment, Record, Rejection, Unloaded

__all__ = ["FORMATS", "Input", "ParseOptions", "detect_format", "iter_inputs", "parse"]

IGNORE_FILE = ".moderationignore"
# Files a folder walk never treats as input: documentation and licences beside the data.
_NOT_INPUT = ("README*", "LICENSE*", "LICENCE*", "*.md", "*.pyc", ".*")
FIELD_ROLES = ("id", "text", "parent", "article", "author", "time", "target")


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """Settings passed down to every reader.

    Attributes
    ----------
    format : str or None
        Force one of :data:`FORMATS` instead of detecting it.
    fields : Mapping[str, str]
        Column names for JSONL / CSV / JSON dumps, by role (``id``, ``text``, ``parent``,
        ``article``, ``author``, ``time``, ``target``: the row's stance target); roles not
        given are guessed from common names.
    strict : bool
        Raise :class:`~moderation.errors.ParseError` at the first problem instead of
        yielding a :class:`Rejection` and carrying on.
    articles : bool
        Also yield :class:`Article` records.
    html_text : bool or None
        Dump text fields hold HTML: ``True`` decodes every one (tags, entities), ``False``
        none, ``None`` (default) those holding a tag or an entity.
    """

    format: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    strict: bool = False
    articles: bool = False
    html_text: bool | None = None

    def __post_init__(self) -> None:
        if self.format is not None and self.format not in FORMATS:
            raise ParseError("<options>", f"unknown format {self.format!r}; use one of {FORMATS}")
        unknown = set(self.fields) - set(FIELD_ROLES)
        if unknown:
            raise ParseError(
                "<options>", f"unknown field role(s) {sorted(unknown)}; use {FIELD_ROLES}"
            )


Reader = Callable[[Input, ParseOptions], Iterator[Record]]


def _reader(name: str) -> Reader:
    """Import the reader for a format on first use, so that importing the package stays light."""
    if name == "text":
        from moderation.parse.textpage import read_text_page as reader
    elif name == "html":
        from moderation.parse.htmlpage import read_html_page as reader
    elif name == "disqus":
        from moderation.parse.disqus import read_disqus as reader
    elif name == "wxr":
        from moderation.parse.wxr import read_wxr as reader
    elif name == "reddit":
        from moderation.parse.reddit import read_reddit as reader
    elif name in ("json", "jsonl", "csv"):
        from moderation.parse.dumps import read_dump

        def reader(source: Input, options: ParseOptions) -> Iterator[Record]:
            return read_dump(source, options, name)
    else:
        raise ParseError("<options>", f"unknown format {name!r}; use one of {FORMATS}")
    return reader


def _ignored(path: Path, folder: Path, patterns: list[str]) -> bool:
    relative = path.relative_to(folder).as_posix()
    return any(
        fnmatch.fnmatch(relative, pattern.rstrip("/"))
        or fnmatch.fnmatch(relative + "/", pattern)
        or relative.startswith(pattern.rstrip("/") + "/")
        for pattern in patterns
    ) or any(fnmatch.fnmatch(path.name, pattern) for pattern in _NOT_INPUT)


def _read_ignore_file(folder: Path) -> list[str]:
    ignore = folder / IGNORE_FILE
    if not ignore.is_file():
        return []
    lines = ignore.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def iter_inputs(paths: Iterable[str | Path]) -> Iterator[Input]:
    """Expand files, folders (recursed, sorted) and ``-`` into :class:`Input` objects.

    In a folder, documentation files (README, LICENSE, ``*.md``), hidden files and the
    patterns listed in a ``.moderationignore`` file of that folder are skipped.
    """
    for raw in paths:
        if str(raw) == "-":
            yield Input("<stdin>", data=sys.stdin.buffer.read())
            continue
        path = Path(raw)
        if path.is_dir():
            patterns = _read_ignore_file(path)
            for child in sorted(path.rglob("*")):
                if child.is_file() and not _ignored(child, path, patterns):
                    yield Input(str(child), path=child)
        else:
            yield Input(str(path), path=path)


def _as_inputs(source: str | Path | bytes | Iterable[str | Path]) -> Iterator[Input]:
    if isinstance(source, bytes):
        yield Input("<text>", data=source)
    elif isinstance(source, Path):
        yield from iter_inputs([source])
    elif isinstance(source, str):
        if source == "-" or _names_a_path(source):
            yield from iter_inputs([source])
        else:
            yield Input("<text>", data=source.encode("utf-8"))
    else:
        yield from iter_inputs(source)


_PATH_SHAPE = re.compile(r"[^\s]*(?:[/\\][^\s]*|\.[A-Za-z][A-Za-z0-9]{0,4})")


def _names_a_path(source: str) -> bool:
    """Whether a string given to :func:`parse` is taken for a path rather than content.

    An existing file or folder is a path; so is one word shaped like one (a folder separator,
    or a file suffix such as ``.html``), which is then reported as missing instead of being
    parsed as a page that says ``no_such_file.html``. Anything else is content (``<text>``).
    """
    if "\n" in source or len(source) >= 4096:
        return False
    return Path(source).exists() or _PATH_SHAPE.fullmatch(source) is not None


def _parse_one(source: Input, options: ParseOptions) -> Iterator[Record]:
    if source.path is not None and not source.path.exists():
        raise ParseError(source.name, "no such file or folder")
    name = options.format
    if name is None:
        head = source.read_bytes(SNIFF_BYTES)
        name = detect_format(head, source.name, complete=len(head) < SNIFF_BYTES)
        if not head.strip():
            raise ParseError(source.name, "empty input")
    if name == "xml":
        raise ParseError(source.name, "XML, but neither a Disqus nor a WordPress WXR export")
    yield from _reader(name)(source, options)


def parse(
    source: str | Path | bytes | Iterable[str | Path],
    options: ParseOptions | None = None,
    **settings: object,
) -> Iterator[Record]:
    """Parse pages, exports or dumps into comment records.

    Parameters
    ----------
    source : str, Path, bytes or iterable of paths
        A file or folder path, ``"-"`` for standard input, several paths, or the content
        itself: bytes, or a string that neither exists as a path nor is one word shaped like
        a path (``page.html``, ``dumps/x``; such a string that names nothing is reported as a
        missing file). Records parsed from content name their source ``<text>``.
    options : ParseOptions, optional
        Settings; keyword arguments (``format=``, ``fields=``, ``strict=``, ``articles=``)
        build one when it is not given.

    Yields
    ------
    Comment, Article, Rejection or Unloaded
        Comments in input order; articles only with ``articles=True``; a ``Rejection`` for
        each input or comment that could not be read (unless ``strict``, which raises);
        ``Unloaded`` for replies a platform export left out.

    Raises
    ------
    ParseError
        With ``strict=True``, at the first problem.

    Examples
    --------
    >>> page = "A title\\n\\nFirst paragraph of the story.\\n\\n  1. First!\\n\\n  2. Second.\\n"
    >>> [c.text for c in parse(page) if c.record == "comment"]
    ['First!', 'Second.']
    """
    if options is None:
        options = ParseOptions(**settings)  # type: ignore[arg-type]
    for item in _as_inputs(source):
        try:
            for record in _parse_one(item, options):
                if isinstance(record, Rejection) and options.strict:
                    raise ParseError(record.source, record.reason, record.line)
                if isinstance(record, Article) and not options.articles:
                    continue
                yield record
        except ParseError as error:
            if options.strict:
                raise
            yield Rejection(item.name, error.reason, error.line)


def comments(
    source: str | Path | bytes | Iterable[str | Path], **settings: object
) -> list[Comment]:
    """Parse and return only the comments; raise :class:`ParseError` on any problem."""
    return [r for r in parse(source, strict=True, **settings) if isinstance(r, Comment)]


__all__ += ["Unloaded", "comments"]


class _CallablePackage(types.ModuleType):
    """``moderation.parse`` is this package and, called, the :func:`parse` function: so both
    ``from moderation import parse; parse(page)`` and ``import moderation.parse.selectors``
    work (a function of the same name would hide the subpackage)."""

    def __call__(
        self,
        source: str | Path | bytes | Iterable[str | Path],
        options: ParseOptions | None = None,
        **settings: object,
    ) -> Iterator[Record]:
        return parse(source, options, **settings)


sys.modules[__name__].__class__ = _CallablePackage
