"""`moderation train` (and `train.py`): fit the judge and write it with its card."""

from __future__ import annotations

from pathlib import Path

import click

from moderation.cli.common import (
    DEFAULT_DATA,
    DEFAULT_OUTPUT_MODEL,
    command,
    parse_flag_values,
    parse_languages,
    quiet_option,
    show_steps,
)
from moderation.train.moderated import DEFAULT_MODERATOR_WEIGHT

F1_BEST = "f1"


def parse_precisions(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, float | None]:
    """``FLAG=P`` as for ``--threshold``, or ``FLAG=f1``: no precision target, the F1-best
    threshold (``None`` in :class:`~moderation.train.trainer.TrainingOptions`). The last value
    given for a flag wins."""
    from moderation.labels import FLAGS

    parsed: dict[str, float | None] = {}
    for value in values:
        flag, _, number = value.partition("=")
        if flag in FLAGS and number.strip().lower() == F1_BEST:
            parsed[flag] = None
        else:
            parsed.update(parse_flag_values(ctx, param, (value,)))
            if parsed[flag] == 0.0:  # every threshold reaches precision 0: not a target
                raise click.BadParameter(f"{value!r}: a precision must be above 0, or 'f1'")
    return parsed


def parse_floors(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, float]:
    """``HEAD=VALUE``: the lowest cross-validated score head ``HEAD`` may have (F1 at the
    threshold for a flag, macro-F1 for ``stance:<target>``), VALUE in [0, 1]. The last value
    given for a head wins."""
    from moderation.labels import FLAGS, STANCE_PREFIX

    parsed: dict[str, float] = {}
    for value in values:
        head, sep, number = value.partition("=")
        try:
            floor = float(number)
        except ValueError:
            floor = -1.0
        is_head = head in FLAGS or (head.startswith(STANCE_PREFIX) and head != STANCE_PREFIX)
        if not sep or not is_head or not 0.0 <= floor <= 1.0:
            raise click.BadParameter(
                f"{value!r}: use HEAD=VALUE, HEAD one of {', '.join(FLAGS)} or "
                f"{STANCE_PREFIX}<target>, VALUE in [0, 1]"
            )
        parsed[head] = floor
    return parsed


def _echo_metrics(card: dict) -> None:
    """The cross-validated metrics of each head, one line each."""
    click.echo("cross-validated metrics (out-of-fold):")
    for name, head in card["heads"].items():
        metrics = head["cv_metrics"]
        if "macro_f1" in metrics:
            per_class = ", ".join(f"{k} {v:.3f}" for k, v in metrics["f1"].items())
            click.echo(f"  {name:28s} macro-F1 {metrics['macro_f1']:.3f}  ({per_class})")
        else:
            click.echo(
                f"  {name:28s} precision {metrics['precision']:.3f}  recall {metrics['recall']:.3f}"
                f"  F1 {metrics['f1']:.3f}  threshold {head['threshold']:.3f}"
                f"  average precision {metrics['average_precision']:.3f}"
            )


@command("train")
@click.argument("more_data", nargs=-1, type=click.Path(exists=True), metavar="[PATH]...")
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(exists=True),
    metavar="PATH",
    help=f"Labeled files or folders, project JSONL/CSV or a public corpus; default {DEFAULT_DATA}.",
)
@click.option(
    "-o",
    "--output",
    default=None,
    type=click.Path(dir_okay=False),
    help=f"Model file to write; its card goes beside it. [default: {DEFAULT_OUTPUT_MODEL}]",
)
@click.option(
    "--precision",
    "precision",
    multiple=True,
    callback=parse_precisions,
    metavar="FLAG=P",
    help="Cross-validated precision each flag's threshold must reach (spam 0.9, incitement 0.8);"
    " FLAG=f1 cuts at the best cross-validated F1 instead.",
)
@click.option(
    "--floor",
    "floors",
    multiple=True,
    callback=parse_floors,
    metavar="HEAD=VALUE",
    help="Refuse to write the model if HEAD's cross-validated F1 (macro-F1 for stance:<target>) "
    "is below VALUE (repeatable). Without --data the pinned floors apply too.",
)
@click.option(
    "--weight",
    "moderator_weight",
    default=DEFAULT_MODERATOR_WEIGHT,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help='How many corpus rows a moderator\'s decision (a row with "source": "moderator") '
    "counts as, in fitting and in the cross-validation that sets the thresholds; its labels "
    "also replace the corpus's for the same text.",
)
@click.option(
    "--languages",
    default=None,
    callback=parse_languages,
    metavar="CODES",
    help="Languages the heads judge, written in the card (e.g. de); default: those of at least "
    "a tenth of the rows whose language was detected. 'any': every language.",
)
@click.option(
    "--incitement-needs-violent-word/--incitement-any-word",
    "needs_violent_word",
    default=True,
    show_default=True,
    help="Flag incitement in a comment with no violent word (English models) only at the "
    "remove threshold's confidence; --incitement-any-word lets any words carry the flag, for "
    "labels that count threats made without one.",
)
@click.option(
    "--spam-needs-promotion/--spam-any-word",
    "needs_promotion",
    default=True,
    show_default=True,
    help="Flag spam in a comment with no link, number, price or promotional word (English "
    "models) only at the remove threshold's confidence; --spam-any-word lets any words carry it.",
)
@click.option("--cv", default=5, show_default=True, help="Cross-validation folds.")
@click.option("--seed", default=0, show_default=True, help="random_state for every random choice.")
@quiet_option
def train_command(
    more_data: tuple[str, ...],
    data: tuple[str, ...],
    output: str | None,
    precision: dict[str, float | None],
    floors: dict[str, float],
    moderator_weight: float,
    languages: tuple[str, ...] | None,
    needs_violent_word: bool,
    needs_promotion: bool,
    cv: int,
    seed: int,
    quiet: bool,
) -> None:
    """Train the judge (featuriser and three heads) and write it with its model card.

    With no --data, trains the default model from the project's own corpus. The model is
    checked against the floors (--floor; without --data also the pinned ones) before anything
    is written, and not written if a cross-validated score falls below them. `--data A B` and
    `--data A --data B` both read A and B. Heads the data has no labels for are trained on the
    project corpus, the others on the data alone. Moderators' decisions (`moderation review
    export`) override the corpus's labels for the same text and weigh --weight rows each.
    """
    data = data + more_data
    from moderation.train.corpora import read_labeled
    from moderation.train.trainer import (
        DEFAULT_FLOORS,
        DEFAULT_PRECISION,
        TrainingOptions,
        missing_heads,
        supplement,
        train_and_save,
    )

    paths = data or (DEFAULT_DATA,)
    output = output or DEFAULT_OUTPUT_MODEL
    options = TrainingOptions(
        precision={**DEFAULT_PRECISION, **precision},
        cv=cv,
        random_state=seed,
        moderator_weight=moderator_weight,
        languages=languages,
        incitement_needs_violent_word=needs_violent_word,
        spam_needs_promotion=needs_promotion,
    )
    rows = read_labeled(paths)
    click.echo(f"training on {len(rows)} labeled rows from {', '.join(paths)}", err=True)
    missing = missing_heads(rows, options.default_target)
    if missing:
        rows = supplement(rows, read_labeled([DEFAULT_DATA]), missing)
        click.echo(
            f"no labels for {', '.join(missing)} in --data: those heads are trained on the "
            f"project corpus ({DEFAULT_DATA}), the others on --data alone",
            err=True,
        )
    floors = {**({} if data else DEFAULT_FLOORS), **floors}
    from moderation.pipeline.progress import steps_progress

    bar = steps_progress("training", show_steps(quiet))
    try:
        card = train_and_save(rows, Path(output), options, floors=floors, progress=bar)
    finally:
        bar.close()
    click.echo(f"wrote {output} (sha256 {card['sha256'][:16]}…) in {card['training']['seconds']} s")
    click.echo(f"languages the heads judge: {', '.join(card['languages']) or 'any'}")
    _echo_metrics(card)
