"""First-seen tables that outgrow memory: a bounded in-memory part and sorted runs on disk.

The finder asks, for every band key and exact-text key of a batch, "which row had this key
first?". Kept whole in memory (:class:`~moderation.dedup.first_seen.FirstSeenTable`) that costs
16 to 32 bytes per key, and a comment brings about 23 band keys. :class:`SpilledFirstSeen` holds
at most ``buffer_keys`` recent keys in such a table; when it fills, its keys go, sorted, to a run
file in the spill folder (12 bytes a record), and memory keeps only a Bloom filter of the run
(12 bits a key) and every 64th key (fences). A lookup asks the recent table, then each run whose
filter may hold the key, reading only the 64-record blocks the fences point to. Runs of the same
size are merged four at a time (a log-structured merge), so there are few runs to ask. Each key
lives in exactly one place, with the row that brought it first: the answers are those of one
table in memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from moderation.dedup.first_seen import MAX_LOAD, FirstSeenTable, first_rows_of
from moderation.dedup.spill import BloomFilter, SpillDir

__all__ = ["SpilledFirstSeen"]

RECORD = np.dtype([("key", "<u8"), ("row", "<i4")])
BLOCK = 64  # records between two fences
MERGE_FAN = 4  # runs of one level merged into one of the next
CHUNK = 1 << 16  # records read at a time while merging
DEFAULT_BUFFER_KEYS = 1 << 17
_BATCH_SLACK = 1 << 15  # keys a batch may add past the buffer before it is spilled


class _Run:
    """One sorted run file: its fences, Bloom filter and level (merges it went through)."""

    def __init__(
        self, path: Path, count: int, fences: np.ndarray, bloom: BloomFilter, level: int
    ) -> None:
        self.path = path
        self.count = count
        self.fences = fences
        self.bloom = bloom
        self.level = level
        self._fd = os.open(path, os.O_RDONLY)
        self.reads = 0

    @property
    def nbytes(self) -> int:
        return self.fences.nbytes + self.bloom.nbytes

    def get(self, keys: np.ndarray) -> np.ndarray:
        """Row of each key held in this run, or -1."""
        out = np.full(keys.size, -1, dtype=np.int64)
        maybe = np.flatnonzero(self.bloom.might_contain(keys))
        blocks = np.searchsorted(self.fences, keys[maybe], side="right") - 1
        maybe, blocks = maybe[blocks >= 0], blocks[blocks >= 0]
        if not maybe.size:
            return out
        records = self._read_blocks(np.unique(blocks))
        wanted = keys[maybe]
        at = np.minimum(np.searchsorted(records["key"], wanted), records.size - 1)
        hit = records["key"][at] == wanted
        out[maybe[hit]] = records["row"][at[hit]]
        return out

    def _read_blocks(self, blocks: np.ndarray) -> np.ndarray:
        """The records of some blocks (sorted), consecutive blocks read at once."""
        breaks = np.flatnonzero(np.r_[True, np.diff(blocks) > 1])
        parts = []
        for first, last in zip(breaks.tolist(), [*breaks[1:].tolist(), blocks.size], strict=True):
            begin = int(blocks[first]) * BLOCK
            end = min((int(blocks[last - 1]) + 1) * BLOCK, self.count)
            parts.append(
                os.pread(self._fd, (end - begin) * RECORD.itemsize, begin * RECORD.itemsize)
            )
            self.reads += 1
        return np.frombuffer(b"".join(parts), dtype=RECORD)

    def chunks(self) -> Iterator[np.ndarray]:
        """The records in order, ``CHUNK`` at a time."""
        for begin in range(0, self.count, CHUNK):
            size = min(CHUNK, self.count - begin) * RECORD.itemsize
            yield np.frombuffer(os.pread(self._fd, size, begin * RECORD.itemsize), dtype=RECORD)

    def remove(self) -> None:
        os.close(self._fd)
        self.path.unlink(missing_ok=True)


class _RunWriter:
    """Writes records in key order to a new run, keeping its fences and Bloom filter."""

    def __init__(self, path: Path, count: int, level: int) -> None:
        self.path, self.count, self.level = path, count, level
        self.bloom = BloomFilter(count)
        self._fences: list[np.ndarray] = []
        self._written = 0
        self._stream = path.open("wb")

    def write(self, records: np.ndarray) -> None:
        first = (-self._written) % BLOCK
        self._fences.append(records["key"][first::BLOCK].copy())
        self.bloom.add(records["key"])
        self._stream.write(records.tobytes())
        self._written += records.size

    def finish(self) -> _Run:
        self._stream.close()
        fences = np.concatenate(self._fences) if self._fences else np.zeros(0, np.uint64)
        return _Run(self.path, self._written, fences, self.bloom, self.level)


def _merge(runs: list[_Run], writer: _RunWriter) -> _Run:
    """Merge runs (no key in two of them) into ``writer``'s run, a chunk at a time."""
    sources = [run.chunks() for run in runs]
    pending = [next(source, None) for source in sources]
    while any(chunk is not None for chunk in pending):
        bound = min(int(chunk["key"][-1]) for chunk in pending if chunk is not None)
        taken = []
        for number, chunk in enumerate(pending):
            if chunk is None:
                continue
            cut = int(np.searchsorted(chunk["key"], np.uint64(bound), side="right"))
            taken.append(chunk[:cut])
            pending[number] = chunk[cut:] if cut < chunk.size else next(sources[number], None)
        merged = np.concatenate(taken)
        writer.write(merged[np.argsort(merged["key"], kind="stable")])
    return writer.finish()


class SpilledFirstSeen:
    """Map each 64-bit key to the first row seen with it, in bounded memory.

    Same answers as :class:`~moderation.dedup.first_seen.FirstSeenTable`; memory is the recent
    table (fixed) plus about 1.7 bytes per spilled key.

    Parameters
    ----------
    spill : SpillDir or None
        Where runs go; ``None`` keeps every key in memory (never spills).
    buffer_keys : int
        Keys held in memory before they are spilled as a run; 0 never spills. The in-memory
        table is made at full size up front, so that memory does not grow while it fills.
    stem : str
        Name of the run files.
    """

    def __init__(
        self,
        spill: SpillDir | None,
        *,
        buffer_keys: int = DEFAULT_BUFFER_KEYS,
        stem: str = "keys",
    ) -> None:
        self.spill = spill if buffer_keys > 0 else None
        self.buffer_keys = buffer_keys
        self.stem = stem
        self._capacity = int((buffer_keys + _BATCH_SLACK) / MAX_LOAD) + 1 if self.spill else 1024
        self._recent = FirstSeenTable(capacity=self._capacity)
        self._runs: list[_Run] = []
        self._count = 0
        self.spills = 0  # runs written by flushes (merges not counted)

    def __len__(self) -> int:
        return self._count

    @property
    def nbytes(self) -> int:
        """Bytes held in memory: the recent table, the runs' fences and filters."""
        return self._recent.nbytes + sum(run.nbytes for run in self._runs)

    @property
    def recent_keys(self) -> int:
        """Keys held in the in-memory table."""
        return len(self._recent)

    @property
    def runs(self) -> int:
        """Run files on disk."""
        return len(self._runs)

    @property
    def reads(self) -> int:
        """Read calls made on the runs now on disk."""
        return sum(run.reads for run in self._runs)

    def get(self, keys: np.ndarray) -> np.ndarray:
        """First row of each key, or -1 where the key was never seen."""
        keys = FirstSeenTable._clean(keys)
        owners = self._recent.get(keys)
        missing = np.flatnonzero(owners < 0)
        for run in self._runs:
            if not missing.size:
                break
            found = run.get(keys[missing])
            hit = found >= 0
            owners[missing[hit]] = found[hit]
            missing = missing[~hit]
        return owners

    def first_rows(self, keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Insert the keys not seen yet and return the first row of every key (see
        :meth:`FirstSeenTable.first_rows`)."""
        return first_rows_of(self, keys, rows)

    def insert_new(self, keys: np.ndarray, rows: np.ndarray) -> None:
        """Insert distinct keys known to be absent (cleaned), spilling the recent ones to a
        run once they fill the buffer."""
        self._recent.insert_new(keys, rows)
        self._count += int(keys.size)
        if self.spill is not None and len(self._recent) >= self.buffer_keys:
            self._flush()

    def _flush(self) -> None:
        """Write the recent keys as a run, start an empty recent table, merge full levels."""
        assert self.spill is not None
        keys, rows = self._recent.items()
        self._recent = FirstSeenTable(capacity=1)  # free the old table before the new one
        order = np.argsort(keys)
        records = np.empty(keys.size, dtype=RECORD)
        records["key"], records["row"] = keys[order], rows[order]
        del keys, rows, order
        writer = _RunWriter(self.spill.new_file(self.stem), records.size, level=0)
        writer.write(records)
        del records
        self._runs.append(writer.finish())
        self.spills += 1
        self._recent = FirstSeenTable(capacity=self._capacity)
        self._compact()

    def _compact(self) -> None:
        """Merge ``MERGE_FAN`` runs of one level into one of the next, while any level has
        that many."""
        while True:
            levels = [run.level for run in self._runs]
            full = [level for level in set(levels) if levels.count(level) >= MERGE_FAN]
            if not full:
                return
            level = min(full)
            merging = [run for run in self._runs if run.level == level][:MERGE_FAN]
            assert self.spill is not None
            for run in merging:  # not asked during the merge: free them before the new one
                run.bloom = BloomFilter(0)
            total = sum(run.count for run in merging)
            writer = _RunWriter(self.spill.new_file(self.stem), total, level + 1)
            merged = _merge(merging, writer)
            for run in merging:
                run.remove()
            self._runs = [run for run in self._runs if run not in merging] + [merged]

    def close(self) -> None:
        """Close and remove the run files."""
        for run in self._runs:
            run.remove()
        self._runs = []
