"""``moderation score --engine dask``: the scoring run on a Dask cluster.

The same run as :func:`moderation.pipeline.score.score`, from the same options, with the same
rows, rejections and summary: blocks are parsed and scored on the workers (each loads the model
once), duplicates are found across the cluster and marked as the streaming local run marks
them, stories are given as the articles read before each comment say, and each block's rows
are written by the local engine's writer.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from moderation.pipeline.dask_engine.cluster import connect
from moderation.pipeline.dask_engine.clustering import cluster_run
from moderation.pipeline.dask_engine.features import DedupSettings
from moderation.pipeline.dask_engine.model_cache import ModelPlugin
from moderation.pipeline.dask_engine.output import collect, target_for, write_manifest
from moderation.pipeline.dask_engine.run import (
    StartedRun,
    open_index,
    record_run,
    report_rejections,
    run_facts,
    start,
)
from moderation.pipeline.dask_engine.stages import scored_rows
from moderation.pipeline.dask_engine.summaries import add_summary
from moderation.pipeline.dask_engine.writing import (
    BlockStories,
    PartResult,
    PartTarget,
    write_score_part,
)
from moderation.pipeline.options import DEFAULT_MIN_WORDS, Inputs, ScoreOptions, fixed_inputs
from moderation.pipeline.rejections import Notify, RejectionLog
from moderation.pipeline.score import ScoreResult
from moderation.pipeline.summary import ScoreSummary

if TYPE_CHECKING:
    from distributed import Client

    from moderation.pipeline.dask_engine.parquet_index import ParquetIndex


def _shared_model(options: ScoreOptions) -> tuple[ScoreOptions, str]:
    """Load the model here first (a bad one fails before any cluster work) and name it by an
    absolute path for the workers; return the options and the model's sha256."""
    from moderation.pipeline.workers import load_moderator

    sha256 = str(load_moderator(options).metadata.get("sha256"))
    if options.model_path is not None and "://" not in str(options.model_path):
        options = dataclasses.replace(options, model_path=str(Path(options.model_path).resolve()))
    return options, sha256


def _stories(run: StartedRun, summary: ScoreSummary) -> list[BlockStories]:
    """Each block's story ids as the articles read before each of its comments give them;
    every story noted in the summary, in input order."""
    from moderation.dedup import StoryTracker

    tracker = StoryTracker()
    stories = []
    for info in run.infos:
        known = {a: tracker.story_ids[a] for a in info.article_ids if a in tracker.story_ids}
        block = BlockStories(known)
        for position, article in info.articles:
            story_id = tracker.add(article)
            if story_id is not None:
                summary.add_story(article.id, story_id)
            if article.id in tracker.story_ids:
                block.changes.append((position, article.id, tracker.story_ids[article.id]))
        stories.append(block)
    return stories


def _write(
    client: Client,
    run: StartedRun,
    options: ScoreOptions,
    output: str | Path | TextIO,
    target: PartTarget,
    summary: ScoreSummary,
    index: ParquetIndex | None,
) -> list[PartResult]:
    """Mark and write every block's rows (and record them in the index); add their counts
    to ``summary``."""
    clusters = cluster_run(client, run.matching, options.dedup_threshold, index)
    stories = _stories(run, summary)
    parts = [
        client.submit(
            write_score_part,
            run.rows[b],
            run.matching.features[b],
            clusters.marks[b],
            stories[b],
            target,
            b,
            pure=False,
        )
        for b in range(len(run.blocks))
    ]
    results = collect(parts, output, target)
    record_run(client, run, clusters, index)
    for result in results:
        assert result.summary is not None
        add_summary(summary, result.summary)
    return results


def score_dask(
    inputs: Inputs,
    options: ScoreOptions,
    output: str | Path | TextIO = "-",
    *,
    notify: Notify | None = None,
    progress: bool = False,
) -> ScoreResult:
    """Judge every comment on a Dask cluster; parameters, result and errors as
    :func:`moderation.pipeline.score.score` (``output`` may also be a folder: one part per
    block and a manifest)."""
    options, sha256 = _shared_model(options)
    inputs = fixed_inputs(inputs)
    del progress  # no bar on a cluster: blocks finish out of order, parts are whole
    summary = ScoreSummary()
    settings = DedupSettings(options.dedup_threshold, DEFAULT_MIN_WORDS)
    target = target_for(output, options.output_format)
    index = open_index(options.index_path, settings, inputs)
    with connect(options.scheduler, options.jobs) as client:
        client.register_plugin(ModelPlugin(options, sha256))
        run = start(
            client,
            inputs,
            options.parse_options,
            options.blocksize,
            settings,
            scored_rows,
            options=options,
            sha256=sha256,
        )
        with RejectionLog(options.rejects, notify=notify) as log:
            report_rejections(run, log)
            summary.unloaded += sum(info.unloaded for info in run.infos)
            results = _write(client, run, options, output, target, summary, index)
        facts = run_facts(inputs, "score", options.output_format)
        write_manifest(
            target, run.blocks, results, **facts, model_sha256=sha256, rejections=log.count
        )
    return ScoreResult(summary, rejected=log.count)
