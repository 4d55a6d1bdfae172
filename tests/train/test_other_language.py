"""`train.py` on a site's own labels in another language trains heads for that language."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from moderation.cli import main
from moderation.judge.moderator import Moderator
from tests.support import FIXTURES


@pytest.mark.parametrize(
    ("corpus", "language", "own", "foreign"),
    [
        (
            "german_small.jsonl",
            "de",
            "Die Sanktionen treffen am Ende die Rentner in Russland, nicht die Generäle.",
            "The sanctions hit pensioners in the end, not the generals.",
        ),
        (
            "russian_small.jsonl",
            "ru",
            "Санкции в итоге бьют по пенсионерам, а не по генералам.",
            "Die Sanktionen treffen am Ende die Rentner, nicht die Generäle.",
        ),
    ],
)
def test_train_on_another_language_judges_that_language(tmp_path, corpus, language, own, foreign):
    out = tmp_path / "m.joblib"
    args = ["train", "--data", str(FIXTURES / "corpora" / corpus), "-o", str(out), "--cv", "3"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert f"languages the heads judge: {language}" in result.stdout
    card = json.loads((tmp_path / "m.card.json").read_text())
    assert card["languages"] == [language]
    assert card["features"]["stem_language"] == language
    assert set(card["heads"]) == {"spam", "incitement", "stance:russia_ukraine"}
    # every head learned from this corpus alone: no project rows were added
    assert card["data"]["rows_used"] <= sum(1 for _ in (FIXTURES / "corpora" / corpus).open())
    model = Moderator.load(out)
    mine, other = model.score([own, foreign])
    assert mine.language == language and mine.stance is not None and mine.action != "review"
    assert other.action == "review" and other.reasons == {"unsupported_language": []}
    override = Moderator.load(out, languages=["any"]).score([foreign])[0]
    assert override.stance is not None
