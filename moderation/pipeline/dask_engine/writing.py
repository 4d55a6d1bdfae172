"""Each block's rows written on its worker with the local engine's writer: a part file in the
output folder (written under a temporary name, then renamed, so that a task run again after a
worker died leaves one whole part), or the part's text handed back for the driver to gather.
Each part also counts what the run's summary needs (a :class:`ScoreSummary` or a
:class:`ClusterTally` of its rows)."""

from __future__ import annotations

import contextlib
import io
import pickle
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from moderation.pipeline.dask_engine.features import BlockFeatures
from moderation.pipeline.dask_engine.marks import BlockMarks
from moderation.pipeline.dedup import COLUMNS
from moderation.pipeline.summary import ScoreSummary
from moderation.pipeline.writers import RowWriter

if TYPE_CHECKING:
    from moderation.dedup import ClusterTally
    from moderation.verdict import Verdict


@dataclass(frozen=True)
class PartTarget:
    """Where parts go: a folder (a path or an fsspec URL every worker can write), or back to
    the driver (``folder`` None)."""

    folder: str | None
    output_format: str

    def name(self, number: int) -> str:
        return f"part-{number:05d}.{self.output_format}"


@dataclass
class PartResult:
    """A written part: its rows, its text when it goes back to the driver, and its counts."""

    number: int
    rows: int
    text: str | None = None
    summary: ScoreSummary | None = None
    tally: ClusterTally | None = None


@dataclass
class BlockStories:
    """The story ids a block's comments see: those known when the block starts (for its
    articles), then each article read inside it, from the comment it precedes on."""

    known: dict[str, str] = field(default_factory=dict)
    changes: list[tuple[int, str, str]] = field(default_factory=list)


@contextlib.contextmanager
def _part_stream(target: PartTarget, number: int) -> Iterator[tuple[TextIO, list[str]]]:
    """A stream for one part; the list it comes with receives the text when there is no
    folder."""
    text: list[str] = []
    if target.folder is None:
        buffer = io.StringIO(newline="")
        yield buffer, text
        text.append(buffer.getvalue())
        return
    from fsspec.core import url_to_fs

    fs, folder = url_to_fs(target.folder)
    final = f"{folder.rstrip('/')}/{target.name(number)}"
    temporary = f"{folder.rstrip('/')}/.{target.name(number)}.{uuid.uuid4().hex}"
    try:
        with fs.open(temporary, "w", encoding="utf-8", newline="") as stream:
            yield stream, text
        fs.mv(temporary, final)
    finally:
        if fs.exists(temporary):
            fs.rm(temporary)


def write_score_part(
    scored: bytes,
    features: BlockFeatures,
    marks: BlockMarks,
    stories: BlockStories,
    target: PartTarget,
    number: int,
) -> PartResult:
    """Mark each verdict (``scored``: the block's, pickled by its worker) as the streaming
    local run does (duplicates, story) and write it."""
    verdicts: list[Verdict] = pickle.loads(scored)  # made by this run's own workers
    summary = ScoreSummary()
    story_ids = dict(stories.known)
    changes = iter(stories.changes)
    pending = next(changes, None)
    with _part_stream(target, number) as (stream, text):
        writer = RowWriter(stream, target.output_format)
        for position, verdict in enumerate(verdicts):
            while pending is not None and pending[0] <= position:
                story_ids[pending[1]] = pending[2]
                pending = next(changes, None)
            verdict.duplicate_of, verdict.cluster_id = marks.streamed_match(features, position)
            if verdict.article_id is not None:
                verdict.story_id = story_ids.get(verdict.article_id)
            summary.add(verdict)
            writer.write(verdict.to_dict())
    return PartResult(number, len(verdicts), text[0] if text else None, summary=summary)


def write_dedup_part(
    rows: list[tuple[str | None, str | None, str]],
    features: BlockFeatures,
    marks: BlockMarks,
    story_ids: Mapping[str, str],
    target: PartTarget,
    number: int,
) -> PartResult:
    """Write each comment's final cluster as the local dedup does, and tally the clusters."""
    from moderation.dedup import ClusterTally

    tally = ClusterTally()
    with _part_stream(target, number) as (stream, text):
        writer = RowWriter(stream, target.output_format, columns=COLUMNS)
        for position, (article_id, author, sample) in enumerate(rows):
            match = marks.final_match(features, position)
            comment_id = features.ids[position]
            row: dict[str, Any] = {
                "id": comment_id,
                "article_id": article_id,
                "author": author,
                "duplicate_of": match.duplicate_of,
                "cluster_id": match.cluster_id,
                "cluster_size": match.cluster_size,
                "similarity": match.similarity,
                "match": match.match,
                "story_id": story_ids.get(article_id) if article_id else None,
            }
            writer.write(row)
            if match.cluster_id is not None and (
                (match.cluster_size or 0) > 1 or match.match == "earlier-run"
            ):
                tally.add(
                    match.cluster_id,
                    author=author,
                    article_id=article_id,
                    first_id=match.duplicate_of or comment_id,
                    short=bool(features.short[position]),
                    earlier_run=match.match == "earlier-run",
                    sample=sample,
                )
    return PartResult(number, len(rows), text[0] if text else None, tally=tally)
