"""The scoring run as a library call: inputs in, one verdict row (or one rejection) each out.

:func:`score` does what ``moderation score`` does: parse the inputs, judge the comments in
batches (in worker processes with ``jobs > 1``), mark duplicates and stories, write one row
per comment with a checkpoint after every batch (resumed when asked), report rejections and
sum everything up. :func:`score_records` gives the same verdicts, and the rejections, in input
order to a caller that handles them itself. Both take one
:class:`~moderation.pipeline.options.ScoreOptions`.

The judge and NumPy are imported only once a run starts, after the forkserver has been started
(see :func:`~moderation.pipeline.runtime.start_forkserver`).
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from moderation.batching import batched
from moderation.errors import OptionsError
from moderation.parse import parse
from moderation.pipeline.checkpoint import ResumableOutput
from moderation.pipeline.options import Inputs, ScoreOptions, fixed_inputs, input_names
from moderation.pipeline.progress import NoProgress, ProgressBar, progress_for
from moderation.pipeline.rejections import Notify, RejectionLog
from moderation.pipeline.runtime import start_forkserver, startup_objects_frozen
from moderation.pipeline.summary import ScoreSummary
from moderation.pipeline.writers import RowWriter, open_output
from moderation.records import Article, Comment, Record, Rejection

if TYPE_CHECKING:
    from moderation.verdict import Verdict

Output = str | Path | TextIO


@dataclass(frozen=True)
class ScoreResult:
    """What a finished scoring run counted.

    Attributes
    ----------
    summary : ScoreSummary
        Rows per stance, flag, action, story and article.
    rejected : int
        Inputs and comments reported as rejections instead of rows.
    resumed_from : int
        Input records an interrupted run had completed (0 when the run was not resumed).
    """

    summary: ScoreSummary
    rejected: int = 0
    resumed_from: int = 0

    @property
    def rows(self) -> int:
        """Rows this run wrote (not counting those of the run it resumed)."""
        return self.summary.total

    def render(self) -> str:
        """The summary a moderator reads at the end of the run (what the CLI prints)."""
        return self.summary.render(rejected=self.rejected)


def _ignore(rejection: Rejection, index: int) -> None:
    """Rejections go nowhere until the run's owner says where."""


class ScoreRun:
    """One scoring run's moving parts and the dispatch of parsed records among them.

    Loads the model and opens the fingerprint index when made, so that a bad model or index
    fails before any output is opened; :meth:`close` closes the index.

    Attributes
    ----------
    rejected : callable of (Rejection, int)
        Called with each rejection after the resumed part, and its input record's number.
    records_at : deque of int
        For each comment sent to scoring, the number of input records read up to it: what a
        verdict's row completes of the input. The consumer of :meth:`verdicts` pops one per
        verdict.
    """

    def __init__(self, inputs: Inputs, options: ScoreOptions) -> None:
        from moderation.dedup import DuplicateFinder, StoryTracker
        from moderation.dedup.index import FingerprintIndex
        from moderation.pipeline.workers import load_moderator

        self.inputs = fixed_inputs(inputs)
        self.options = options
        self.moderator = load_moderator(options)  # fail early, before any output
        self.targets = frozenset(self.moderator.targets)
        if options.target is not None and options.target not in self.targets:
            raise OptionsError(
                f"target={options.target!r} has no stance head in this model; its targets: "
                f"{sorted(self.targets)}"
            )
        self.finder = DuplicateFinder(threshold=options.dedup_threshold)
        self.stories = StoryTracker()
        self.summary = ScoreSummary()
        self.rejected: Callable[[Rejection, int], None] = _ignore
        self.records_at: deque[int] = deque()
        if options.index_path:
            self.finder.index = FingerprintIndex(
                options.index_path,
                settings=self.finder.settings,
                label=" ".join(input_names(self.inputs)),
            )

    def fingerprint(self) -> dict[str, Any]:
        """What the run was started with: a resume with anything else is refused."""
        parsing = self.options.parse_options
        return {
            "inputs": input_names(self.inputs),
            "model": self.moderator.metadata.get("sha256"),
            "settings": self.options.judge_settings(),
            "target": self.options.target,
            "dedup_threshold": self.options.dedup_threshold,
            "output_format": self.options.output_format,
            "input_format": parsing.format,
            "fields": dict(parsing.fields),
            "html_text": parsing.html_text,
        }

    def verdicts(self, skip: int = 0) -> Iterator[Verdict]:
        """The verdicts of the comments after the first ``skip`` input records, in input
        order, with duplicates and stories marked."""
        from moderation.pipeline.marking import mark_batches
        from moderation.pipeline.workers import score_batches

        # Workers also shingle each batch for the duplicate finder, which then only looks the
        # batch up here: this process sees every comment and is the one that waits.
        prepare = self.finder.preparer() if self.options.jobs > 1 else None
        comments = self._comments(skip)
        batches = score_batches(comments, self.options, moderator=self.moderator, prepare=prepare)
        return mark_batches(batches, self.finder, story_ids=self.stories.story_ids)

    def _comments(self, skip: int) -> Iterator[Comment]:
        """The comments to score; articles, rejections and unloaded replies go where they
        belong as they pass."""
        records = enumerate(parse(self.inputs, self.options.parse_options), start=1)
        self._replay(islice(records, skip))
        sent, targets = self.records_at.append, self.targets
        for index, record in records:
            if isinstance(record, Comment):  # the usual record first
                if record.target is not None and record.target not in targets:
                    self.rejected(self._unknown_target(record), index)
                    continue
                sent(index)
                yield record
            elif isinstance(record, Article):
                self._add_article(record)
            elif isinstance(record, Rejection):
                self.rejected(record, index)
            elif record.record == "unloaded":
                self.summary.unloaded += record.count

    def _unknown_target(self, comment: Comment) -> Rejection:
        """The rejection of a comment whose own target has no stance head: one line naming
        the target and the model's targets, never a verdict from another target's head."""
        return Rejection(
            comment.source,
            f"stance target {comment.target!r} has no head in this model (its targets: "
            f"{', '.join(sorted(self.targets))}); train one with rows of that target, or "
            "drop the row's target to judge it against --target",
            comment.line,
            comment.id,
        )

    def _replay(self, done: Iterable[tuple[int, Record]]) -> None:
        """Records an interrupted run completed: only rebuild the duplicate state and stories
        (from the comments it scored: not those rejected for their target)."""

        def comments() -> Iterator[Comment]:
            for _, record in done:
                if isinstance(record, Comment):
                    if record.target is None or record.target in self.targets:
                        yield record
                elif isinstance(record, Article):
                    self._add_article(record)

        for batch in batched(comments(), self.options.batch_size):
            self.finder.add_batch([c.text for c in batch], [c.id for c in batch])

    def _add_article(self, article: Article) -> None:
        story_id = self.stories.add(article)
        if story_id is not None:
            self.summary.add_story(article.id, story_id)

    def close(self) -> None:
        """Close the fingerprint index (this run's comments are in it by now) and remove the
        duplicate finder's spill folder."""
        if self.finder.index is not None:
            self.finder.index.close()
        self.finder.close()


@dataclass
class _Sink:
    """Where a run's rows and rejections go, and what to call after each batch of rows."""

    stream: TextIO
    log: RejectionLog
    skip: int = 0
    header: bool = True
    checkpoint: Callable[[int], None] | None = None


def _is_file(output: Output) -> bool:
    return isinstance(output, str | Path) and str(output) != "-"


@contextlib.contextmanager
def _checkpointed(run: ScoreRun, output: str | Path, notify: Notify | None) -> Iterator[_Sink]:
    """A file written through a checkpoint after every batch, its rejects file in step; an
    interrupted run's file is continued when ``resume`` is set."""
    options = run.options
    rejects = Path(options.rejects) if options.rejects else None
    resumable = ResumableOutput(
        Path(output), run.fingerprint(), resume=options.resume, rejects=rejects
    )
    log = RejectionLog(stream=resumable.rejects, deferred=True, notify=notify)

    def checkpoint(done: int) -> None:
        log.flush(until=done)
        resumable.checkpoint(done)

    try:
        if resumable.resumed and notify is not None:
            notify(f"resuming {output}: {resumable.skip} input records were done")
        yield _Sink(
            resumable.stream,
            log,
            skip=resumable.skip,
            header=not resumable.resumed,
            checkpoint=checkpoint,
        )
        log.flush()
        resumable.finish()
    finally:
        log.close()
        resumable.close()


@contextlib.contextmanager
def _streamed(output: Output, options: ScoreOptions, notify: Notify | None) -> Iterator[_Sink]:
    """Standard output (``-``) or an open stream: rows written as they come, no checkpoints."""
    with RejectionLog(options.rejects, notify=notify) as log, open_output(output) as stream:
        yield _Sink(stream, log)


def _write_rows(run: ScoreRun, sink: _Sink, bar: ProgressBar | NoProgress) -> None:
    """Score, mark, count and write every row; checkpoint (and move the bar) after each
    batch of rows."""
    writer = RowWriter(sink.stream, run.options.output_format, header=sink.header)
    tally, write, next_done = run.summary.add, writer.write, run.records_at.popleft  # per row
    checkpoint, every = sink.checkpoint, run.options.batch_size
    written = 0
    for written, verdict in enumerate(run.verdicts(sink.skip), start=1):
        tally(verdict)
        write(verdict.to_dict())
        done = next_done()
        if written % every == 0:
            bar.advance(every)
            if checkpoint is not None:
                checkpoint(done)
    bar.advance(written % every)


def score(
    inputs: Inputs,
    options: ScoreOptions | None = None,
    output: Output = "-",
    *,
    notify: Notify | None = None,
    progress: bool = False,
) -> ScoreResult:
    """Judge every comment of the inputs and write one verdict row each (``moderation score``).

    Parameters
    ----------
    inputs : str, Path or iterable of them
        Files, folders or ``-``, as :func:`~moderation.parse.parse` takes them.
    options : ScoreOptions, optional
        Every setting of the run (the defaults when None).
    output : str, Path or TextIO, default="-"
        A file (written through checkpoints, renamed into place when complete, continued by
        a run with ``resume``), ``-`` for standard output, or an open stream.
    notify : callable of str, optional
        Called with each line for the person running it: ``error: ...`` for each rejection
        as it is found, ``resuming ...`` when a run continues.
    progress : bool
        Show a progress bar on stderr (comments, rate, time left from the bytes read).

    Returns
    -------
    ScoreResult
        Counts, and the summary the CLI prints.

    Raises
    ------
    ModerationError
        The model or index cannot be used, a resume was started with other settings, an
        input is broken with ``strict`` parse options, or a worker process died.
    """
    options = options if options is not None else ScoreOptions()
    if options.resume and not _is_file(output):
        raise OptionsError(f"resume=True continues a run written to a file, not output={output!r}")
    start_forkserver(options.jobs)
    run = ScoreRun(inputs, options)
    bar = progress_for(run.inputs, "scored", progress)
    try:
        destination = (
            _checkpointed(run, output, notify)
            if _is_file(output)
            else _streamed(output, options, notify)
        )
        with destination as sink, startup_objects_frozen():
            run.rejected = sink.log.add
            _write_rows(run, sink, bar)
    finally:
        bar.close()
        run.close()
    return ScoreResult(run.summary, rejected=sink.log.count, resumed_from=sink.skip)


def score_records(
    inputs: Inputs, options: ScoreOptions | None = None
) -> Iterator[Verdict | Rejection]:
    """Yield the verdicts of :func:`score`, duplicates and stories marked, and the rejections,
    all in input order, writing nothing (``output_format``, ``rejects`` and ``resume`` are not
    used).

    The model is loaded and the index opened when the first item is asked for; the index is
    closed when the iterator is exhausted or closed.
    """
    options = options if options is not None else ScoreOptions()
    if options.resume:
        raise OptionsError("resume=True continues a run written to a file: use score()")
    start_forkserver(options.jobs)
    run = ScoreRun(inputs, options)
    pending: deque[tuple[int, Rejection]] = deque()
    run.rejected = lambda rejection, index: pending.append((index, rejection))
    try:
        for verdict in run.verdicts():
            done = run.records_at.popleft()
            while pending and pending[0][0] < done:
                yield pending.popleft()[1]
            yield verdict
        while pending:
            yield pending.popleft()[1]
    finally:
        run.close()
