"""Duplicate finding: exact and near copies, the length floor, streaming, merging, stories."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.dedup.clusters import ClusterTally, cluster_kind
from moderation.dedup.finder import DuplicateFinder, DuplicatesError
from moderation.dedup.first_seen import FirstSeenTable
from moderation.dedup.minhash import MinHasher, banding_for
from moderation.dedup.shingles import canonical_words, shingle_batch
from moderation.dedup.sketches import SketchStore
from moderation.dedup.stories import StoryTracker, assign_story_ids
from moderation.parse import parse
from moderation.records import Article
from tests.support import SEEDS, shared_path

BASE = (
    "The ceasefire will not hold unless both armies pull back their heavy artillery from the "
    "front line and let observers from neutral countries check every position."
)
OTHER = (
    "Grain prices in Africa doubled this spring because the ports stayed closed, and the aid "
    "agencies say the next harvest will not be enough to feed everyone."
)


def _find(texts: list[str], **settings: object) -> list:
    return DuplicateFinder(**settings).add(texts, [f"c{i}" for i in range(len(texts))])


# -- exact -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        BASE.upper(),
        "  " + BASE.replace(" ", "   \n ") + "  ",
        BASE.replace(",", "").replace(".", "!!!"),
        BASE + " 😡🔥",
        BASE.replace("observers", "obs3rv3rs").replace("neutral", "n e u t r a l"),
        BASE.replace("let observers", "let observers"),
    ],
    ids=["case", "whitespace", "punctuation", "emoji", "obfuscation", "identical"],
)
def test_variants_of_the_same_text_are_exact_duplicates(variant: str) -> None:
    first, copy = _find([BASE, variant])
    assert first.duplicate_of is None and first.match is None and first.similarity is None
    assert (copy.duplicate_of, copy.match, copy.similarity) == ("c0", "exact", 1.0)
    assert copy.cluster_id == first.cluster_id


def test_url_variants_fold_onto_one_text() -> None:
    texts = [
        "Free crypto for everyone who signs up today at https://win.example/a?ref=1 hurry up",
        "Free crypto for everyone who signs up today at www.win.example hurry up",
        "Free crypto for everyone who signs up today at bit . ly/xyz hurry up",
    ]
    assert [m.match for m in _find(texts)] == [None, "exact", "exact"]


# -- near ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        BASE.replace("artillery", "artilery"),
        BASE.replace("heavy artillery", "heavy modern artillery"),
        BASE.replace("neutral ", ""),
        BASE.replace("observers", "Zelensky"),
        "let observers from neutral countries check every position. The ceasefire will not hold "
        "unless both armies pull back their heavy artillery from the front line and",
    ],
    ids=["typo", "inserted-word", "deleted-word", "changed-name", "reordered"],
)
def test_small_edits_are_near_duplicates(variant: str) -> None:
    first, copy = _find([BASE, variant])
    assert copy.duplicate_of == "c0" and copy.match == "near"
    assert 0.8 <= copy.similarity <= 1.0  # a reordering keeps the word set: 1.0
    assert copy.cluster_id == first.cluster_id


def test_different_texts_and_the_threshold() -> None:
    matches = _find([BASE, OTHER])
    assert [m.duplicate_of for m in matches] == [None, None]
    assert matches[0].cluster_id != matches[1].cluster_id
    half = " ".join(BASE.split()[:14] + OTHER.split()[14:])
    assert _find([BASE, half])[1].duplicate_of is None
    assert _find([BASE, half], threshold=0.3)[1].match == "near"


def test_short_texts_match_only_exactly() -> None:
    texts = ["First!", "first", "lol", "LOL!!! 😂", "Great song", "Great songs", "great song man"]
    matches = _find(texts)
    assert [m.match for m in matches] == [
        None,
        "short-exact",
        None,
        "short-exact",
        None,
        None,
        None,
    ]
    assert all(m.short for m in matches)
    # words 1/3, bigrams 10/13: under 0.8 either way
    assert _find(["Great song", "Great songs"], min_words=1)[1].match is None


def test_empty_texts_are_never_matched() -> None:
    matches = _find(["", "   ", "!!!", "!!!"])
    assert [m.cluster_id is None for m in matches] == [True, True, False, False]
    assert matches[3].match == "short-exact"


# -- streaming, merging ----------------------------------------------------------------------


def test_batches_give_the_same_answer_as_one_pass() -> None:
    texts = [BASE, OTHER, BASE.upper(), OTHER.replace("spring", "summer"), "lol", "lol", BASE]
    whole = [(m.duplicate_of, m.cluster_id, m.match) for m in _find(texts)]
    for size in (1, 2, 3):
        finder = DuplicateFinder()
        ids = [f"c{i}" for i in range(len(texts))]
        streamed = finder.add(texts, ids, batch_size=size)
        assert [(m.duplicate_of, m.cluster_id, m.match) for m in streamed] == whole
    assert [m[0] for m in whole] == [None, None, "c0", "c1", None, "c4", "c0"]


def test_final_matches_merge_clusters_a_later_comment_bridges() -> None:
    words = [
        "peace",
        "talks",
        "resumed",
        "today",
        "after",
        "weeks",
        "of",
        "shelling",
        "near",
        "the",
        "river",
        "while",
        "civilians",
        "waited",
        "anxiously",
        "for",
        "news",
        "about",
        "corridors",
    ]
    new = ["because", "nobody", "trusts", "anyone"]
    left = " ".join(words)  # 19 words
    right = " ".join(words[:16] + new)  # Jaccard 0.70 with left
    bridge = " ".join(words[:18] + new[:2])  # 0.86 with left, 0.82 with right
    finder = DuplicateFinder()
    streamed = finder.add([left, right, bridge], ["a", "b", "c"])
    assert streamed[1].duplicate_of is None  # too far from "a" on its own
    assert streamed[2].duplicate_of == "a"
    final = finder.final_matches()
    assert [m.duplicate_of for m in final] == [None, "a", "a"]
    assert [m.cluster_size for m in final] == [3, 3, 3]
    assert final[1].match == "near" and final[1].similarity >= 0.8
    assert len({m.cluster_id for m in final}) == 1


# -- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"threshold": 0}, "threshold=0"),
        ({"threshold": 1.5}, "threshold=1.5"),
        ({"threshold": "high"}, "threshold='high'"),
        ({"min_words": 0}, "min_words=0"),
        ({"num_perm": 100, "bands": 16, "rows_per_band": 5}, "num_perm=100"),
        ({"bands": 16}, "rows_per_band=None"),
        ({"measure": "cosine"}, "measure='cosine'"),
        ({"ngram_range": (2, 1)}, "ngram_range=(2, 1)"),
        ({"sketch_size": 0}, "size=0"),
    ],
)
def test_bad_settings_are_refused_naming_the_value(settings: dict, named: str) -> None:
    with pytest.raises(DuplicatesError, match=named.replace("(", r"\(").replace(")", r"\)")):
        DuplicateFinder(**settings)


def test_ids_must_match_texts() -> None:
    with pytest.raises(DuplicatesError, match="2 ids for 1 texts"):
        DuplicateFinder().add_batch(["x"], ["a", "b"])


# -- the data structures ---------------------------------------------------------------------


def test_first_seen_table_matches_a_dict_through_growth() -> None:
    rng = np.random.default_rng(0)
    table, reference = FirstSeenTable(capacity=16), {}
    row = 0
    for _ in range(30):
        keys = rng.integers(0, 3000, size=200).astype(np.uint64)
        rows = np.arange(row, row + keys.size)
        expected = [
            reference.setdefault(int(k) or 1, int(r)) for k, r in zip(keys, rows, strict=True)
        ]
        assert table.first_rows(keys, rows).tolist() == expected
        row += keys.size
    assert len(table) == len(reference)
    assert table.get(np.array([5000], dtype=np.uint64)).tolist() == [-1]


def test_sketches_are_exact_for_small_sets_and_close_for_large_ones() -> None:
    rng = np.random.default_rng(1)
    store = SketchStore(size=64)
    sets = [rng.choice(10**6, size=n, replace=False) for n in (20, 30, 500, 800)]
    sets[1][:15] = sets[0][:15]  # Jaccard 15 / 35
    sets[3][:400] = sets[2][:400]  # Jaccard 400 / 900
    rows = np.concatenate([np.full(s.size, i) for i, s in enumerate(sets)])
    hashes = np.concatenate(sets).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    store.append(rows, hashes, len(sets))
    similarity = store.similarity(np.array([0, 2]), np.array([1, 3]))
    assert similarity[0] == pytest.approx(15 / 35)
    assert similarity[1] == pytest.approx(400 / 900, abs=0.12)
    containment = store.similarity(np.array([0]), np.array([1]), measure="containment")
    assert containment[0] == pytest.approx(15 / 20)


def test_banding_follows_the_threshold() -> None:
    assert banding_for(0.8) == (20, 5) and banding_for(0.5) == (50, 2)
    assert DuplicateFinder(threshold=0.5).settings["rows_per_band"] == 2


def test_minhash_is_seeded_and_tracks_jaccard() -> None:
    rows = np.repeat([0, 1], 200)
    values = np.concatenate([np.arange(200), np.arange(100, 300)]).astype(np.uint64)
    hashes = values * np.uint64(0xBF58476D1CE4E5B9)
    first = MinHasher(seed=7).signatures(rows, hashes, 2)
    assert np.array_equal(first, MinHasher(seed=7).signatures(rows, hashes, 2))
    assert not np.array_equal(first, MinHasher(seed=8).signatures(rows, hashes, 2))
    agreement = float(np.mean(first[0] == first[1]))
    assert 1 / 3 - 0.15 < agreement < 1 / 3 + 0.15  # Jaccard 100 / 300


def test_shingles_use_the_featuriser_normalisation() -> None:
    assert canonical_words("Ch3ck my CH@NNEL!!! 👉 https://x.example") == [
        "check",
        "my",
        "channel",
        "_url_",
    ]
    batch = shingle_batch(["peace now or never", "never or now peace"], ngram_range=(1, 1))
    assert batch.exact_keys[0] != batch.exact_keys[1]
    assert batch.hashes[batch.rows == 0].tolist() == batch.hashes[batch.rows == 1].tolist()


# -- clusters and stories --------------------------------------------------------------------


def test_cluster_tally_tells_floods_from_campaigns() -> None:
    tally = ClusterTally()
    for article in ("a1", "a1", "a2"):
        tally.add("flood", author="bot", article_id=article, first_id="f")
    for author, article in (("ann", "a1"), ("bob", "a2"), ("cy", "a3")):
        tally.add("campaign", author=author, article_id=article, first_id="c")
    for _ in range(3):
        tally.add("lol", author="x", article_id="a1", short=True)
    tally.add("single", author="x", article_id="a1")
    kinds = {s.cluster_id: (s.size, s.authors, s.articles, s.kind) for s in tally.summaries()}
    assert kinds == {
        "flood": (3, 1, 2, "flood"),
        "campaign": (3, 3, 3, "campaign"),
        "lol": (3, 1, 1, "short"),
    }
    assert cluster_kind(size=4, authors=2, articles=1, short=False) == "copy-paste"
    assert cluster_kind(size=4, authors=0, articles=1, short=False) == "repeat"


def test_seed_stories_syndicated_copies_share_a_story_id() -> None:
    articles = [r for r in parse(SEEDS, articles=True) if isinstance(r, Article)]
    ids = assign_story_ids(articles)
    by_prefix = {article_id[:3]: story for article_id, story in ids.items()}
    assert by_prefix["002"] == by_prefix["003"]
    assert by_prefix["000"] == by_prefix["001"]
    assert len({by_prefix["000"], by_prefix["002"], by_prefix["004"]}) == 3


def test_story_tracker_streams_and_skips_empty_bodies() -> None:
    tracker = StoryTracker()
    assert tracker.add(Article("empty", body="  ")) is None
    story = tracker.add(Article("a", body=BASE + " " + OTHER))
    assert tracker.add(Article("b", body="KYIV (Reuters) " + BASE + " " + OTHER)) == story
    excerpt = Article("c", body=OTHER)  # wholly inside "a": a syndicated excerpt, same story
    assert tracker.add(excerpt) == story
    rewrite = " ".join(BASE.split()[:12]) + " said the minister, adding that energy prices rose."
    assert tracker.add(Article("d", body=rewrite + " " + rewrite.upper())) != story
    assert tracker.shared() == {story: ["a", "b", "c"]}


# -- real corpus -----------------------------------------------------------------------------


def test_youtube_corpus_repeats_are_found() -> None:
    import csv

    folder = shared_path("data", "youtube_spam")
    comments = []
    for path in sorted(folder.glob("Youtube*.csv")):
        with path.open(encoding="utf-8", newline="") as stream:
            comments.extend(csv.DictReader(line for line in stream if line.strip()))
    texts = [c["CONTENT"] for c in comments]
    matches = DuplicateFinder().add(texts, [c["COMMENT_ID"] for c in comments])
    groups: dict[str, set] = {}
    for text, match in zip(texts, matches, strict=True):
        groups.setdefault(text.strip(), set()).add(match.cluster_id)
    repeated = [text for text in groups if sum(t.strip() == text for t in texts) > 1]
    assert repeated and all(len(groups[text]) == 1 for text in repeated)
    assert sum(m.match == "near" for m in matches) >= 5
