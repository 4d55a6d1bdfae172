"""The cluster a run uses: the scheduler it is pointed at, or a local one started for it.

Object columns stay objects (sketches travel as bytes; Dask would turn them into strings), and
Dask's own log lines below errors stay out of the run's stderr while it is connected.
A local cluster has ``jobs`` worker processes of one thread each (one per core, as the local
engine's workers), listens on 127.0.0.1 only and has no dashboard; it is closed with the run.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from moderation.errors import OptionsError

if TYPE_CHECKING:
    from distributed import Client


@contextlib.contextmanager
def connect(scheduler: str | None, jobs: int) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, or of a new local cluster of ``jobs``
    worker processes.

    Raises
    ------
    OptionsError
        No scheduler answers at ``scheduler``.
    """
    import dask

    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with dask.config.set({"dataframe.convert-string": False}):
            yield from _clients(scheduler, jobs)
    finally:
        logger.setLevel(level)


def _clients(scheduler: str | None, jobs: int) -> Iterator[Client]:
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="30s")
        except OSError as error:
            raise OptionsError(
                f"scheduler={scheduler!r}: no Dask scheduler answers ({error})"
            ) from error
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=jobs,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
