"""Final clusters after the whole stream: clusters that a later comment bridged become one.

While streaming, a comment that matches two clusters joins its best match and the rows already
written keep their cluster; the other verified match is kept as a link. At the end a union-find
over those links merges linked clusters, each rooted at its earliest comment (a cluster that
began in an earlier run comes first), and a former root merged away becomes a ``near`` match of
the cluster it joined, with the best similarity of a link that touched it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from moderation.dedup.ledger import MatchLedger

__all__ = ["final_clusters", "final_roots", "merge_roots"]


def merge_roots(roots: np.ndarray, links: np.ndarray, earlier: Iterable[int]) -> np.ndarray:
    """Cluster root of every row once linked clusters are merged.

    Parameters
    ----------
    roots : ndarray of int
        Streamed root of every row (not modified).
    links : ndarray of int, shape (n_links, 2)
        Rows of verified matches between different clusters.
    earlier : iterable of int
        Rows whose cluster began in an earlier run: such roots rank first, in row order.

    Returns
    -------
    ndarray of int
        ``roots`` itself when there is no link, else a new array.

    Examples
    --------
    >>> merge_roots(np.array([0, 1, 1, 3]), np.array([[3, 2]]), []).tolist()
    [0, 1, 1, 1]
    """
    if not links.size:
        return roots
    earlier = sorted(earlier)
    rank = np.arange(roots.size, dtype=np.int64) + len(earlier) + 1
    for order, row in enumerate(earlier):
        rank[row] = order
    parent = {int(r): int(r) for r in np.unique(roots[links.ravel()])}

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in roots[links].tolist():
        a, b = find(a), find(b)
        if a != b:
            keep, drop = (a, b) if rank[a] <= rank[b] else (b, a)
            parent[drop] = keep
    mapping = {node: find(node) for node in parent}
    moved = np.array([node for node, top in mapping.items() if node != top], dtype=np.int64)
    if moved.size:
        lookup = np.arange(roots.size, dtype=np.int64)
        lookup[moved] = [mapping[int(node)] for node in moved]
        roots = lookup[roots]
    return roots


def final_roots(ledger: MatchLedger) -> np.ndarray:
    """Cluster root of every recorded row once linked clusters are merged (a new array)."""
    return merge_roots(
        np.array(ledger.roots, dtype=np.int64),
        np.frombuffer(ledger.links, dtype=np.int64).reshape(-1, 2),
        ledger.external,
    )


def final_clusters(ledger: MatchLedger) -> tuple[np.ndarray, np.ndarray, dict[int, float]]:
    """Final roots, cluster sizes (by root), and the former roots merged away with the best
    similarity of a link joining their cluster (NaN when none touched them directly)."""
    roots = final_roots(ledger)
    sizes = np.bincount(roots, minlength=roots.size)
    streamed = np.frombuffer(ledger.roots, dtype=np.int64)
    merged = np.flatnonzero((roots != np.arange(roots.size)) & (streamed == np.arange(roots.size)))
    joined: dict[int, float] = {}
    if merged.size:
        links = np.frombuffer(ledger.links, dtype=np.int64).reshape(-1, 2)
        values = np.frombuffer(ledger.link_similarity, dtype=np.float32)
        best: dict[int, float] = {}
        for (a, b), value in zip(streamed[links].tolist(), values.tolist(), strict=True):
            for node in (a, b):
                best[node] = max(best.get(node, 0.0), value)
        joined = {node: best.get(node, float("nan")) for node in merged.tolist()}
        del links, values
    del streamed
    return roots, sizes, joined
