"""The model on a Dask worker: loaded once per worker process, checked against its card and the
driver's copy, and kept for every block the worker scores.

A worker plugin loads it when the worker starts (and on a worker that replaces a dead one); a
block scored before that, or after another run's model was loaded, loads it through the same
cache. ``LOADS`` counts the loads of this process, so that a test can see it happen once.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from distributed import WorkerPlugin

from moderation.errors import ModelError

if TYPE_CHECKING:
    from moderation.judge.moderator import Moderator
    from moderation.pipeline.options import ScoreOptions

PLUGIN_NAME = "moderation-model"
LOADS = 0
_lock = threading.Lock()
_loaded: dict[tuple[Any, ...], Moderator] = {}


def _key(options: ScoreOptions, sha256: str) -> tuple[Any, ...]:
    settings = options.judge_settings()
    return (
        str(options.model_path),
        sha256,
        tuple(sorted(settings["thresholds"].items())),
        tuple(sorted(settings["remove_thresholds"].items())),
        settings["max_chars"],
    )


def worker_moderator(options: ScoreOptions, sha256: str) -> Moderator:
    """The run's model in this process: loaded (``Moderator.load`` checks the file against its
    card) the first time it is asked for, then kept; one model at a time.

    Raises
    ------
    ModelError
        The file cannot be loaded here, or it is not the file the driver loaded (another
        sha256: each worker needs the same model at the same path).
    """
    global LOADS
    key = _key(options, sha256)
    with _lock:
        moderator = _loaded.get(key)
        if moderator is None:
            from threadpoolctl import threadpool_limits

            from moderation.pipeline.workers import load_moderator

            threadpool_limits(1)  # one worker process per core already: no BLAS threads on top
            moderator = load_moderator(options)
            found = moderator.metadata.get("sha256")
            if found != sha256:
                raise ModelError(
                    f"{options.model_path or 'the default model'} on this worker has sha256 "
                    f"{str(found)[:12]}…, the driver's {sha256[:12]}…: every worker needs the "
                    "same model file"
                )
            _loaded.clear()
            _loaded[key] = moderator
            LOADS += 1
        return moderator


def loads() -> int:
    """How many times this process loaded a model (run on a worker by ``Client.run``)."""
    return LOADS


class ModelPlugin(WorkerPlugin):
    """A Dask worker plugin that loads the run's model when a worker starts."""

    name = PLUGIN_NAME

    def __init__(self, options: ScoreOptions, sha256: str) -> None:
        self.options = options
        self.sha256 = sha256

    def setup(self, worker: object) -> None:
        worker_moderator(self.options, self.sha256)
