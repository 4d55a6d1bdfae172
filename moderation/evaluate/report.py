"""One self-contained HTML page for an :class:`~moderation.evaluate.metrics.Evaluation`.

Plots are drawn with matplotlib's Agg canvas (no pyplot, no display, no global state) and
embedded as base64 PNG ``data:`` images; the styles are inline and a Content-Security-Policy
forbids scripts and any outside resource, so the file opens offline and a comment text can
never run as code. Every comment, reason and name is passed through :func:`html.escape`.
matplotlib is imported only when a report is drawn.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from moderation.evaluate.metrics import (
    FLAGS,
    Evaluation,
    HeadScores,
    precision_recall_points,
    reliability_curve,
)

MAX_TEXT_CHARS = 600
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 75em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: right; vertical-align: top; }
th { background: #f3f3f3; } td.text { text-align: left; max-width: 40em; white-space: pre-wrap; }
td.left, th.left { text-align: left; }
.plots { display: flex; flex-wrap: wrap; gap: 0.5em; } .plots img { border: 1px solid #eee; }
.note { color: #555; }
"""
# No script, no outside resource: only inline styles and data: images may load.
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


# -- plots ----------------------------------------------------------------------------------


def _figure(width: float = 4.2, height: float = 3.4) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Any, alt: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="{_escape(alt)}">'


def _confusion_plot(matrix: Sequence[Sequence[int]], classes: Sequence[str], title: str) -> str:
    counts = np.asarray(matrix)
    figure = _figure(3.6 + 0.3 * len(classes), 3.2 + 0.3 * len(classes))
    axes = figure.add_subplot()
    axes.imshow(counts, cmap="Blues")
    for (row, column), count in np.ndenumerate(counts):
        dark = count > counts.max() / 2
        axes.text(column, row, str(count), ha="center", va="center", color="white" if dark else "k")
    axes.set_xticks(range(len(classes)), classes, rotation=30, ha="right")
    axes.set_yticks(range(len(classes)), classes)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(title, fontsize=10)
    return _png(figure, f"{title}: confusion matrix")


def _pr_plot(
    curves: Sequence[tuple[str, np.ndarray, np.ndarray]],
    marks: Sequence[tuple[str, float, float, str]],
    title: str,
) -> str:
    figure = _figure()
    axes = figure.add_subplot()
    colours = {}
    for label, recall, precision in curves:
        (line,) = axes.step(
            np.r_[0.0, recall], np.r_[precision[:1], precision], where="pre", label=label
        )
        colours[label] = line.get_color()
    for label, recall, precision, name in marks:
        axes.plot([recall], [precision], "o", color=colours.get(name, "crimson"), markersize=7)
        axes.annotate(label, (recall, precision), textcoords="offset points", xytext=(6, -12))
    axes.set_xlim(0, 1.02)
    axes.set_ylim(0, 1.05)
    axes.set_xlabel("recall")
    axes.set_ylabel("precision")
    axes.set_title(title, fontsize=10)
    if len(curves) > 1:
        axes.legend(fontsize=8, loc="lower left")
    return _png(figure, f"{title}: precision-recall curve")


def _reliability_plot(curves: Sequence[tuple[str, dict[str, np.ndarray]]], title: str) -> str:
    figure = _figure()
    axes = figure.add_subplot()
    axes.plot([0, 1], [0, 1], ":", color="grey", label="perfectly calibrated")
    for label, curve in curves:
        axes.plot(curve["mean_score"], curve["positive_rate"], "o-", label=label)
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_xlabel("mean score in bin")
    axes.set_ylabel("share of positives in bin")
    axes.set_title(title, fontsize=10)
    axes.legend(fontsize=8, loc="upper left")
    return _png(figure, f"{title}: reliability curve")


def _histogram_plot(
    groups: Sequence[tuple[str, np.ndarray]], title: str, threshold: float | None
) -> str:
    figure = _figure()
    axes = figure.add_subplot()
    bins = np.linspace(0, 1, 21)
    for label, values in groups:
        axes.hist(values, bins=bins, alpha=0.55, label=f"{label} ({values.size})")
    if threshold is not None:
        axes.axvline(threshold, color="crimson", linestyle="--", label=f"threshold {threshold:.3f}")
    axes.set_xlabel("score")
    axes.set_ylabel("comments")
    axes.set_title(title, fontsize=10)
    axes.legend(fontsize=8)
    return _png(figure, f"{title}: score histogram")


def _flag_plots(scores: HeadScores, metrics: Mapping[str, Any]) -> list[str]:
    name = scores.name
    plots = [_confusion_plot(metrics["confusion"], ["0", "1"], name)]
    if 0 < metrics["positives"] < metrics["rows"]:
        points = precision_recall_points(scores.labels, scores.probabilities)
        mark = (
            f"threshold {scores.threshold:.3f}",
            metrics["recall"],
            metrics["precision"],
            "",
        )
        plots.append(_pr_plot([(name, points["recall"], points["precision"])], [mark], name))
    curve = reliability_curve(scores.labels, scores.probabilities)
    plots.append(_reliability_plot([(name, curve)], name))
    groups = [
        (f"{name}=0", scores.probabilities[scores.labels == 0]),
        (f"{name}=1", scores.probabilities[scores.labels == 1]),
    ]
    plots.append(_histogram_plot(groups, name, scores.threshold))
    return plots


def _stance_plots(scores: HeadScores, metrics: Mapping[str, Any]) -> list[str]:
    name = scores.name
    plots = [_confusion_plot(metrics["confusion"], scores.classes, name)]
    curves, marks, reliability = [], [], []
    for i, label in enumerate(scores.classes):
        truth = (scores.labels == label).astype(int)
        reliability.append((label, reliability_curve(truth, scores.probabilities[:, i])))
        if 0 < truth.sum() < truth.size:
            points = precision_recall_points(truth, scores.probabilities[:, i])
            curves.append((label, points["recall"], points["precision"]))
            per_class = metrics["per_class"][label]
            marks.append(("", per_class["recall"], per_class["precision"], label))
    if curves:
        # The dots: each class's precision and recall when the most probable class is chosen.
        plots.append(_pr_plot(curves, marks, f"{name} (one-vs-rest, dot: argmax)"))
    plots.append(_reliability_plot(reliability, f"{name} (one-vs-rest)"))
    for i, label in enumerate(scores.classes):
        groups = [
            (f"true {label}", scores.probabilities[scores.labels == label, i]),
            ("other", scores.probabilities[scores.labels != label, i]),
        ]
        plots.append(_histogram_plot(groups, f"{name}: P({label})", None))
    return plots


# -- tables ---------------------------------------------------------------------------------


def _row(cells: Sequence[Any], header: bool = False, left: int = 1) -> str:
    tag = "th" if header else "td"
    out = []
    for i, cell in enumerate(cells):
        css = ' class="left"' if i < left else ""
        out.append(f"<{tag}{css}>{_escape(cell)}</{tag}>")
    return "<tr>" + "".join(out) + "</tr>"


def _flag_table(metrics: Mapping[str, Any]) -> str:
    (tn, fp), (fn, tp) = metrics["confusion"]
    keys = ("precision", "recall", "f1", "macro_f1", "roc_auc", "pr_auc", "brier", "mcc")
    names = ("precision", "recall", "F1", "macro-F1", "ROC-AUC", "PR-AUC", "Brier", "MCC")
    header = ("rows", "positives", "threshold", *names, "TN", "FP", "FN", "TP")
    values = (
        metrics["rows"],
        metrics["positives"],
        _number(metrics["threshold"]),
        *(_number(metrics[k]) for k in keys),
        tn,
        fp,
        fn,
        tp,
    )
    return "<table>" + _row(header, header=True, left=0) + _row(values, left=0) + "</table>"


def _stance_table(metrics: Mapping[str, Any]) -> str:
    summary = (
        f"macro-F1 {_number(metrics['macro_f1'])}, accuracy {_number(metrics['accuracy'])}, "
        f"multi-class Brier {_number(metrics['brier'])}, ROC-AUC (one-vs-rest, mean) "
        f"{_number(metrics['roc_auc'])}, {metrics['rows']} rows"
    )
    rows = [
        _row(
            ("class", "precision", "recall", "F1", "ROC-AUC", "support", *metrics["classes"]),
            header=True,
        )
    ]
    for i, label in enumerate(metrics["classes"]):
        c = metrics["per_class"][label]
        rows.append(
            _row(
                (
                    label,
                    _number(c["precision"]),
                    _number(c["recall"]),
                    _number(c["f1"]),
                    _number(c["roc_auc"]),
                    c["support"],
                    *metrics["confusion"][i],
                )
            )
        )
    note = "confusion columns: predicted class; rows: true class"
    return (
        f"<p>{_escape(summary)}</p><table>{''.join(rows)}</table>"
        f'<p class="note">{_escape(note)}</p>'
    )


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS] + " [...]"


def _mistakes_table(name: str, mistakes: Sequence[Mapping[str, Any]]) -> str:
    if not mistakes:
        return '<p class="note">No mistakes.</p>'
    header = _row(("comment", "true", "predicted", "score", "reasons (n-gram: weight)"), True)
    rows = [header]
    for mistake in mistakes:
        score = mistake["score"]
        if isinstance(score, Mapping):
            shown = ", ".join(f"{label} {value:.3f}" for label, value in score.items())
        else:
            shown = f"{score:.3f}"
        reasons = ", ".join(f"{ngram}: {weight:+.2f}" for ngram, weight in mistake["reasons"])
        rows.append(
            "<tr>"
            f'<td class="text">{_escape(_shorten(mistake["text"]))}</td>'
            f"<td>{_escape(mistake['label'])}</td><td>{_escape(mistake['predicted'])}</td>"
            f'<td class="left">{_escape(shown)}</td><td class="left">{_escape(reasons)}</td>'
            "</tr>"
        )
    explained = (
        "the n-grams that pushed the score up"
        if name in FLAGS
        else "the n-grams that pushed towards the predicted class"
    )
    return (
        f"<table>{''.join(rows)}</table>"
        f'<p class="note">Most confident mistakes first; reasons are {_escape(explained)}.</p>'
    )


# -- the page -------------------------------------------------------------------------------


def render_report(evaluation: Evaluation, *, details: Mapping[str, str] | None = None) -> str:
    """The evaluation as one self-contained HTML page (plots inline, text escaped).

    Parameters
    ----------
    evaluation : Evaluation
        Metrics, scores and mistakes from :func:`moderation.evaluate.metrics.evaluate`.
    details : dict of str to str, optional
        Shown at the top (model file, data files, ...).

    Returns
    -------
    str
        The page.
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        "<title>moderation evaluate</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>moderation evaluate</h1>",
        "<table>",
        _row(("labeled rows", evaluation.rows)),
    ]
    for key, value in (details or {}).items():
        parts.append(_row((key, value)))
    parts.append("</table>")
    for name, reason in evaluation.skipped.items():
        parts.append(f'<p class="note">Skipped {_escape(name)}: {_escape(reason)}</p>')
    for name, metrics in evaluation.metrics.items():
        scores = evaluation.scores[name]
        parts.append(f'<h2 id="{_escape(name)}">{_escape(name)}</h2>')
        if scores.is_flag:
            parts.append(_flag_table(metrics))
            plots = _flag_plots(scores, metrics)
        else:
            parts.append(_stance_table(metrics))
            plots = _stance_plots(scores, metrics)
        parts.append('<div class="plots">' + "".join(plots) + "</div>")
        parts.append("<h3>Most confident mistakes</h3>")
        parts.append(_mistakes_table(name, evaluation.mistakes.get(name, [])))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


__all__ = ["render_report"]
