"""Read ``moderation score`` outputs (JSONL or CSV) back into rows, one per scored comment.

CSV cells are turned back into the values the JSONL has: ``flags`` from ``a;b``, the JSON
cells (``stance_scores``, ``reasons``), booleans, and the quote that neutralised a formula.
A row that cannot be read is reported as a :class:`~moderation.records.Rejection`, never
dropped silently. A row the model did not judge (a language its heads do not know: no scores,
the reason ``unsupported_language``) is read with ``None`` scores; a row without a ``language``
field (dumps written before the judge detected languages) is read with ``language`` None.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moderation.labels import DEFAULT_TARGET, UNSUPPORTED_LANGUAGE
from moderation.records import Rejection

# What `moderation score` prefixes with a quote in CSV (moderation.pipeline.writers).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_JSON_CELLS = ("stance_scores", "reasons")


@dataclass(frozen=True, slots=True)
class ScoredRow:
    """One comment of a scored dump, with the fields the review needs (others are dropped).

    ``spam`` and ``incitement`` are ``None`` (and ``stance`` empty) for a comment the model
    did not judge; ``language`` is ``None`` when the dump does not say.
    """

    line: int
    id: str
    text: str
    target: str
    stance: str
    stance_scores: dict[str, float]
    spam: float | None
    incitement: float | None
    flags: tuple[str, ...]
    action: str
    reasons: dict[str, list[list[Any]]]
    article_id: str | None
    parent_id: str | None
    duplicate_of: str | None
    cluster_id: str | None
    author: str | None
    created_at: str | None
    language: str | None = None

    @property
    def judged(self) -> bool:
        """Whether the model scored this comment."""
        return self.spam is not None


def _cell(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(_FORMULA_PREFIXES):
        return value[1:]
    return value


def _from_csv(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {k: _cell(v) if v != "" else None for k, v in row.items() if k}
    for name in _JSON_CELLS:
        if out.get(name):
            out[name] = json.loads(out[name])
    out["flags"] = [f for f in (out.get("flags") or "").split(";") if f]
    return out


def _optional(row: dict[str, Any], name: str) -> str | None:
    value = row.get(name)
    return None if value is None or value == "" else str(value)


def _probability(row: dict[str, Any], name: str) -> float:
    try:
        value = float(row.get(name))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name!r} must be a score in [0, 1]; got {row.get(name)!r}")
    return value


def _scores(row: dict[str, Any], reasons: dict[str, Any]) -> tuple[float | None, float | None]:
    """The flag scores: both ``None`` for a comment the model did not judge, which its
    reasons must say (``unsupported_language``), else both scores in [0, 1]."""
    if row.get("spam") is None and row.get("incitement") is None:
        if UNSUPPORTED_LANGUAGE in reasons:
            return None, None
        raise ValueError(
            "'spam' and 'incitement' are null but the row's reasons do not say why "
            f"(a comment the model did not judge has the reason {UNSUPPORTED_LANGUAGE!r})"
        )
    return _probability(row, "spam"), _probability(row, "incitement")


def scored_row(row: dict[str, Any], line: int) -> ScoredRow:
    """Check one decoded row and keep what the review uses.

    Raises
    ------
    ValueError, TypeError
        A field is missing or of the wrong type (the caller reports the row).
    """
    text, ident = row.get("text"), row.get("id")
    if not isinstance(text, str) or ident is None or ident == "":
        raise ValueError("a scored row needs 'id' and 'text' (is it a `moderation score` output?)")
    action = row.get("action") or "approve"
    if action not in ("approve", "review", "remove"):
        raise ValueError(f"'action' must be approve, review or remove; got {action!r}")
    scores = row.get("stance_scores") or {}
    if not isinstance(scores, dict):
        raise TypeError(f"'stance_scores' must be an object; got {scores!r}")
    reasons = row.get("reasons") or {}
    if not isinstance(reasons, dict):
        raise TypeError(f"'reasons' must be an object; got {reasons!r}")
    spam, incitement = _scores(row, reasons)
    return ScoredRow(
        line=line,
        id=str(ident),
        text=text,
        target=str(row.get("target") or DEFAULT_TARGET),
        stance=str(row.get("stance") or ""),
        stance_scores={str(k): float(v) for k, v in scores.items()},
        spam=spam,
        incitement=incitement,
        flags=tuple(str(f) for f in row.get("flags") or ()),
        action=action,
        reasons=reasons,
        article_id=_optional(row, "article_id"),
        parent_id=_optional(row, "parent_id"),
        duplicate_of=_optional(row, "duplicate_of"),
        cluster_id=_optional(row, "cluster_id"),
        author=_optional(row, "author"),
        created_at=_optional(row, "created_at"),
        language=_optional(row, "language"),
    )


def _decoded(path: Path) -> Iterator[tuple[int, dict[str, Any] | Exception]]:
    """(line, decoded row or the error that stopped decoding it), for JSONL or CSV."""
    with path.open(encoding="utf-8", newline="") as stream:
        first = stream.read(1)
        stream.seek(0)
        if first in ("{", ""):
            for number, line in enumerate(stream, start=1):
                if line.strip():
                    try:
                        yield number, json.loads(line)
                    except json.JSONDecodeError as error:
                        yield number, error
            return
        reader = csv.DictReader(stream)
        for row in reader:
            try:
                yield reader.line_num, _from_csv(row)
            except (json.JSONDecodeError, AttributeError) as error:
                yield reader.line_num, error


def read_scored(path: str | Path) -> Iterator[ScoredRow | Rejection]:
    """Yield each row of a scored dump, or a :class:`Rejection` naming its line and why."""
    path = Path(path)
    for number, decoded in _decoded(path):
        if isinstance(decoded, Exception):
            yield Rejection(source=str(path), reason=f"unreadable row ({decoded})", line=number)
            continue
        try:
            if not isinstance(decoded, dict):
                raise TypeError("each row must be a JSON object")
            yield scored_row(decoded, number)
        except (TypeError, ValueError) as error:
            ident = _optional(decoded, "id") if isinstance(decoded, dict) else None
            yield Rejection(source=str(path), reason=str(error), line=number, id=ident)
