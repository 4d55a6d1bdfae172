"""The dedup stage: comment texts in, duplicate matches out.

Takes texts (and their ids) in stream order and gives, per comment, the earliest comment it
copies (``duplicate_of``), its cluster and how it matched; articles' bodies give story ids
(syndicated copies). Exact matches by canonical-text hash, near matches by MinHash/LSH verified
on sketches, earlier runs through a SQLite fingerprint index. NumPy and the standard library
only: it never loads the judge or scikit-learn.

Modules, one job each: ``shingles`` (texts to keys and shingle sets), ``minhash``,
``first_seen`` and ``sketches`` (the data structures), ``settings`` (defaults and checks),
``near`` (band-key candidates and their verification), ``earlier_runs`` (the index lookups and
writes), ``ledger`` (the per-comment record), ``matches`` (what is reported), ``merging`` (final
clusters), ``finder`` (the steps of a batch, in order), ``index``, ``clusters``, ``stories``.
"""

from __future__ import annotations

from moderation.dedup.clusters import ClusterSummary, ClusterTally
from moderation.dedup.finder import DuplicateFinder, DuplicateMatch
from moderation.dedup.index import FingerprintIndex
from moderation.dedup.stories import StoryTracker, assign_story_ids

__all__ = [
    "ClusterSummary",
    "ClusterTally",
    "DuplicateFinder",
    "DuplicateMatch",
    "FingerprintIndex",
    "StoryTracker",
    "assign_story_ids",
]
