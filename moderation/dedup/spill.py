"""Disk spill for the finder's per-comment state: a temporary folder, append-only record files
and Bloom filters.

A long run keeps, for every comment, what later comments are matched against. Kept in memory,
that grows by hundreds of bytes per comment; here only what every comment looks up stays in
memory in compact form (record ends, Bloom filter bits) and the rest goes to files in a
temporary folder, read back with ``os.pread`` for the few rows a batch needs. Reads go through
the page cache, not the process's memory, so peak RSS does not grow with the files. The folder
is removed by :meth:`SpillDir.close` or, failing that, when the object is collected or the
interpreter exits.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from array import array
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from moderation.errors import DuplicatesError

__all__ = ["BloomFilter", "RecordFile", "SpillDir"]

# Bytes a record file keeps in memory before writing them out.
DEFAULT_TAIL_BYTES = 1 << 20
# Records closer than this in a file are fetched with one read.
_GAP = 4096
# Rows between two remembered record starts (the others are summed from the lengths).
_CHECKPOINT = 256
# Bytes of records gathered at once by RecordFile.read (bounds its index arrays).
GATHER_BYTES = 1 << 20
_MIX1 = np.uint64(0x9E3779B97F4A7C15)
_MIX2 = np.uint64(0xC2B2AE3D27D4EB4F)


class SpillDir:
    """A temporary folder made on first use, removed at :meth:`close` (or collection, or exit).

    Parameters
    ----------
    parent : str or Path, optional
        Where to make it (default the system's temporary folder).
    """

    def __init__(self, parent: str | Path | None = None) -> None:
        self.parent = parent
        self._path: Path | None = None
        self._finalizer: weakref.finalize | None = None
        self._count = 0

    @property
    def path(self) -> Path:
        """The folder (made now if it does not exist yet)."""
        if self._path is None:
            self._path = Path(tempfile.mkdtemp(prefix="moderation-spill-", dir=self.parent))
            self._finalizer = weakref.finalize(self, shutil.rmtree, self._path, True)
        return self._path

    @property
    def used(self) -> bool:
        """Whether anything was written (the folder exists)."""
        return self._path is not None

    def new_file(self, stem: str) -> Path:
        """A fresh file name in the folder."""
        self._count += 1
        return self.path / f"{stem}-{self._count}.bin"

    def close(self) -> None:
        """Remove the folder and everything in it."""
        if self._finalizer is not None:
            self._finalizer()
        self._path = None
        self._finalizer = None


class RecordFile:
    """Append-only variable-length byte records, one per row; memory holds each row's length
    (2 or 4 bytes), the start of every 256th row, and a bounded tail of unwritten bytes; the
    rest is in a spill file.

    Parameters
    ----------
    spill : SpillDir or None
        Where the file goes; ``None`` keeps everything in memory.
    stem : str
        Name of the file in the folder.
    tail_bytes : int, optional
        Bytes held in memory before they are written out (default ``DEFAULT_TAIL_BYTES``).
    max_record : int, default=65535
        Longest record in bytes: up to 65,535 a length takes 2 bytes, beyond 4.

    Raises
    ------
    DuplicatesError
        When a record is longer than ``max_record`` (or 4 GiB).
    """

    def __init__(
        self,
        spill: SpillDir | None,
        stem: str,
        *,
        tail_bytes: int | None = None,
        max_record: int = 0xFFFF,
    ) -> None:
        self.spill = spill
        self.stem = stem
        self.tail_bytes = DEFAULT_TAIL_BYTES if tail_bytes is None else tail_bytes
        self.max_record = min(max_record, 0xFFFFFFFF)
        self._lengths = array("H" if self.max_record <= 0xFFFF else "I")
        self._checkpoints = array("q")  # start of rows 0, 256, 512...
        self._size = 0  # bytes in all records
        self._tail = bytearray()
        self._written = 0  # bytes in the file: records before this offset are on disk
        self._fd: int | None = None
        self.reads = 0  # read calls made on the file

    def __len__(self) -> int:
        return len(self._lengths)

    @property
    def nbytes(self) -> int:
        """Bytes held in memory (lengths, checkpoints and tail)."""
        arrays = (self._lengths, self._checkpoints)
        return sum(a.itemsize * len(a) for a in arrays) + len(self._tail)

    @property
    def spilled_bytes(self) -> int:
        """Bytes written to the spill file."""
        return self._written

    def append(self, data: bytes | memoryview, lengths: np.ndarray) -> None:
        """Add one record per entry of ``lengths`` (their bytes concatenated in ``data``)."""
        lengths = np.asarray(lengths, dtype=np.int64)
        if lengths.size and int(lengths.max()) > self.max_record:
            raise DuplicatesError(
                f"{self.stem}: a record of {int(lengths.max())} bytes, over the "
                f"{self.max_record} this file takes"
            )
        rows = len(self._lengths) + np.arange(lengths.size)
        starts = self._size + np.cumsum(lengths) - lengths
        self._checkpoints.frombytes(starts[rows % _CHECKPOINT == 0].tobytes())
        self._lengths.frombytes(lengths.astype(self._lengths.typecode).tobytes())
        self._size += int(lengths.sum())
        self._tail += data
        if self.spill is not None and len(self._tail) > self.tail_bytes:
            self._flush()

    def _flush(self) -> None:
        assert self.spill is not None
        if self._fd is None:
            path = self.spill.new_file(self.stem)
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        os.pwrite(self._fd, self._tail, self._written)
        self._written += len(self._tail)
        self._tail = bytearray()

    def _spans(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Start and length of the records of sorted distinct rows: the checkpoint of each
        row's block of 256 plus the lengths before it in the block."""
        lengths = np.frombuffer(self._lengths, dtype=self._lengths.typecode).astype(np.int64)
        blocks, where = np.unique(rows // _CHECKPOINT, return_inverse=True)
        members = blocks[:, None] * _CHECKPOINT + np.arange(_CHECKPOINT)
        within = np.where(members < lengths.size, lengths[np.minimum(members, lengths.size - 1)], 0)
        before = np.cumsum(within, axis=1) - within
        checkpoints = np.frombuffer(self._checkpoints, dtype=np.int64)[blocks]
        starts = checkpoints[where] + before[where, rows % _CHECKPOINT]
        return starts, lengths[rows]

    def read(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The records of ``rows`` (repeats allowed), concatenated in that order, as uint8, and
        their lengths."""
        rows = np.asarray(rows, dtype=np.int64)
        unique, inverse = np.unique(rows, return_inverse=True)
        if not unique.size:
            return np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=np.int64)
        starts, sizes = self._spans(unique)
        stops = starts + sizes
        blob, where = self._fetch(starts, stops)
        lengths = sizes[inverse]
        out = np.empty(int(lengths.sum()), dtype=np.uint8)
        ends = np.cumsum(lengths)
        # Gathered GATHER_BYTES of output at a time: the index arrays are 8 bytes per byte
        # gathered, and a caller may ask for one record many times (a sketch per pair).
        cuts = np.searchsorted(ends, np.arange(GATHER_BYTES, int(ends[-1]), GATHER_BYTES))
        for low, high in zip([0, *cuts.tolist()], [*cuts.tolist(), ends.size], strict=True):
            if low == high:
                continue
            chunk = lengths[low:high]
            begin = int(ends[low] - lengths[low])
            owners = np.repeat(np.arange(low, high), chunk)
            positions = np.arange(begin, int(ends[high - 1]), dtype=np.int64)
            positions += where[inverse[owners]] - (ends[owners] - lengths[owners])
            out[begin : int(ends[high - 1])] = blob[positions]
        return out, lengths

    def _fetch(self, starts: np.ndarray, stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bytes covering sorted records ``[starts, stops)`` and where each starts in them: the
        tail from memory, the rest read in runs of nearby records."""
        parts: list[bytes | bytearray] = []
        where = np.zeros(starts.size, dtype=np.int64)
        size = 0
        on_disk = np.flatnonzero((stops <= self._written) & (stops > starts))
        if on_disk.size:
            disk_starts, disk_stops = starts[on_disk], stops[on_disk]
            breaks = np.flatnonzero(np.r_[True, disk_starts[1:] - disk_stops[:-1] > _GAP])
            for first, last in zip(
                breaks.tolist(), [*breaks[1:].tolist(), on_disk.size], strict=True
            ):
                begin, end = int(disk_starts[first]), int(disk_stops[last - 1])
                parts.append(os.pread(self._fd, end - begin, begin))  # type: ignore[arg-type]
                self.reads += 1
                where[on_disk[first:last]] = disk_starts[first:last] - begin + size
                size += end - begin
        in_tail = stops > self._written
        if in_tail.any():
            parts.append(self._tail)
            where[in_tail] = starts[in_tail] - self._written + size
        return np.frombuffer(b"".join(parts), dtype=np.uint8), where

    def close(self) -> None:
        """Close the file (the folder's owner removes it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class IdColumn:
    """Comment ids (str or None) per row, stored as records of a :class:`RecordFile`; reads
    like a list (``ids[row]``) and in bulk (:meth:`take`)."""

    _NONE = b"\xff"  # never valid UTF-8 on its own: marks a missing id

    def __init__(self, spill: SpillDir | None) -> None:
        self._records = RecordFile(spill, "ids", max_record=0xFFFFFFFF)

    def __len__(self) -> int:
        return len(self._records)

    @property
    def nbytes(self) -> int:
        """Bytes held in memory."""
        return self._records.nbytes

    def extend(self, ids: Sequence[str | None]) -> None:
        """Add the ids of a batch."""
        encoded = [self._NONE if i is None else i.encode("utf-8") for i in ids]
        lengths = np.fromiter((len(e) for e in encoded), dtype=np.int64, count=len(encoded))
        self._records.append(b"".join(encoded), lengths)

    def take(self, rows: Sequence[int] | np.ndarray) -> list[str | None]:
        """The ids of some rows, in order."""
        data, lengths = self._records.read(np.asarray(rows, dtype=np.int64))
        raw = data.tobytes()
        ends = np.cumsum(lengths).tolist()
        starts = [0, *ends[:-1]]
        return [
            None if raw[a:b] == self._NONE else raw[a:b].decode("utf-8")
            for a, b in zip(starts, ends, strict=True)
        ]

    def __getitem__(self, row: int) -> str | None:
        return self.take([row])[0]

    def close(self) -> None:
        """Close the spill file."""
        self._records.close()


class BloomFilter:
    """A blocked Bloom filter over 64-bit keys: ``bits_per_key`` bits per key, ``probes`` bits
    of one 64-bit word per key (one memory access per lookup); never a false negative.

    Parameters
    ----------
    count : int
        Keys it will hold.
    bits_per_key : int, default=12
        12 bits and 6 probes give about 0.5% false positives.
    probes : int, default=6
    """

    def __init__(self, count: int, *, bits_per_key: int = 12, probes: int = 6) -> None:
        self.words = np.zeros(max(1, -(-count * bits_per_key // 64)), dtype=np.uint64)
        self.probes = probes

    @property
    def nbytes(self) -> int:
        """Bytes held."""
        return self.words.nbytes

    def _slots(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keys = np.asarray(keys, dtype=np.uint64)
        word = ((keys * _MIX1) >> np.uint64(32)) % np.uint64(self.words.size)
        bits = keys * _MIX2
        mask = np.zeros(keys.size, dtype=np.uint64)
        for probe in range(self.probes):
            mask |= np.uint64(1) << ((bits >> np.uint64(6 * probe + 16)) & np.uint64(63))
        return word.astype(np.int64), mask

    def add(self, keys: np.ndarray) -> None:
        """Add keys."""
        word, mask = self._slots(keys)
        order = np.argsort(word, kind="stable")
        word, mask = word[order], mask[order]
        starts = np.flatnonzero(np.r_[True, word[1:] != word[:-1]])
        if starts.size:
            self.words[word[starts]] |= np.bitwise_or.reduceat(mask, starts)

    def might_contain(self, keys: np.ndarray) -> np.ndarray:
        """False where a key was certainly never added."""
        word, mask = self._slots(keys)
        return (self.words[word] & mask) == mask
