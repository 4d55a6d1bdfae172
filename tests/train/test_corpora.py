"""Labeled-data adapters: each public format maps onto the project's heads as documented."""

from __future__ import annotations

import pytest

from moderation.errors import DataError
from moderation.train.corpora import dedupe, read_labeled
from tests.support import FIXTURES

CORPORA = FIXTURES / "corpora"


def _labels(name: str) -> list[tuple]:
    return [
        (r.text, r.stance, r.spam, r.incitement, r.target) for r in read_labeled([CORPORA / name])
    ]


def test_youtube_spam_skips_leading_blank_line_and_ignores_author_and_date() -> None:
    rows = read_labeled([CORPORA / "youtube.csv"])
    assert [(r.text, r.spam) for r in rows] == [
        ("Check out my channel please", 1),
        ("Great song, love the beat", 0),
    ]
    assert rows[0].line == 3


def test_sms_ethos_ruw_semeval_rumoureval() -> None:
    assert [r[2] for r in _labels("sms.tsv")] == [0, 1]
    assert [r[3] for r in _labels("ethos_multi.csv")] == [1, 0]
    assert [(r[0], r[3]) for r in _labels("ethos_binary.csv")] == [("Nice weather today", 0)]
    assert [r[1] for r in _labels("ruw.csv")] == ["pro_ukraine", "pro_russia", "neutral"]
    semeval = _labels("semeval.txt")
    assert semeval[0] == ("Prayer helps me every day", "against", None, None, "semeval_atheism")
    assert semeval[1][4] == "semeval_climate_change_is_a_real_concern"
    assert _labels("rumoureval.jsonl")[0][1:] == ("query", None, None, "rumour_reply")


def test_project_format_errors_name_file_and_line(tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok", "spam": 0}\n{"text": "x", "spam": 2}\n')
    with pytest.raises(DataError, match=r"bad.jsonl:2: a flag label must be 0, 1"):
        read_labeled([bad])
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="unknown labeled format"):
        read_labeled([unknown])


def test_project_corpus_is_large_fully_labeled_and_consistent() -> None:
    rows = read_labeled([FIXTURES.parent.parent / "seeds" / "labeled"])
    assert len(rows) >= 2012
    assert all(r.spam is not None and r.incitement is not None for r in rows)
    # Flag-only rows (part 17: "stance": null) stay out of the stance head; the rest have one.
    stances = [r.stance for r in rows if r.stance is not None]
    assert len(stances) >= 2012
    assert set(stances) == {"pro_ukraine", "pro_russia", "neutral"}
    # Short slogans ("Russia go home.") recur, as in real threads, but never with other labels.
    labels_by_text: dict[str, set] = {}
    for row in rows:
        key = " ".join(row.text.split()).casefold()
        labels_by_text.setdefault(key, set()).add((row.stance, row.spam, row.incitement))
    assert all(len(labels) == 1 for labels in labels_by_text.values())
    assert len(dedupe(rows)) == len(labels_by_text) > 2000
