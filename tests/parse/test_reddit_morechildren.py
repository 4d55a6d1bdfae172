"""Reddit ``/api/morechildren`` answers: the replies a thread loads later, read as Reddit."""

from __future__ import annotations

from pathlib import Path

from moderation.parse import Input, ParseOptions, parse
from moderation.parse.detect import detect_format
from moderation.parse.reddit import read_reddit
from moderation.records import Comment, Rejection, Unloaded
from tests.support import FIXTURES

MORE = FIXTURES / "exports" / "reddit-morechildren.json"


def test_morechildren_answer_is_detected_as_reddit() -> None:
    data = MORE.read_bytes()
    assert detect_format(data, MORE.name, complete=True) == "reddit"


def test_morechildren_comments_keep_ids_parents_and_link() -> None:
    items = list(parse(str(MORE)))
    comments = [item for item in items if isinstance(item, Comment)]
    assert [(c.id, c.parent_id) for c in comments] == [
        ("t1_c9", "t1_c1"),
        ("t1_c10", "t1_c9"),
        ("t1_c11", "t1_c1"),
    ]
    assert {c.article_id for c in comments} == {"t3_abc123"}
    assert {c.format for c in comments} == {"reddit"}
    assert comments[0].text == (
        "Brooks saddle, broke it in over a whole summer & never looked back."
    )
    assert comments[1].text == "A whole summer?\n\nI would give up after a week."
    assert comments[1].author == "wheelie"
    assert comments[1].created_at == "2020-09-13T12:43:20Z"
    assert comments[2].deleted and comments[2].text == "[removed]"
    assert [c.position for c in comments] == [1, 2, 3]


def test_morechildren_stubs_are_reported_and_a_bad_body_rejected() -> None:
    items = list(parse(str(MORE)))
    unloaded = [item for item in items if isinstance(item, Unloaded)]
    assert [(u.parent_id, u.count, u.ids, u.article_id) for u in unloaded] == [
        ("t1_c10", 2, ["t1_c12", "t1_c13"], "t3_abc123"),
        ("t1_c11", 0, [], "t3_abc123"),
    ]
    rejections = [item for item in items if isinstance(item, Rejection)]
    assert [(r.reason, r.id) for r in rejections] == [("text is not a string", "t1_c14")]
    comment_ids = {item.id for item in items if isinstance(item, Comment)}
    assert not comment_ids & {"t1_c12", "t1_c13"}


def test_morechildren_errors_are_rejections(tmp_path: Path) -> None:
    path = tmp_path / "limited.json"
    path.write_text(
        '{"json": {"errors": [["RATELIMIT", "you are doing that too much", "ratelimit"]],'
        ' "data": {"things": [{"kind": "more", "data": {"count": 1, "parent_id": "t1_a",'
        ' "children": ["b"]}}]}}}',
        encoding="utf-8",
    )
    items = list(read_reddit(Input(str(path), path=path), ParseOptions()))
    assert isinstance(items[0], Rejection)
    assert items[0].reason == "Reddit API error: RATELIMIT: you are doing that too much"
    assert [(u.parent_id, u.ids) for u in items[1:]] == [("t1_a", ["t1_b"])]
