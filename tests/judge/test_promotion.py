"""The promotion column: a link, a run of digits, a price or a promotional word; and the spam
head of the shipped model, which needs it below its removal threshold."""

from __future__ import annotations

import pytest

from moderation.judge.features import CommentFeaturiser
from moderation.judge.moderator import Moderator


@pytest.mark.parametrize(
    ("text", "promotes"),
    [
        ("subscribe to my channel for daily covers", True),
        ("Checking out your profile now", True),
        ("new album at bandpage.example/drop", True),
        ("only $5 for the whole pack", True),
        ("call 0800 555 0199 today", True),
        ("I like this song so much", True),  # "song": self-promotion under videos names it
        ("my mom wants a zebra like for real", False),
        ("u are so right about the mayor", False),
        ("What a goal!!! Best match of the season!!!", False),
    ],
)
def test_the_promotion_column(text: str, promotes: bool) -> None:
    featuriser = CommentFeaturiser(min_df=1).fit([text, "filler words here"])
    column = featuriser.promotion_column()
    assert bool(featuriser.transform([text])[0, column] > 0) == promotes


def test_only_an_english_featuriser_with_dense_signals_has_the_column() -> None:
    texts = ["abo mein kanal", "kauf jetzt"]
    assert CommentFeaturiser(min_df=1, stem_language="de").fit(texts).promotion_column() is None
    assert CommentFeaturiser(min_df=1, dense=False).fit(texts).promotion_column() is None


def test_the_default_model_needs_something_promoted_for_everyday_spam() -> None:
    """Comments the spam head alone scores above its threshold on "like", "my", "u" and
    register (0.66, 0.69, 0.49 against 0.38 when this was written), which the requirement
    drops; and plain spam, still flagged."""
    default = Moderator.load()
    head = default.heads["spam"]
    assert head.requires == default.featuriser.promotion_column()
    calm = [
        "I luh to lick the middle like an Oreo",
        "I want more men like this in my life",
        "u have to see the sunset from my roof, so beautiful",
    ]
    ungated = head._calibrate(head.decision_function(default.featuriser.transform(calm)))
    assert (ungated[:, 1] >= default.thresholds["spam"]).all()  # flagged but for the rule
    spam = ["Check out my channel and subscribe!! http://bit.ly/abc123", "free followers, dm me"]
    verdicts = default.score(calm + spam)
    assert [("spam" in v.flags) for v in verdicts] == [False] * 3 + [True] * 2
