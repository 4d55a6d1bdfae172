"""Moderators' decisions in training data: they override the corpus's labels for the same
text and weigh --weight rows each; without them training is unchanged."""

from __future__ import annotations

import json

from click.testing import CliRunner

from moderation.cli import main
from moderation.judge import heads
from moderation.train import trainer
from moderation.train.corpora import LabeledRow, data_hash, dedupe, read_labeled
from moderation.train.moderated import merge_moderator_labels, row_weights
from moderation.train.trainer import TrainingOptions, format_card_markdown, train_and_save
from tests.support import FIXTURES

TINY = FIXTURES / "tiny_labeled.jsonl"
# Two decisions: one relabels a tiny_labeled.jsonl comment (spacing and case differ), one is new.
DECISIONS = [
    {"text": "check out my channel for daily   NEWS videos!", "spam": 0, "source": "moderator"},
    {
        "text": "Lovely weather at the front today",
        "spam": 1,
        "incitement": 0,
        "source": "moderator",
    },
]


def _export(directory) -> str:
    path = directory / "decisions.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in DECISIONS), encoding="utf-8")
    return str(path)


def test_the_moderators_label_wins_and_the_corpus_keeps_the_others() -> None:
    corpus = [
        LabeledRow("Buy now", stance="neutral", spam=0, incitement=0),
        LabeledRow("buy NOW", spam=0),  # a copy: deduplication drops it
        LabeledRow("Peace now", stance="pro_ukraine", spam=0),
        LabeledRow("Nuke them", incitement=1, stance="pro_russia"),
    ]
    decisions = [
        LabeledRow(" buy   now ", spam=0, moderator=True),  # an earlier decision, replaced
        LabeledRow("Buy  now", spam=1, moderator=True),
        LabeledRow("peace NOW", stance="neutral", spam=0, moderator=True),
        LabeledRow("nuke them", stance="pro_ukraine", target="other", moderator=True),
    ]
    rows = merge_moderator_labels([*corpus, *decisions])
    labels = [(r.text, r.spam, r.incitement, r.stance, r.target, r.moderator) for r in rows]
    assert labels == [
        ("Buy now", None, 0, "neutral", "russia_ukraine", False),
        # Every label of "Peace now" was overridden: the corpus row is gone.
        ("Nuke them", None, 1, "pro_russia", "russia_ukraine", False),  # other target: kept
        ("Buy  now", 1, None, None, "russia_ukraine", True),
        ("peace NOW", 0, None, "neutral", "russia_ukraine", True),
        ("nuke them", None, None, "pro_ukraine", "other", True),
    ]
    assert row_weights(rows, 4.0).tolist() == [1.0, 1.0, 4.0, 4.0, 4.0]


def test_without_decisions_the_rows_are_what_deduplication_gives() -> None:
    corpus = read_labeled([TINY]) * 2
    assert merge_moderator_labels(corpus) == dedupe(corpus)
    assert merge_moderator_labels(corpus, deduplicate=False) == corpus
    assert row_weights(corpus, 3.0) is None
    assert "moderator" not in corpus[0].labels()  # the corpus's data hash is unchanged


def test_decisions_are_read_from_the_source_field(tmp_path) -> None:
    path = tmp_path / "rows.jsonl"
    rows = [*DECISIONS, {"text": "from elsewhere", "spam": 0, "source": "youtube"}]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    read = read_labeled([path])
    assert [row.moderator for row in read] == [True, True, False]
    as_corpus = LabeledRow(read[0].text, spam=0, source=read[0].source, line=1)
    assert data_hash([read[0]]) != data_hash([as_corpus])  # a decision is named in the hash


def test_training_uses_the_decisions_and_the_card_counts_them(tmp_path, monkeypatch) -> None:
    fitted = {}
    original = trainer.LogisticHead.fit

    def recording_fit(head, X, y, sample_weight=None, groups=None, on_fold=None):  # noqa: N803
        fitted[len(fitted)] = sample_weight
        return original(head, X, y, sample_weight=sample_weight, groups=groups, on_fold=on_fold)

    monkeypatch.setattr(trainer.LogisticHead, "fit", recording_fit)
    rows = read_labeled([TINY, _export(tmp_path)])
    out = tmp_path / "m.joblib"
    card = train_and_save(rows, out, TrainingOptions(cv=3, moderator_weight=5.0))
    data = card["data"]
    assert (data["rows_given"], data["rows_used"]) == (42, 42)
    assert (data["moderator_labels"], data["moderator_weight"]) == (2, 5.0)
    # The corpus's spam=1 for the relabeled comment became the moderator's spam=0.
    assert data["label_counts"]["spam"] == {"0": 33, "1": 8}
    spam, incitement, stance = fitted[0], fitted[1], fitted[2]
    # 39 corpus rows keep their spam label (the relabeled one lost it), 2 decisions give one.
    assert spam is not None and sorted(spam.tolist()) == [1.0] * 39 + [5.0, 5.0]
    assert incitement is not None and sorted(incitement.tolist()) == [1.0] * 40 + [5.0]
    assert stance is None  # no decision gave a stance: that head trains as without them
    page = (tmp_path / "m.card.md").read_text(encoding="utf-8")
    assert "2 rows are moderators' decisions" in page and "weighs 5 rows" in page
    corpus_card = train_and_save(read_labeled([TINY]), tmp_path / "c.joblib", TrainingOptions(cv=3))
    assert "moderator_labels" not in corpus_card["data"]
    assert "moderators' decisions" not in format_card_markdown(corpus_card)


def test_the_train_command_takes_a_weight(tmp_path) -> None:
    out = tmp_path / "m.joblib"
    args = ["train", "--data", str(TINY), _export(tmp_path), "--cv", "3", "-o", str(out)]
    result = CliRunner().invoke(main, [*args, "--weight", "2.5"])
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "m.card.json").read_text())
    assert (card["data"]["moderator_labels"], card["data"]["moderator_weight"]) == (2, 2.5)
    result = CliRunner().invoke(main, [*args, "--weight", "0"])
    assert result.exit_code == 2 and "--weight" in result.output


def test_decisions_move_their_comments_across_the_cut(tmp_path, monkeypatch) -> None:
    """The relabeled comment's spam score falls below 0.5 from the corpus-only model's; the
    new comment the moderator labeled spam, which promotes nothing, scores as spam: the
    decision overrules the spam head's promotion requirement (said on the card). (C is kept
    within the default grid: on 42 rows the out-of-fold choice beyond it moves with every
    weight.)"""
    monkeypatch.setattr(heads, "C_BOUNDS", (min(heads.DEFAULT_CS), max(heads.DEFAULT_CS)))
    texts = [DECISIONS[0]["text"], DECISIONS[1]["text"]]
    corpus_only, _ = trainer.train_moderator(read_labeled([TINY]), TrainingOptions(cv=3))
    scores = [[verdict.spam for verdict in corpus_only.score(texts)]]
    rows = read_labeled([TINY, _export(tmp_path)])
    for weight in (1.0, 3.0):
        model, card = trainer.train_moderator(rows, TrainingOptions(cv=3, moderator_weight=weight))
        scores.append([verdict.spam for verdict in model.score(texts)])
        assert card["requirements_overruled"] == {"spam": 1}
        assert model.heads["spam"].requires is None
        assert "spam: no requirement: 1 moderators' decisions" in format_card_markdown(card)
    relabeled, new = zip(*scores, strict=True)
    # With the promotion column (issue 13) one decision at weight 1 already pulls the
    # relabeled comment from 1.00 to about 0.04; on 42 rows C and the calibration chosen at
    # each weight make the order between weights 1 and 3 no test of the weight itself (see
    # tests/judge/test_sample_weight.py for that).
    assert relabeled[0] > 0.5 > max(relabeled[1:])
    assert new[0] < 0.5 < min(new[1:])
