"""Fixtures of the service tests: the model loaded once, apps behind Starlette's TestClient,
and the comments the tests send (written for these tests)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest

from moderation.judge.moderator import Moderator
from moderation.service.app import create_app
from moderation.service.config import ServiceConfig

with warnings.catch_warnings():  # newer Starlette warns that TestClient will want httpx2
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

BASE_URL = "http://127.0.0.1"
CAMPAIGN = "Contact your representative today and demand they stop funding the war, peace talks now"

# Comments of several kinds: HTML, a copy, a near copy, spam, incitement, a reply, number ids.
COMMENTS = [
    {"id": "c1", "text": "Slava Ukraini! Send more air defence before winter.", "article_id": "a1"},
    {"id": "c2", "text": "<p>Subscribe to my channel &amp; win a <b>free</b> phone</p>"},
    {"id": "c3", "text": CAMPAIGN, "article_id": "a1"},
    {"id": "c4", "text": CAMPAIGN.upper() + "!!!", "article_id": "a2"},
    {"id": "c5", "text": CAMPAIGN.replace("today", "this week"), "parent_id": "c3"},
    {"id": 6, "text": "They should all be hunted down and shot, burn their homes", "article_id": 7},
    {"id": "c7", "text": "NATO provoked this war, Russia only defends its people."},
    {"id": "c8", "text": "  lots   of\n\nspace   here   and a tab\tend  "},
]


@pytest.fixture(scope="session")
def moderator() -> Moderator:
    return Moderator.load()


@pytest.fixture
def make_client(moderator: Moderator) -> Callable[..., AbstractContextManager[TestClient]]:
    """``make_client(**config)``: a TestClient (lifespan running) on an app of that config."""

    @contextmanager
    def make(**settings: object) -> Iterator[TestClient]:
        app = create_app(ServiceConfig(**settings), moderator)
        with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as client:
            yield client

    return make


@pytest.fixture
def client(make_client: Callable[..., AbstractContextManager[TestClient]]) -> Iterator[TestClient]:
    with make_client() as made:
        yield made
