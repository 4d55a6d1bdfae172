"""The run's blocks, in input order: a first look at every input and the scans of the ranges of
large dumps run on the workers; the driver only lines the answers up (see
:mod:`~moderation.pipeline.dask_engine.blocks`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from moderation.parse import ParseOptions
from moderation.pipeline.dask_engine.blocks import (
    Block,
    FilePlan,
    Source,
    Span,
    look,
    scan_lines,
    scan_records,
)

if TYPE_CHECKING:
    from distributed import Client, Future


def plan_blocks(
    client: Client, sources: Sequence[Source], options: ParseOptions, blocksize: int
) -> list[Block]:
    """Every block of the inputs, numbered in input order."""
    plans = client.gather(
        client.map(look, list(sources), options=options, blocksize=blocksize, pure=False)
    )
    scans: list[list[Future] | None] = []
    for plan in plans:
        if plan.kind is None:
            scans.append(None)
            continue
        offsets = [*range(0, plan.size, blocksize), plan.size]
        if plan.kind == "jsonl":
            scans.append(
                [
                    client.submit(scan_lines, plan.source, low, high, plan.size, pure=False)
                    for low, high in zip(offsets, offsets[1:], strict=False)
                ]
            )
        else:
            scans.append(
                [
                    client.submit(scan_records, plan, low, high, pure=False)
                    for low, high in zip(offsets, offsets[1:], strict=False)
                ]
            )
    blocks: list[Block] = []
    for plan, futures in zip(plans, scans, strict=True):
        if futures is None:
            blocks.append(Block(len(blocks), plan.source))
            continue
        spans = client.gather(futures)
        if plan.kind == "csv":
            spans = _record_aligned(client, plan, spans, blocksize)
        blocks.extend(_ranges(plan, spans, first_number=len(blocks)))
    return blocks


def _record_aligned(
    client: Client, plan: FilePlan, spans: list[Span], blocksize: int
) -> list[Span]:
    """CSV spans that each start where the one before ends: a span whose start moved (the
    one before ran on to the end of a record) is scanned again from there; a broken one takes
    the rest of the file."""
    aligned: list[Span] = []
    expected = 0
    for number, span in enumerate(spans):
        stop = min((number + 1) * blocksize, plan.size)
        if expected >= plan.size:
            break
        if expected >= stop and number + 1 < len(spans):
            continue  # the span before ran past this whole range
        if span.start != expected:
            span = client.submit(scan_records, plan, expected, stop, pure=False).result()
        aligned.append(span)
        if span.broken:
            break
        expected = span.end
    return aligned


def _ranges(plan: FilePlan, spans: list[Span], first_number: int) -> list[Block]:
    """Blocks of one cut file, each knowing its first line; empty spans are left out."""
    blocks = []
    first_line = 1
    for span in spans:
        if span.end > span.start:
            later = bool(blocks)
            prefix = (plan.header if plan.kind == "csv" else b"\n") if later else b""
            blocks.append(
                Block(
                    first_number + len(blocks),
                    plan.source,
                    plan.kind,
                    span.start,
                    span.end,
                    first_line,
                    prefix,
                )
            )
        first_line += span.newlines
    return blocks
