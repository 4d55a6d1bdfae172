"""What the finder reports per comment (:class:`DuplicateMatch`) and how it reads one out of the
per-comment record (:class:`~moderation.dedup.ledger.MatchLedger`).

The record keeps a match kind as a small integer code; this module owns the codes, so that the
streamed matches and the final ones (after clusters merge) are read out the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from moderation.dedup.ledger import MatchLedger

__all__ = ["MATCH_KINDS", "DuplicateMatch", "MatchKind", "cluster_name", "read_matches"]

MatchKind = Literal["exact", "near", "short-exact", "earlier-run"]
MATCH_KINDS: tuple[str, ...] = ("exact", "near", "short-exact", "earlier-run")
# Codes of the kinds in the record: a kind's position in MATCH_KINDS, or one of these.
NO_KIND = -1
EMPTY_TEXT = -2
KIND_CODES = {kind: code for code, kind in enumerate(MATCH_KINDS)}


def cluster_name(key: int) -> str:
    """The printable cluster id of an exact-text key: 16 hex digits."""
    return f"{int(key) & 0xFFFFFFFFFFFFFFFF:016x}"


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    """What the finder knows about one comment.

    Attributes
    ----------
    row : int
        0-based position of the comment in the stream.
    duplicate_of : str or None
        Id of the first comment of its cluster (in an earlier run for ``"earlier-run"``);
        ``None`` for a cluster's first comment.
    cluster_id : str or None
        The cluster: the exact-text key of its first comment, so that the same text gets the same
        cluster id in every run. A comment with no duplicate is a cluster of one and has its own.
        ``None`` only for texts with nothing visible.
    similarity : float or None
        1.0 for an exact repeat; for a near duplicate, the Jaccard similarity (approximate for
        long texts) with the comment it matched: of the word sets or, for two texts of few
        words, of the character bigram sets if higher; ``None`` for a cluster's first comment.
    match : {"exact", "near", "short-exact", "earlier-run"} or None
        How it matched: ``short-exact`` is an exact repeat of a text under the length floor;
        ``earlier-run`` means its cluster began in an earlier run (via the index).
    root : int
        Stream row of the first comment of its cluster in this run (its own row if first).
    short : bool
        The text is under the length floor (only matched exactly).
    cluster_size : int or None
        Comments of this run in the cluster; only in
        :meth:`~moderation.dedup.finder.DuplicateFinder.final_matches`.
    """

    row: int
    duplicate_of: str | None
    cluster_id: str | None
    similarity: float | None
    match: MatchKind | None
    root: int
    short: bool
    cluster_size: int | None = None


def read_matches(
    ledger: MatchLedger,
    rows: np.ndarray,
    roots: np.ndarray,
    sizes: np.ndarray | None = None,
    joined: Mapping[int, float] | None = None,
) -> list[DuplicateMatch]:
    """The matches of some rows, from the record and the given roots (streamed or final).

    Parameters
    ----------
    ledger : MatchLedger
    rows : ndarray of int
        Stream rows wanted, in the order wanted.
    roots : ndarray of int
        Cluster root of every stream row.
    sizes : ndarray of int, optional
        Comments per root (final matches only).
    joined : mapping of int to float, optional
        Former roots merged into another cluster, with the similarity that joined them: they
        are reported as ``near`` matches.
    """
    joined = joined or {}
    keys = np.frombuffer(ledger.keys, dtype=np.uint64)
    similarity = np.frombuffer(ledger.similarity, dtype=np.float32)
    kinds = np.frombuffer(ledger.kinds, dtype=np.int8)
    short = np.frombuffer(ledger.short, dtype=np.int8)
    matches = []
    rows_list = rows.tolist()
    firsts = roots[rows].tolist()
    wanted = sorted({f for r, f in zip(rows_list, firsts, strict=True) if f != r})
    ids = dict(zip(wanted, ledger.ids.take(wanted), strict=True)) if wanted else {}
    for row in rows_list:
        first = int(roots[row])
        earlier = ledger.external.get(first)
        code = int(kinds[row])
        value = float(similarity[row])
        if row in joined:
            code, value = KIND_CODES["near"], joined[row]
        if code == EMPTY_TEXT:
            duplicate_of = cluster_id = match = None
        elif earlier is not None:
            duplicate_of, cluster_id = earlier.root_id, cluster_name(earlier.root_key)
            match = "earlier-run"
        else:
            duplicate_of = ids[first] if first != row else None
            cluster_id = cluster_name(keys[first])
            match = MATCH_KINDS[code] if code >= 0 else None
        matches.append(
            DuplicateMatch(
                row=row,
                duplicate_of=duplicate_of,
                cluster_id=cluster_id,
                similarity=None if match is None or value != value else round(value, 3),
                match=match,  # type: ignore[arg-type]
                root=first,
                short=bool(short[row]),
                cluster_size=None if sizes is None or cluster_id is None else int(sizes[first]),
            )
        )
    return matches
