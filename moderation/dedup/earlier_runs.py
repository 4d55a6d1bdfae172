"""Matching a batch against the comments of earlier runs, and recording it for later runs, through
a :class:`~moderation.dedup.index.FingerprintIndex`.

The same two lookups as within a run (exact-text keys, then LSH band keys verified on sketches)
run against the index; an earlier run's cluster wins over this run's, since it came first. The
batch is then written to the index in one transaction, so that tomorrow's dump is matched
against today's.
"""

from __future__ import annotations

import numpy as np

from moderation.dedup.index import EarlierComment, FingerprintIndex, NewComment
from moderation.dedup.ledger import MatchLedger
from moderation.dedup.near import NearMatcher

__all__ = ["earlier_exact", "earlier_near", "record_batch"]


def earlier_exact(
    index: FingerprintIndex, keys: np.ndarray, first_copy: np.ndarray
) -> dict[int, EarlierComment]:
    """The earlier-run cluster of each batch position among ``first_copy`` whose exact text
    (``keys``, by batch position) an earlier run had."""
    found: dict[int, EarlierComment] = {}
    if not first_copy.any():
        return found
    earlier_rows = index.first_rows(keys[first_copy], table="texts")
    known = index.comments(list(earlier_rows.values()))
    for position in np.flatnonzero(first_copy).tolist():
        earlier = earlier_rows.get(int(keys[position]))
        if earlier is not None and earlier in known:
            found[position] = known[earlier]
    return found


def _best_earlier(
    index: FingerprintIndex, near: NearMatcher, key_rows: np.ndarray, keys: np.ndarray
) -> dict[int, tuple[int, float]]:
    """Best earlier-run match of each stream row in ``key_rows``, by its band ``keys`` and
    the sketches stored in the index: row to (index row, similarity)."""
    found = index.first_rows(keys, table="bands")
    if not found:
        return {}
    pairs = sorted(
        {
            (row, found[key])
            for row, key in zip(key_rows.tolist(), keys.tolist(), strict=True)
            if key in found
        }
    )
    left = np.array([pair[0] for pair in pairs], dtype=np.int64)
    earlier = np.array([pair[1] for pair in pairs], dtype=np.int64)
    distinct, where = np.unique(earlier, return_inverse=True)
    rows = distinct.tolist()
    sketches = (index.sketches(rows), index.sketches(rows, kind="chars"))
    similarity = near.similarity(left, where.ravel(), other=sketches)
    left, earlier, similarity, best = near.verified(left, earlier, similarity)
    return {
        int(a): (int(b), float(v))
        for a, b, v in zip(left[best], earlier[best], similarity[best], strict=True)
    }


def earlier_near(
    index: FingerprintIndex, near: NearMatcher, key_rows: np.ndarray, keys: np.ndarray
) -> dict[int, tuple[EarlierComment, float]]:
    """Near matches in earlier runs: stream row to (the earlier cluster, similarity), for the
    rows owning ``keys`` whose best verified earlier match is still in the index."""
    best = _best_earlier(index, near, key_rows, keys)
    known = index.comments([earlier for earlier, _ in best.values()])
    return {
        row: (known[earlier], value) for row, (earlier, value) in best.items() if earlier in known
    }


def record_batch(
    index: FingerprintIndex,
    ledger: MatchLedger,
    near: NearMatcher,
    *,
    rows: np.ndarray,
    keys: np.ndarray,
    key_positions: np.ndarray,
    band_keys: np.ndarray,
) -> None:
    """Add a batch, already in the ledger, to the index in one transaction: each comment with
    its cluster's first comment (an earlier run's, an earlier batch's or this batch's), the
    sketches of first copies and the band keys (``key_positions`` by batch position)."""
    start = int(rows[0])
    root = ledger.roots_of(rows)
    words, chars = near.sketch_blobs(rows)
    index_rows = np.frombuffer(ledger.index_rows, dtype=np.int64)
    comments = []
    ids = ledger.ids.take(rows)
    for position in range(rows.size):
        first = int(root[position])
        earlier = ledger.external.get(first)
        word_sketch, char_sketch = words[position], chars[position]
        comments.append(
            NewComment(
                id=ids[position],
                text_key=int(keys[position]),
                root_row=earlier.root_row
                if earlier is not None
                else (int(index_rows[first]) if first < start else None),
                root_position=first - start if earlier is None and first >= start else None,
                set_size=word_sketch[0] if word_sketch else None,
                sketch=word_sketch[1] if word_sketch else None,
                char_set_size=char_sketch[0] if char_sketch else None,
                char_sketch=char_sketch[1] if char_sketch else None,
            )
        )
    del index_rows
    first_row = index.add(comments, key_positions, band_keys)
    ledger.add_index_rows(first_row, len(comments))
