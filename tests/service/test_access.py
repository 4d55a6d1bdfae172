"""Safe by default: loopback without keys, keys required elsewhere, Host names checked."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from moderation.cli import main
from moderation.service.auth import AccessMiddleware
from moderation.service.config import ServiceConfig, ServiceError, is_loopback

KEY = "k3y-for-the-tests-only-0123456789"


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_text(f"# service keys\n\n{KEY}\nanother-key-0123456789abcdef\n", encoding="utf-8")
    return path


def test_a_non_loopback_server_without_a_key_refuses_to_start() -> None:
    for host in ("0.0.0.0", "::", "192.0.2.10", "example.org"):
        with pytest.raises(ServiceError, match="--api-key-file"):
            ServiceConfig(host=host)
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 1
    assert "accepts connections from other machines" in result.output


def test_loopback_names() -> None:
    assert all(map(is_loopback, ("127.0.0.1", "127.8.0.1", "::1", "[::1]", "localhost")))
    assert not any(map(is_loopback, ("0.0.0.0", "::", "10.0.0.1", "host.example")))


def test_key_files_are_checked(tmp_path, key_file) -> None:
    assert ServiceConfig(host="0.0.0.0", api_key_file=str(key_file)).api_keys == (
        KEY,
        "another-key-0123456789abcdef",
    )
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(ServiceError, match="holds no key"):
        ServiceConfig(api_key_file=str(empty))
    short = tmp_path / "short.txt"
    short.write_text("abc\n", encoding="utf-8")
    with pytest.raises(ServiceError, match="shorter than 16"):
        ServiceConfig(api_key_file=str(short))


def test_keys_are_required_when_given(make_client, key_file) -> None:
    body = {"comments": [{"text": "peace now"}]}
    with make_client(api_key_file=str(key_file)) as client:
        assert client.post("/v1/score", json=body).status_code == 401
        wrong = {"Authorization": "Bearer " + KEY[:-1] + "X"}
        response = client.post("/v1/score", json=body, headers=wrong)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["status"] == "UNAUTHENTICATED"
        right = {"Authorization": f"Bearer {KEY}"}
        assert client.post("/v1/score", json=body, headers=right).status_code == 200
        assert client.get("/metrics").status_code == 401
        assert client.get("/healthz").status_code == 200  # probes stay open
        assert client.get("/readyz").status_code == 200
        # ?key= only on the Perspective route, as Perspective API takes it
        analyze = {"comment": {"text": "hi"}, "requestedAttributes": {"SPAM": {}}}
        assert client.post(f"/v1alpha1/comments:analyze?key={KEY}", json=analyze).status_code == 200
        assert client.post(f"/v1/score?key={KEY}", json=body).status_code == 401


def test_every_key_is_compared(key_file) -> None:
    access = AccessMiddleware(None, keys=[KEY, "another-key-0123456789abcdef"], loopback=True)
    assert access.valid(KEY) and access.valid("another-key-0123456789abcdef")
    assert not access.valid(KEY[:10]) and not access.valid("")


def test_a_loopback_server_refuses_foreign_host_names(client) -> None:
    assert client.get("/healthz", headers={"Host": "attacker.example"}).status_code == 400
    assert client.get("/healthz", headers={"Host": "localhost:8080"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "[::1]:8080"}).status_code == 200


def test_only_json_bodies_are_read(client) -> None:
    response = client.post(
        "/v1/score",
        content=b"comments=1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415


def test_with_keys_a_proxy_may_pass_its_own_host_name(make_client, key_file) -> None:
    with make_client(api_key_file=str(key_file)) as client:
        headers = {"Host": "moderation.example", "Authorization": f"Bearer {KEY}"}
        assert client.get("/v1/model", headers=headers).status_code == 200
        assert client.get("/v1/model", headers={"Host": "moderation.example"}).status_code == 401


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_model_that_fails_its_check_stops_the_server_before_it_starts(tmp_path, workers) -> None:
    model = tmp_path / "model.joblib"
    model.write_bytes(b"not a model")
    result = CliRunner().invoke(main, ["serve", "--workers", workers, "--model", str(model)])
    assert result.exit_code == 1
    assert str(model) in result.output and "serving on" not in result.output
