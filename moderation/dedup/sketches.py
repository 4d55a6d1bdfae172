"""Bottom-k sketches of shingle sets, kept compactly, and the similarity of many pairs at once.

A text's sketch is the ``size`` smallest 32-bit values of its shingle hashes (all of them for
a text with at most ``size`` shingles, which is nearly every comment). Two sketches give the
Jaccard similarity of the sets on every value below both sketches' cut-offs: exact when both
sets fit in their sketches, an unbiased estimate from at least ``size`` values otherwise. This is
what verifies the candidate pairs that MinHash banding proposes.
"""

from __future__ import annotations

import numpy as np

from moderation.dedup.shingles import DuplicatesError
from moderation.dedup.spill import RecordFile, SpillDir

MEASURES = ("jaccard", "containment")


def _segments(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Owner index and flat positions of several slices ``[start, start + length)``."""
    owners = np.repeat(np.arange(lengths.size), lengths)
    firsts = np.cumsum(lengths) - lengths
    positions = np.arange(int(lengths.sum()), dtype=np.int64) - firsts[owners] + starts[owners]
    return owners, positions


class SketchStore:
    """Append-only store of bottom-k sketches, one per row, as records of a
    :class:`~moderation.dedup.spill.RecordFile`.

    Memory is 2 bytes per row (its record's length) and a bounded tail of recent records;
    with ``spill``, the rest is on disk and read back only for the rows compared.

    Parameters
    ----------
    size : int, default=128
        Values kept per sketch (``k``).
    spill : SpillDir, optional
        Where older sketches go; ``None`` keeps them all in memory.
    stem : str, default="sketches"
        Name of the spill file.

    Examples
    --------
    >>> store = SketchStore(size=8)
    >>> rows = np.array([0, 0, 0, 1, 1, 1, 1]); values = np.array([1, 2, 3, 1, 2, 3, 4])
    >>> store.append(rows, values.astype(np.uint64) << np.uint64(32), 2)
    >>> store.similarity(np.array([0]), np.array([1])).round(2).tolist()
    [0.75]
    """

    def __init__(self, *, size: int = 128, spill: SpillDir | None = None, stem: str = "sketches"):
        self.size = size
        if not isinstance(size, int) or size < 1:
            raise DuplicatesError(f"sketch size={size!r}: must be a positive integer")
        # One record per row: its set size, then its kept values (empty: no sketch).
        self._records = RecordFile(spill, stem, max_record=4 * (size + 1))

    def __len__(self) -> int:
        return len(self._records)

    @property
    def nbytes(self) -> int:
        """Bytes held in memory by the sketches (the spilled part excluded)."""
        return self._records.nbytes

    @property
    def records(self) -> RecordFile:
        """The record file holding the sketches (how much went to disk, reads made)."""
        return self._records

    def append(self, rows: np.ndarray, hashes: np.ndarray, n_texts: int) -> None:
        """Add one sketch per text from its shingle hashes (``rows`` index the ``n_texts``).

        The sketch keeps the top 32 bits of the ``size`` smallest hashes; texts without
        shingles get an empty sketch.
        """
        values = (hashes >> np.uint64(32)).astype(np.uint32)
        order = np.lexsort((values, rows))
        rows, values = rows[order], values[order]
        distinct = np.ones(rows.size, dtype=bool)  # two shingles may share their top 32 bits
        distinct[1:] = (rows[1:] != rows[:-1]) | (values[1:] != values[:-1])
        rows, values = rows[distinct], values[distinct]
        counts = np.bincount(rows, minlength=n_texts).astype(np.int64)
        firsts = np.cumsum(counts) - counts
        rank = np.arange(rows.size) - firsts[rows]
        kept = np.minimum(counts, self.size)
        widths = kept + (kept > 0)  # the set size heads each non-empty record
        heads = np.cumsum(widths) - widths
        record = np.empty(int(widths.sum()), dtype="<u4")
        record[heads[kept > 0]] = counts[kept > 0]
        chosen = rank < self.size
        record[heads[rows[chosen]] + 1 + rank[chosen]] = values[chosen]
        self._records.append(record.tobytes(), widths * 4)

    def take(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The sketches of some rows, concatenated: (values, lengths, set sizes)."""
        data, byte_lengths = self._records.read(np.asarray(rows, dtype=np.int64))
        record = data.view("<u4").astype(np.uint32)
        widths = byte_lengths // 4
        heads = np.cumsum(widths) - widths
        present = widths > 0
        sizes = np.zeros(widths.size, dtype=np.int64)
        sizes[present] = record[heads[present]]
        is_head = np.zeros(record.size, dtype=bool)
        is_head[heads[present]] = True
        return record[~is_head], np.maximum(widths - 1, 0), sizes

    def close(self) -> None:
        """Close the spill file."""
        self._records.close()

    def similarity(
        self,
        left: np.ndarray,
        right: np.ndarray,
        *,
        other: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        measure: str = "jaccard",
    ) -> np.ndarray:
        """Similarity of each pair ``(left[i], right[i])`` of rows.

        Parameters
        ----------
        left, right : ndarray of int
            Rows of this store; with ``other``, ``right`` indexes the sketches in ``other``.
        other : (values, lengths, set sizes), optional
            Sketches from elsewhere (a fingerprint index), laid out as :meth:`take` returns.
        measure : {"jaccard", "containment"}, default="jaccard"
            Jaccard ``|A & B| / |A | B|``, or containment ``|A & B| / min(|A|, |B|)`` (a
            syndicated article inside a longer copy).

        Returns
        -------
        ndarray of float64
            Similarity in [0, 1]; 0 when either set is empty. Approximate when a set has more
            shingles than the sketch size.

        Raises
        ------
        DuplicatesError
            For an unknown ``measure``.
        """
        if measure not in MEASURES:
            raise DuplicatesError(f"measure={measure!r}: use one of {MEASURES}")
        pairs = left.size
        if pairs == 0:
            return np.zeros(0)
        left_values, left_lengths, left_sizes = self.take(left)
        if other is None:
            right_values, right_lengths, right_sizes = self.take(right)
        else:
            values, lengths, sizes = other
            offsets = np.concatenate(([0], np.cumsum(lengths)))
            _, positions = _segments(offsets[right], lengths[right])
            right_values, right_lengths, right_sizes = (
                values[positions],
                lengths[right],
                sizes[right],
            )
        # Values at or below both cut-offs are known for both sets: compare on those only.
        cut = np.full(pairs, np.iinfo(np.uint64).max, dtype=np.uint64)
        for values, lengths, sizes in (
            (left_values, left_lengths, left_sizes),
            (right_values, right_lengths, right_sizes),
        ):
            last = np.cumsum(lengths) - 1
            sampled = (sizes > lengths) & (lengths > 0)
            cut[sampled] = np.minimum(cut[sampled], values[last[sampled]].astype(np.uint64))
        owners = np.concatenate(
            (np.repeat(np.arange(pairs), left_lengths), np.repeat(np.arange(pairs), right_lengths))
        )
        merged = np.concatenate((left_values, right_values)).astype(np.uint64)
        keep = merged <= cut[owners]
        keys = np.sort((owners[keep].astype(np.uint64) << np.uint64(32)) | merged[keep])
        shared = np.zeros(keys.size, dtype=bool)
        shared[1:] = keys[1:] == keys[:-1]
        pair_of = (keys >> np.uint64(32)).astype(np.int64)
        both = np.bincount(pair_of[shared], minlength=pairs)
        union = np.bincount(pair_of, minlength=pairs) - both
        jaccard = np.divide(both, union, out=np.zeros(pairs), where=union > 0)
        if measure == "jaccard":
            return jaccard
        smaller = np.minimum(left_sizes, right_sizes)
        overlap = jaccard * (left_sizes + right_sizes) / (1.0 + jaccard)
        return np.divide(overlap, smaller, out=np.zeros(pairs), where=smaller > 0).clip(0, 1)
