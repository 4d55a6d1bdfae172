"""POST /v1/score: the same rows as `moderation score` on the same comments, and its limits."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from moderation.cli import main
from moderation.train.corpora import detect_adapter
from tests.service.conftest import CAMPAIGN, COMMENTS
from tests.support import shared_path


def cli_rows(comments: list[dict], tmp_path: Path, *extra: str) -> list[dict]:
    """What `moderation score` writes for the comments as a JSONL dump."""
    dump = tmp_path / "comments.jsonl"
    dump.write_text("".join(json.dumps(c) + "\n" for c in comments), encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(dump), *extra])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_rows_equal_moderation_score_rows(client, tmp_path) -> None:
    response = client.post("/v1/score", json={"comments": COMMENTS})
    assert response.status_code == 200, response.text
    rows = response.json()["verdicts"]
    assert rows == cli_rows(COMMENTS, tmp_path)
    # The comments exercise what the rows are compared on.
    assert rows[1]["text"] == "Subscribe to my channel & win a free phone"
    assert rows[3]["duplicate_of"] == "c3" and rows[4]["duplicate_of"] == "c3"
    assert rows[5]["id"] == "6" and rows[5]["article_id"] == "7"
    assert "incitement" in rows[5]["flags"] and "spam" in rows[1]["flags"]


def test_rows_equal_with_a_target_and_matching_comment_targets(client, tmp_path) -> None:
    comments = [{**c, "target": "russia_ukraine"} for c in COMMENTS[:3]]
    body = {"comments": comments, "target": "russia_ukraine"}
    rows = client.post("/v1/score", json=body).json()["verdicts"]
    assert rows == cli_rows(comments, tmp_path, "--target", "russia_ukraine")


def test_rows_equal_on_real_comments(client, tmp_path) -> None:
    path = shared_path("data", "youtube_spam", "Youtube01-Psy.csv")
    texts = [row.text for row in detect_adapter(path)(path)][:300]
    comments = [{"id": f"yt{number}", "text": text} for number, text in enumerate(texts)]
    response = client.post("/v1/score", json={"comments": comments})
    assert response.status_code == 200, response.text
    assert response.json()["verdicts"] == cli_rows(comments, tmp_path)


def test_concurrent_requests_are_merged_without_changing_a_verdict(client) -> None:
    from concurrent.futures import ThreadPoolExecutor

    # one comment a request (scored on the event loop) and 12 (in the scoring thread)
    bodies = [{"comments": [{"id": "x", "text": c["text"]}]} for c in COMMENTS] * 2
    bodies += [{"comments": (COMMENTS * 2)[k : k + 12]} for k in range(4)] * 2
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda body: client.post("/v1/score", json=body), bodies))
    for body, response in zip(bodies, together, strict=True):
        assert response.json() == client.post("/v1/score", json=body).json()  # scored alone


def test_ids_past_64_bits_are_rows_as_score_writes_them(client, tmp_path) -> None:
    """orjson refuses integers past 64 bits: such an id is still read (by json)."""
    comments = [{"id": 2**70, "text": "A long id", "article_id": -(2**65)}]
    response = client.post("/v1/score", json={"comments": comments})
    assert response.status_code == 200, response.text
    assert response.json()["verdicts"] == cli_rows(comments, tmp_path)
    assert response.json()["verdicts"][0]["id"] == str(2**70)


def test_missing_ids_are_positions(client) -> None:
    rows = client.post("/v1/score", json={"comments": [{"text": "a b c"}, {"text": "d e"}]})
    assert [row["id"] for row in rows.json()["verdicts"]] == ["1", "2"]


def test_too_many_comments_is_413(make_client) -> None:
    with make_client(max_comments=3) as client:
        response = client.post("/v1/score", json={"comments": [{"text": CAMPAIGN}] * 4})
        assert response.status_code == 413
        assert "at most 3" in response.json()["error"]["message"]
        assert client.post("/v1/score", json={"comments": [{"text": "ok"}] * 3}).status_code == 200


def test_a_comment_target_without_a_head_is_refused(client) -> None:
    body = {"comments": [{"text": "a b"}, {"text": "x y z", "target": "climate"}]}
    response = client.post("/v1/score", json=body)
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert message.startswith("comment 2 (id '2'): stance target 'climate' has no head")
    assert "(its targets: russia_ukraine)" in message
    response = client.post("/v1/score", json={"comments": [{"text": "x"}], "target": "climate"})
    assert response.status_code == 422
    assert "['russia_ukraine']" in response.json()["error"]["message"]


def test_a_comment_with_no_text_once_read_is_refused(client) -> None:
    body = {"comments": [{"id": "ok", "text": "fine"}, {"id": "tags", "text": "<p> </p>"}]}
    response = client.post("/v1/score", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "comment 2 (id 'tags'): row has empty text"


def test_explain_gives_the_ngrams_of_every_decision(client, moderator) -> None:
    text = COMMENTS[5]["text"]
    response = client.post("/v1/explain", json={"text": text, "top": 3})
    assert response.status_code == 200
    result = response.json()
    expected = moderator.explain(text, top=3)
    assert set(result) == {"stance", "spam", "incitement", "language", "judged", "truncated"}
    assert result["language"] == "en" and result["judged"] is True
    assert result["truncated"] is False
    assert result["incitement"]["flagged"] is True
    assert result["incitement"]["ngrams"] == [
        list(pair) for pair in expected["incitement"]["ngrams"]
    ]
    assert len(result["stance"]["ngrams"]) <= 3


def test_an_empty_batch_gets_no_verdicts(client) -> None:
    response = client.post("/v1/score", json={"comments": []})
    assert response.status_code == 200 and response.json() == {"verdicts": []}


def test_an_internal_failure_is_a_bare_500_and_the_next_request_works(client, monkeypatch) -> None:
    moderator = client.app.state.service.moderator
    real = moderator.score_items

    def broken(items, target, **settings):
        if any(item.text == "break" for item in items):
            raise RuntimeError("/srv/secret/moderation/judge/moderator.py line 1")
        return real(items, target, **settings)

    monkeypatch.setattr(moderator, "score_items", broken)
    response = client.post("/v1/score", json={"comments": [{"text": "break"}]})
    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "code": 500,
            "message": "internal error; the server logged it",
            "status": "INTERNAL",
        }
    }
    assert client.post("/v1/score", json={"comments": [{"text": "fine"}]}).status_code == 200


def test_explain_reads_what_the_judge_reads(client, moderator) -> None:
    text = COMMENTS[5]["text"] + " and more words" * 1000
    result = client.post("/v1/explain", json={"text": text}).json()
    assert result["truncated"] is True
    assert result["incitement"]["score"] == moderator.score([text])[0].incitement
