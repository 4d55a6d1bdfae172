"""Typed, JSON-ready records that the parser yields: comments, articles, rejections.

Every input comment becomes exactly one :class:`Comment` or one :class:`Rejection`, so that
nothing is silently lost between a dump and a moderator's report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal

CommentKind = Literal["comment", "pingback", "trackback"]


@dataclass(slots=True)
class Comment:
    """One reader comment, as found in a page, an export or a dump.

    Attributes
    ----------
    id : str
        Stable identifier: the platform's own id where there is one, else derived from the
        article and the position (``"<article_id>/<position>"``).
    text : str
        Plain text: HTML stripped, entities decoded, whitespace normalised, paragraph breaks
        kept as a blank line (``"\\n\\n"``).
    article_id, parent_id : str or None
        The thread the comment belongs to and the comment it replies to.
    position : int
        1-based order of the comment in its input file.
    author, created_at : str or None
        As given by the source; ``created_at`` is kept verbatim (ISO 8601 where the source is).
    source, format : str
        The input file (``"<stdin>"`` for standard input) and the detected format.
    line : int or None
        1-based line in ``source`` where the comment starts, where known.
    deleted, platform_spam : bool
        The platform's own flags (Disqus ``isDeleted`` / ``isSpam``, WXR ``spam`` / ``trash``).
    approved : bool or None
        The platform's moderation state where it has one (WXR ``comment_approved``).
    kind : {"comment", "pingback", "trackback"}
        Pingbacks and trackbacks are kept but marked.
    target : str or None
        The stance target the comment is to be judged against, where the dump names one (its
        ``target`` column); ``None``: the scorer's ``--target`` or the model's default.
    """

    record: ClassVar[str] = "comment"

    id: str
    text: str
    article_id: str | None = None
    parent_id: str | None = None
    position: int = 0
    author: str | None = None
    created_at: str | None = None
    source: str = ""
    format: str = ""
    line: int | None = None
    deleted: bool = False
    platform_spam: bool = False
    approved: bool | None = None
    kind: CommentKind = "comment"
    target: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict, with ``"record": "comment"`` first."""
        return {"record": self.record, **asdict(self)}


@dataclass(slots=True)
class Article:
    """The article a comment thread hangs under, with page chrome removed.

    Attributes
    ----------
    id : str
        Stable identifier (file stem for pages, thread id for exports).
    title, date, url, site : str or None
        Metadata where the source has it; ``site`` is a title suffix such as "DW News".
    body : str
        Article paragraphs separated by a blank line; captions and chrome are not in it.
    captions : list of str
        Photo and video captions, kept apart from the body.
    dateline, credit : str or None
        A wire dateline ("KIEV, Ukraine (AFP)") and a closing wire credit ("AFP").
    """

    record: ClassVar[str] = "article"

    id: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    site: str | None = None
    body: str = ""
    captions: list[str] = field(default_factory=list)
    dateline: str | None = None
    credit: str | None = None
    source: str = ""
    format: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict, with ``"record": "article"`` first."""
        return {"record": self.record, **asdict(self)}


@dataclass(slots=True)
class Rejection:
    """An input (or one comment in it) that could not be turned into a comment.

    Attributes
    ----------
    source : str
        The input file.
    reason : str
        Why it was rejected.
    line : int or None
        1-based line number where known.
    id : str or None
        The comment's id where it could be read.
    """

    record: ClassVar[str] = "rejection"

    source: str
    reason: str
    line: int | None = None
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict, with ``"record": "rejection"`` first."""
        return {"record": self.record, **asdict(self)}

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class Unloaded:
    """Replies a platform did not include (a Reddit ``more`` stub): reported, never invented.

    Attributes
    ----------
    parent_id : str or None
        The comment (or thread) under which replies were not loaded.
    count : int
        How many replies the platform says are missing.
    ids : list of str
        Their ids where the stub lists them.
    """

    record: ClassVar[str] = "unloaded"

    parent_id: str | None
    count: int
    ids: list[str] = field(default_factory=list)
    article_id: str | None = None
    source: str = ""
    format: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict, with ``"record": "unloaded"`` first."""
        return {"record": self.record, **asdict(self)}


Record = Comment | Article | Rejection | Unloaded
