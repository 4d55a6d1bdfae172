"""NumPy helpers of the featuriser: a growing array, distinct values of a sorted array, and
interleaving row-major parts document by document."""

from __future__ import annotations

import numpy as np


class GrowingArray:
    """A NumPy array that grows by doubling (amortised appends)."""

    def __init__(self, dtype: type, first: int | None = None) -> None:
        self.data = np.empty(1024, dtype=dtype)
        self.size = 0
        if first is not None:
            self.extend(np.array([first], dtype=dtype))

    def extend(self, values: np.ndarray) -> None:
        """Append ``values``, doubling the storage when it is full."""
        end = self.size + values.size
        if end > self.data.size:
            grown = np.empty(max(end, 2 * self.data.size), dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : end] = values
        self.size = end

    def view(self) -> np.ndarray:
        """The values appended so far (a view, valid until the next :meth:`extend`)."""
        return self.data[: self.size]


def distinct_sorted(keys: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array (``np.unique`` without its hashing)."""
    first = np.ones(keys.size, dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    return keys[first]


def in_document_order(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """Interleave parts document by document: a document's items of the first part, then of
    the second, and so on. Each part is (places, values, items per place), its places in
    ascending order; values may have leading axes (the last one runs over the items)."""
    totals = sum(counts for _, _, counts in parts)
    start = np.cumsum(totals) - totals
    size = int(np.sum(totals))
    first = parts[0][1]
    places_out = np.empty(size, dtype=np.int64)
    values_out = np.empty(first.shape[:-1] + (size,), dtype=first.dtype)
    before = np.zeros_like(start)
    for places, values, counts in parts:
        rank = np.arange(places.size) - (np.cumsum(counts) - counts)[places]
        at = start[places] + before[places] + rank
        places_out[at] = places
        values_out[..., at] = values
        before = before + counts
    return places_out, values_out
