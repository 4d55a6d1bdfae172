"""The scoring run: inputs in, one row per comment (or one rejection) out.

Streams parsed comments in batches through the judge (in worker processes with ``jobs > 1``),
marks duplicates and stories, writes rows with checkpoints that a killed run resumes from, and
sums everything up. The local engine; the CLI commands are thin shells over it.

Entry points, one module each: :func:`moderation.pipeline.score.score` (``moderation
score``) and :func:`~moderation.pipeline.score.score_records` (its verdicts and rejections as
an iterator), :func:`moderation.pipeline.dedup.dedup` (``moderation dedup``) and
:func:`moderation.pipeline.parsed.write_parsed` (``moderation parse``). A run's settings
travel in one :class:`ScoreOptions` or :class:`DedupOptions`. Importing this package loads
neither the judge nor NumPy.
"""

from __future__ import annotations

from moderation.pipeline.options import DedupOptions, ScoreOptions

__all__ = ["DedupOptions", "ScoreOptions"]
