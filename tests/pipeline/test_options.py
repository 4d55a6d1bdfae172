"""ScoreOptions and DedupOptions: checked when made, frozen, and what the workers receive."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from moderation.errors import ModelError, OptionsError
from moderation.parse import ParseOptions
from moderation.pipeline import options as options_module
from moderation.pipeline.options import DedupOptions, ScoreOptions


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"jobs": 0}, "jobs=0"),
        ({"jobs": True}, "jobs=True"),
        ({"batch_size": -3}, "batch_size=-3"),
        ({"max_chars": 0}, "max_chars=0"),
        ({"dedup_threshold": 0.0}, "dedup_threshold=0.0"),
        ({"dedup_threshold": 1.5}, "dedup_threshold=1.5"),
        ({"thresholds": {"toxicity": 0.5}}, "'toxicity'"),
        ({"remove_thresholds": {"spam": 2}}, "spam=2"),
        ({"target": ""}, "target=''"),
        ({"output_format": "xml"}, "output_format='xml'"),
        ({"parse_options": {"strict": True}}, "parse_options="),
    ],
)
def test_bad_score_settings_are_named(settings, named) -> None:
    with pytest.raises(OptionsError, match=named) as raised:
        ScoreOptions(**settings)
    assert not isinstance(raised.value, ModelError)


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"threshold": 0}, "threshold=0"),
        ({"min_words": 0}, "min_words=0"),
        ({"batch_size": 0}, "batch_size=0"),
        ({"output_format": "tsv"}, "output_format='tsv'"),
    ],
)
def test_bad_dedup_settings_are_named(settings, named) -> None:
    with pytest.raises(OptionsError, match=named):
        DedupOptions(**settings)


def test_options_are_frozen_copies_that_travel_to_workers() -> None:
    thresholds = {"spam": 0.4}
    options = ScoreOptions(thresholds=thresholds, jobs=2, parse_options=ParseOptions(strict=True))
    thresholds["spam"] = 0.9  # the caller's dict, changed later
    assert options.thresholds == {"spam": 0.4}
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.jobs = 3  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(options)) == options
    assert options.judge_settings() == {
        "thresholds": {"spam": 0.4},
        "remove_thresholds": {},
        "max_chars": 5000,
    }
    assert ScoreOptions().parse_options.articles and DedupOptions().parse_options.articles


def test_defaults_are_the_judges_and_the_finders() -> None:
    from moderation.dedup import finder
    from moderation.judge import moderator

    assert options_module.DEFAULT_MAX_CHARS == moderator.DEFAULT_MAX_CHARS
    assert options_module.DEFAULT_BATCH_SIZE == moderator.DEFAULT_BATCH_SIZE
    assert options_module.DEFAULT_DEDUP_THRESHOLD == finder.DEFAULT_THRESHOLD
    assert options_module.DEFAULT_MIN_WORDS == finder.DEFAULT_MIN_WORDS
