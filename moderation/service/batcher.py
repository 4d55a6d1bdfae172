"""One scoring thread per worker process that judges concurrent requests together.

The judge's cost is mostly per call, not per comment (on this machine about 5.7 ms for one
comment, 5.8 ms for eight, 8.9 ms for a hundred), so single-comment requests that arrive
together are scored as one batch: each request waits for at most the batch in progress and
its own. Verdicts do not depend on the batch a comment is scored in (each row is featurised
and scored on its own, as `moderation score --jobs N` relies on), so merging changes no answer.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from moderation.judge.moderator import Moderator, ScoringItem
from moderation.verdict import Verdict

logger = logging.getLogger("moderation.service")


@dataclass(slots=True)
class _Job:
    items: Sequence[ScoringItem]
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop


def _settle(future: asyncio.Future, result: object, error: BaseException | None) -> None:
    """Complete a request's future on its event loop (unless the request was cancelled)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class ScoringBatcher:
    """Score the items of concurrent requests in one thread, merged up to ``max_batch``.

    Parameters
    ----------
    moderator : Moderator
        The loaded judge (items carry their own target).
    max_batch : int
        Items merged into one call; a larger request is scored alone, whole.
    """

    def __init__(self, moderator: Moderator, max_batch: int) -> None:
        self.moderator = moderator
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="moderation-scorer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Finish the jobs queued so far, then end the thread."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=30)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    async def score(self, items: Sequence[ScoringItem]) -> list[Verdict]:
        """The verdicts of ``items``, in order, scored with whatever else is waiting."""
        if not items:
            return []
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Verdict]] = loop.create_future()
        self._queue.put(_Job(items, future, loop))
        return await future

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            jobs, size, stopping = [job], len(job.items), False
            while size < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                jobs.append(more)
                size += len(more.items)
            self._score(jobs)
            if stopping:
                return

    def _score(self, jobs: list[_Job]) -> None:
        """Score the jobs as one batch; when that fails, each alone, so that one bad request
        does not fail the others it was merged with."""
        try:
            verdicts = self.moderator.score_items([i for job in jobs for i in job.items], None)
        except Exception as error:  # a server boundary: the requests get the error, not a hang
            if len(jobs) == 1:
                self._deliver(jobs[0], None, error)
                return
            for job in jobs:
                self._score([job])
            return
        start = 0
        for job in jobs:
            self._deliver(job, verdicts[start : start + len(job.items)], None)
            start += len(job.items)

    @staticmethod
    def _deliver(job: _Job, result: list[Verdict] | None, error: BaseException | None) -> None:
        try:
            job.loop.call_soon_threadsafe(_settle, job.future, result, error)
        except RuntimeError:  # the loop closed (shutdown): nobody is waiting any more
            logger.debug("scoring result dropped: event loop closed")
