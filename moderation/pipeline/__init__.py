"""The scoring run: inputs in, one row per comment (or one rejection) out.

Streams parsed comments in batches through the judge (in worker processes with ``jobs > 1``),
marks duplicates and stories, writes rows with checkpoints that a killed run resumes from, and
sums everything up. The local engine; the CLI commands are thin shells over it.
"""
