"""Options of the commands that can run on a Dask cluster (``score``, ``dedup``)."""

from __future__ import annotations

import click

from moderation.cli.common import stack
from moderation.pipeline.options import DEFAULT_BLOCKSIZE, ENGINES

engine_option = click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="local",
    show_default=True,
    help="Where to run: this machine's processes (local), or a Dask cluster (dask: the one at "
    "--scheduler, or --jobs worker processes started for the run on 127.0.0.1).",
)
scheduler_option = click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --engine dask).",
)
blocksize_option = click.option(
    "--blocksize",
    default=DEFAULT_BLOCKSIZE,
    show_default=True,
    type=click.IntRange(min=1),
    metavar="BYTES",
    help="With --engine dask, JSONL and CSV dumps larger than this are read in blocks of "
    "about this many bytes, spread over the workers.",
)
parts_output_option = click.option(
    "-o",
    "--output",
    default="-",
    type=click.Path(allow_dash=True),
    help="Where to write the rows (default: standard output), atomically. With --engine dask "
    "a folder (ending in /) gets one part per block and a manifest.json.",
)
engine_options = stack(engine_option, scheduler_option, blocksize_option)
