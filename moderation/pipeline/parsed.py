"""The parse run as a library call: inputs in, one record row (or one rejection) each out."""

from __future__ import annotations

import contextlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from moderation.errors import OptionsError
from moderation.parse import ParseOptions, parse
from moderation.pipeline.options import OUTPUT_FORMATS, Inputs
from moderation.pipeline.progress import progress_for
from moderation.pipeline.rejections import Notify, RejectionLog
from moderation.pipeline.summary import render_parse
from moderation.pipeline.writers import RowWriter, open_output
from moderation.records import Rejection

# Records parsed between two updates of the progress bar.
PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class ParseResult:
    """What a finished parse run wrote: records by kind (``comment``, ``article``,
    ``unloaded``, ``rejection``), and how many were rejected."""

    counts: Counter[str]
    rejected: int
    articles: bool = False

    def render(self) -> str:
        """The one-line summary the CLI prints."""
        return render_parse(self.counts, self.rejected, articles=self.articles)


def write_parsed(
    inputs: Inputs,
    options: ParseOptions | None = None,
    output: str | Path | TextIO = "-",
    *,
    output_format: str = "jsonl",
    rejects: str | Path | None = None,
    notify: Notify | None = None,
    progress: bool = False,
) -> ParseResult:
    """Write one row per parsed record (``moderation parse``); rejections are reported.

    CSV rows have no ``record`` column and no unloaded-reply stubs, and cannot hold articles.
    ``rejects``, ``notify`` and ``progress`` are as for :func:`~moderation.pipeline.score.score`.

    Raises
    ------
    OptionsError
        An unknown output format, or articles asked for in CSV.
    ParseError
        With ``strict`` options, at the first problem.
    """
    options = options if options is not None else ParseOptions()
    if output_format not in OUTPUT_FORMATS:
        raise OptionsError(f"output_format={output_format!r}: use one of {OUTPUT_FORMATS}")
    if options.articles and output_format == "csv":
        raise OptionsError("articles=True writes article records too: use output_format='jsonl'")
    counts: Counter[str] = Counter()
    csv = output_format == "csv"
    bar = progress_for(inputs, "parsed", progress, unit="records")
    with (
        RejectionLog(rejects, notify=notify) as log,
        open_output(output) as stream,
        contextlib.closing(bar),
    ):
        writer = RowWriter(stream, output_format)
        for number, record in enumerate(parse(inputs, options), start=1):
            if number % PROGRESS_EVERY == 0:
                bar.advance(PROGRESS_EVERY)
            counts[record.record] += 1
            if isinstance(record, Rejection):
                log.add(record)
            elif record.record == "unloaded" and csv:
                continue
            else:
                row = record.to_dict()
                if csv:
                    row.pop("record")
                writer.write(row)
    return ParseResult(counts, log.count, options.articles)
