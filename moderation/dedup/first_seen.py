"""A NumPy hash table from 64-bit keys to the first row that brought each key.

Duplicate finding asks, for a batch of a thousand texts with dozens of keys each, "who had this
exact text / this band key first?". A Python dict would spend about 100 bytes per key; this
table spends 12 bytes per slot (a uint64 key and an int32 row), at most 75% full, and answers a
whole batch with a few vectorised probing rounds (open addressing, linear probing, no deletes).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from moderation.dedup.shingles import DuplicatesError

_EMPTY = np.uint64(0)
MAX_LOAD = 0.75


class FirstSeenTable:
    """Map each key to the first row seen with it; insert-if-absent over whole batches.

    Parameters
    ----------
    capacity : int, default=1024
        Initial number of slots (rounded up to a power of two); the table doubles when it
        would be more than 75% full.

    Examples
    --------
    >>> table = FirstSeenTable()
    >>> keys = np.array([7, 9, 7], dtype=np.uint64)
    >>> table.first_rows(keys, np.array([0, 1, 2])).tolist()
    [0, 1, 0]
    >>> table.first_rows(np.array([9, 4], dtype=np.uint64), np.array([3, 4])).tolist()
    [1, 4]
    >>> table.get(np.array([4, 5], dtype=np.uint64)).tolist()
    [4, -1]
    """

    def __init__(self, *, capacity: int = 1024) -> None:
        self.capacity = capacity
        if not isinstance(capacity, int) or capacity < 1:
            raise DuplicatesError(f"capacity={capacity!r}: must be a positive integer")
        slots = 1 << max(4, (capacity - 1).bit_length())
        self._keys = np.zeros(slots, dtype=np.uint64)
        self._rows = np.full(slots, -1, dtype=np.int32)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    @property
    def nbytes(self) -> int:
        """Bytes held by the table."""
        return self._keys.nbytes + self._rows.nbytes

    @staticmethod
    def _clean(keys: np.ndarray) -> np.ndarray:
        keys = np.asarray(keys, dtype=np.uint64)
        return np.where(keys == _EMPTY, np.uint64(1), keys)  # 0 marks an empty slot

    def _probe(self, keys: np.ndarray) -> np.ndarray:
        """Slot holding each key, or the first empty slot on its probe path."""
        mask = self._keys.size - 1
        slots = (keys & np.uint64(mask)).astype(np.int64)
        found = np.empty(keys.size, dtype=np.int64)
        pending = np.arange(keys.size)
        while pending.size:
            at = slots[pending]
            present = self._keys[at]
            done = (present == keys[pending]) | (present == _EMPTY)
            found[pending[done]] = at[done]
            pending = pending[~done]
            slots[pending] = (slots[pending] + 1) & mask
        return found

    def get(self, keys: np.ndarray) -> np.ndarray:
        """First row of each key, or -1 where the key was never seen."""
        keys = self._clean(keys)
        slots = self._probe(keys)
        return np.where(self._keys[slots] == keys, self._rows[slots], -1).astype(np.int64)

    def _insert_absent(self, keys: np.ndarray, rows: np.ndarray) -> None:
        """Insert distinct keys known to be absent (two may race for one empty slot)."""
        while keys.size:
            slots = self._probe(keys)
            _, winners = np.unique(slots, return_index=True)
            self._keys[slots[winners]] = keys[winners]
            self._rows[slots[winners]] = rows[winners]
            lost = np.ones(keys.size, dtype=bool)
            lost[winners] = False
            keys, rows = keys[lost], rows[lost]

    def _grow(self, needed: int) -> None:
        slots = self._keys.size
        while needed > MAX_LOAD * slots:
            slots *= 2
        if slots == self._keys.size:
            return
        used = self._keys != _EMPTY
        keys, rows = self._keys[used], self._rows[used]
        del used
        self._keys = self._rows = None  # type: ignore[assignment]  # free before reallocating
        self._keys = np.zeros(slots, dtype=np.uint64)
        self._rows = np.full(slots, -1, dtype=np.int32)
        self._insert_absent(keys, rows)

    def items(self) -> tuple[np.ndarray, np.ndarray]:
        """Every key held and its row, in slot order."""
        used = self._keys != _EMPTY
        return self._keys[used], self._rows[used].astype(np.int64)

    def insert_new(self, keys: np.ndarray, rows: np.ndarray) -> None:
        """Insert distinct keys known to be absent (cleaned: no 0), with their rows."""
        self._grow(self._count + keys.size)
        self._insert_absent(keys, np.asarray(rows, dtype=np.int64))
        self._count += keys.size

    def first_rows(self, keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Insert the keys not seen yet and return the first row of every key.

        Parameters
        ----------
        keys : ndarray of uint64
            Keys in stream order (0 is treated as 1).
        rows : ndarray of int
            The row bringing each key, non-decreasing; within a call the first occurrence of
            a key wins.

        Returns
        -------
        ndarray of int64
            For each key, the row that brought it first: its own row when it is new.
        """
        return first_rows_of(self, keys, rows)


class KeyTable(Protocol):
    """What :func:`first_rows_of` needs of a table."""

    def get(self, keys: np.ndarray) -> np.ndarray: ...

    def insert_new(self, keys: np.ndarray, rows: np.ndarray) -> None: ...


def first_rows_of(table: KeyTable, keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """:meth:`FirstSeenTable.first_rows` for any table with its ``get`` and ``insert_new`` (the
    in-memory table, and the one that spills to disk)."""
    keys = FirstSeenTable._clean(keys)
    rows = np.asarray(rows, dtype=np.int64)
    if keys.size == 0:
        return rows.copy()
    distinct, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    owners = table.get(distinct)
    new = owners < 0
    table.insert_new(distinct[new], rows[first[new]])
    owners[new] = rows[first[new]]
    return owners[inverse.ravel()]
