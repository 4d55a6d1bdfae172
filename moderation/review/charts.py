"""The dashboard's charts, drawn on the server with matplotlib (Agg) as PNG bytes.

Figures are made with :class:`matplotlib.figure.Figure`, not pyplot, so requests drawing at the
same time share no state. Labels that come from the data (article ids) are shortened and have
``$`` escaped, so matplotlib never reads them as mathtext.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from moderation.review.dashboard import Agreement, Campaign, Counts

ACTION_COLOURS = {"remove": "#c0392b", "review": "#e67e22", "approve": "#7f8c8d"}
STANCE_COLOURS = {"pro_ukraine": "#2c7fb8", "pro_russia": "#d95f0e", "neutral": "#999999"}
_OTHER = "#6a51a3"


def _label(text: str, width: int = 28) -> str:
    text = text if len(text) <= width else text[: width - 1] + "…"
    return text.replace("$", r"\$")


def _png(figure: object) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")  # type: ignore[attr-defined]
    return buffer.getvalue()


def _figure(width: float, height: float) -> object:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def actions_chart(groups: Sequence[Counts], title: str) -> bytes:
    """Stacked horizontal bars: each group's comments by action."""
    figure = _figure(7, 0.9 + 0.32 * max(len(groups), 1))
    axes = figure.add_subplot()  # type: ignore[attr-defined]
    names = [_label(Path(group.name).name or group.name) for group in groups][::-1]
    left = [0] * len(groups)
    for action, colour in ACTION_COLOURS.items():
        values = [group.actions.get(action, 0) for group in groups][::-1]
        axes.barh(names, values, left=left, color=colour, label=action)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_xlabel("comments")
    axes.set_title(title)
    figure.legend(loc="outside right upper", fontsize="small")  # type: ignore[attr-defined]
    return _png(figure)


def stance_time_chart(series: Mapping[str, Counter]) -> bytes:
    """Comments per day and stance, one line per stance."""
    figure = _figure(7, 3)
    axes = figure.add_subplot()  # type: ignore[attr-defined]
    days = sorted(series)
    stances = sorted({stance for counts in series.values() for stance in counts})
    for stance in stances:
        axes.plot(
            range(len(days)),
            [series[day].get(stance, 0) for day in days],
            marker="o",
            color=STANCE_COLOURS.get(stance, _OTHER),
            label=_label(stance),
        )
    step = max(1, len(days) // 8)
    axes.set_xticks(range(0, len(days), step), [_label(d, 10) for d in days[::step]])
    axes.set_ylabel("comments")
    axes.set_title("Stances over time")
    figure.legend(loc="outside right upper", fontsize="small")  # type: ignore[attr-defined]
    return _png(figure)


def agreement_chart(rows: Sequence[Agreement]) -> bytes:
    """Per label, decisions agreeing and disagreeing with the model."""
    figure = _figure(7, 2.4)
    axes = figure.add_subplot()  # type: ignore[attr-defined]
    names = [row.label for row in rows][::-1]
    agree = [row.agree for row in rows][::-1]
    disagree = [row.decided - row.agree for row in rows][::-1]
    axes.barh(names, agree, color="#31a354", label="agree with the model")
    axes.barh(names, disagree, left=agree, color="#de2d26", label="disagree")
    axes.set_xlabel("decisions")
    axes.set_title("Moderators' decisions against the model")
    figure.legend(loc="outside right upper", fontsize="small")  # type: ignore[attr-defined]
    return _png(figure)


def campaigns_chart(rows: Sequence[Campaign]) -> bytes:
    """Copies per campaign (largest duplicate clusters)."""
    figure = _figure(7, 0.9 + 0.3 * max(len(rows), 1))
    axes = figure.add_subplot()  # type: ignore[attr-defined]
    names = [_label(row.text, 40) for row in rows][::-1]
    axes.barh(range(len(rows)), [row.copies for row in rows][::-1], color="#756bb1")
    axes.set_yticks(range(len(rows)), names, fontsize="small")
    axes.set_xlabel("copies")
    axes.set_title("Largest campaigns")
    return _png(figure)
