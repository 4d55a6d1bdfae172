"""`moderation score`: judge every comment and write one verdict row each."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import click

from moderation.cli.common import (
    RejectionLog,
    command,
    field_option,
    format_option,
    input_argument,
    model_option,
    output_format_option,
    output_option,
    parse_flag_values,
    rejects_option,
    strict_option,
)
from moderation.errors import ModerationError
from moderation.parse import ParseOptions, parse
from moderation.pipeline.writers import RowWriter, open_output
from moderation.records import Article, Comment, Rejection

# What moderation.pipeline.workers.PRELOAD says, known here without importing that module (and the
# model code it imports): see _start_forkserver.
_WORKER_PRELOAD = ("moderation.judge.moderator",)


def _start_forkserver(jobs: int) -> None:
    """With workers to come, start the forkserver that forks them now, before this process
    imports the model code: its own import of that code (a second or more) then runs beside
    this one's instead of after it. Where there is no forkserver, nothing is done."""
    if jobs < 2 or "forkserver" not in multiprocessing.get_all_start_methods():
        return
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(list(_WORKER_PRELOAD))
    forkserver.ensure_running()


@contextlib.contextmanager
def _startup_objects_frozen() -> Iterator[None]:
    """Keep the objects made so far (imported modules, the model) out of garbage collection
    while the comments stream past.

    They live as long as the run, yet every full collection walked them all again: about a
    tenth of a second each, every few batches, as rows in flight reach the oldest generation.
    They are thawed afterwards, for callers that run the command in-process, unless someone
    had frozen objects before (then whatever is frozen stays so).
    """
    thaw = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        yield
    finally:
        if thaw:
            gc.unfreeze()


@command("score")
@input_argument
@output_option
@model_option
@output_format_option
@click.option(
    "--threshold",
    "thresholds",
    multiple=True,
    callback=parse_flag_values,
    metavar="FLAG=T",
    help="Override a flag's threshold, e.g. --threshold spam=0.9 (repeatable).",
)
@click.option(
    "--remove-threshold",
    "remove_thresholds",
    multiple=True,
    callback=parse_flag_values,
    metavar="FLAG=T",
    help="Override the score at which a flag's action becomes remove.",
)
@click.option(
    "--target", default=None, help="Stance target to judge against (default: the model's)."
)
@click.option(
    "--max-chars",
    default=5000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Judge only the first characters of longer comments (marked truncated).",
)
@click.option(
    "--batch-size",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Comments featurised and scored at a time.",
)
@click.option(
    "--dedup-threshold",
    default=0.8,
    show_default=True,
    type=click.FloatRange(min=0.0, max=1.0, min_open=True),
    help="Smallest similarity for a near-duplicate comment (duplicate_of): as for `moderation "
    "dedup --threshold` (word-set Jaccard, or character bigrams for short texts).",
)
@click.option(
    "--index",
    "index_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="SQLite fingerprint index: mark repeats of comments from earlier runs; add this run's.",
)
@click.option(
    "--jobs",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Worker processes that featurise and score batches (results do not depend on it).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue an interrupted run into the same -o file from its last complete batch.",
)
@format_option
@field_option
@strict_option
@rejects_option
def score_command(
    inputs: tuple[str, ...],
    output: str,
    model_path: str | None,
    output_format: str,
    thresholds: dict[str, float],
    remove_thresholds: dict[str, float],
    target: str | None,
    max_chars: int,
    batch_size: int,
    dedup_threshold: float,
    index_path: str | None,
    jobs: int,
    resume: bool,
    input_format: str | None,
    fields: dict[str, str],
    strict: bool,
    rejects: str | None,
) -> None:
    """Judge every comment: stance, spam and incitement scores, flags, action and reasons.

    Accepts everything `moderation parse` accepts, and its output. Writes one row per
    comment, with its copy-paste cluster (duplicate_of, cluster_id) and its article's story_id;
    a summary per stance, flag, action, story and article goes to stderr.
    """
    if resume and output == "-":
        raise click.UsageError("--resume continues a run written to a file: give -o FILE")
    _start_forkserver(jobs)
    from moderation.dedup import DuplicateFinder, StoryTracker
    from moderation.dedup.index import FingerprintIndex
    from moderation.judge.moderator import Moderator
    from moderation.pipeline.checkpoint import ResumableOutput
    from moderation.pipeline.marking import mark_batches
    from moderation.pipeline.summary import ScoreSummary
    from moderation.pipeline.workers import score_batches

    settings = {
        "thresholds": thresholds,
        "remove_thresholds": remove_thresholds,
        "max_chars": max_chars,
    }
    try:
        moderator = Moderator.load(model_path, **settings)  # fail early, before any output
        finder = DuplicateFinder(threshold=dedup_threshold)
        if index_path:
            finder.index = FingerprintIndex(
                index_path, settings=finder.settings, label=" ".join(inputs)
            )
        checkpointed = None
        if output != "-":
            fingerprint = {
                "inputs": list(inputs),
                "model": moderator.metadata.get("sha256"),
                "settings": settings,
                "target": target,
                "dedup_threshold": dedup_threshold,
                "output_format": output_format,
                "input_format": input_format,
                "fields": fields,
            }
            checkpointed = ResumableOutput(
                Path(output),
                fingerprint,
                resume=resume,
                rejects=Path(rejects) if rejects else None,
            )
    except ModerationError as error:
        raise click.ClickException(str(error)) from error
    options = ParseOptions(format=input_format, fields=fields, strict=strict, articles=True)
    if checkpointed is not None:
        log = RejectionLog(None, stream=checkpointed.rejects, deferred=True)
    else:
        log = RejectionLog(rejects)
    summary = ScoreSummary(progress=sys.stderr.isatty())
    stories = StoryTracker()
    skip = checkpointed.skip if checkpointed is not None else 0
    # For each comment sent to scoring, the number of input records read up to it: a batch's
    # checkpoint says how much of the input its rows complete.
    records_at: deque[int] = deque()

    def comments() -> Iterator[Comment]:
        skipped: list[Comment] = []
        for index, record in enumerate(parse(inputs, options), start=1):
            if isinstance(record, Comment):  # the usual record first
                if index <= skip:  # done by the interrupted run: only rebuild duplicate state
                    skipped.append(record)
                    if len(skipped) >= batch_size:
                        finder.add_batch([c.text for c in skipped], [c.id for c in skipped])
                        skipped = []
                    continue
                if skipped:
                    finder.add_batch([c.text for c in skipped], [c.id for c in skipped])
                    skipped = []
                records_at.append(index)
                yield record
            elif isinstance(record, Article):
                story_id = stories.add(record)
                if story_id is not None:
                    summary.add_story(record.id, story_id)
            elif index <= skip:
                continue
            elif isinstance(record, Rejection):
                log.add(record, index)
            elif record.record == "unloaded":
                summary.unloaded += record.count
        if skipped:
            finder.add_batch([c.text for c in skipped], [c.id for c in skipped])

    def write_all(stream: TextIO) -> None:
        writer = RowWriter(
            stream, output_format, header=not (checkpointed and checkpointed.resumed)
        )
        # Workers also shingle each batch for the duplicate finder, which then only looks
        # the batch up here: this process sees every comment and is the one that waits.
        batches = score_batches(
            model_path,
            comments(),
            jobs=jobs,
            batch_size=batch_size,
            target=target,
            moderator=moderator,
            prepare=finder.preparer() if jobs > 1 else None,
            **settings,
        )
        marked = mark_batches(batches, finder, story_ids=stories.story_ids)
        tally, write, next_done = summary.add, writer.write, records_at.popleft  # per row
        for written, verdict in enumerate(marked, start=1):
            tally(verdict)
            write(verdict.to_dict())
            done = next_done()
            if checkpointed is not None and written % batch_size == 0:
                log.flush(until=done)
                checkpointed.checkpoint(done)

    try:
        with _startup_objects_frozen():
            if checkpointed is None:
                with open_output(output) as stream:
                    write_all(stream)
                log.flush()
            else:
                if checkpointed.resumed:
                    click.echo(
                        f"resuming {output}: {checkpointed.skip} input records were done",
                        err=True,
                    )
                write_all(checkpointed.stream)
                log.flush()
                checkpointed.finish()
    except ModerationError as error:
        raise click.ClickException(str(error)) from error
    finally:
        log.close()
        if checkpointed is not None:
            checkpointed.close()
        if finder.index is not None:
            finder.index.close()
    click.echo(summary.render(rejected=log.count), err=True)
    if log.count:
        sys.exit(1)
