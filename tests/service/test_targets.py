"""POST /v1/score with per-comment stance targets: each comment's own target picks its head,
as in `moderation score`; the request's target fills comments without one.

The model has two stance heads (the tiny corpus's target and a second written for the
pipeline's target tests), trained here in a few seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.judge.moderator import Moderator
from moderation.service.app import create_app
from moderation.service.config import ServiceConfig
from tests.pipeline.test_targets import SCHOOL, SCHOOL_ROWS, train_two_target_model
from tests.service.conftest import BASE_URL, TestClient
from tests.service.test_score_route import cli_rows

DEFAULT = "russia_ukraine"
DEFAULT_LABELS = {"neutral", "pro_russia", "pro_ukraine"}
COMMENTS = [
    {"id": "s1", "text": "The four day school week is a great idea", "target": SCHOOL},
    {"id": "r1", "text": "Slava Ukraini, send more air defence", "target": DEFAULT},
    {"id": "n1", "text": "Peace talks now, both sides must stop"},
    {"id": "s2", "text": "Childcare on Fridays is impossible for us", "target": SCHOOL},
    {"id": "n2", "text": "<p>Which districts changed their <b>calendars</b>?</p>", "target": ""},
    {"id": "r2", "text": "NATO provoked this war", "target": DEFAULT, "article_id": "a1"},
]


@pytest.fixture(scope="module")
def two_targets(tmp_path_factory) -> Path:
    return train_two_target_model(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="module")
def client(two_targets):
    app = create_app(ServiceConfig(model_path=str(two_targets)), Moderator.load(two_targets))
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as made:
        yield made


def test_rows_of_two_targets_equal_moderation_score_rows(client, two_targets, tmp_path) -> None:
    response = client.post("/v1/score", json={"comments": COMMENTS})
    assert response.status_code == 200, response.text
    rows = response.json()["verdicts"]
    assert rows == cli_rows(COMMENTS, tmp_path, "--model", str(two_targets))
    targets = [row["target"] for row in rows]
    assert targets == [SCHOOL, DEFAULT, DEFAULT, SCHOOL, DEFAULT, DEFAULT]
    for row in rows:  # each row's stance comes from its own target's head
        labels = set(SCHOOL_ROWS) if row["target"] == SCHOOL else DEFAULT_LABELS
        assert set(row["stance_scores"]) == labels


def test_the_request_target_fills_comments_without_one(client, two_targets, tmp_path) -> None:
    body = {"comments": COMMENTS, "target": SCHOOL}
    response = client.post("/v1/score", json=body)
    assert response.status_code == 200, response.text
    rows = response.json()["verdicts"]
    assert rows == cli_rows(COMMENTS, tmp_path, "--model", str(two_targets), "--target", SCHOOL)
    assert [row["target"] for row in rows] == [SCHOOL, DEFAULT, SCHOOL, SCHOOL, SCHOOL, DEFAULT]


def test_one_comment_of_each_target_alone_gets_the_same_row(client) -> None:
    together = client.post("/v1/score", json={"comments": COMMENTS}).json()["verdicts"]
    for comment, row in zip(COMMENTS, together, strict=True):
        alone = client.post("/v1/score", json={"comments": [comment]}).json()["verdicts"][0]
        assert {**alone, "cluster_id": None, "duplicate_of": None} == {
            **row,
            "cluster_id": None,
            "duplicate_of": None,
        }


def test_a_comment_target_without_a_head_is_422_naming_it(client) -> None:
    comments = [*COMMENTS[:2], {"id": "x1", "text": "Pineapple on pizza", "target": "pizza"}]
    response = client.post("/v1/score", json={"comments": comments})
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert message.startswith("comment 3 (id 'x1'): stance target 'pizza' has no head")
    assert f"{DEFAULT}, {SCHOOL}" in message
    response = client.post("/v1/score", json={"comments": COMMENTS[:1], "target": "pizza"})
    assert response.status_code == 422
    assert "'pizza'" in response.json()["error"]["message"]
    assert client.post("/v1/score", json={"comments": COMMENTS}).status_code == 200
