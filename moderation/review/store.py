"""The review store: one SQLite file holding the scored comments, their queue order and every
decision taken on them.

Written in WAL mode with ``synchronous=FULL``, one transaction per decision, so a decision the
page showed as saved survives a killed server. A dump is identified by its sha256: loading the
same file again (a restarted server) reuses the rows and keeps their decisions.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from moderation.errors import ModerationError
from moderation.pipeline.writers import json_line
from moderation.records import Rejection
from moderation.review.dumps import ScoredRow, read_scored
from moderation.review.priority import Thresholds, priority

SCHEMA_VERSION = 2
_INSERT_BATCH = 5000

# Schema 2: spam and incitement may be NULL (a comment the model did not judge) and each
# comment keeps its language. A schema 1 store is rebuilt into it on opening (_migrate).
_COMMENTS = """
CREATE TABLE IF NOT EXISTS {name} (
    key INTEGER PRIMARY KEY,
    dump_id INTEGER NOT NULL REFERENCES dumps(id),
    seq INTEGER NOT NULL,
    id TEXT NOT NULL,
    article_id TEXT,
    parent_id TEXT,
    author TEXT,
    created_at TEXT,
    text TEXT NOT NULL,
    target TEXT NOT NULL,
    stance TEXT NOT NULL,
    stance_scores TEXT NOT NULL,
    margin REAL NOT NULL,
    spam REAL,
    incitement REAL,
    flags TEXT NOT NULL,
    action TEXT NOT NULL,
    reasons TEXT NOT NULL,
    cluster_id TEXT,
    duplicate_of TEXT,
    tier INTEGER NOT NULL,
    certainty REAL NOT NULL,
    decision TEXT,
    decision_id INTEGER,
    language TEXT,
    UNIQUE (dump_id, id)
);
"""
_COMMENT_INDEXES = """
CREATE INDEX IF NOT EXISTS comments_queue ON comments (tier, certainty, seq);
CREATE INDEX IF NOT EXISTS comments_article ON comments (article_id);
CREATE INDEX IF NOT EXISTS comments_cluster ON comments (cluster_id, dump_id);
CREATE INDEX IF NOT EXISTS comments_author ON comments (author);
CREATE INDEX IF NOT EXISTS comments_parent ON comments (dump_id, parent_id);
CREATE INDEX IF NOT EXISTS comments_margin ON comments (margin, seq);
"""
# Schema 1's columns, which schema 2 keeps (in its order), for the rebuild.
_V1_COLUMNS = (
    "key, dump_id, seq, id, article_id, parent_id, author, created_at, text, target, stance, "
    "stance_scores, margin, spam, incitement, flags, action, reasons, cluster_id, "
    "duplicate_of, tier, certainty, decision, decision_id"
)

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dumps (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    rows INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    loaded_at TEXT NOT NULL
);"""
    + _COMMENTS.format(name="comments")
    + _COMMENT_INDEXES
    + """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    comment_key INTEGER NOT NULL REFERENCES comments(key),
    op TEXT NOT NULL,
    action TEXT,
    spam INTEGER,
    incitement INTEGER,
    stance TEXT,
    target TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    at TEXT NOT NULL,
    batch TEXT NOT NULL,
    undone_at TEXT
);
CREATE INDEX IF NOT EXISTS decisions_comment ON decisions (comment_key, id);
CREATE INDEX IF NOT EXISTS decisions_reviewer ON decisions (reviewer, undone_at, id);
"""
)


class ReviewError(ModerationError):
    """A review store, a request or an export names something that is not there or not valid."""


@dataclass(slots=True)
class LoadResult:
    """What loading one dump did: its id, rows stored, rejections, and whether it was reused."""

    dump_id: int
    path: str
    rows: int
    rejections: list[Rejection] = field(default_factory=list)
    reused: bool = False


def now() -> str:
    """The time a decision is stamped with: UTC, ISO 8601, to the millisecond."""
    seconds = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{stamp}.{int(seconds % 1 * 1000):03d}Z"


def connect(path: str | Path) -> sqlite3.Connection:
    """Open the store (created when missing) in WAL mode; transactions are explicit."""
    connection = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA busy_timeout=10000")
    return connection


@contextlib.contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, taken at once (``BEGIN IMMEDIATE``); rolled back on error."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def open_store(path: str | Path) -> sqlite3.Connection:
    """Open the store and create or check its schema.

    Raises
    ------
    ReviewError
        The file is not a review store of this schema version.
    """
    try:
        connection = connect(path)
        connection.executescript(SCHEMA)  # idempotent; executescript commits by itself
        connection.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
        )
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row["value"] == "1":
            _migrate(connection)
            row = {"value": str(SCHEMA_VERSION)}
    except sqlite3.DatabaseError as error:
        raise ReviewError(f"{path}: not a review database ({error})") from error
    if row["value"] != str(SCHEMA_VERSION):
        raise ReviewError(
            f"{path}: review database schema {row['value']}, this version reads {SCHEMA_VERSION}"
        )
    return connection


def _migrate(connection: sqlite3.Connection) -> None:
    """Rebuild a schema 1 store's comments table as schema 2 (scores may be NULL, a language
    column), keeping every row, key and decision: SQLite's documented way to change a
    column's constraint (a new table, the rows copied, the old dropped, the new renamed)."""
    connection.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction
    try:
        with transaction(connection):
            connection.execute(_COMMENTS.format(name="comments_v2"))
            connection.execute(
                f"INSERT INTO comments_v2 ({_V1_COLUMNS}) SELECT {_V1_COLUMNS} FROM comments"
            )
            connection.execute("DROP TABLE comments")
            connection.execute("ALTER TABLE comments_v2 RENAME TO comments")
            for statement in _COMMENT_INDEXES.strip().splitlines():
                connection.execute(statement)
            if connection.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise sqlite3.DatabaseError("decisions refer to comments the rebuild lost")
            connection.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA_VERSION),)
            )
    finally:
        connection.execute("PRAGMA foreign_keys=ON")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _compact(value: dict) -> str:
    """Compact JSON, as `moderation score` writes it (its C encoder, made once)."""
    return json_line(value)[:-1]


def _values(dump_id: int, seq: int, row: ScoredRow, thresholds: Thresholds) -> tuple:
    tier, certainty, margin = priority(row, thresholds)
    return (
        dump_id,
        seq,
        row.id,
        row.article_id,
        row.parent_id,
        row.author,
        row.created_at,
        row.text,
        row.target,
        row.stance,
        _compact(row.stance_scores),
        margin,
        row.spam,
        row.incitement,
        "," + ",".join(row.flags) + ",",
        row.action,
        _compact(row.reasons),
        row.cluster_id,
        row.duplicate_of,
        tier,
        certainty,
        row.language,
    )


_INSERT = (
    "INSERT INTO comments (dump_id, seq, id, article_id, parent_id, author, created_at, text, "
    "target, stance, stance_scores, margin, spam, incitement, flags, action, reasons, "
    "cluster_id, duplicate_of, tier, certainty, language) VALUES (" + ", ".join("?" * 22) + ")"
)


def _insert_rows(
    connection: sqlite3.Connection,
    dump_id: int,
    path: Path,
    thresholds: Thresholds,
) -> tuple[int, list[Rejection]]:
    """Insert the dump's rows in batches; a repeated id is rejected (ids name comments)."""
    seen: set[str] = set()
    rejections: list[Rejection] = []
    batch: list[tuple] = []
    count = 0
    for item in read_scored(path):
        if isinstance(item, Rejection):
            rejections.append(item)
            continue
        if item.id in seen:
            reason = "repeats an earlier row's id"
            rejections.append(Rejection(str(path), reason, item.line, item.id))
            continue
        seen.add(item.id)
        batch.append(_values(dump_id, count, item, thresholds))
        count += 1
        if len(batch) >= _INSERT_BATCH:
            connection.executemany(_INSERT, batch)
            batch.clear()
    connection.executemany(_INSERT, batch)
    return count, rejections


def load_dump(
    connection: sqlite3.Connection, path: str | Path, thresholds: Thresholds
) -> LoadResult:
    """Store a scored dump's rows with their queue order, unless this exact file is stored.

    Raises
    ------
    ReviewError
        The file is missing or holds no readable row.
    """
    path = Path(path)
    if not path.is_file():
        raise ReviewError(f"{path}: no such file (give `moderation score` outputs, JSONL or CSV)")
    digest = file_sha256(path)
    known = connection.execute("SELECT id, rows FROM dumps WHERE sha256 = ?", (digest,)).fetchone()
    if known is not None:
        return LoadResult(known["id"], str(path), known["rows"], reused=True)
    with transaction(connection):
        dump_id = connection.execute(
            "INSERT INTO dumps (path, sha256, rows, rejected, loaded_at) VALUES (?, ?, 0, 0, ?)",
            (str(path), digest, now()),
        ).lastrowid
        assert dump_id is not None
        try:
            count, rejections = _insert_rows(connection, dump_id, path, thresholds)
        except UnicodeDecodeError as error:
            raise ReviewError(f"{path}: not UTF-8 text ({error.reason})") from error
        if count == 0:
            first = f"; first problem: {rejections[0]}" if rejections else ""
            raise ReviewError(
                f"{path}: no scored comment could be read (is it a score output?){first}"
            )
        connection.execute(
            "UPDATE dumps SET rows = ?, rejected = ? WHERE id = ?",
            (count, len(rejections), dump_id),
        )
    return LoadResult(dump_id, str(path), count, rejections)


def dumps(connection: sqlite3.Connection, ids: Iterable[int] | None = None) -> list[sqlite3.Row]:
    """The stored dumps (those with ``ids``, when given), in loading order."""
    rows = connection.execute("SELECT * FROM dumps ORDER BY id").fetchall()
    wanted = None if ids is None else set(ids)
    return [row for row in rows if wanted is None or row["id"] in wanted]
