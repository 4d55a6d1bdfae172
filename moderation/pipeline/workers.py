"""Score a stream of comments in several worker processes, in input order, with flat memory.

Each worker loads the model once and scores whole batches; the calling process reads the
comments, sends each batch as plain tuples (id, text, target, article and parent id) and turns
the answers back into :class:`~moderation.verdict.Verdict` records. At most ``2 * jobs``
batches are in flight, so memory does not grow with the stream, and verdicts come out in input
order and equal to those of
:meth:`Moderator.score_stream <moderation.judge.moderator.Moderator.score_stream>`.

All the settings (model, thresholds, target, ``jobs``, ``batch_size``) come in one
:class:`~moderation.pipeline.options.ScoreOptions`, which is also what each worker is started
with. Workers come from a ``forkserver`` that has imported the scoring code once (``spawn``
where there is no forkserver, as on Windows), so they start in a fraction of a second without
inheriting the caller's threads; a script that calls :func:`score_parallel` with ``jobs > 1``
needs the usual ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, NamedTuple

from moderation.batching import batched
from moderation.errors import ModelError, ModerationError
from moderation.judge.moderator import Moderator, Scorable, ScoringItem, scoring_item
from moderation.pipeline.options import ScoreOptions
from moderation.pipeline.runtime import PRELOAD
from moderation.records import Comment
from moderation.verdict import Verdict

# Batches queued per worker: one being scored, one waiting, so a worker never idles.
BATCHES_PER_JOB = 2

_ItemTuple = tuple[str | None, str, str | None, str | None, str | None]
_VerdictTuple = tuple[Any, ...]

_moderator: Moderator | None = None
_load_error: ModerationError | None = None
Prepare = Callable[[Sequence[str]], Any]
_prepare: Prepare | None = None
_target: str | None = None


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


def load_moderator(options: ScoreOptions) -> Moderator:
    """The run's model with its thresholds and truncation, as every scoring process loads it."""
    return Moderator.load(options.model_path, **options.judge_settings())


def _load_in_worker(options: ScoreOptions, prepare: Prepare | None = None) -> None:
    """Worker initializer: load the model once; keep a load error to raise with the first batch
    (an exception here would only say that the pool broke).

    What is loaded by then (modules, the model) lives as long as the worker: it is frozen out
    of garbage collection, which would otherwise walk it all again every few batches.
    """
    global _moderator, _load_error, _prepare, _target
    from threadpoolctl import threadpool_limits

    _prepare, _target = prepare, options.target

    threadpool_limits(1)  # one process per core already: no BLAS threads on top
    try:
        _moderator = load_moderator(options)
    except ModerationError as error:
        _load_error = error
    gc.freeze()


def _score_in_worker(items: list[_ItemTuple]) -> tuple[list[_VerdictTuple], Any]:
    """Score one batch; answer only what the caller does not already have (not the text), and
    what ``prepare`` makes of the texts when the pool was given one."""
    if _load_error is not None:
        raise _load_error
    assert _moderator is not None
    verdicts = _moderator.score_items([ScoringItem(*item) for item in items], _target)
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
            v.language,
        )
        for v in verdicts
    ], prepared


def _verdicts(items: list[_ItemTuple], answers: list[_VerdictTuple]) -> Iterator[Verdict]:
    """The verdicts of a batch from what was sent and what came back, in the batch's order."""
    for (id_, text, _, article_id, parent_id), answer in zip(items, answers, strict=True):
        target, stance, scores, spam, incitement, flags, action, reasons, truncated, language = (
            answer
        )
        # Positional, in field order (half the cost of keywords, on every comment): id, text,
        # target, stance, stance_scores, spam, incitement, flags, action, reasons, article_id,
        # parent_id, duplicate_of, cluster_id, story_id, truncated, language.
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
            language,
        )


def _item_tuple(value: Scorable, position: int) -> _ItemTuple:
    """What a worker needs of one comment, as a plain tuple (what ``scoring_item`` gives)."""
    if isinstance(value, Comment):  # what `moderation score` sends: no ScoringItem in between
        return (value.id, value.text, value.target, value.article_id, value.parent_id)
    item = scoring_item(value, position)
    return (item.id, item.text, item.target, item.article_id, item.parent_id)


def _batches(items: Iterable[Scorable], batch_size: int) -> Iterator[list[_ItemTuple]]:
    """Batches of what workers need of each comment, numbered from 1 across the stream."""
    for batch in batched(enumerate(items, start=1), batch_size):
        yield [_item_tuple(value, position) for position, value in batch]


def score_parallel(
    comments: Iterable[Scorable],
    options: ScoreOptions | None = None,
    *,
    moderator: Moderator | None = None,
) -> Iterator[Verdict]:
    """Judge comments in ``options.jobs`` processes; yield one verdict per comment, in order.

    Parameters
    ----------
    comments : iterable of Comment, str or dict with "text"
        Read lazily, ``options.batch_size`` at a time.
    options : ScoreOptions, optional
        The model, its flag thresholds, ``max_chars``, the stance ``target`` for comments that
        do not name one, ``jobs`` (``1`` scores in this process, with no workers) and
        ``batch_size`` (comments per batch sent to a worker); the defaults when None.
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
        The model cannot be loaded, a comment names a target with no stance head (raised by
        the first batch that needs it), or a worker process died (killed for lack of memory,
        say).

    Examples
    --------
    >>> texts = ["Subscribe to my channel!!", "Peace talks now"]
    >>> verdicts = score_parallel(texts, ScoreOptions(jobs=2))          # doctest: +SKIP
    >>> [v.id for v in verdicts]                                        # doctest: +SKIP
    ['1', '2']
    """
    for batch in score_batches(comments, options, moderator=moderator):
        yield from batch.verdicts


def score_batches(
    comments: Iterable[Scorable],
    options: ScoreOptions | None = None,
    *,
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
    options = options if options is not None else ScoreOptions()
    if options.jobs > 1:
        yield from _pool_batches(comments, options, prepare)
        return
    if moderator is None:
        moderator = load_moderator(options)
    for items in _batches(comments, options.batch_size):  # what a worker does, in this process
        scorable = [ScoringItem(*item) for item in items]
        yield ScoredBatch(moderator.score_items(scorable, options.target))


def _pool_batches(
    comments: Iterable[Scorable], options: ScoreOptions, prepare: Prepare | None
) -> Iterator[ScoredBatch]:
    """Scored batches from ``jobs`` worker processes, in input order, a bounded few in flight."""
    executor = ProcessPoolExecutor(
        max_workers=options.jobs,
        mp_context=_context(),
        initializer=_load_in_worker,
        initargs=(options, prepare),
    )
    pending: deque[tuple[list[_ItemTuple], Future[tuple[list[_VerdictTuple], Any]]]] = deque()

    def finished() -> ScoredBatch:
        done, future = pending.popleft()
        answers, prepared = future.result()
        return ScoredBatch(list(_verdicts(done, answers)), prepared)

    try:
        for batch in _batches(comments, options.batch_size):
            pending.append((batch, executor.submit(_score_in_worker, batch)))
            if len(pending) >= BATCHES_PER_JOB * options.jobs:
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
