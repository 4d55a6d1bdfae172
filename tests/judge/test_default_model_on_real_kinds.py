"""The shipped model on the kinds of comment issue 13 found it wrong on: function words and
fans' "!!!" are not flags; calls in -ing form, "go die" and first-person threats are; other
languages are told apart and sent to review instead of judged."""

from __future__ import annotations

import pytest

from moderation.judge.moderator import Moderator


@pytest.fixture(scope="module")
def default() -> Moderator:
    return Moderator.load()


@pytest.mark.parametrize(
    "text",
    [
        "should",
        "I hope they win the cup",
        "WHAT A GAME!!! Best team in the world!!! Love you guys!!!",
        "You should vote for him",
        "The soldiers were killed in the attack on the village",
    ],
)
def test_function_words_enthusiasm_and_reports_are_not_flagged(default, text) -> None:
    (verdict,) = default.score([text])
    assert verdict.flags == [] and verdict.action == "approve", verdict


@pytest.mark.parametrize(
    "text",
    ["go die", "start killing them", "I will find you and I will kill you"],
)
def test_calls_and_threats_are_flagged(default, text) -> None:
    (verdict,) = default.score([text])
    assert "incitement" in verdict.flags, verdict


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Diese Verbrecher sollte man alle an die Wand stellen und erschießen.", "de"),
        ("Их всех надо расстрелять, без суда и следствия.", "ru"),
        ("Слава Украине!", "ru"),
        ("我们应该和平解决这个问题，不要再打仗了。", "zh"),
    ],
)
def test_other_languages_get_their_language_and_go_to_review(default, text, language) -> None:
    (verdict,) = default.score([text])
    assert verdict.language == language
    assert verdict.action == "review" and verdict.flags == []
    assert verdict.reasons == {"unsupported_language": []}
    assert verdict.stance is None and verdict.spam is None


def test_the_card_lists_the_languages_of_the_heads(default) -> None:
    assert default.languages == ("en",)
    assert default.metadata["languages"] == ["en"]
