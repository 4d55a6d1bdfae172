"""Typos in texts of few words: the character bigram measure, where it stops, and its fingerprints
(batches, prepared batches, earlier runs through the index and the CLI)."""

from __future__ import annotations

import json
import pickle
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from moderation.cli import main
from moderation.dedup.finder import DuplicateFinder, DuplicatesError
from moderation.dedup.index import FingerprintIndex
from moderation.dedup.minhash import MinHasher
from moderation.dedup.shingles import char_text, shingle_batch

SHORT = "Stop the war and bring our soldiers home"  # 8 words: one typo leaves 7/9 of the word set
LONG = "The ceasefire will not hold unless both armies pull back their heavy artillery today"


def _find(texts: list[str], **settings: object) -> list:
    return DuplicateFinder(**settings).add(texts, [f"c{i}" for i in range(len(texts))])


@pytest.mark.parametrize(
    "variant",
    [
        "Stop the war and bring our sodliers home",
        "Stop the war and bring our soldirs home",
        "Stop the war and bring our soldiers hoome",
        "Stop the war and bring our soldiers hone",
        "STOP the war and bring our soldeirs home!!! 😡",
    ],
    ids=["transposed", "dropped", "doubled", "substituted", "with-case-and-emoji"],
)
def test_a_typo_in_a_text_of_few_words_is_a_near_duplicate(variant: str) -> None:
    first, copy = _find([SHORT, variant])
    assert (copy.duplicate_of, copy.match) == ("c0", "near")
    assert 0.8 <= copy.similarity < 1.0 and copy.cluster_id == first.cluster_id
    assert _find([SHORT, variant], char_words=0)[1].match is None  # word sets alone: 0.78


def test_a_typo_in_a_six_word_comment_is_a_near_duplicate() -> None:
    first, copy = _find(["Peace talks must start right now", "Peace talsk must start right now"])
    assert (copy.duplicate_of, copy.match) == ("c0", "near") and copy.similarity >= 0.8


@pytest.mark.parametrize(
    ("text", "other"),
    [
        ("I really love this new song", "I really hate this new song"),
        ("this is a great song", "this is a bad song"),
        ("Putin is a war criminal", "Biden is a war criminal"),
        ("Ukraine is winning the war", "Russia is winning the war"),
        (SHORT, "Stop the war and bring our tanks home"),
    ],
)
def test_a_changed_word_with_another_meaning_is_not_a_near_duplicate(text: str, other: str) -> None:
    assert _find([text, other])[1].match is None


def test_a_one_letter_change_to_another_real_word_counts_as_a_typo() -> None:
    # The price of typo tolerance, documented in moderation.dedup.finder: "he" / "she", "can" /
    # "cant", "not" / "now" look like typos to a character measure.
    copy = _find(["here he is again my friend", "here she is again my friend"])[1]
    assert copy.match == "near" and copy.similarity >= 0.8


def test_texts_of_many_words_compare_word_sets_only() -> None:
    typos = LONG.replace("ceasefire", "ceasfire").replace("armies", "armeis")
    typos = typos.replace("artillery", "artilery")  # 13 distinct words: word Jaccard 0.65
    assert _find([LONG, typos])[1].match is None
    widened = _find([LONG, typos], char_words=20)[1]
    assert widened.match == "near" and widened.similarity >= 0.8


def test_texts_under_the_length_floor_stay_exact_only() -> None:
    matches = _find(["stop the war now", "stop the war nwo", "Stop the war NOW!"])
    assert [m.match for m in matches] == [None, None, "short-exact"]
    assert all(m.short for m in matches)


def test_typo_matches_do_not_depend_on_batching() -> None:
    texts = [
        SHORT,
        "Peace talks must start right now",
        "Stop the war and bring our sodliers home",
        "lol",
        "Peace talks must start rigth now",
        LONG,
        "Stop the war and bring our soldiers hone",
    ]
    whole = [(m.duplicate_of, m.cluster_id, m.match, m.similarity) for m in _find(texts)]
    assert [m[0] for m in whole] == [None, None, "c0", None, "c1", None, "c0"]
    for size in (1, 2, 3):
        finder = DuplicateFinder()
        streamed = finder.add(texts, [f"c{i}" for i in range(len(texts))], batch_size=size)
        assert [(m.duplicate_of, m.cluster_id, m.match, m.similarity) for m in streamed] == whole


def test_character_text_and_bigrams() -> None:
    assert char_text(["_user_", "hi"]) == " \ue002 hi "
    batch = shingle_batch(["Hi there my friend", LONG], (1, 1), char_words=12)
    assert batch.set_sizes.tolist() == [4, 14]
    assert set(batch.char_rows.tolist()) == {0}  # the long text gets no character n-grams
    text = " hi there my friend "
    assert (batch.char_rows == 0).sum() == len({text[i : i + 2] for i in range(len(text) - 1)})


def test_character_band_keys_are_salted_apart_from_word_band_keys() -> None:
    hasher = MinHasher(num_perm=8, bands=4, rows_per_band=2)
    signatures = hasher.signatures(np.zeros(3, np.int64), np.arange(3, dtype=np.uint64) + 1, 1)
    words, chars = hasher.band_keys(signatures), hasher.band_keys(signatures, salt=1)
    assert not set(words.ravel().tolist()) & set(chars.ravel().tolist())


# -- prepared batches ------------------------------------------------------------------------


def test_a_prepared_batch_pickles_and_matches_like_the_texts() -> None:
    texts = [SHORT, "Stop the war and bring our sodliers home", "lol", "LOL", LONG, ""]
    ids = [f"c{i}" for i in range(len(texts))]
    plain = DuplicateFinder().add_batch(texts, ids)
    finder = DuplicateFinder()
    prepared = pickle.loads(pickle.dumps(finder.prepare(texts)))
    assert finder.add_batch(texts, ids, shingled=prepared) == plain


def test_a_batch_prepared_otherwise_is_refused() -> None:
    texts = [SHORT, "Stop the war and bring our sodliers home"]
    finder = DuplicateFinder()
    with pytest.raises(DuplicatesError, match="prepare it with this finder"):
        finder.add_batch(texts, shingled=DuplicateFinder(char_words=0).prepare(texts))
    with pytest.raises(DuplicatesError, match="1 texts with options"):
        finder.add_batch(texts, shingled=finder.prepare(texts[:1]))
    assert len(finder) == 0


@pytest.mark.parametrize(
    ("settings", "named"),
    [({"char_words": -1}, "char_words=-1"), ({"char_ngram": 0}, "char_ngram=0")],
)
def test_bad_character_settings_are_refused(settings: dict, named: str) -> None:
    with pytest.raises(DuplicatesError, match=named):
        DuplicateFinder(**settings)


# -- earlier runs ----------------------------------------------------------------------------


def _run(path: Path, texts: list[str], prefix: str, **settings: object) -> list:
    finder = DuplicateFinder(**settings)
    with FingerprintIndex(path, settings=finder.settings, label=prefix) as index:
        finder.index = index
        return finder.add(texts, [f"{prefix}{i}" for i in range(len(texts))])


def test_a_typo_copy_of_a_short_text_is_found_in_a_later_run(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    _run(path, [SHORT, "lol"], "one-")
    second = _run(path, ["Stop the war and bring our sodliers home", "Bring them home"], "two-")
    assert (second[0].duplicate_of, second[0].match) == ("one-0", "earlier-run")
    assert 0.8 <= second[0].similarity < 1.0
    assert second[1].duplicate_of is None
    finder = DuplicateFinder()
    with FingerprintIndex(path, settings=finder.settings, readonly=True) as index:
        finder.index = index
        third = finder.add(["Stop the war and bring our soldiers hone"], ["three-0"])
    assert (third[0].duplicate_of, third[0].match) == ("one-0", "earlier-run")


def test_an_index_made_without_character_fingerprints_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    _run(path, [SHORT], "one-", char_words=0)
    with pytest.raises(DuplicatesError, match="char_words: index 0, finder 12"):
        _run(path, [SHORT], "two-")


def test_an_index_of_the_previous_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    _run(path, [SHORT], "one-")
    with sqlite3.connect(path) as db:  # what an index made before character sketches says
        db.execute("UPDATE settings SET value = '1' WHERE name = 'schema'")
    with pytest.raises(DuplicatesError, match="schema: index 1, finder 2"):
        _run(path, [SHORT], "two-")


def test_the_cli_finds_a_typo_copy_across_two_runs(tmp_path: Path) -> None:
    days = []
    for day, texts in enumerate(
        (
            [SHORT, "Peace talks must start right now"],
            ["Peace talks must start rigth now", "I really hate this new song"],
        ),
        start=1,
    ):
        dump = tmp_path / f"day{day}.jsonl"
        dump.write_text(
            "".join(
                json.dumps({"id": f"d{day}-{i}", "article_id": "a", "author": f"u{i}", "text": t})
                + "\n"
                for i, t in enumerate(texts)
            )
        )
        days.append(str(dump))
    index = str(tmp_path / "seen.sqlite")
    first = CliRunner().invoke(main, ["dedup", days[0], "--index", index])
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(main, ["dedup", days[1], "--index", index])
    assert second.exit_code == 0, second.output
    rows = {row["id"]: row for row in map(json.loads, second.stdout.splitlines())}
    assert (rows["d2-0"]["match"], rows["d2-0"]["duplicate_of"]) == ("earlier-run", "d1-1")
    assert rows["d2-1"]["match"] is None
