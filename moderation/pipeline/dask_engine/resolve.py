"""Clusters from the matches found across the cluster, decided as the local finder decides them.

Only the rows that take part in a match are held here (repeats, the rows they repeat, rows of
verified pairs, earlier-run matches), in NumPy arrays; every other comment is its own cluster.

Two answers are kept, because the local engine gives two:

- **streamed** (``moderation score``'s ``duplicate_of`` and ``cluster_id``): a comment joins the
  cluster of its best match (highest similarity, ties to the earlier row; an earlier run's
  cluster wins over this run's), and the cluster's first comment is final once seen. A
  comment that only a *later* comment links to an earlier cluster keeps its own cluster: in a
  stream, rows are written before that later comment is read.
- **final** (``moderation dedup``, the finder's ``final_matches``): clusters that any verified
  match links are merged (connected components), rooted at their earliest comment (a cluster
  begun in an earlier run first); a former root merged away becomes a ``near`` match with the
  best similarity of a link touching its cluster.

Both engines give both answers the same way: the Dask engine reproduces the local one, whose
streamed rows cannot wait for comments not yet read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NEAR, EXACT, SHORT_EXACT, EARLIER = "near", "exact", "short-exact", "earlier-run"


def cluster_name(key: int) -> str:
    """The printable cluster id of an exact-text key: 16 hex digits (as the finder prints it)."""
    return f"{int(key) & 0xFFFFFFFFFFFFFFFF:016x}"


@dataclass
class Matches:
    """What the shuffles found, as arrays of run rows.

    ``repeats``: (row, owner, short) of each exact repeat; ``earlier``: (row, value, root id,
    root key) of each first copy matched in an earlier run (value 1.0 for an exact match);
    ``pairs``: verified (left, right, value) pairs of this run.
    """

    repeat_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    repeat_owners: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    repeat_short: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    earlier_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    earlier_values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    earlier_ids: list[str | None] = field(default_factory=list)
    earlier_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    left: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    right: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass
class Resolution:
    """Per touched row (sorted ``rows``): its match as streamed and as final.

    Attributes
    ----------
    rows : ndarray of int64
    root, final : ndarray of int64
        Streamed and final cluster root (a run row).
    kind : list of str or None
        How it matched (``None``: its cluster's first comment).
    similarity : ndarray of float32
        As the finder stores it (NaN: none).
    joined : ndarray of bool
        A former root merged into another cluster (final: a ``near`` match).
    sizes : ndarray of int64
        Final cluster size, by touched row of the final root.
    external : dict of int to (str or None, int)
        Rows whose cluster began in an earlier run: that cluster's first id and key.
    """

    rows: np.ndarray
    root: np.ndarray
    final: np.ndarray
    kind: list[str | None]
    similarity: np.ndarray
    joined: np.ndarray
    sizes: np.ndarray
    external: dict[int, tuple[str | None, int]]

    def position(self, rows: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.rows, rows)

    def roots_wanted(self) -> np.ndarray:
        """Rows whose id and key the rows' answers name (roots of other rows, not external)."""
        wanted = np.concatenate(
            (self.root[self.root != self.rows], self.final[self.final != self.rows])
        )
        wanted = np.unique(wanted)
        return np.array([r for r in wanted.tolist() if r not in self.external], dtype=np.int64)


def _stored(value: float) -> float:
    """A similarity as the finder stores it: rounded to 3 places, then float32."""
    return float(np.float32(round(value, 3)))


def _streamed_roots(rows: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Follow parents (always earlier rows) to each row's root."""
    root = parent.copy()
    while True:
        following = parent[np.searchsorted(rows, root)]
        if np.array_equal(following, root):
            return root
        root = following


def _merged(
    rows: np.ndarray, root: np.ndarray, links: np.ndarray, external: set[int]
) -> dict[int, int]:
    """Union-find over the roots of linked rows: each root's final root (external clusters
    first in row order, then the earliest row)."""
    rank_external = {row: order for order, row in enumerate(sorted(external))}

    def rank(node: int) -> tuple[int, int]:
        return (0, rank_external[node]) if node in rank_external else (1, node)

    at = np.searchsorted(rows, links.ravel())
    linked_roots = root[at].reshape(-1, 2)
    parent = {int(r): int(r) for r in np.unique(linked_roots)}

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in linked_roots.tolist():
        a, b = find(a), find(b)
        if a != b:
            keep, drop = (a, b) if rank(a) <= rank(b) else (b, a)
            parent[drop] = keep
    return {node: find(node) for node in parent}


def resolve(matches: Matches) -> Resolution:
    """Streamed and final clusters of every touched row (see the module's docstring)."""
    m = matches
    rows = np.unique(
        np.concatenate((m.repeat_rows, m.repeat_owners, m.earlier_rows, m.left, m.right))
    )
    at = lambda values: np.searchsorted(rows, values)  # noqa: E731
    parent = rows.copy()
    kind: list[str | None] = [None] * rows.size
    similarity = np.full(rows.size, np.nan, dtype=np.float32)
    parent[at(m.repeat_rows)] = m.repeat_owners
    for position, short in zip(at(m.repeat_rows).tolist(), m.repeat_short.tolist(), strict=True):
        kind[position], similarity[position] = (SHORT_EXACT if short else EXACT), 1.0
    external: dict[int, tuple[str | None, int]] = {}
    for row, value, root_id, root_key in zip(
        m.earlier_rows.tolist(),
        m.earlier_values.tolist(),
        m.earlier_ids,
        m.earlier_keys.tolist(),
        strict=True,
    ):
        external[row] = (root_id, int(root_key))
        position = int(at(row))
        kind[position], similarity[position] = EARLIER, _stored(value)
    order = np.lexsort((m.right, -m.values, m.left))
    left, right, values = m.left[order], m.right[order], m.values[order]
    best = np.ones(left.size, dtype=bool)
    best[1:] = left[1:] != left[:-1]
    used = best & ~np.isin(left, np.fromiter(external, np.int64, len(external)))
    parent[at(left[used])] = right[used]
    for position, value in zip(at(left[used]).tolist(), values[used].tolist(), strict=True):
        kind[position], similarity[position] = NEAR, _stored(value)
    root = _streamed_roots(rows, parent)
    links = np.stack((left[~used], right[~used]), axis=1)
    link_values = values[~used].astype(np.float32)
    differ = root[at(links[:, 0])] != root[at(links[:, 1])]
    links, link_values = links[differ], link_values[differ]
    return _finish(rows, root, kind, similarity, external, links, link_values)


def _finish(
    rows: np.ndarray,
    root: np.ndarray,
    kind: list[str | None],
    similarity: np.ndarray,
    external: dict[int, tuple[str | None, int]],
    links: np.ndarray,
    link_values: np.ndarray,
) -> Resolution:
    """Final roots, sizes and merged former roots from the streamed roots and the links."""
    mapping = _merged(rows, root, links, set(external)) if links.size else {}
    final = np.array([mapping.get(r, r) for r in root.tolist()], dtype=np.int64)
    sizes = np.bincount(np.searchsorted(rows, final), minlength=rows.size).astype(np.int64)
    merged = (root == rows) & (final != rows)
    joined_value: dict[int, float] = {}
    at_links = np.searchsorted(rows, links.ravel())
    for (a, b), value in zip(
        root[at_links].reshape(-1, 2).tolist(), link_values.tolist(), strict=True
    ):
        for node in (a, b):
            joined_value[node] = max(joined_value.get(node, 0.0), value)
    for position in np.flatnonzero(merged).tolist():
        kind[position] = NEAR
        similarity[position] = joined_value.get(int(rows[position]), float("nan"))
    return Resolution(rows, root, final, kind, similarity, merged, sizes, external)
