"""Perspective API's ``comments:analyze``, answered by this judge, for clients moving off it.

Perspective API (Google Jigsaw) closes at the end of 2026. Its request and response shapes
are kept (``comment.text``, ``requestedAttributes``, ``languages``, ``doNotStore``,
``spanAnnotations``, ``clientToken`` in; ``attributeScores.ATTR.summaryScore`` and
``.spanScores``, ``languages``, ``clientToken`` out), for the two attributes this judge has a
score for:

- ``THREAT`` is the incitement score (calls for violence against a person or group);
- ``SPAM`` is the spam score.

Any other attribute (``TOXICITY``, ``INSULT`` ...) is refused with Perspective's error shape
(400 ``INVALID_ARGUMENT``), never answered with a score the model does not compute. Span
scores score each sentence on its own, with character offsets into ``comment.text``. The heads
judge the languages on the model card: a request whose ``languages`` names none of them, or
(without ``languages``) a comment detected in another language, is refused as Perspective
refuses an unsupported language (400 naming the attribute and the language); without
``languages`` the response gives the detected one. Nothing is stored, whatever
``doNotStore`` says: this route never writes to the fingerprint index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from moderation.judge.moderator import ScoringItem
from moderation.service.errors import ApiError
from moderation.verdict import Verdict

ATTRIBUTES = {"THREAT": "incitement", "SPAM": "spam"}
SCORE_TYPE = "PROBABILITY"
UNDETERMINED_AS = "en"  # a comment too short to tell is reported as the judge's own language
# A sentence: from a non-space to the end punctuation that a space (or the end) follows.
_SENTENCE = re.compile(r"\S.*?(?:[.!?]+(?=\s|$)|$)", re.DOTALL)
_STRICT = ConfigDict(strict=True, extra="forbid")


class TextEntry(BaseModel):
    model_config = _STRICT

    text: str = Field(description="The text to score (plain text).")
    type: str | None = Field(None, description="Only PLAIN_TEXT is supported.")


class AttributeParameters(BaseModel):
    model_config = _STRICT

    scoreType: str | None = Field(None, description="Only PROBABILITY is supported.")
    scoreThreshold: float | None = Field(
        None, ge=0.0, le=1.0, description="Scores below it are left out of the response."
    )


class AnalyzeCommentRequest(BaseModel):
    """Perspective API's ``AnalyzeCommentRequest`` (fields this server reads or accepts)."""

    model_config = _STRICT

    comment: TextEntry
    requestedAttributes: dict[str, AttributeParameters]
    languages: list[str] | None = None
    doNotStore: bool | None = None
    spanAnnotations: bool | None = None
    clientToken: str | None = None
    sessionId: str | None = None
    communityId: str | None = None
    context: dict[str, Any] | None = Field(None, description="Accepted and ignored.")


class Score(BaseModel):
    value: float
    type: str


class SpanScore(BaseModel):
    begin: int
    end: int
    score: Score


class AttributeScore(BaseModel):
    summaryScore: Score | None = None
    spanScores: list[SpanScore] | None = None


class AnalyzeCommentResponse(BaseModel):
    """Perspective API's ``AnalyzeCommentResponse``."""

    attributeScores: dict[str, AttributeScore]
    languages: list[str]
    clientToken: str | None = None


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``[begin, end)`` character offsets of the sentences of ``text`` (trailing spaces out).

    >>> sentence_spans("What kind of idiot name is foo? Sorry, I like your name.")
    [(0, 31), (32, 56)]
    """
    spans = []
    for match in _SENTENCE.finditer(text):
        end = match.start() + len(match.group().rstrip())
        spans.append((match.start(), end))
    return spans


def _bad(message: str) -> ApiError:
    return ApiError(400, message, "invalid_request")


def _unsupported_language(request: AnalyzeCommentRequest, languages: Sequence[str]) -> ApiError:
    first = next(iter(request.requestedAttributes))
    return _bad(f"Attribute {first} does not support request languages: {', '.join(languages)}")


def check(request: AnalyzeCommentRequest, judged: Sequence[str] | None) -> None:
    """Refuse what this server cannot answer as asked.

    ``judged`` is the model's languages (``None``: every language).

    Raises
    ------
    ApiError
        400 for an attribute other than THREAT and SPAM, no attribute, another score type,
        ``languages`` naming none the model judges, HTML text or empty text.
    """
    supported = ", ".join(sorted(ATTRIBUTES))
    unknown = [name for name in request.requestedAttributes if name not in ATTRIBUTES]
    if unknown:
        raise _bad(
            f"requested attribute(s) {', '.join(unknown)} not supported by this server; "
            f"it supports {supported}"
        )
    if not request.requestedAttributes:
        raise _bad(f"requestedAttributes is empty; this server supports {supported}")
    for name, parameters in request.requestedAttributes.items():
        if parameters.scoreType not in (None, SCORE_TYPE):
            raise _bad(f"attribute {name}: scoreType {parameters.scoreType!r}; use {SCORE_TYPE}")
    if request.comment.type not in (None, "PLAIN_TEXT"):
        raise _bad(f"comment.type {request.comment.type!r}: only PLAIN_TEXT is supported")
    if not request.comment.text.strip():
        raise _bad("comment.text is empty")
    named = request.languages or []
    if named and judged is not None and not any(c.lower().split("-")[0] in judged for c in named):
        raise _unsupported_language(request, request.languages)


def response_languages(request: AnalyzeCommentRequest, verdict: Verdict) -> list[str]:
    """The request's ``languages``, else the detected one; refuse a comment the heads did not
    judge for its language (only possible when the request named no language).

    Raises
    ------
    ApiError
        400 when the comment's detected language is not one the model judges.
    """
    if request.languages:
        return list(request.languages)
    if verdict.spam is None:
        raise _unsupported_language(request, [verdict.language or "und"])
    language = verdict.language
    return [UNDETERMINED_AS if language in (None, "und") else language]


def scoring_items(request: AnalyzeCommentRequest) -> tuple[list[ScoringItem], list[tuple]]:
    """The comment, then each of its sentences when span scores are asked for."""
    text = request.comment.text
    spans = sentence_spans(text) if request.spanAnnotations else []
    texts = [text] + [text[begin:end] for begin, end in spans]
    items = [ScoringItem(str(k), t, None, None, None) for k, t in enumerate(texts)]
    return items, spans


def response(
    request: AnalyzeCommentRequest,
    languages: list[str],
    verdicts: list[Verdict],
    spans: list[tuple[int, int]],
) -> dict[str, Any]:
    """The ``AnalyzeCommentResponse`` for the verdicts of :func:`scoring_items`'s items."""
    scores: dict[str, Any] = {}
    for name, parameters in request.requestedAttributes.items():
        flag = ATTRIBUTES[name]
        floor = parameters.scoreThreshold if parameters.scoreThreshold is not None else 0.0
        entry: dict[str, Any] = {}
        summary = getattr(verdicts[0], flag)
        if summary >= floor:
            entry["summaryScore"] = {"value": summary, "type": SCORE_TYPE}
        if request.spanAnnotations:
            entry["spanScores"] = [
                {"begin": begin, "end": end, "score": {"value": value, "type": SCORE_TYPE}}
                for (begin, end), verdict in zip(spans, verdicts[1:], strict=True)
                if (value := getattr(verdict, flag)) is not None and value >= floor
            ]
        if entry:
            scores[name] = entry
    body: dict[str, Any] = {"attributeScores": scores, "languages": languages}
    if request.clientToken is not None:
        body["clientToken"] = request.clientToken
    return body
