"""What the word features share (stems) and what ties a violent word to its clause (cues);
dense signals that weigh like one word."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.errors import ModelError
from moderation.judge.cues import CUE_NAMES, cue_features, token_classes
from moderation.judge.features import CommentFeaturiser
from moderation.judge.signals import DENSE_NAMES, STYLE_NAMES
from moderation.judge.stems import stem_tokens
from moderation.judge.tokens import tokenize
from moderation.normalise import normalise

CORPUS = [
    "kill them all",
    "they killed him",
    "killing spree",
    "stop killing",
    "the army kills",
    "peace now",
] * 2


def _cues(text: str) -> set[str]:
    tokens = tokenize(normalise(text))
    classes = token_classes(tokens, stem_tokens(tokens, "en"))
    found = cue_features(classes, np.zeros(len(tokens), dtype=np.int64), 1)[0]
    return {CUE_NAMES[i] for i in np.flatnonzero(found)}


def test_inflected_forms_share_one_word_column() -> None:
    featuriser = CommentFeaturiser(min_df=1).fit(CORPUS)
    columns = {
        word: {column for column, label in featuriser.feature_spans(word) if label == word}
        for word in ("kill", "killing", "killed", "kills")
    }
    shared = set.intersection(*columns.values())
    assert shared  # the stem "kill" is one word feature for all four forms
    plain = CommentFeaturiser(min_df=1, stem_language=None).fit(CORPUS)
    kill = {c for c, label in plain.feature_spans("kill") if label == "kill"}
    killed = {c for c, label in plain.feature_spans("killed") if label == "killed"}
    assert not (kill & killed) or len(kill & killed) < len(kill)  # only char n-grams shared


def test_stems_are_remembered_and_non_words_kept() -> None:
    assert stem_tokens(["killing", "_url_", "!!", "#tag", "don't"], "en")[:4] == [
        "kill",
        "_url_",
        "!!",
        "#tag",
    ]
    assert stem_tokens(["Häuser"], None) == ["Häuser"]
    with pytest.raises(ModelError, match="stem_language='xx'"):
        CommentFeaturiser(stem_language="xx").fit(["a b"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("go die", {"violent", "violent:imperative"}),
        ("start killing them", {"violent:imperative", "violent:them", "violent:imperative+them"}),
        ("I will find you and shoot you", {"violent:will+first_person", "violent:second_person"}),
        ("they should all be shot", {"violent:should", "violent:passive", "violent:should+them"}),
        ("you deserve to die", {"violent:wish", "violent:wish+second_person"}),
        ("the soldiers were killed in the attack", {"violent", "violent:report"}),
        ("we should never kill civilians", {"violent:should", "violent:negated"}),
    ],
)
def test_cues_tie_the_violent_word_to_its_clause(text, expected) -> None:
    assert expected <= _cues(text)


@pytest.mark.parametrize(
    "text", ["should", "I hope they win the cup", "you should vote for him", "hang in there"]
)
def test_function_words_alone_set_no_cue(text) -> None:
    assert _cues(text) == set()


def test_a_clause_boundary_cuts_the_context() -> None:
    assert "violent:imperative" not in _cues("you should relax. the plot kills off the hero")


def test_signals_weigh_like_one_word_and_none_is_in_every_comment() -> None:
    texts = ["WHAT A GOAL!!! BEST TEAM EVER!!!", "a calm remark about the weather " * 20, "ok"]
    featuriser = CommentFeaturiser(min_df=1).fit(texts)
    matrix = featuriser.transform(texts).toarray()
    signals = matrix[:, -len(DENSE_NAMES) :]
    words = np.count_nonzero(matrix[:, : featuriser.n_word_features_], axis=1)
    assert np.all(signals <= 1 / np.sqrt(1 + words)[:, np.newaxis] + 1e-6)
    style = dict(zip(STYLE_NAMES, signals[0, : len(STYLE_NAMES)] > 0, strict=True))
    assert style["shouting"] and style["exclamations"] and not style["long"]
    assert signals[1, STYLE_NAMES.index("long")] > 0 and signals[2, STYLE_NAMES.index("short")] > 0
    assert not np.all(signals > 0, axis=0).any()  # no signal stands in for an intercept
