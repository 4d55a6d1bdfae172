"""Earlier runs for the Dask engine: a fingerprint index kept as a Parquet dataset (a folder,
local or any fsspec URL the workers can reach), which each run joins against and appends to.

It means what the local engine's SQLite index means (:class:`moderation.dedup.FingerprintIndex`)
and is laid out for joins on the cluster rather than lookups from one process:

- ``texts/``: exact-text key -> the first comment that had it (its entry) and the id and key
  of that comment's cluster's first comment;
- ``bands/``: LSH band key -> the first comment (above the length floor, first copy of its
  text) that had it;
- ``sketches/``: per such comment, its word and character sketches and its cluster's first
  id and key, to verify a band-key candidate as the local finder verifies one.

An entry numbers a comment across runs (``run << 40 | row``), so that "first" means what the
SQLite index's row order means. Each run writes its own files (named by the run and a random
token) from the workers and commits them at the end with ``runs/run-<n>-<token>.json``;
files without a commit (a run that died) are never read. A key already in the index is not
written again, so every key has one entry. ``settings.json`` holds the hashing settings: an
index made with others is refused, as the SQLite one is. One run writes at a time.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from moderation.errors import DuplicatesError
from moderation.pipeline.dask_engine.features import BlockFeatures
from moderation.pipeline.dask_engine.marks import BlockMarks
from moderation.pipeline.dask_engine.matching import RunRows, sketch_columns, verify_by_left

if TYPE_CHECKING:
    import dask.dataframe as dd

SCHEMA_VERSION = 1
ENTRY_BITS = 40
_SETTINGS = "settings.json"


@dataclass(frozen=True)
class IndexRun:
    """Where one run writes (picklable, for the write tasks): the index folder, the run's
    number and token."""

    folder: str
    run: int
    token: str

    def path(self, table: str, number: int) -> str:
        return f"{self.folder}/{table}/run-{self.run:06d}-{self.token}-{number:05d}.parquet"

    def entries(self, rows: np.ndarray) -> np.ndarray:
        return (np.int64(self.run) << np.int64(ENTRY_BITS)) + rows.astype(np.int64)


def _fs(path: str) -> tuple[Any, str]:
    from fsspec.core import url_to_fs

    fs, folder = url_to_fs(str(path))
    return fs, folder.rstrip("/")


class ParquetIndex:
    """The Parquet fingerprint index of earlier runs (see the module's docstring).

    Parameters
    ----------
    path : str
        The dataset's folder (created unless ``readonly``).
    settings : mapping
        The finder's hashing settings (``DuplicateFinder.settings``).
    readonly : bool
        Look up only; this run adds nothing.
    label : str, optional
        Recorded with the run (the input names).

    Raises
    ------
    DuplicatesError
        The path is a file (a SQLite index?), the folder is missing (read-only), not an index,
        or made with other settings.
    """

    def __init__(
        self, path: str, settings: Mapping[str, Any], *, readonly: bool = False, label: str = ""
    ) -> None:
        self.fs, self.folder = _fs(path)
        self.readonly = readonly
        self.label = label
        if self.fs.isfile(self.folder):
            raise DuplicatesError(
                f"index {path} is a file (a SQLite index of the local engine?): the Dask engine "
                "keeps its index as a Parquet dataset, a folder"
            )
        if readonly and not self.fs.isdir(self.folder):
            raise DuplicatesError(f"index {path}: no such folder (read-only: nothing to read)")
        self._check_settings(path, {**settings, "schema": SCHEMA_VERSION})
        self.committed = self._committed()
        number = max((run for run, _ in self.committed), default=0) + 1
        self.writing = None if readonly else IndexRun(self.folder, number, uuid.uuid4().hex[:12])

    def _check_settings(self, path: str, settings: Mapping[str, Any]) -> None:
        wanted = json.loads(json.dumps(dict(settings), sort_keys=True))
        where = f"{self.folder}/{_SETTINGS}"
        if not self.fs.exists(where):
            if self.fs.isdir(self.folder) and self.fs.ls(self.folder):
                raise DuplicatesError(f"index {path}: not a fingerprint index (no {_SETTINGS})")
            if self.readonly:
                raise DuplicatesError(f"index {path}: not a fingerprint index (no {_SETTINGS})")
            self.fs.makedirs(self.folder, exist_ok=True)
            with self.fs.open(where, "w") as stream:
                stream.write(json.dumps(wanted, indent=2, sort_keys=True) + "\n")
            return
        with self.fs.open(where, "r") as stream:
            stored = json.load(stream)
        if stored != wanted:
            differing = {
                name: (stored.get(name), wanted.get(name))
                for name in sorted(set(stored) | set(wanted))
                if stored.get(name) != wanted.get(name)
            }
            detail = ", ".join(f"{n}: index {a!r}, finder {b!r}" for n, (a, b) in differing.items())
            raise DuplicatesError(
                f"index {path} was made with other settings ({detail}); use the same settings "
                "or a new index folder"
            )

    def _committed(self) -> list[tuple[int, str]]:
        runs = f"{self.folder}/runs"
        if not self.fs.isdir(runs):
            return []
        found = []
        for name in self.fs.ls(runs, detail=False):
            stem = name.rsplit("/", 1)[-1].removesuffix(".json")
            _, run, token = stem.split("-")
            found.append((int(run), token))
        return sorted(found)

    def files(self, table: str) -> list[str]:
        """The committed files of a table."""
        folder = f"{self.folder}/{table}"
        if not self.committed or not self.fs.isdir(folder):
            return []
        prefixes = tuple(f"run-{run:06d}-{token}-" for run, token in self.committed)
        names = sorted(self.fs.ls(folder, detail=False))
        return [
            self.fs.unstrip_protocol(name)
            for name in names
            if name.rsplit("/", 1)[-1].startswith(prefixes)
        ]

    def table(self, table: str) -> dd.DataFrame | None:
        """A committed table as a Dask frame (None when no run wrote it)."""
        import dask.dataframe as dd

        files = self.files(table)
        return dd.read_parquet(files) if files else None

    def exact(self, firsts: dd.DataFrame) -> dd.DataFrame | None:
        """Rows (first copies: ``key``, ``row``) whose text an earlier run had, with that
        comment's cluster (``root_id``, ``root_key``) and ``value`` 1.0."""
        texts = self.table("texts")
        if texts is None:
            return None
        found = firsts.merge(texts, left_on="key", right_on="text_key", how="inner")
        return found[["row", "root_id", "root_key"]].assign(value=1.0)

    def near(self, rows: RunRows, candidates: dd.DataFrame, threshold: float) -> list[Any]:
        """Delayed frames (``row``, ``value``, ``root_id``, ``root_key``) of each row's best
        verified match among the earlier runs' comments that share a band key with it
        (``candidates``: ``row``, ``entry``)."""
        sketches = self.table("sketches")
        if sketches is None:
            return []
        from dask import delayed

        joined = candidates.merge(sketches, on="entry", how="inner")
        joined = joined.rename(columns={"row": "left", "entry": "right"})
        verified = verify_by_left(rows, joined, threshold, best=True)
        return [delayed(_as_earlier)(frame) for frame in verified]

    def write_bands(self, new: dd.DataFrame) -> list[Any]:
        """Delayed writes of the band keys new to the index (``band``, ``row``: its first
        row), one file per partition, on the workers."""
        if self.writing is None:
            return []
        from dask import delayed

        return [
            delayed(_write_bands)(self.writing, number, part)
            for number, part in enumerate(new.to_delayed())
        ]

    def commit(self, comments: int) -> None:
        """Make this run's files part of the index (written last: a run that dies before
        leaves files that are never read)."""
        if self.writing is None:
            return
        run = self.writing
        started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        self.fs.makedirs(f"{self.folder}/runs", exist_ok=True)
        marker = f"{self.folder}/runs/run-{run.run:06d}-{run.token}.json"
        facts = {"run": run.run, "token": run.token, "finished": started, "label": self.label}
        with self.fs.open(marker, "w") as stream:
            stream.write(json.dumps({**facts, "comments": comments}) + "\n")


def _as_earlier(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={"left": "row"})[["row", "value", "root_id", "root_key"]]


def _write_bands(run: IndexRun, number: int, part: pd.DataFrame) -> int:
    rows = part["row"].to_numpy(np.int64)
    frame = pd.DataFrame({"band_key": part["band"].to_numpy(np.uint64), "entry": run.entries(rows)})
    _write_table(run, "bands", number, frame)
    return len(frame)


def _write_table(run: IndexRun, table: str, number: int, frame: pd.DataFrame) -> None:
    if not len(frame):
        return
    fs, _ = _fs(run.folder)
    path = run.path(table, number)
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    with fs.open(path, "wb") as stream:
        frame.to_parquet(stream, index=False)


def write_block_entries(
    run: IndexRun,
    number: int,
    features: BlockFeatures,
    marks: BlockMarks,
    excluded: np.ndarray,
    base: int,
) -> int:
    """Write one block's texts and sketches into the run's files (on its worker): every first
    copy of a text the index does not hold (``excluded``: repeats and earlier runs' texts, as
    run rows), with its cluster's first comment; sketches of those above the length floor.
    Returns the texts written."""
    positions = np.setdiff1d(np.flatnonzero(~features.empty), excluded - base)
    roots = [marks.index_root(features, int(p)) for p in positions.tolist()]
    entries = run.entries(positions + base)
    root_ids = [root_id for root_id, _ in roots]
    root_keys = np.array([key for _, key in roots], dtype=np.uint64)
    texts = pd.DataFrame(
        {
            "text_key": features.keys[positions],
            "entry": entries,
            "root_id": pd.Series(root_ids, dtype=object),
            "root_key": root_keys,
        }
    )
    _write_table(run, "texts", number, texts)
    long = ~features.short[positions]
    sketches = pd.DataFrame(
        {
            "entry": entries[long],
            "root_id": pd.Series(np.array(root_ids, dtype=object)[long], dtype=object),
            "root_key": root_keys[long],
            **sketch_columns(features, positions[long]),
        }
    )
    _write_table(run, "sketches", number, sketches)
    return len(texts)
