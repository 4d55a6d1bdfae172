"""Duplicates for the service: within each request, and across requests through the index.

Each request gets a fresh :class:`~moderation.dedup.DuplicateFinder`, so a worker keeps no
duplicate state in memory between requests (memory stays flat however long it serves). With
an index, the finder also matches against the SQLite fingerprint index that
`moderation score --index` uses, as one "run" per request, and adds the request's comments to
it. Lookup and insertion are two steps, so two requests that overlapped could each miss the
other; they are therefore serialised: a lock per process and an exclusive ``flock`` on a file
beside the index for all processes, held only for the lookup and insertion (the texts are
shingled before). SQLite's own WAL mode and busy timeout still guard against other writers,
such as a `moderation score --index` run on the same file.

A request of one comment, without an index, has nothing to match: its comment is the first of
its own cluster, whose id is the comment's exact-text key (none for a text with nothing
visible), as :class:`~moderation.dedup.DuplicateMatch` documents. Only that key is computed for
it (:func:`~moderation.dedup.shingles.exact_keys`, about 0.2 ms of CPU on this machine): building
and filling a finder cost about 2.7 ms, and shingling the text alone 0.4 ms, against about 1.2 ms
to score the comment alone.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from moderation.dedup import DuplicateFinder, FingerprintIndex
from moderation.dedup.matches import cluster_name
from moderation.dedup.shingles import exact_keys
from moderation.dedup.spilled_table import DEFAULT_BUFFER_KEYS
from moderation.judge.moderator import DEFAULT_BATCH_SIZE
from moderation.pipeline.marking import mark_batches
from moderation.verdict import Verdict

try:  # POSIX file locks, for several worker processes sharing one index
    import fcntl
except ImportError:  # Windows: one worker only with an index (see ServiceConfig)
    fcntl = None  # type: ignore[assignment]

RUN_LABEL = "moderation serve request"


def _buffer_keys(comments: int) -> int:
    """A request's finder holds its keys in memory sized to the request (about 23 band keys a
    comment): the default table, sized for long runs, costs ~3 ms to set up per request."""
    return min(DEFAULT_BUFFER_KEYS, max(4096, 32 * comments))


class DuplicateMarker:
    """Fill ``duplicate_of`` and ``cluster_id`` of one request's verdicts at a time.

    Parameters
    ----------
    index_path : str or None
        The shared fingerprint index, or None for duplicates within a request only.
    threshold : float, default=0.8
        As `moderation score --dedup-threshold`.

    Raises
    ------
    DuplicatesError
        The index cannot be opened or was made with other settings (checked at start).
    """

    def __init__(self, index_path: str | None, threshold: float = 0.8) -> None:
        self.index_path = index_path
        self.threshold = threshold
        self._lock = threading.Lock()
        self._lock_file: int | None = None
        if index_path is not None:
            finder = DuplicateFinder(threshold=threshold)
            FingerprintIndex(index_path, settings=finder.settings, label="serve start").close()
            if fcntl is not None:
                lock_path = Path(f"{index_path}.lock")
                self._lock_file = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)

    def close(self) -> None:
        if self._lock_file is not None:
            os.close(self._lock_file)
            self._lock_file = None

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """This process's lock, then the lock shared with the other worker processes."""
        with self._lock:
            if self._lock_file is None:  # no file locks here: one worker process only
                yield
                return
            fcntl.flock(self._lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def mark(self, verdicts: Sequence[Verdict]) -> list[Verdict]:
        """The verdicts with their duplicates filled, as `moderation score` fills them."""
        if self.index_path is None and len(verdicts) == 1:
            return [self._alone(verdicts[0])]
        finder = DuplicateFinder(threshold=self.threshold, buffer_keys=_buffer_keys(len(verdicts)))
        prepare = finder.preparer()
        batches = [
            (batch, prepare([v.text for v in batch]))
            for batch in (
                verdicts[start : start + DEFAULT_BATCH_SIZE]
                for start in range(0, len(verdicts), DEFAULT_BATCH_SIZE)
            )
        ]
        if self.index_path is None:
            return list(mark_batches(batches, finder))
        with self._exclusive():
            finder.index = FingerprintIndex(
                self.index_path, settings=finder.settings, label=RUN_LABEL
            )
            try:
                return list(mark_batches(batches, finder))
            finally:
                finder.index.close()

    def _alone(self, verdict: Verdict) -> Verdict:
        """A comment with nothing to match: the first of its own cluster."""
        keys, empty = exact_keys([verdict.text])
        verdict.duplicate_of = None
        verdict.cluster_id = None if empty[0] else cluster_name(keys[0])
        return verdict
