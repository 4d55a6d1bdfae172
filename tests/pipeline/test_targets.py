"""Each row's own stance target picks its head: in one scoring run, in the summary, in evaluate.

A model with two targets (the tiny corpus's default one and a second whose labels differ) scores
a JSONL dump whose rows name either target, none, or one the model has no head for.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from moderation.cli import main
from moderation.errors import OptionsError
from moderation.evaluate.metrics import evaluate
from moderation.judge.moderator import Moderator
from moderation.parse import parse
from moderation.pipeline.options import ScoreOptions
from moderation.pipeline.score import score, score_records
from moderation.records import Comment, Rejection
from moderation.train.corpora import LabeledRow, read_labeled
from moderation.train.trainer import TrainingOptions, train_and_save
from moderation.verdict import Verdict
from tests.support import FIXTURES

# A second target, written for this test: stance towards a four-day school week.
SCHOOL = "school_week"
SCHOOL_ROWS = {
    "favor": [
        "A four day week would give kids time to rest and families time together",
        "Teachers are exhausted, the shorter week is a good idea",
        "Our district tried four days and attendance went up",
        "Yes to the four day week, Fridays off help everyone",
        "The shorter school week saves money on buses and heating",
    ],
    "against": [
        "Working parents cannot find childcare for a fifth day",
        "Longer school days for small children are too much",
        "The four day week hurts the poorest families the most",
        "Kids need more teaching time, not less",
        "No to the four day week, it is a budget trick",
    ],
    "none": [
        "When does the school board meet next month?",
        "The vote on the calendar is scheduled for Tuesday",
        "Which districts have changed their calendars so far?",
        "The report on the school calendar came out this morning",
        "Is the cafeteria open during the summer programme?",
    ],
}


def train_two_target_model(directory: Path) -> Path:
    """A model with stance heads for the tiny corpus's target and SCHOOL (a few seconds)."""
    rows = read_labeled([FIXTURES / "tiny_labeled.jsonl"])
    rows += [
        LabeledRow(text, stance=label, target=SCHOOL)
        for label, texts in SCHOOL_ROWS.items()
        for text in texts
    ]
    path = directory / "two.joblib"
    train_and_save(rows, path, TrainingOptions(cv=3, n_jobs=1))
    return path


@pytest.fixture(scope="module")
def two_target_model(tmp_path_factory) -> Path:
    return train_two_target_model(tmp_path_factory.mktemp("model"))


def _dump(tmp_path: Path) -> Path:
    rows = [
        {"id": "s1", "text": "The four day school week is a great idea", "target": SCHOOL},
        {"id": "r1", "text": "Slava Ukraini, send more air defence", "target": "russia_ukraine"},
        {"id": "n1", "text": "Peace talks now, both sides must stop"},
        {"id": "x1", "text": "Pineapple belongs on pizza", "target": "pizza"},
        {"id": "s2", "text": "Childcare on Fridays is impossible for us", "target": SCHOOL},
    ]
    path = tmp_path / "targets.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_dump_rows_carry_their_target() -> None:
    content = '{"id": "a", "text": "hello", "target": "x"}\n{"id": "b", "text": "hi"}\n'
    comments = [r for r in parse(content.encode()) if isinstance(r, Comment)]
    assert [c.target for c in comments] == ["x", None]
    renamed = '{"id": "a", "body": "hello", "topic": "x"}\n'
    (comment,) = parse(renamed.encode(), fields={"text": "body", "target": "topic"})
    assert comment.target == "x"
    (again,) = parse((json.dumps(comment.to_dict()) + "\n").encode())  # parse output read back
    assert again.target == "x"


def test_each_row_is_judged_by_its_own_targets_head(two_target_model, tmp_path) -> None:
    moderator = Moderator.load(two_target_model)
    school_labels = set(SCHOOL_ROWS)
    default_labels = {"neutral", "pro_russia", "pro_ukraine"}
    out = tmp_path / "out.jsonl"
    result = score(_dump(tmp_path), ScoreOptions(model_path=two_target_model), out)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [row["id"] for row in rows] == ["s1", "r1", "n1", "s2"]
    targets = {row["id"]: row["target"] for row in rows}
    assert targets == {"s1": SCHOOL, "r1": "russia_ukraine", "n1": "russia_ukraine", "s2": SCHOOL}
    for row in rows:
        labels = school_labels if row["target"] == SCHOOL else default_labels
        assert row["stance"] in labels and set(row["stance_scores"]) == labels
    # The same labels as scoring each row alone against its target.
    alone = moderator.score(["The four day school week is a great idea"], target=SCHOOL)[0]
    assert rows[0]["stance_scores"] == alone.stance_scores
    assert result.rejected == 1
    summary = result.render()
    assert f"stance {SCHOOL}:" in summary and "stance russia_ukraine:" in summary


def test_a_row_whose_target_has_no_head_is_one_rejection(two_target_model, tmp_path) -> None:
    options = ScoreOptions(model_path=two_target_model, batch_size=2)
    records = list(score_records(_dump(tmp_path), options))
    rejections = [r for r in records if isinstance(r, Rejection)]
    assert len(rejections) == 1 and len(records) == 5
    (rejection,) = rejections
    assert rejection.id == "x1" and rejection.line == 4
    assert "'pizza'" in rejection.reason and SCHOOL in rejection.reason
    assert [r.id for r in records if isinstance(r, Verdict)] == ["s1", "r1", "n1", "s2"]


def test_target_option_sets_the_target_of_rows_without_one(two_target_model, tmp_path) -> None:
    options = ScoreOptions(model_path=two_target_model, target=SCHOOL)
    verdicts = [r for r in score_records(_dump(tmp_path), options) if isinstance(r, Verdict)]
    assert {v.id: v.target for v in verdicts}["n1"] == SCHOOL
    assert {v.id: v.target for v in verdicts}["r1"] == "russia_ukraine"  # its own target wins
    with pytest.raises(OptionsError, match="'pizza' has no stance head"):
        next(
            score_records(
                _dump(tmp_path), ScoreOptions(model_path=two_target_model, target="pizza")
            )
        )


def test_score_command_reports_the_unknown_target_and_carries_on(two_target_model, tmp_path):
    args = ["score", "--model", str(two_target_model), str(_dump(tmp_path))]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1  # something was rejected
    assert len(result.stdout.splitlines()) == 4
    assert "targets.jsonl:4:" in result.stderr and "'pizza'" in result.stderr


def test_evaluate_measures_each_target_on_its_own_rows(two_target_model) -> None:
    moderator = Moderator.load(two_target_model)
    rows = [
        LabeledRow(text, stance=label, target=SCHOOL)
        for label, texts in SCHOOL_ROWS.items()
        for text in texts[:2]
    ] + [LabeledRow("Slava Ukraini, they defend their homes", stance="pro_ukraine")]
    evaluation = evaluate(moderator, rows, mistakes=0)
    assert evaluation.scores[f"stance:{SCHOOL}"].labels.size == 6
    assert evaluation.scores["stance:russia_ukraine"].labels.size == 1
