"""What a worker makes of one parsed block, one task each: the little the driver needs to see,
the duplicate-matching features, and the rows to write (verdicts, or what a dedup row
carries besides its cluster)."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

from moderation.batching import batched
from moderation.pipeline.dask_engine.features import BlockFeatures, DedupSettings, block_features
from moderation.pipeline.dask_engine.model_cache import worker_moderator
from moderation.pipeline.dask_engine.reading import BlockError, ParsedBlock
from moderation.pipeline.dedup import SAMPLE_CHARS
from moderation.pipeline.options import ScoreOptions
from moderation.records import Article, Comment, Rejection, Unloaded
from moderation.verdict import Verdict


@dataclass
class BlockInfo:
    """What the driver gathers of a block: counts, rejections and articles, in order.

    Attributes
    ----------
    number : int
    comments : int
    rejections : list of Rejection
    articles : list of (int, Article)
        Each article with the number of the block's comments before it.
    unloaded : int
        Replies the platform left out (``Unloaded`` stubs' counts).
    article_ids : set of str
        Articles the block's comments belong to.
    error : BlockError or None
        What stopped the block with ``strict`` options.
    """

    number: int
    comments: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    articles: list[tuple[int, Article]] = field(default_factory=list)
    unloaded: int = 0
    article_ids: set[str] = field(default_factory=set)
    error: BlockError | None = None


def _comments(parsed: ParsedBlock) -> list[Comment]:
    return [record for record in parsed.records if isinstance(record, Comment)]


def block_info(parsed: ParsedBlock) -> BlockInfo:
    """The block's counts, rejections and articles."""
    info = BlockInfo(parsed.number, error=parsed.error)
    for record in parsed.records:
        if isinstance(record, Comment):
            info.comments += 1
            if record.article_id:
                info.article_ids.add(record.article_id)
        elif isinstance(record, Article):
            info.articles.append((info.comments, record))
        elif isinstance(record, Rejection):
            info.rejections.append(record)
        elif isinstance(record, Unloaded):
            info.unloaded += record.count
    return info


def comment_features(parsed: ParsedBlock, settings: DedupSettings) -> BlockFeatures:
    """Duplicate-matching features of the block's comments."""
    comments = _comments(parsed)
    return block_features([c.text for c in comments], [c.id for c in comments], settings)


def scored_rows(parsed: ParsedBlock, options: ScoreOptions, sha256: str) -> bytes:
    """The block's verdicts, ``batch_size`` comments at a time, by this worker's model; kept
    pickled until they are written (about 280 bytes a verdict instead of 3 kB of objects, and
    a size Dask's memory accounting sees)."""
    from moderation.judge.moderator import ScoringItem

    moderator = worker_moderator(options, sha256)
    verdicts: list[Verdict] = []
    for batch in batched(_comments(parsed), options.batch_size):
        items = [ScoringItem(c.id, c.text, None, c.article_id, c.parent_id) for c in batch]
        verdicts.extend(moderator.score_items(items, options.target))
    return pickle.dumps(verdicts, protocol=pickle.HIGHEST_PROTOCOL)


def dedup_rows(parsed: ParsedBlock) -> list[tuple[str | None, str | None, str]]:
    """What a dedup row carries besides its cluster: article, author, and the text's start."""
    return [(c.article_id, c.author, c.text[:SAMPLE_CHARS]) for c in _comments(parsed)]
