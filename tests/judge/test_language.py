"""Each comment's language, and heads that judge only the languages they were trained on."""

from __future__ import annotations

import pytest

from moderation.errors import OptionsError
from moderation.judge.moderator import Moderator
from moderation.language import UNDETERMINED, detect, detect_batch
from moderation.normalise import normalise_batch
from moderation.pipeline.options import ScoreOptions
from moderation.pipeline.summary import ScoreSummary
from moderation.train.corpora import read_labeled
from moderation.train.trainer import TrainingOptions, train_moderator
from tests.support import FIXTURES

GERMAN = "Diese Verbrecher sollte man alle an die Wand stellen und erschießen."
RUSSIAN = "Их всех надо расстрелять, без суда и следствия."
CHINESE = "我们应该和平解决这个问题，不要再打仗了。"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GERMAN, "de"),
        (RUSSIAN, "ru"),
        (CHINESE, "zh"),
        ("Слава Украине!", "ru"),  # short, yet no English word is written in Cyrillic
        ("I think the referee got that one badly wrong tonight", "en"),
        ("lol", UNDETERMINED),  # too short to tell: the heads judge it
        ("😂😂 123 http://x.example/a", UNDETERMINED),
    ],
)
def test_detect_gives_a_language_or_undetermined(text, expected) -> None:
    assert detect(text)[0] == expected


def test_batches_are_detected_comment_by_comment() -> None:
    texts = [GERMAN, "what a goal that was, the keeper had no chance", CHINESE]
    assert detect_batch(normalise_batch(texts)) == ["de", "en", "zh"]


@pytest.fixture(scope="module")
def tiny() -> Moderator:
    model, _ = train_moderator(
        read_labeled([FIXTURES / "tiny_labeled.jsonl"]), TrainingOptions(cv=3, n_jobs=1)
    )
    return model


def test_a_comment_in_another_language_goes_to_review_unjudged(tiny) -> None:
    assert tiny.languages == ("en",)
    german, english = tiny.score([GERMAN, "Peace talks now, both sides must stop"])
    assert german.language == "de" and german.action == "review"
    assert german.stance is None and german.stance_scores == {}
    assert german.spam is None and german.incitement is None and german.flags == []
    assert german.reasons == {"unsupported_language": []}
    assert english.language == "en" and english.stance is not None
    assert isinstance(english.spam, float)


def test_languages_setting_decides_what_is_judged(tiny) -> None:
    state = tiny.to_state()
    assert state["languages"] == ["en"]
    every = Moderator(
        tiny.featuriser, tiny.heads, default_target=tiny.default_target, languages=["any"]
    )
    assert every.languages is None
    (verdict,) = every.score([GERMAN])
    assert verdict.language == "de" and verdict.stance is not None
    both = Moderator(
        tiny.featuriser, tiny.heads, default_target=tiny.default_target, languages=["de", "en"]
    )
    assert both.score([GERMAN])[0].stance is not None
    assert both.score([RUSSIAN])[0].action == "review"


def test_explain_says_what_the_heads_would_say_and_whether_they_judge(tiny) -> None:
    explanation = tiny.explain(GERMAN)
    assert explanation["language"] == "de" and explanation["judged"] is False
    assert explanation["stance"]["label"] in tiny.heads["stance:russia_ukraine"].classes_


def test_score_options_take_languages() -> None:
    assert ScoreOptions(languages=("en", "de")).judge_settings()["languages"] == ["en", "de"]
    assert "languages" not in ScoreOptions().judge_settings()
    with pytest.raises(OptionsError, match="ISO 639-1"):
        ScoreOptions(languages="en")
    with pytest.raises(OptionsError, match="ISO 639-1"):
        ScoreOptions(languages=("english!",))


def test_summary_counts_comments_per_language(tiny) -> None:
    summary = ScoreSummary()
    for verdict in tiny.score([GERMAN, "Peace talks now", "Send more air defence to Kyiv"]):
        summary.add(verdict)
    text = summary.render()
    assert "languages: de 1, en 2" in text or "languages: de 1, en 1, und 1" in text
    assert "(1 not judged: unsupported_language)" in text
