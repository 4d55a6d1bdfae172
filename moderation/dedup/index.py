"""The fingerprint index: a SQLite file remembering every comment seen in earlier runs.

Each run adds its comments in batches, one transaction per batch, so that a killed run leaves
the file consistent (whole batches or nothing) and tomorrow's dump can be matched against
today's. The file is in WAL mode with a busy timeout: any number of processes may read it while
one writes, and a second writer waits for the first instead of failing.

Tables: ``settings`` (the hashing settings the fingerprints were made with; a finder with other
settings is refused), ``runs``, ``comments`` (one row per comment: id, run, exact-text key, the
row of its cluster's first comment, and for the first copy of each text above the length floor
the bottom-k sketch of its words and, for a text of few words, of its character n-grams),
``texts`` (exact-text key to its first row) and ``bands`` (LSH band key, of words or of
character n-grams, to its first row). Growth is linear in the number of comments; the README
gives the bytes per comment. An index made by an older version (schema 1, no character
sketches) is refused like one made with other settings.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moderation.dedup.shingles import DuplicatesError

SCHEMA_VERSION = 2
_PARAMETERS_PER_QUERY = 900
_MASK64 = 0xFFFFFFFFFFFFFFFF
# Columns of the set size and the sketch of each kind of shingle set.
_SKETCH_COLUMNS = {"words": ("set_size", "sketch"), "chars": ("char_set_size", "char_sketch")}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (run INTEGER PRIMARY KEY, started TEXT NOT NULL, label TEXT);
CREATE TABLE IF NOT EXISTS comments (
    row INTEGER PRIMARY KEY,
    run INTEGER NOT NULL,
    id TEXT,
    text_key INTEGER NOT NULL,
    root INTEGER NOT NULL,
    set_size INTEGER,
    sketch BLOB,
    char_set_size INTEGER,
    char_sketch BLOB
);
CREATE TABLE IF NOT EXISTS texts (text_key INTEGER PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bands (band_key INTEGER PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID;
"""


def _signed(keys: np.ndarray) -> list[int]:
    """uint64 keys as the signed 64-bit integers SQLite stores."""
    return np.asarray(keys, dtype=np.uint64).view(np.int64).tolist()


@dataclass(frozen=True, slots=True)
class EarlierComment:
    """A comment from an earlier run, as a match for a new one.

    Attributes
    ----------
    row : int
        Its row in the index.
    root_row : int
        Row of the first comment of its cluster.
    root_id : str or None
        Id of that first comment (what ``duplicate_of`` reports).
    root_key : int
        Exact-text key of that first comment (the cluster's ``cluster_id``), as uint64.
    """

    row: int
    root_row: int
    root_id: str | None
    root_key: int


@dataclass(frozen=True, slots=True)
class NewComment:
    """One comment of this run to record.

    Its cluster's first comment is the index row ``root_row`` (an earlier batch or run), or the
    comment at ``root_position`` in the same batch; with neither, the comment is itself the
    first. ``sketch`` (of the word shingles) is stored only for the first copy of a text above
    the length floor, ``char_sketch`` (of the character n-grams) only when it also has few words.
    """

    id: str | None
    text_key: int
    root_row: int | None = None
    root_position: int | None = None
    set_size: int | None = None
    sketch: bytes | None = None
    char_set_size: int | None = None
    char_sketch: bytes | None = None


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any error; a killed process leaves an
    uncommitted WAL tail that SQLite ignores on the next open."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *exc: object) -> None:
        self._db.execute("ROLLBACK" if kind is not None else "COMMIT")


class FingerprintIndex:
    """Fingerprints of comments from earlier runs, in one SQLite file.

    Parameters
    ----------
    path : str or Path
        The file; created when it does not exist (unless ``readonly``).
    settings : mapping
        The hashing settings of the finder using it (``DuplicateFinder.settings``). A new file
        records them; an existing file must have been made with the same.
    readonly : bool, default=False
        Only look up earlier runs; add nothing.
    timeout : float, default=60.0
        Seconds to wait for another process's write transaction before failing.
    label : str, optional
        Recorded with this run (e.g. the input names).

    Attributes
    ----------
    run : int or None
        This run's number in the file (``None`` when read-only).

    Raises
    ------
    DuplicatesError
        When the file is missing (read-only), not an index, or made with other settings.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        settings: Mapping[str, object],
        readonly: bool = False,
        timeout: float = 60.0,
        label: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.settings = {name: json.dumps(value) for name, value in settings.items()}
        self.settings["schema"] = json.dumps(SCHEMA_VERSION)
        self.readonly = readonly
        self.timeout = timeout
        self.run: int | None = None
        if readonly and not self.path.is_file():
            raise DuplicatesError(f"index {self.path}: no such file (read-only: nothing to read)")
        try:
            if readonly:
                uri = self.path.resolve().as_uri() + "?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self._db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            if not readonly:
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
                self._db.executescript(_SCHEMA)
            self._check_settings()
            if not readonly:
                started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
                with self._transaction():
                    cursor = self._db.execute(
                        "INSERT INTO runs (started, label) VALUES (?, ?)", (started, label)
                    )
                self.run = cursor.lastrowid
        except sqlite3.DatabaseError as error:
            raise DuplicatesError(f"index {self.path}: cannot be used ({error})") from error

    # -- plumbing ---------------------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def _check_settings(self) -> None:
        try:
            stored = dict(self._db.execute("SELECT name, value FROM settings"))
        except sqlite3.DatabaseError as error:
            raise DuplicatesError(
                f"index {self.path}: not a fingerprint index ({error})"
            ) from error
        if not stored and not self.readonly:
            with self._transaction():
                self._db.executemany(
                    "INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)",
                    sorted(self.settings.items()),
                )
            stored = dict(self._db.execute("SELECT name, value FROM settings"))
        differing = {
            name: (json.loads(stored[name]) if name in stored else None, json.loads(value))
            for name, value in self.settings.items()
            if stored.get(name) != value
        }
        if differing:
            detail = ", ".join(f"{n}: index {a!r}, finder {b!r}" for n, (a, b) in differing.items())
            raise DuplicatesError(
                f"index {self.path} was made with other settings ({detail}); use the same "
                "settings or a new index file"
            )

    def _select(self, sql: str, values: Sequence[object], *extra: object) -> list[tuple]:
        """Run ``sql`` (one ``{}`` for the IN list, then ``extra`` parameters) in chunks."""
        found: list[tuple] = []
        for start in range(0, len(values), _PARAMETERS_PER_QUERY):
            chunk = list(values[start : start + _PARAMETERS_PER_QUERY])
            marks = ",".join("?" * len(chunk))
            found.extend(self._db.execute(sql.format(marks), [*chunk, *extra]))
        return found

    def close(self) -> None:
        """Close the connection (committed batches stay)."""
        self._db.close()

    def __enter__(self) -> FingerprintIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- lookups ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM comments").fetchone()[0]

    def first_rows(self, keys: np.ndarray, *, table: str) -> dict[int, int]:
        """Row of another run that first had each key, for the keys found (keys as uint64 ints).

        Parameters
        ----------
        keys : ndarray of uint64
        table : {"texts", "bands"}
            Exact-text keys or LSH band keys.
        """
        column = {"texts": "text_key", "bands": "band_key"}[table]
        sql = (
            f"SELECT k.{column}, k.row FROM {table} AS k JOIN comments AS c ON c.row = k.row "
            f"WHERE k.{column} IN ({{}}) AND c.run IS NOT ?"
        )
        distinct = _signed(np.unique(np.asarray(keys, dtype=np.uint64)))
        return {key & _MASK64: row for key, row in self._select(sql, distinct, self.run)}

    def comments(self, rows: Sequence[int]) -> dict[int, EarlierComment]:
        """The cluster (first comment's row, id and key) of each given row."""
        sql = (
            "SELECT c.row, r.row, r.id, r.text_key FROM comments AS c "
            "JOIN comments AS r ON r.row = c.root WHERE c.row IN ({})"
        )
        return {
            row: EarlierComment(row, root, root_id, key & _MASK64)
            for row, root, root_id, key in self._select(sql, sorted(set(rows)))
        }

    def sketches(
        self, rows: Sequence[int], *, kind: str = "words"
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sketches of some rows, in the given order: (values, lengths, set sizes).

        Parameters
        ----------
        rows : sequence of int
        kind : {"words", "chars"}, default="words"
            Sketches of the word shingles or of the character n-grams (empty for most texts).
        """
        if kind not in _SKETCH_COLUMNS:
            raise DuplicatesError(f"sketch kind {kind!r}: use one of {sorted(_SKETCH_COLUMNS)}")
        size_column, sketch_column = _SKETCH_COLUMNS[kind]
        stored = {
            row: (size or 0, blob or b"")
            for row, size, blob in self._select(
                f"SELECT row, {size_column}, {sketch_column} FROM comments WHERE row IN ({{}})",
                sorted(set(rows)),
            )
        }
        parts = [stored.get(row, (0, b"")) for row in rows]
        values = np.frombuffer(b"".join(blob for _, blob in parts), dtype="<u4").astype(np.uint32)
        lengths = np.array([len(blob) // 4 for _, blob in parts], dtype=np.int64)
        sizes = np.array([size for size, _ in parts], dtype=np.int64)
        return values, lengths, sizes

    # -- recording --------------------------------------------------------------------------

    def add(
        self,
        comments: Sequence[NewComment],
        band_positions: np.ndarray | None = None,
        band_keys: np.ndarray | None = None,
    ) -> int:
        """Record a batch of this run's comments in one transaction.

        Parameters
        ----------
        comments : sequence of NewComment
            In stream order.
        band_positions, band_keys : ndarray of int and of uint64, optional
            Band keys of the comments that have them, each with its comment's position in
            ``comments`` (a key already in the index keeps its first row).

        Returns
        -------
        int
            Index row of ``comments[0]``; the others follow consecutively.

        Raises
        ------
        DuplicatesError
            When the index is read-only.
        """
        if self.readonly or self.run is None:
            raise DuplicatesError(f"index {self.path} is open read-only: cannot add comments")
        text_keys = _signed(np.array([c.text_key for c in comments], dtype=np.uint64))
        with self._transaction():
            first = self._db.execute("SELECT coalesce(max(row), 0) + 1 FROM comments").fetchone()[0]
            rows = [
                (
                    first + i,
                    self.run,
                    c.id,
                    text_keys[i],
                    c.root_row
                    if c.root_row is not None
                    else first + (i if c.root_position is None else c.root_position),
                    c.set_size,
                    c.sketch,
                    c.char_set_size,
                    c.char_sketch,
                )
                for i, c in enumerate(comments)
            ]
            self._db.executemany("INSERT INTO comments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            self._db.executemany(
                "INSERT OR IGNORE INTO texts (text_key, row) VALUES (?, ?)",
                [(key, first + i) for i, key in enumerate(text_keys)],
            )
            if band_keys is not None and band_positions is not None and band_keys.size:
                self._db.executemany(
                    "INSERT OR IGNORE INTO bands (band_key, row) VALUES (?, ?)",
                    zip(
                        _signed(band_keys),
                        (np.asarray(band_positions) + first).tolist(),
                        strict=True,
                    ),
                )
        return first
