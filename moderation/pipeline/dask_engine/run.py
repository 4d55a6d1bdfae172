"""The first half of a Dask run, the same for scoring and for duplicates: inputs planned into
blocks, every block parsed, its rows made (verdicts, or what a dedup row carries), its
duplicate-matching features computed, each as its own task on the worker that parsed it; the
driver gathers only counts, rejections and articles, in block order.

Every result stays on the cluster behind a future until the rows are written: a worker that
dies takes its results with it, and the scheduler recomputes them from the blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from moderation.parse import ParseOptions
from moderation.pipeline.dask_engine.blocks import Block, expand_inputs
from moderation.pipeline.dask_engine.clustering import Clusters
from moderation.pipeline.dask_engine.features import DedupSettings
from moderation.pipeline.dask_engine.matching import RunRows
from moderation.pipeline.dask_engine.parquet_index import ParquetIndex, write_block_entries
from moderation.pipeline.dask_engine.planning import plan_blocks
from moderation.pipeline.dask_engine.reading import parse_block
from moderation.pipeline.dask_engine.stages import BlockInfo, block_info, comment_features
from moderation.pipeline.options import Inputs, fixed_inputs, input_names
from moderation.pipeline.rejections import RejectionLog

if TYPE_CHECKING:
    from distributed import Client, Future


@dataclass
class StartedRun:
    """A run's blocks, what the driver gathered of them, and their results on the cluster."""

    blocks: list[Block]
    infos: list[BlockInfo]
    rows: list[Future]
    matching: RunRows

    @property
    def comments(self) -> int:
        return self.matching.total


def start(
    client: Client,
    inputs: Inputs,
    parse_options: ParseOptions,
    blocksize: int,
    settings: DedupSettings,
    make_rows: Callable[..., Any],
    **row_options: Any,
) -> StartedRun:
    """Plan, parse and process every block; gather the blocks' infos.

    Raises
    ------
    ModerationError
        The first error that stopped a block (``strict`` parse options), in input order.
    """
    names = [inputs] if isinstance(inputs, str | Path) else list(inputs)
    blocks = plan_blocks(client, expand_inputs(names), parse_options, blocksize)
    parsed = client.map(parse_block, blocks, options=parse_options, pure=False)
    infos = client.map(block_info, parsed, pure=False)
    features = client.map(comment_features, parsed, settings=settings, pure=False)
    rows = client.map(make_rows, parsed, pure=False, **row_options)
    del parsed  # kept on the cluster while its tasks need it (and recomputed if lost)
    gathered: list[BlockInfo] = client.gather(infos)
    for info in gathered:
        if info.error is not None:
            raise info.error.exception()
    bases = np.concatenate(([0], np.cumsum([info.comments for info in gathered])))
    return StartedRun(blocks, gathered, rows, RunRows(features, bases.astype(np.int64)))


def report_rejections(run: StartedRun, log: RejectionLog) -> None:
    """Every rejection of the run, in input order, through the run's log."""
    for info in run.infos:
        for rejection in info.rejections:
            log.add(rejection)


def run_facts(inputs: Inputs, command: str, output_format: str) -> dict[str, Any]:
    """What a manifest says of any run: the engine, the command, the inputs, the format."""
    names = input_names(fixed_inputs(inputs))
    return {"engine": "dask", "command": command, "inputs": names, "format": output_format}


def open_index(
    path: str | Path | None, settings: DedupSettings, inputs: Inputs, *, readonly: bool = False
) -> ParquetIndex | None:
    """The run's Parquet index of earlier runs, when it has one."""
    if not path:
        return None
    label = " ".join(input_names(fixed_inputs(inputs)))
    return ParquetIndex(str(path), settings.finder().settings, readonly=readonly, label=label)


def record_run(
    client: Client, run: StartedRun, clusters: Clusters, index: ParquetIndex | None
) -> None:
    """Add the run's texts and sketches to the index from the workers (its band keys were
    written while they were matched), then commit the run."""
    if index is None or index.writing is None:
        return
    rows = run.matching
    written = [
        client.submit(
            write_block_entries,
            index.writing,
            b,
            rows.features[b],
            clusters.marks[b],
            clusters.excluded[b],
            int(rows.bases[b]),
            pure=False,
        )
        for b in range(len(run.blocks))
    ]
    client.gather(written)
    index.commit(run.comments)
