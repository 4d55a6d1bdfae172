"""The judge: heads, persistence with card and checksum, the Moderator API, train.py."""

from __future__ import annotations

import concurrent.futures
import itertools
import json

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from moderation import ModelError, Moderator, Verdict
from moderation.errors import DataError
from moderation.judge.features import CommentFeaturiser
from moderation.judge.heads import LogisticHead
from moderation.judge.persist import SCHEMA_VERSION, card_path
from moderation.train.corpora import read_labeled
from moderation.train.trainer import TrainingOptions, train_and_save, train_moderator
from tests.support import FIXTURES, ROOT, SEEDS

TINY = FIXTURES / "tiny_labeled.jsonl"
TINY_OPTIONS = TrainingOptions(cv=3)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> tuple:
    path = tmp_path_factory.mktemp("model") / "tiny.joblib"
    card = train_and_save(read_labeled([TINY]), path, TINY_OPTIONS)
    return path, card


@pytest.fixture(scope="module")
def default_moderator() -> Moderator:
    return Moderator.load()


def _plain(value) -> bool:
    """Only plain Python values and NumPy arrays of numbers: nothing of scikit-learn's."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "iuf"
    return value is None or isinstance(value, str | int | float | bool)


def test_round_trip_scores_identically_and_stores_plain_arrays(tiny_model) -> None:
    path, card = tiny_model
    moderator, _ = train_moderator(read_labeled([TINY]), TINY_OPTIONS)
    loaded = Moderator.load(path)
    texts = ["Bomb them all", "check my channel", "peace now please", "Glory to Kharkiv"]
    before = [v.to_dict() for v in moderator.score(texts)]
    after = [v.to_dict() for v in loaded.score(texts)]
    assert before == after
    state = joblib.load(path)
    assert state["schema_version"] == SCHEMA_VERSION
    assert _plain(state)
    assert card["labels"]["stance:russia_ukraine"] == ["neutral", "pro_russia", "pro_ukraine"]
    assert card["sha256"] and card_path(path).is_file()
    assert path.with_name("tiny.card.md").read_text().startswith("# Model card")


def test_training_is_deterministic(tiny_model, tmp_path) -> None:
    path, card = tiny_model
    again = train_and_save(read_labeled([TINY]), tmp_path / "again.joblib", TINY_OPTIONS)
    assert again["heads"] == card["heads"]
    assert again["sha256"] == card["sha256"]


def test_one_changed_byte_is_refused(tiny_model, tmp_path) -> None:
    path, _ = tiny_model
    copy = tmp_path / "tiny.joblib"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    card_path(copy).write_text(card_path(path).read_text())
    with pytest.raises(ModelError, match="does not match its card"):
        Moderator.load(copy)


def test_missing_card_wrong_schema_and_wrong_labels_are_refused(tiny_model, tmp_path) -> None:
    path, card = tiny_model
    copy = tmp_path / "m.joblib"
    copy.write_bytes(path.read_bytes())
    with pytest.raises(ModelError, match="card m.card.json is missing"):
        Moderator.load(copy)
    card_path(copy).write_text(json.dumps({**card, "schema_version": 99}))
    with pytest.raises(ModelError, match="schema version 99"):
        Moderator.load(copy)
    labels = {**card["labels"], "spam": ["0", "1", "2"]}
    card_path(copy).write_text(json.dumps({**card, "labels": labels}))
    with pytest.raises(ModelError, match="label set"):
        Moderator.load(copy)
    with pytest.raises(ModelError, match="no such model file"):
        Moderator.load(tmp_path / "absent.joblib")


def test_default_model_judges_the_seed_comments(default_moderator) -> None:
    labeled = [json.loads(line) for line in (SEEDS / "labeled" / "seed-comments.jsonl").open()]
    verdicts = default_moderator.score(labeled)
    assert len(verdicts) == 12
    assert [v.stance for v in verdicts] == [row["stance"] for row in labeled]
    nuke = verdicts[-1]
    assert "Bravo Russia" in nuke.text
    assert nuke.flags == ["incitement"] and nuke.action in ("review", "remove")
    words = [word for word, weight in nuke.reasons["incitement"]]
    # "nuke" is a violent word: its evidence is its own n-grams and the cue it sets
    assert {"nuke", "[violent]"} & set(words) and all(w > 0 for _, w in nuke.reasons["incitement"])
    assert all(v.flags == [] for v in verdicts[:-1])


def test_default_card_matches_the_model_file() -> None:
    card = json.loads((ROOT / "models" / "default.card.json").read_text())
    assert card["data"]["files"] and all(
        f.startswith("seeds/labeled") for f in card["data"]["files"]
    )
    for name in ("spam", "incitement", "stance:russia_ukraine"):
        assert name in card["heads"]


def test_explain_gives_ngrams_per_head(default_moderator) -> None:
    explanation = default_moderator.explain("Check out my channel, subscribe for free crypto!!")
    assert explanation["spam"]["flagged"] is True
    assert explanation["spam"]["ngrams"][0][1] > 0
    assert set(explanation) == {"language", "judged", "stance", "spam", "incitement"}
    assert explanation["language"] == "en" and explanation["judged"] is True


def test_score_stream_is_lazy_and_thread_safe(default_moderator) -> None:
    endless = itertools.cycle(["Slava Ukraini", "subscribe to my channel", "peace please"])
    first = list(itertools.islice(default_moderator.score_stream(endless, batch_size=100), 250))
    assert len(first) == 250 and all(isinstance(v, Verdict) for v in first)
    texts = [v.text for v in first[:60]]
    expected = [v.to_dict() for v in default_moderator.score(texts)]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(
            pool.map(lambda _: [v.to_dict() for v in default_moderator.score(texts)], range(8))
        )
    assert all(result == expected for result in results)


def test_threshold_overrides_and_bad_values(tiny_model) -> None:
    path, _ = tiny_model
    everything = Moderator.load(path, thresholds={"spam": 0.0, "incitement": 0.0})
    assert all(set(v.flags) == {"spam", "incitement"} for v in everything.score(["hello", "x"]))
    with pytest.raises(ModelError, match="unknown flag"):
        Moderator.load(path, thresholds={"toxicity": 0.5})
    with pytest.raises(ModelError, match="no stance head for target 'atheism'"):
        Moderator.load(path).score(["hi"], target="atheism")


def test_long_comments_are_truncated_and_marked(tiny_model) -> None:
    path, _ = tiny_model
    moderator = Moderator.load(path, max_chars=50)
    verdict = moderator.score(["peace " * 100])[0]
    assert verdict.truncated and len(verdict.text) == 600


def test_estimators_follow_scikit_learn_conventions() -> None:
    rows = read_labeled([TINY])
    texts = [r.text for r in rows]
    spam = np.array([r.spam for r in rows])
    with pytest.raises(NotFittedError):
        CommentFeaturiser().transform(["x"])
    with pytest.raises(NotFittedError):
        CommentFeaturiser().transform_with_grams(["x"])
    with pytest.raises(NotFittedError):
        LogisticHead().predict_proba(np.zeros((1, 3)))
    pipeline = Pipeline(
        [("features", CommentFeaturiser(min_df=1)), ("head", LogisticHead(cv=3, Cs=(1.0,)))]
    )
    search = GridSearchCV(pipeline, {"head__class_weight": [None, "balanced"]}, cv=2)
    search.fit(texts, spam)
    assert search.predict(["subscribe to my channel"]).shape == (1,)
    assert clone(LogisticHead(precision=0.8)).get_params()["precision"] == 0.8
    featuriser = search.best_estimator_.named_steps["features"]
    memo = featuriser._memo()  # the per-chunk memo is remade when a parameter changes
    assert featuriser._memo() is memo
    featuriser.set_params(word_ngram_max=1)
    assert featuriser._memo() is not memo
    with pytest.raises(DataError, match="rarest class"):  # a ValueError, as scikit-learn asks
        LogisticHead(cv=5).fit(np.eye(4), np.array([0, 0, 1, 1]))


def test_npz_models_score_like_joblib_ones_and_never_unpickle(tiny_model, tmp_path) -> None:
    path, _ = tiny_model
    as_npz = tmp_path / "tiny.npz"
    train_and_save(read_labeled([TINY]), as_npz, TINY_OPTIONS)
    texts = ["Bomb them all", "check my channel", "peace now please"]
    joblib_scores = [v.to_dict() for v in Moderator.load(path).score(texts)]
    assert [v.to_dict() for v in Moderator.load(as_npz).score(texts)] == joblib_scores
    # An object array would need pickle to load: the .npz reader refuses it.
    evil = tmp_path / "evil.npz"
    meta = json.dumps({"schema_version": 1, "x": {"__array__": "x"}}).encode()
    np.savez(evil, __meta__=np.frombuffer(meta, np.uint8), x=np.array([object()], dtype=object))
    card = json.loads(card_path(as_npz).read_text())
    from moderation.judge.persist import sha256_of

    card_path(evil).write_text(json.dumps({**card, "sha256": sha256_of(evil)}))
    with pytest.raises(ModelError, match="cannot read the model file"):
        Moderator.load(evil)
