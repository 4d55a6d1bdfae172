"""POST /v1alpha1/comments:analyze: Perspective API's shapes, for THREAT and SPAM only."""

from __future__ import annotations

from tests.service.conftest import COMMENTS

PATH = "/v1alpha1/comments:analyze"
# Perspective API reference, "AnalyzeComment example": its comment and languages, with the
# attributes this server has (the example asks for TOXICITY and UNSUBSTANTIAL).
EXAMPLE_TEXT = "What kind of idiot name is foo? Sorry, I like your name."
EXAMPLE = {
    "comment": {"text": EXAMPLE_TEXT},
    "languages": ["en"],
    "requestedAttributes": {"THREAT": {}, "SPAM": {}},
}


def test_the_documented_example_gets_the_documented_shape(client, moderator) -> None:
    response = client.post(PATH, json={**EXAMPLE, "spanAnnotations": True, "doNotStore": True})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"attributeScores", "languages"} and body["languages"] == ["en"]
    assert set(body["attributeScores"]) == {"THREAT", "SPAM"}
    verdict = moderator.score([EXAMPLE_TEXT])[0]
    sentences = moderator.score([EXAMPLE_TEXT[0:31], EXAMPLE_TEXT[32:56]])
    for name, flag in (("THREAT", "incitement"), ("SPAM", "spam")):
        scores = body["attributeScores"][name]
        assert scores["summaryScore"] == {"value": getattr(verdict, flag), "type": "PROBABILITY"}
        assert scores["spanScores"] == [
            {
                "begin": 0,
                "end": 31,
                "score": {"value": getattr(sentences[0], flag), "type": "PROBABILITY"},
            },
            {
                "begin": 32,
                "end": 56,
                "score": {"value": getattr(sentences[1], flag), "type": "PROBABILITY"},
            },
        ]


def test_without_span_annotations_there_are_no_span_scores(client) -> None:
    body = client.post(PATH, json={**EXAMPLE, "clientToken": "t-1"}).json()
    assert body["clientToken"] == "t-1"
    assert all(set(scores) == {"summaryScore"} for scores in body["attributeScores"].values())


def test_threat_is_the_incitement_score(client) -> None:
    text = COMMENTS[5]["text"]
    row = client.post("/v1/score", json={"comments": [{"text": text}]}).json()["verdicts"][0]
    body = client.post(
        PATH, json={"comment": {"text": text}, "requestedAttributes": {"THREAT": {}}}
    )
    assert body.json()["attributeScores"]["THREAT"]["summaryScore"]["value"] == row["incitement"]
    assert body.json()["languages"] == ["en"]


def test_toxicity_is_refused_naming_the_supported_attributes(client) -> None:
    request = {**EXAMPLE, "requestedAttributes": {"TOXICITY": {}, "THREAT": {}}}
    response = client.post(PATH, json=request)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
    assert "TOXICITY" in error["message"] and "SPAM, THREAT" in error["message"]


def test_other_refusals_use_perspectives_error_shape(client) -> None:
    cases = [
        {**EXAMPLE, "languages": ["de"]},
        {**EXAMPLE, "requestedAttributes": {}},
        {**EXAMPLE, "requestedAttributes": {"SPAM": {"scoreType": "STD_DEV_SCORE"}}},
        {**EXAMPLE, "comment": {"text": "  "}},
        {**EXAMPLE, "comment": {"text": "<b>x</b>", "type": "HTML"}},
        {"requestedAttributes": {"SPAM": {}}},
        {**EXAMPLE, "comment": {"text": 5}},
    ]
    for request in cases:
        response = client.post(PATH, json=request)
        assert response.status_code == 400, request
        assert response.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert "does not support request languages: de" in client.post(PATH, json=cases[0]).text


def test_score_threshold_leaves_lower_scores_out(client) -> None:
    request = {**EXAMPLE, "requestedAttributes": {"SPAM": {"scoreThreshold": 1.0}, "THREAT": {}}}
    body = client.post(PATH, json=request).json()
    assert set(body["attributeScores"]) == {"THREAT"}


def test_span_scores_are_bounded_like_batches(make_client) -> None:
    with make_client(max_comments=3) as client:
        request = {
            **EXAMPLE,
            "comment": {"text": "One. Two. Three. Four."},
            "spanAnnotations": True,
        }
        response = client.post(PATH, json=request)
        assert response.status_code == 413 and "4 sentences" in response.text


def test_a_comment_detected_in_a_language_the_model_does_not_judge_is_refused(client) -> None:
    german = "Die sollte man alle erschießen, diese Verräter, und zwar sofort."
    request = {"comment": {"text": german}, "requestedAttributes": {"THREAT": {}}}
    response = client.post(PATH, json=request)
    assert response.status_code == 400
    assert "THREAT does not support request languages: de" in response.json()["error"]["message"]
    # Languages the request names are trusted, as Perspective does: then it is scored.
    named = client.post(PATH, json={**request, "languages": ["en"]})
    assert named.status_code == 200 and named.json()["languages"] == ["en"]
    assert 0 <= named.json()["attributeScores"]["THREAT"]["summaryScore"]["value"] <= 1
