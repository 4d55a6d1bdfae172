"""BatchRanker ranks many texts at once with exactly py3langid's own rankings (the same
languages in the same order with bit-identical probabilities), and falls back to py3langid's
``rank`` when its tables are not what the batched walk expects."""

from __future__ import annotations

import random

import pytest

from moderation import language
from moderation.errors import DataError
from moderation.language_batch import BatchRanker
from moderation.normalise import normalise_batch
from moderation.train.corpora import detect_adapter
from tests.support import shared_path

TEXTS = [
    "Diese Verbrecher sollte man alle an die Wand stellen",
    "Их всех надо расстрелять, без суда и следствия.",
    "我们应该和平解决这个问题，不要再打仗了。",
    "日本の試合はとても良かったです",
    "THIS IS ALL IN CAPITALS AND SHOUTED",
    "ok",
    "",
    "é",
    "Ceci est un commentaire en français, assez court",
    "x" * 400,
    "\ud800 a lone surrogate",  # py3langid encodes with surrogatepass
]


def _asked(texts: list[str]) -> list[str]:
    """The texts the detector is asked about, as language.detect_many builds them."""
    answers = [language._without_detector(text) for text in normalise_batch(texts)]
    return [answer.text for answer in answers if isinstance(answer, language._Question)]


def test_the_batch_ranks_as_py3langid_ranks_each_text() -> None:
    ranker = language.ranker()
    assert ranker.batched  # this py3langid's tables are the ones the walk reads
    assert ranker.rank(TEXTS) == [language.identifier().rank(text) for text in TEXTS]


@pytest.mark.parametrize("python_below", [0, 3, 100])
def test_walking_the_tail_in_python_ranks_the_same(python_below: int) -> None:
    """NumPy steps for every byte (0), Python for the last few texts (3), Python for all."""
    identifier = language.identifier()
    ranker = BatchRanker(identifier, python_below=python_below)
    texts = TEXTS + [text * 3 for text in TEXTS] + ["a" * n for n in range(0, 40, 7)]
    assert ranker.batched
    assert ranker.rank(texts) == [identifier.rank(text) for text in texts]


def test_probes_that_rank_differently_by_either_walk_turn_batching_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A release whose tables the Python walk reads differently is caught at load."""
    identifier = language.identifier()
    monkeypatch.setattr(BatchRanker, "_walk_rest", lambda self, data, position, state: [])
    ranker = BatchRanker(identifier)
    assert not ranker.batched
    assert ranker.python_below > 0  # the setting is kept
    assert ranker.rank(["Das ist gut"]) == [identifier.rank("Das ist gut")]


def test_on_real_comments_every_ranking_is_identical() -> None:
    data = shared_path("data")
    texts = []
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        if path.suffix == ".md" or path.name.startswith("README"):
            continue
        try:
            texts.extend(row.text for row in detect_adapter(path)(path))
        except DataError:
            continue  # annotation notes beside the data are not corpora
    random.Random(0).shuffle(texts)
    asked = _asked(texts[:12000])
    assert len(asked) > 1000
    expected = [language.identifier().rank(text) for text in asked]
    got = []
    for start in range(0, len(asked), 700):  # batches of the judge's size
        got.extend(language.ranker().rank(asked[start : start + 700]))
    assert [list(ranking) for ranking in got] == expected


def test_tables_it_does_not_know_fall_back_to_rank_per_text() -> None:
    class Identifier:
        """An identifier without py3langid's tables (another release, say)."""

        def rank(self, text: str) -> list[tuple[str, float]]:
            return [("en", 1.0 if text else 0.5)]

    ranker = BatchRanker(Identifier())
    assert not ranker.batched
    assert ranker.rank(["a", ""]) == [[("en", 1.0)], [("en", 0.5)]]


def test_a_ranking_reads_like_a_list() -> None:
    ranking = language.ranker().rank(["Das ist die beste Nachricht des Tages"])[0]
    assert ranking[0][0] == "de" and len(ranking) == len(list(ranking))
    assert ranking[:2] == list(ranking)[:2]
    with pytest.raises(TypeError):
        hash(ranking)
