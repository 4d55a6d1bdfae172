"""Scripts written without spaces (Chinese, Japanese, Thai): near copies found on character
n-grams of their runs, other scripts untouched, and an index made without them refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from moderation.dedup import DuplicateFinder, FingerprintIndex
from moderation.dedup.shingles import DuplicatesError, no_space_tokens, shingle_batch

# Comments written for these tests: an original, a copy with one character changed, and a
# different comment on the same topic.
CHINESE = (
    "这场战争已经持续了太久，普通老百姓每天都在受苦，希望双方尽快坐下来谈判，早日实现和平。",
    "这场战争已经持续了太久，普通老百姓每天都在受难，希望双方尽快坐下来谈判，早日实现和平。",
    "战争让普通老百姓受苦最深，物价上涨，很多家庭失去了亲人，真希望这一切早点结束。",
)
JAPANESE = (
    "このニュースを見て本当に悲しくなりました。一日も早く戦争が終わって、みんなが家に帰れますように。",
    "このニュースを見て本当に悲しくなりました。一日も早く戦争が終わって、みんなも家に帰れますように。",
    "戦争のニュースばかりで本当に疲れました。政治家はもっと真剣に停戦の話し合いを進めるべきだと思います。",
)
THAI = (
    "ข่าวนี้ทำให้ฉันเศร้ามาก ขอให้สงครามจบลงโดยเร็วและทุกคนได้กลับบ้านอย่างปลอดภัย",
    "ข่าวนี้ทำให้ฉันเศร้ามาก ขอให้สงครามจบลงโดยเร็วและทุกคนได้กลับบ้านอย่างปลอดภับ",
    "ผมคิดว่ารัฐบาลควรเจรจาหยุดยิงทันที เพราะประชาชนได้รับผลกระทบจากสงครามมากเกินไปแล้ว",
)


def _find(texts: tuple[str, ...], **settings: object) -> list:
    return DuplicateFinder(**settings).add(list(texts), ["original", "copy", "other"])


@pytest.mark.parametrize("texts", [CHINESE, JAPANESE, THAI], ids=["chinese", "japanese", "thai"])
def test_a_copy_with_one_character_changed_is_a_near_duplicate(texts: tuple[str, ...]) -> None:
    original, copy, other = _find(texts)
    assert (copy.duplicate_of, copy.match) == ("original", "near")
    assert 0.8 <= copy.similarity < 1.0
    assert copy.cluster_id == original.cluster_id


@pytest.mark.parametrize("texts", [CHINESE, JAPANESE, THAI], ids=["chinese", "japanese", "thai"])
def test_a_different_comment_on_the_same_topic_is_not_linked(texts: tuple[str, ...]) -> None:
    original, _, other = _find(texts)
    assert other.duplicate_of is None and other.match is None
    assert other.cluster_id != original.cluster_id
    finder = DuplicateFinder()
    finder.add([texts[0], texts[2]])
    assert [m.cluster_size for m in finder.final_matches()] == [1, 1]


@pytest.mark.parametrize("texts", [CHINESE, JAPANESE], ids=["chinese", "japanese"])
def test_without_no_space_tokens_such_copies_were_missed(texts: tuple[str, ...]) -> None:
    # Split at punctuation only, each comment is a few long "words", under the length floor.
    original, copy, _ = _find(texts, no_space_ngram=0)
    assert original.short and copy.short and copy.match is None


def test_han_characters_are_single_tokens_and_kana_and_thai_letters_bigrams() -> None:
    assert no_space_tokens("画面が割れた", 2) == (
        ["画面が割れた"],
        ["画", "面", "が", "割", "れた"],
    )
    assert no_space_tokens("画面が割れた", 3, han_n=2)[1] == ["画面", "が", "割", "れた"]
    pieces, tokens = no_space_tokens("ปลอดภัย", 2)
    assert pieces == ["ปลอดภัย"] and "ดภ" in tokens and "ภั" in tokens  # marks stay in
    assert no_space_tokens("這首歌_url_好聽", 2)[0] == ["這首歌", "_url_", "好聽"]


def test_a_text_mostly_in_other_scripts_keeps_its_words() -> None:
    assert no_space_tokens("great sushi at 寿司屋 tonight", 2) is None
    assert no_space_tokens("путин должен уйти", 2) is None
    pieces, tokens = no_space_tokens("iphoneの画面がまた割れてしまった", 2)
    assert pieces[0] == "iphone" and tokens[0] == "iphone"


def test_latin_and_cyrillic_texts_shingle_exactly_as_before() -> None:
    texts = [
        "Stop the war and bring our soldiers home",
        "Путин должен уйти, и чем скорее, тем лучше для всех",
        "Best sushi place in town: 寿司 every day!",
        "lol",
        "",
    ]
    new = shingle_batch(texts, (1, 1), char_words=12, no_space_ngram=2)
    old = shingle_batch(texts, (1, 1), char_words=12, no_space_ngram=0)
    for name in ("exact_keys", "word_counts", "set_sizes", "empty", "rows", "hashes"):
        assert np.array_equal(getattr(new, name), getattr(old, name)), name
    assert np.array_equal(new.char_hashes, old.char_hashes)


def test_the_exact_text_key_of_a_no_space_text_is_unchanged() -> None:
    new = shingle_batch(list(CHINESE), no_space_ngram=2)
    old = shingle_batch(list(CHINESE), no_space_ngram=0)
    assert np.array_equal(new.exact_keys, old.exact_keys)
    assert (new.word_counts > old.word_counts).all()


@pytest.mark.parametrize(
    ("settings", "named"),
    [({"no_space_ngram": -1}, "no_space_ngram=-1"), ({"han_ngram": 0}, "han_ngram=0")],
)
def test_bad_no_space_settings_are_refused(settings: dict, named: str) -> None:
    with pytest.raises(DuplicatesError, match=named):
        DuplicateFinder(**settings)


def test_a_batch_prepared_with_other_no_space_settings_is_refused() -> None:
    texts = list(CHINESE)
    with pytest.raises(DuplicatesError, match="prepare it with this finder"):
        DuplicateFinder().add_batch(texts, shingled=DuplicateFinder(han_ngram=2).prepare(texts))


def _run(path: Path, texts: list[str], prefix: str, **settings: object) -> list:
    finder = DuplicateFinder(**settings)
    with FingerprintIndex(path, settings=finder.settings, label=prefix) as index:
        finder.index = index
        return finder.add(texts, [f"{prefix}{i}" for i in range(len(texts))])


def test_a_copy_in_a_later_run_is_found_through_the_index(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    _run(path, [CHINESE[0], JAPANESE[0]], "one-")
    second = _run(path, [CHINESE[1], JAPANESE[2]], "two-")
    assert (second[0].duplicate_of, second[0].match) == ("one-0", "earlier-run")
    assert second[1].duplicate_of is None


def test_an_index_made_without_no_space_tokens_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    _run(path, [CHINESE[0]], "one-", no_space_ngram=0)
    with pytest.raises(DuplicatesError, match="no_space_ngram: index 0, finder 2"):
        _run(path, [CHINESE[1]], "two-")
    older = tmp_path / "older.sqlite"
    _run(older, [CHINESE[0]], "one-")
    with sqlite3.connect(older) as db:  # what an index made before these settings holds
        db.execute("DELETE FROM settings WHERE name IN ('no_space_ngram', 'han_ngram')")
    with pytest.raises(DuplicatesError, match="no_space_ngram: index None, finder 2"):
        _run(older, [CHINESE[1]], "two-")
