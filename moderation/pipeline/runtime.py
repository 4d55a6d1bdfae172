"""What a long run does to the Python process around it: an early forkserver, a frozen heap.

Kept apart from the workers module so that the forkserver can be started before anything
imports the model code (this module imports neither the judge nor NumPy).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
from collections.abc import Iterator

# Modules the forkserver imports once, before it forks workers.
PRELOAD = ("moderation.judge.moderator",)


def start_forkserver(jobs: int) -> None:
    """With workers to come, start the forkserver that forks them now, before this process
    imports the model code: its own import of that code (a second or more) then runs beside
    this one's instead of after it. Where there is no forkserver, nothing is done."""
    if jobs < 2 or "forkserver" not in multiprocessing.get_all_start_methods():
        return
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(list(PRELOAD))
    forkserver.ensure_running()


@contextlib.contextmanager
def startup_objects_frozen() -> Iterator[None]:
    """Keep the objects made so far (imported modules, the model) out of garbage collection
    while the comments stream past.

    They live as long as the run, yet every full collection walked them all again: about a
    tenth of a second each, every few batches, as rows in flight reach the oldest generation.
    They are thawed afterwards, for callers that run in-process, unless someone had frozen
    objects before (then whatever is frozen stays so).
    """
    thaw = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        yield
    finally:
        if thaw:
            gc.unfreeze()
