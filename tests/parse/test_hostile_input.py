"""Hostile and broken input: nothing crashes, and every input comment is one row or one rejection.

Property-based tests (hypothesis) over parse and score, plus the named nasty cases: invalid
UTF-8, NUL bytes, a 50 MB line, empty and whitespace-only comments, null or numeric text, deep
nesting, unbalanced CSV quotes, entity bombs.
"""

from __future__ import annotations

import csv
import io
import json
import time

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation import Comment, Moderator, parse
from moderation.cli import main
from moderation.records import Article, Rejection, Unloaded

RECORD_TYPES = (Comment, Article, Rejection, Unloaded)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def moderator() -> Moderator:
    return Moderator.load()


def _split(records):
    records = list(records)
    comments = [r for r in records if isinstance(r, Comment)]
    rejections = [r for r in records if isinstance(r, Rejection)]
    return comments, rejections


@FAST
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_crash_parse(data: bytes) -> None:
    records = list(parse(data))
    assert all(isinstance(r, RECORD_TYPES) for r in records)


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
scalar = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
)
# Rows a comment dump holds: objects with (odd) text values, and scalars or flat lists. An
# object holding a list of objects is a thread, whose elements are counted one by one instead.
dump_row = st.one_of(
    st.fixed_dictionaries({"id": st.text(min_size=1, max_size=8), "text": json_value}),
    st.fixed_dictionaries({"text": st.text(max_size=200)}),
    st.dictionaries(st.sampled_from(["id", "author", "x"]), scalar, max_size=3),
    scalar,
    st.lists(scalar, max_size=3),
)
raw_line = st.text(max_size=60).filter(lambda line: "\n" not in line and "\r" not in line)


@FAST
@given(st.lists(st.one_of(dump_row.map(json.dumps), raw_line), min_size=1, max_size=25))
def test_every_jsonl_line_is_one_comment_or_one_rejection(lines: list[str]) -> None:
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return  # lone surrogates: covered by the invalid UTF-8 test below
    non_blank = sum(1 for line in data.decode().split("\n") if line.strip())
    records = list(parse(data, format="jsonl"))
    comments, rejections = _split(records)
    assert len(comments) + len(rejections) == non_blank
    assert all(c.text.strip() for c in comments)


@FAST
@given(st.lists(st.text(max_size=120), min_size=1, max_size=20))
def test_well_formed_csv_round_trips_every_row(texts: list[str]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "text"])
    for number, text in enumerate(texts):
        writer.writerow([f"c{number}", text])
    data = buffer.getvalue().encode("utf-8", "surrogatepass")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return
    comments, rejections = _split(parse(data, format="csv"))
    assert len(comments) + len(rejections) == len(texts)
    assert all(r.reason == "row has empty text" or "text" in r.reason for r in rejections)


@FAST
@given(st.lists(st.text(max_size=300), min_size=1, max_size=12))
def test_score_gives_one_verdict_per_text(moderator: Moderator, texts: list[str]) -> None:
    verdicts = moderator.score(texts)
    assert len(verdicts) == len(texts)
    judged = [v for v in verdicts if v.stance is not None]
    assert all(0.0 <= v.spam <= 1.0 and 0.0 <= v.incitement <= 1.0 for v in judged)
    assert all(abs(sum(v.stance_scores.values()) - 1) < 1e-3 for v in judged)
    # the rest are in a language the model does not judge: no scores, sent to review
    assert all(
        v.spam is None and v.action == "review" and "unsupported_language" in v.reasons
        for v in verdicts
        if v.stance is None
    )


def _score_counts(tmp_path, data: bytes, name: str = "dump.jsonl", *extra: str) -> tuple[int, int]:
    source = tmp_path / name
    source.write_bytes(data)
    rejects = tmp_path / "rejects.jsonl"
    result = CliRunner().invoke(main, ["score", str(source), "--rejects", str(rejects), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    out = len(result.stdout.splitlines())
    rejected = len(rejects.read_text().splitlines()) if rejects.exists() else 0
    assert f"scored {out} comments; {rejected} rejected" in result.stderr
    return out, rejected


def test_named_hostile_jsonl_rows_add_up(tmp_path) -> None:
    lines = [
        b'{"id": "a", "text": "fine"}',
        b'{"id": "b", "text": null}',
        b'{"id": "c", "text": 42}',
        b'{"id": "d", "text": ""}',
        b'{"id": "e", "text": "   \\t "}',
        b'{"id": "f", "text": "bad \xff\xfe bytes"}',
        b'{"id": "g", "text": "nul \x00 raw"}',
        b'{"id": "h", "text": "nul \\u0000 escaped"}',
        b"[1, 2, 3]",
        b"not json at all",
        b'{"id": "i", "extra": ' + b"[" * 50_000 + b"]" * 50_000 + b', "text": "deep"}',
        b'{"id": "j", "text": "last"}',
    ]
    out, rejected = _score_counts(tmp_path, b"\n".join(lines) + b"\n")
    assert out + rejected == len(lines)
    assert out == 3  # a, h (NUL escaped is valid JSON text), j


def test_unbalanced_csv_quotes_cost_one_row(tmp_path) -> None:
    data = b'id,text\n1,"never closes\n2,second\n3,third\n'
    out, rejected = _score_counts(tmp_path, data, "dump.csv")
    assert (out, rejected) == (2, 1)


def test_fifty_megabyte_line_is_scored_on_a_prefix_and_marked(tmp_path) -> None:
    data = (
        json.dumps({"id": "big", "text": "spam " * 10_000_000}).encode()
        + b'\n{"id": "s", "text": "hi"}\n'
    )
    source = tmp_path / "big.jsonl"
    source.write_bytes(data)
    result = CliRunner().invoke(main, ["score", str(source), "--max-chars", "2000"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["big", "s"]
    assert rows[0]["truncated"] is True and rows[1]["truncated"] is False
    assert "1 truncated" in result.stderr


def test_billion_laughs_export_is_refused_fast(tmp_path) -> None:
    entities = "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE disqus [<!ENTITY lol0 "lol">' + entities + "]>"
        '<disqus xmlns="http://disqus.com"><post><message>&lol9;</message></post></disqus>'
    )
    path = tmp_path / "bomb.xml"
    path.write_text(bomb)
    started = time.perf_counter()
    records = list(parse(path))
    assert time.perf_counter() - started < 5  # generous: the point is no expansion at all
    comments, rejections = _split(records)
    assert comments == [] and len(rejections) == 1
    assert "entit" in rejections[0].reason.lower()


def test_csv_output_is_safe_in_spreadsheets(tmp_path) -> None:
    source = tmp_path / "d.jsonl"
    source.write_text(json.dumps({"id": "=1+1", "text": "@SUM(A1:A9) -cmd +x"}) + "\n")
    result = CliRunner().invoke(main, ["score", str(source), "--output-format", "csv"])
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert row["id"] == "'=1+1" and row["text"].startswith("'@SUM")
