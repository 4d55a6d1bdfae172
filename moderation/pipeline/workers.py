"""Score a stream of comments in several worker processes, in input order, with flat memory.

Each worker loads the model once and scores whole batches; the calling process reads the
comments, sends each batch as plain tuples (id, text, target, article and parent id) and turns
the answers back into :class:`~moderation.verdict.Verdict` records. At most ``2 * jobs``
batches are in flight, so memory does not grow with the stream, and verdicts come out in input
order and equal to those of
:meth:`Moderator.score_stream <moderation.judge.moderator.Moderator.score_stream>`.

Workers come from a ``forkserver`` that has imported the scoring code once (``spawn`` where
there is no forkserver, as on Windows), so they start in a fraction of a second without
inheriting the caller's threads; a script that calls :func:`score_parallel` with ``jobs > 1``
needs the usual ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, NamedTuple

from moderation.errors import ModelError, ModerationError
from moderation.judge.moderator import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_CHARS,
    Moderator,
    Scorable,
    ScoringItem,
    scoring_item,
)
from moderation.records import Comment
from moderation.verdict import Verdict

# Batches queued per worker: one being scored, one waiting, so a worker never idles.
BATCHES_PER_JOB = 2
# Modules the forkserver imports once, before it forks workers.
PRELOAD = ("moderation.judge.moderator",)

_ItemTuple = tuple[str | None, str, str | None, str | None, str | None]
_VerdictTuple = tuple[Any, ...]

_moderator: Moderator | None = None
_load_error: ModerationError | None = None
Prepare = Callable[[Sequence[str]], Any]
_prepare: Prepare | None = None


class ScoredBatch(NamedTuple):
    """One batch's verdicts, in input order, and what the ``prepare`` callable made of its
    texts in the worker (``None`` without one, or when scoring ran in the calling process)."""

    verdicts: list[Verdict]
    prepared: Any = None


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOAD))
        return context
    return multiprocessing.get_context("spawn")


def _load_in_worker(
    model_path: str | None, settings: dict[str, Any], prepare: Prepare | None = None
) -> None:
    """Worker initializer: load the model once; keep a load error to raise with the first batch
    (an exception here would only say that the pool broke).

    What is loaded by then (modules, the model) lives as long as the worker: it is frozen out
    of garbage collection, which would otherwise walk it all again every few batches.
    """
    global _moderator, _load_error, _prepare
    from threadpoolctl import threadpool_limits

    _prepare = prepare

    threadpool_limits(1)  # one process per core already: no BLAS threads on top
    try:
        _moderator = Moderator.load(model_path, **settings)
    except ModerationError as error:
        _load_error = error
    gc.freeze()


def _score_in_worker(
    items: list[_ItemTuple], target: str | None
) -> tuple[list[_VerdictTuple], Any]:
    """Score one batch; answer only what the caller does not already have (not the text), and
    what ``prepare`` makes of the texts when the pool was given one."""
    if _load_error is not None:
        raise _load_error
    assert _moderator is not None
    verdicts = _moderator.score_items([ScoringItem(*item) for item in items], target)
    prepared = _prepare([item[1] for item in items]) if _prepare is not None else None
    return [
        (
            v.target,
            v.stance,
            v.stance_scores,
            v.spam,
            v.incitement,
            v.flags,
            v.action,
            v.reasons,
            v.truncated,
        )
        for v in verdicts
    ], prepared


def _verdicts(items: list[_ItemTuple], answers: list[_VerdictTuple]) -> Iterator[Verdict]:
    """The verdicts of a batch from what was sent and what came back, in the batch's order."""
    for (id_, text, _, article_id, parent_id), answer in zip(items, answers, strict=True):
        target, stance, scores, spam, incitement, flags, action, reasons, truncated = answer
        # Positional, in field order (half the cost of keywords, on every comment): id, text,
        # target, stance, stance_scores, spam, incitement, flags, action, reasons, article_id,
        # parent_id, duplicate_of, cluster_id, story_id, truncated.
        yield Verdict(
            id_,
            text,
            target,
            stance,
            scores,
            spam,
            incitement,
            flags,
            action,
            reasons,
            article_id,
            parent_id,
            None,
            None,
            None,
            truncated,
        )


def _item_tuple(value: Scorable, position: int) -> _ItemTuple:
    """What a worker needs of one comment, as a plain tuple (what ``scoring_item`` gives)."""
    if isinstance(value, Comment):  # what `moderation score` sends: no ScoringItem in between
        return (value.id, value.text, None, value.article_id, value.parent_id)
    item = scoring_item(value, position)
    return (item.id, item.text, item.target, item.article_id, item.parent_id)


def _batches(items: Iterable[Scorable], batch_size: int) -> Iterator[list[_ItemTuple]]:
    batch: list[_ItemTuple] = []
    for position, value in enumerate(items, start=1):
        batch.append(_item_tuple(value, position))
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def score_parallel(
    model_path: str | Path | None,
    comments: Iterable[Scorable],
    *,
    jobs: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    target: str | None = None,
    thresholds: Mapping[str, float] | None = None,
    remove_thresholds: Mapping[str, float] | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    moderator: Moderator | None = None,
) -> Iterator[Verdict]:
    """Judge comments in ``jobs`` processes; yield one verdict per comment, in input order.

    Parameters
    ----------
    model_path : str, Path or None
        Model file (the bundled default when None). Never load a model from an untrusted source.
    comments : iterable of Comment, str or dict with "text"
        Read lazily, ``batch_size`` at a time.
    jobs : int, default=1
        Worker processes. ``1`` scores in this process, with no workers.
    batch_size : int, default=1000
        Comments per batch sent to a worker.
    target : str, optional
        Stance target for comments that do not name one.
    thresholds, remove_thresholds : dict of str to float, optional
        Flag threshold overrides, as for :meth:`Moderator.load`.
    max_chars : int, default=5000
        Longer comments are judged on their start and marked truncated.
    moderator : Moderator, optional
        The same model already loaded with these settings, used as it is when ``jobs`` is 1
        (the caller often loads it first to fail early).

    Yields
    ------
    Verdict
        The same verdicts as ``Moderator.load(...).score_stream(comments)``, in the same order.

    Raises
    ------
    ModelError
        The model cannot be loaded, ``jobs`` or ``batch_size`` is below 1, a comment names a
        target with no stance head (raised by the first batch that needs it), or a worker
        process died (killed for lack of memory, say).

    Examples
    --------
    >>> verdicts = score_parallel(None, ["Subscribe to my channel!!", "Peace talks now"], jobs=2)
    >>> [v.id for v in verdicts]                                        # doctest: +SKIP
    ['1', '2']
    """
    for batch in score_batches(
        model_path,
        comments,
        jobs=jobs,
        batch_size=batch_size,
        target=target,
        thresholds=thresholds,
        remove_thresholds=remove_thresholds,
        max_chars=max_chars,
        moderator=moderator,
    ):
        yield from batch.verdicts


def score_batches(
    model_path: str | Path | None,
    comments: Iterable[Scorable],
    *,
    jobs: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    target: str | None = None,
    thresholds: Mapping[str, float] | None = None,
    remove_thresholds: Mapping[str, float] | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    moderator: Moderator | None = None,
    prepare: Prepare | None = None,
) -> Iterator[ScoredBatch]:
    """:func:`score_parallel`, a batch at a time, with more work for the workers.

    ``prepare`` (a picklable callable of a list of texts, such as
    :meth:`DuplicateFinder.preparer() <moderation.dedup.finder.DuplicateFinder.preparer>`) runs
    in the worker on each batch's texts, and its result comes back as ``prepared``, so that
    the calling process, which has to see every batch in order, does less per comment. With
    ``jobs=1`` nothing is gained by it and ``prepared`` is ``None``. Parameters, verdicts and
    errors are those of :func:`score_parallel`; batches hold ``batch_size`` comments (the last
    one fewer).
    """
    if jobs < 1:
        raise ModelError(f"jobs={jobs!r}: use 1 or more worker processes")
    if batch_size < 1:
        raise ModelError(f"batch_size={batch_size!r}: use 1 or more comments per batch")
    settings = {
        "thresholds": dict(thresholds or {}),
        "remove_thresholds": dict(remove_thresholds or {}),
        "max_chars": max_chars,
    }
    if jobs > 1:
        yield from _pool_batches(model_path, comments, jobs, batch_size, target, settings, prepare)
        return
    if moderator is None:
        moderator = Moderator.load(model_path, **settings)
    for items in _batches(comments, batch_size):  # what a worker does, in this process
        yield ScoredBatch(moderator.score_items([ScoringItem(*item) for item in items], target))


def _pool_batches(
    model_path: str | Path | None,
    comments: Iterable[Scorable],
    jobs: int,
    batch_size: int,
    target: str | None,
    settings: dict[str, Any],
    prepare: Prepare | None,
) -> Iterator[ScoredBatch]:
    """Scored batches from ``jobs`` worker processes, in input order, a bounded few in flight."""
    path = str(model_path) if model_path is not None else None
    executor = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=_context(),
        initializer=_load_in_worker,
        initargs=(path, settings, prepare),
    )
    pending: deque[tuple[list[_ItemTuple], Future[tuple[list[_VerdictTuple], Any]]]] = deque()

    def finished() -> ScoredBatch:
        done, future = pending.popleft()
        answers, prepared = future.result()
        return ScoredBatch(list(_verdicts(done, answers)), prepared)

    try:
        for batch in _batches(comments, batch_size):
            pending.append((batch, executor.submit(_score_in_worker, batch, target)))
            if len(pending) >= BATCHES_PER_JOB * jobs:
                yield finished()
        while pending:
            yield finished()
    except BrokenProcessPool as error:
        raise ModelError(
            f"a scoring worker process stopped unexpectedly ({error}); out of memory? "
            "try fewer --jobs or a smaller --batch-size"
        ) from error
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
