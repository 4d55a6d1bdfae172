"""Build the featuriser's CSR output directly from n-gram columns: TF-IDF, norms, dense columns.

One sort of integer (row, column) keys gives the counts in canonical CSR order; TF-IDF and the
two per-block L2 norms are computed with the same float operations, in the same order, as the
scipy matrices this replaced, so the values are the same to the last bit (pinned by
``tests/pipeline/test_speed_equivalence.py``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def count_entries(
    rows: np.ndarray, columns: np.ndarray, n_rows: int, n_columns: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """CSR ``indptr`` and ``indices`` of the distinct (row, column) pairs, sorted, with how
    often each occurs and each entry's row."""
    dtype = np.int32 if (n_rows + 1) * n_columns < 2**31 else np.int64
    keys = rows.astype(dtype) * dtype(n_columns)
    keys += columns.astype(dtype)
    keys.sort()
    first = np.empty(keys.size, dtype=bool)
    first[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(starts, append=keys.size)
    keys = keys[starts]
    row_bounds = np.arange(n_rows + 1, dtype=dtype) * dtype(n_columns)
    indptr = np.searchsorted(keys, row_bounds).astype(np.int64)
    entry_rows = np.repeat(np.arange(n_rows, dtype=dtype), np.diff(indptr))
    indices = (keys - entry_rows * dtype(n_columns)).astype(np.int32)
    return indptr, indices, counts, entry_rows


def tfidf_values(
    counts: np.ndarray,
    indices: np.ndarray,
    entry_rows: np.ndarray,
    n_rows: int,
    *,
    idf: np.ndarray,
    n_word_columns: int,
    sublinear_tf: bool,
) -> np.ndarray:
    """CSR data: ``1 + log`` of the counts (or the counts) times idf, the word block (columns
    below ``n_word_columns``) and the char block each L2-normalised per row; float32."""
    data = counts.astype(np.float32)
    if sublinear_tf:
        np.log(data, out=data)
        data += 1
    data *= idf[indices]
    # Both norms in one pass: bin 2r holds row r's word squares, 2r + 1 its char squares,
    # each summed in index order as the per-block sums of the original.
    column_is_char = indices >= n_word_columns
    bins = entry_rows.astype(np.int64) * 2 + column_is_char
    squares = np.square(data, dtype=np.float64)
    norms = np.sqrt(np.bincount(bins, squares, 2 * n_rows))[bins]
    data /= np.maximum(norms, 1e-12).astype(np.float32)
    return data


def with_dense_columns(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, signals: np.ndarray, n_columns: int
) -> sp.csr_matrix:
    """The CSR matrix of (indptr, indices, data) over ``n_columns`` columns with the non-zero
    ``signals`` (one row per matrix row) appended as more columns, each row's entries still
    sorted by column."""
    n_rows = indptr.size - 1
    dense_rows, dense_columns = np.nonzero(signals)
    per_row = np.bincount(dense_rows, minlength=n_rows)
    dense_before = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(per_row, out=dense_before[1:])
    total = indices.size + dense_rows.size
    sparse_rows = np.repeat(np.arange(n_rows), np.diff(indptr))
    sparse_at = np.arange(indices.size) + dense_before[sparse_rows]
    dense_at = (
        indptr[dense_rows + 1]
        + dense_before[dense_rows]
        + (np.arange(dense_rows.size) - dense_before[dense_rows])
    )
    all_indices = np.empty(total, dtype=np.int32)
    all_data = np.empty(total, dtype=np.float32)
    all_indices[sparse_at], all_data[sparse_at] = indices, data
    all_indices[dense_at] = dense_columns + n_columns
    all_data[dense_at] = signals[dense_rows, dense_columns]
    return sp.csr_matrix(
        (all_data, all_indices, indptr + dense_before),
        shape=(n_rows, n_columns + signals.shape[1]),
    )
