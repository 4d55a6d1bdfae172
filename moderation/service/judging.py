"""The service's use of the library: request comments in, `moderation score` rows out.

Comments go through the same reader as a JSONL dump given to `moderation score` (so HTML is
reduced to text, whitespace normalised and ids read alike), then the judge (through the
batcher), then the duplicate finder, then :meth:`~moderation.verdict.Verdict.to_dict`: a
request's rows equal the rows `moderation score` writes for the same comments.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import orjson

from moderation.judge.moderator import Moderator, ScoringItem
from moderation.language import ranker
from moderation.parse import ParseOptions, parse
from moderation.records import Comment, Rejection
from moderation.service.errors import ApiError
from moderation.service.schemas import CommentIn, ScoreRequest
from moderation.verdict import Verdict

_JSONL = ParseOptions(format="jsonl")
# Comments (written for this) scored once when a worker starts: English, German and Russian, so
# that the language detector is asked, and a flag is raised, so that reasons are ranked.
WARM_UP_TEXTS = (
    "Thanks for the article, I learned a lot about the new school calendar.",
    "Vielen Dank für den Artikel, ich habe viel über den neuen Schulkalender gelernt.",
    "Спасибо за статью, я много узнал о новом школьном календаре.",
    "Subscribe to my channel and win a free phone, click the link now!!!",
)


def check_target(moderator: Moderator, target: str | None) -> None:
    """Refuse (422) a stance target the model has no head for."""
    if target is not None and target not in moderator.targets:
        raise ApiError(
            422,
            f"target {target!r}: this model judges stance towards {moderator.targets}",
            "invalid_request",
        )


def json_bytes(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON, by orjson (about a fifth of :func:`json.dumps`'s CPU on
    a 100-row response); by :func:`json.dumps` for what orjson refuses (an integer past 64
    bits), so that anything the standard encoder wrote is still written."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _dump_line(comment: CommentIn, position: int) -> bytes:
    """The JSONL row `moderation score` would read for this comment."""
    row = {
        "id": comment.id if comment.id is not None else str(position),
        "text": comment.text,
        "article_id": comment.article_id,
        "parent_id": comment.parent_id,
        "target": comment.target,
    }
    return json_bytes(row)


def _unknown_target(moderator: Moderator, comment: Comment) -> ApiError:
    """422 for a comment whose own target has no stance head (`moderation score` rejects
    that row): never a verdict from another target's head."""
    return ApiError(
        422,
        f"comment {comment.line} (id {comment.id!r}): stance target {comment.target!r} has no "
        f"head in this model (its targets: {', '.join(moderator.targets)}); drop the "
        "comment's target to judge it against the request's",
        "invalid_request",
    )


def scoring_items(moderator: Moderator, request: ScoreRequest) -> list[ScoringItem]:
    """The request's comments as the judge's items, read as `moderation score` reads a dump.

    Each comment is judged against its own ``target``; the request's ``target`` (as
    `score --target`) fills comments without one, the model's default target the rest.

    Raises
    ------
    ApiError
        422 for a request target or a comment target the model has no stance head for, or a
        comment with no text left once its HTML and whitespace are removed (which
        `moderation score` rejects); the message names the comment's position.
    """
    check_target(moderator, request.target)
    dump = b"\n".join(_dump_line(c, p) for p, c in enumerate(request.comments, start=1))
    targets = moderator.targets
    items = []
    for record in parse(dump, _JSONL):
        if isinstance(record, Rejection):
            raise ApiError(
                422, f"comment {record.line} (id {record.id!r}): {record.reason}", "invalid_request"
            )
        if isinstance(record, Comment):
            if record.target is not None and record.target not in targets:
                raise _unknown_target(moderator, record)
            target = record.target or request.target
            items.append(
                ScoringItem(record.id, record.text, target, record.article_id, record.parent_id)
            )
    if len(items) != len(request.comments):  # every comment is one row or one rejection
        raise ApiError(422, "a comment could not be read as a dump row", "invalid_request")
    return items


def warm_up(moderator: Moderator) -> list[Verdict]:
    """Load what a request would load on first use, before the first request: the language
    detector's tables (about 75 MB, 1-3 s to load), the dump reader's modules and patterns,
    and every step of scoring once, so that the first request is not slow and the worker's
    memory is flat from its start. Returns the verdicts (for the duplicate marker's turn)."""
    ranker()
    comments = [{"id": f"warm-up-{n}", "text": t} for n, t in enumerate(WARM_UP_TEXTS, 1)]
    request = ScoreRequest.model_validate_json(json.dumps({"comments": comments}))
    verdicts = moderator.score_items(scoring_items(moderator, request), None)
    rows_json(verdicts)
    return verdicts


def rows_json(verdicts: Sequence[Verdict]) -> bytes:
    """The ``/v1/score`` response body: ``{"verdicts": [row, ...]}``."""
    return json_bytes({"verdicts": [verdict.to_dict() for verdict in verdicts]})


def explanation(moderator: Moderator, text: str, target: str | None, top: int) -> dict[str, Any]:
    """``Moderator.explain`` as JSON-ready values (n-grams as ``[ngram, weight]`` lists).

    A text longer than the judge reads (``max_chars``) is explained on the part it reads, and
    marked ``truncated``: the scores are of that part, and n-grams from the rest would explain
    nothing (and cost seconds of CPU per megabyte).
    """
    check_target(moderator, target)
    result = moderator.explain(text[: moderator.max_chars], target=target, top=top)
    for decision in result.values():
        if not isinstance(decision, dict):
            continue  # "language", "judged": plain values
        decision["ngrams"] = [[gram, weight] for gram, weight in decision["ngrams"]]
    result["truncated"] = len(text) > moderator.max_chars
    return result
