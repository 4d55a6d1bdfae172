"""`moderation evaluate`: measure a model on labeled comments, per head."""

from __future__ import annotations

import json

import click

from moderation.cli.common import (
    command,
    model_option,
    quiet_option,
    show_steps,
    threshold_option,
)
from moderation.pipeline.writers import open_output


@command("evaluate")
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@model_option
@click.option(
    "--report",
    default=None,
    type=click.Path(dir_okay=False, writable=True),
    help="Also write one self-contained HTML page with plots and the most confident mistakes.",
)
@click.option(
    "--json",
    "json_path",
    default=None,
    type=click.Path(dir_okay=False, writable=True),
    help="Also write the numbers (and the explained mistakes) as JSON.",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    help="Stance target to measure (repeatable; default: every target in the data).",
)
@threshold_option
@click.option(
    "--mistakes",
    default=10,
    show_default=True,
    type=click.IntRange(min=0),
    help="How many of the most confident mistakes per head to explain.",
)
@quiet_option
def evaluate_command(
    data: tuple[str, ...],
    model_path: str | None,
    report: str | None,
    json_path: str | None,
    targets: tuple[str, ...],
    thresholds: dict[str, float],
    mistakes: int,
    quiet: bool,
) -> None:
    """Measure a model on labeled DATA: per head precision, recall, F1, AUCs, Brier, confusion.

    DATA are labeled files or folders: the project's JSONL/CSV format or a public corpus's own
    files (the formats `moderation train --data` reads). Flags are raised at the model's
    thresholds unless --threshold overrides them; heads without labels in DATA are skipped.
    """
    from moderation.evaluate.metrics import evaluate, format_table, json_ready
    from moderation.judge.moderator import Moderator
    from moderation.judge.persist import DEFAULT_MODEL
    from moderation.train.corpora import read_labeled

    moderator = Moderator.load(model_path, thresholds=thresholds)
    rows = read_labeled(data)
    from moderation.pipeline.progress import steps_progress

    bar = steps_progress("evaluating", show_steps(quiet))
    try:
        evaluation = evaluate(
            moderator, rows, targets=targets or None, mistakes=mistakes, progress=bar
        )
    finally:
        bar.close()
    model = str(model_path or DEFAULT_MODEL)
    flags = ", ".join(f"{flag} {value:.3f}" for flag, value in moderator.thresholds.items())
    details = {"model": model, "data": ", ".join(data), "thresholds": flags}
    click.echo(f"evaluated {model} on {evaluation.rows} labeled rows from {', '.join(data)}")
    click.echo(format_table(evaluation))
    if json_path:
        document = {**details, "thresholds": moderator.thresholds, **evaluation.to_dict()}
        with open_output(json_path) as stream:
            json.dump(json_ready(document), stream, indent=2, ensure_ascii=False)
            stream.write("\n")
    if report:
        from moderation.evaluate.report import render_report

        page = render_report(evaluation, details=details)
        with open_output(report) as stream:
            stream.write(page)
        click.echo(f"wrote {report}", err=True)
