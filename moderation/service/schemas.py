"""Request and response bodies of the service's own routes (``/v1/...``), as pydantic models.

Requests are strict (a number is not a string, unknown fields are refused) so that a typo is
an error rather than a silently ignored field; responses are documented here for the OpenAPI
schema and built from :meth:`moderation.verdict.Verdict.to_dict`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_STRICT = ConfigDict(strict=True, extra="forbid")


class CommentIn(BaseModel):
    """One comment to judge, with the fields `moderation score` reads from a JSONL row."""

    model_config = _STRICT

    id: str | int | None = Field(
        None, description="The comment's id (default: its 1-based position in the request)."
    )
    text: str = Field(description="The comment text; HTML is reduced to text as in a dump.")
    target: str | None = Field(
        None,
        description="Stance target this comment is judged against (default: the request's); "
        "one the model has no stance head for is refused.",
    )
    article_id: str | int | None = Field(None, description="The article the comment is under.")
    parent_id: str | int | None = Field(None, description="The comment it replies to.")


class ScoreRequest(BaseModel):
    """``POST /v1/score``: a batch of comments, judged like `moderation score` judges a dump."""

    model_config = _STRICT

    comments: list[CommentIn] = Field(description="The comments, at most the server's limit.")
    target: str | None = Field(
        None,
        description="Stance target of comments without their own (`score --target`; "
        "default: the model's).",
    )


class VerdictOut(BaseModel):
    """One row of `moderation score` output (see :class:`moderation.verdict.Verdict`)."""

    id: str | None
    text: str
    target: str
    stance: str | None
    stance_scores: dict[str, float]
    spam: float | None
    incitement: float | None
    flags: list[str]
    action: str
    reasons: dict[str, list[list[str | float]]]
    article_id: str | None
    parent_id: str | None
    duplicate_of: str | None
    cluster_id: str | None
    story_id: str | None
    truncated: bool
    language: str | None


class ScoreResponse(BaseModel):
    """One verdict per comment, in request order."""

    verdicts: list[VerdictOut]


class ExplainRequest(BaseModel):
    """``POST /v1/explain``: one comment, and how many n-grams to show per decision."""

    model_config = _STRICT

    text: str = Field(min_length=1, description="The comment text.")
    target: str | None = Field(None, description="Stance target (default: the model's).")
    top: int = Field(6, ge=1, le=50, description="N-grams shown per decision.")


class ErrorDetail(BaseModel):
    code: int
    message: str
    status: str


class ErrorResponse(BaseModel):
    """Every error, on every route (Google's shape, as Perspective API sends it)."""

    error: ErrorDetail


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the error codes a route may answer with."""
    return {code: {"model": ErrorResponse} for code in codes}
