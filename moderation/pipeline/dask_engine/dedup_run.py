"""``moderation dedup --engine dask``: the duplicates run on a Dask cluster.

The same run as :func:`moderation.pipeline.dedup.dedup`, from the same options, with the same
rows, clusters and summary: shingling and MinHash on the workers, shuffles on exact-text and
band keys, verification on sketches, and the verified pairs joined into the clusters the local
finder's ``final_matches`` gives (connected components, each rooted at its earliest comment).
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from moderation.pipeline.dask_engine.cluster import connect
from moderation.pipeline.dask_engine.clustering import cluster_run
from moderation.pipeline.dask_engine.features import DedupSettings
from moderation.pipeline.dask_engine.output import collect, target_for, write_manifest
from moderation.pipeline.dask_engine.run import (
    open_index,
    record_run,
    report_rejections,
    run_facts,
    start,
)
from moderation.pipeline.dask_engine.stages import dedup_rows
from moderation.pipeline.dask_engine.summaries import merged_tally
from moderation.pipeline.dask_engine.writing import write_dedup_part
from moderation.pipeline.dedup import DedupResult
from moderation.pipeline.options import DedupOptions, Inputs, fixed_inputs
from moderation.pipeline.rejections import Notify, RejectionLog
from moderation.pipeline.writers import json_line, open_output


def dedup_dask(
    inputs: Inputs,
    options: DedupOptions,
    output: str | Path | TextIO = "-",
    *,
    notify: Notify | None = None,
) -> DedupResult:
    """Find exact and near-duplicate comments on a Dask cluster; parameters, result and errors
    as :func:`moderation.pipeline.dedup.dedup` (``output`` may also be a folder: one part per
    block and a manifest)."""
    from moderation.dedup import StoryTracker

    inputs = fixed_inputs(inputs)
    settings = DedupSettings(options.threshold, options.min_words)
    target = target_for(output, options.output_format)
    stories = StoryTracker()
    index = open_index(options.index_path, settings, inputs, readonly=options.index_readonly)
    with connect(options.scheduler, options.jobs) as client:
        run = start(client, inputs, options.parse_options, options.blocksize, settings, dedup_rows)
        with RejectionLog(options.rejects, notify=notify) as log:
            report_rejections(run, log)
        for info in run.infos:
            for _, article in info.articles:
                stories.add(article)
        clusters = cluster_run(client, run.matching, options.threshold, index)
        parts = []
        for b, info in enumerate(run.infos):
            story_ids = {
                a: stories.story_ids[a] for a in info.article_ids if a in stories.story_ids
            }
            parts.append(
                client.submit(
                    write_dedup_part,
                    run.rows[b],
                    run.matching.features[b],
                    clusters.marks[b],
                    story_ids,
                    target,
                    b,
                    pure=False,
                )
            )
        results = collect(parts, output, target)
        record_run(client, run, clusters, index)
        facts = run_facts(inputs, "dedup", options.output_format)
        write_manifest(target, run.blocks, results, **facts, rejections=log.count)
    clusters = merged_tally(
        result.tally for result in results if result.tally is not None
    ).summaries()
    if options.clusters_path:
        with open_output(options.clusters_path) as stream:
            for cluster in clusters:
                stream.write(json_line(cluster.to_dict()))
    written = bool(options.clusters_path)
    return DedupResult(run.comments, log.count, clusters, stories.shared(), written)
