"""The link-shape signals: a plug's link and a news source's link get different columns, while
the normalised text (duplicate matching's input) keeps one ``_url_`` for both."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.judge.features import CommentFeaturiser
from moderation.judge.links import LINK_NAMES, link_flags, link_signals
from moderation.judge.moderator import Moderator
from moderation.judge.signals import DENSE_NAMES
from moderation.normalise import URL_TOKEN, find_links, normalise


def _shapes(text: str) -> set[str]:
    return {name for name, value in zip(LINK_NAMES, link_flags(text), strict=True) if value}


def test_a_plug_and_a_news_link_get_different_shapes_but_the_same_token() -> None:
    plug = "new mix out now, check mixvault.example/u/djkova"
    news = "Bridge closed after the crash, details https://news.example/2026/12/bridge-closed-after-crash"
    assert _shapes(plug) == {"link:name", "link:typed"}
    assert _shapes(news) == {"link:deep"}
    assert URL_TOKEN in normalise(plug).split() and URL_TOKEN in normalise(news).split()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Updates here https://t.co/Hq2vLm8RtW", {"link:code"}),
        ("visit cheapfollowers.tk today", {"link:site", "link:typed"}),
        ("http://shop.example/?ref=8Kd2pQ", {"link:query", "link:ref"}),
        ("join here https://invite.example/r/fox/77", {"link:deep", "link:ref"}),
        ("go to www dot freebies dot tk", {"link:site", "link:typed", "link:spelt"}),
        ("two sources https://t.co/Ab1Cd2Ef https://t.co/Gh3Ij4Kl", {"link:code", "links:several"}),
        ("my page https://social.example/@mira_sings", {"link:name"}),
        ("story https://paper.example/world/story.html", {"link:deep"}),
    ],
)
def test_link_shapes(text: str, expected: set[str]) -> None:
    assert _shapes(text) == expected


def test_a_full_stop_before_a_scheme_is_not_a_typed_site() -> None:
    links, spelt = find_links("Reports say he has Ebola. http://t.co/LAVYq2As2v")
    assert links == ["http://t.co/LAVYq2As2v"] and not spelt
    assert _shapes("Reports say he has Ebola. http://t.co/LAVYq2As2v") == {"link:code"}


def test_sentences_run_together_count_as_no_link_shape_but_keep_their_token() -> None:
    text = "he has proven it.sadly nobody listened"
    assert URL_TOKEN in normalise(text).split()  # the normaliser's reading, kept for dedup
    assert not link_flags(text).any()


def test_comments_without_links_have_no_link_signal() -> None:
    texts = ["I agree.This is good", "report.pdf is attached", "mail me at ana@mail.example", "ok"]
    assert not link_signals(texts).any()


def test_link_signals_are_columns_of_the_featuriser() -> None:
    texts = ["visit cheapfollowers.tk", "Updates https://t.co/Hq2vLm8RtW", "no link here"]
    matrix = CommentFeaturiser(min_df=1).fit(texts).transform(texts).toarray()
    first = DENSE_NAMES.index(LINK_NAMES[0])
    columns = matrix[:, -len(DENSE_NAMES) :][:, first : first + len(LINK_NAMES)]
    assert columns[0, LINK_NAMES.index("link:typed")] > 0
    assert (
        columns[1, LINK_NAMES.index("link:code")] > 0
        and columns[1, LINK_NAMES.index("link:typed")] == 0
    )
    assert np.all(columns[2] == 0)


@pytest.fixture(scope="module")
def moderator() -> Moderator:
    return Moderator.load()


@pytest.mark.parametrize(
    "text",
    ["cheapfollowers.tk", "www.free-gift-cards.xyz/claim?ref=77", "mixvault.example/djkova"],
)
def test_the_default_model_flags_a_link_only_plug(moderator: Moderator, text: str) -> None:
    verdict = next(iter(moderator.score_stream([text])))
    assert "spam" in verdict.flags
    assert any(label.startswith("[link:") for label, _ in verdict.reasons["spam"])


@pytest.mark.parametrize(
    "text",
    [
        "The council published the full draft budget here "
        "https://council.example.gov/budget/2026-draft-plan worth reading before the vote.",
        "Full statement from the mayor after the flooding: https://t.co/Qw3eRt5yUi",
        "Photos from the march today https://t.co/Zx8cVb2nM1 https://t.co/Lk4jHg7fD3",
    ],
)
def test_the_default_model_passes_a_civil_comment_with_a_source(
    moderator: Moderator, text: str
) -> None:
    verdict = next(iter(moderator.score_stream([text])))
    assert "spam" not in verdict.flags
