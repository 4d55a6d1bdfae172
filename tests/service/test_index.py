"""--index: a campaign spread over many small requests, and over workers, is still found."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from click.testing import CliRunner

from moderation.cli import main
from tests.service.conftest import CAMPAIGN


def _copies(count: int) -> list[str]:
    """The campaign text as a campaign posts it: exact copies, shouting, a changed word."""
    variants = [CAMPAIGN, CAMPAIGN.upper(), CAMPAIGN.replace("today", "this week"), CAMPAIGN]
    return [variants[k % len(variants)] for k in range(count)]


def test_a_campaign_split_over_requests_is_found(make_client, tmp_path) -> None:
    index = str(tmp_path / "index.sqlite")
    with make_client(index_path=index) as client:
        rows = []
        for number, text in enumerate(_copies(6)):
            body = {
                "comments": [{"id": f"r{number}", "text": text}, {"text": f"unrelated {number}"}]
            }
            rows.append(client.post("/v1/score", json=body).json()["verdicts"][0])
    assert rows[0]["duplicate_of"] is None
    assert [row["duplicate_of"] for row in rows[1:]] == ["r0"] * 5
    assert len({row["cluster_id"] for row in rows}) == 1
    # Without the index, each request only sees itself.
    with make_client() as client:
        alone = client.post("/v1/score", json={"comments": [{"text": CAMPAIGN}]}).json()
    assert alone["verdicts"][0]["duplicate_of"] is None


def test_the_index_is_the_one_score_index_uses(make_client, tmp_path) -> None:
    index = tmp_path / "index.sqlite"
    dump = tmp_path / "yesterday.jsonl"
    dump.write_text(json.dumps({"id": "old-1", "text": CAMPAIGN}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(dump), "--index", str(index)])
    assert result.exit_code == 0, result.output
    with make_client(index_path=str(index)) as client:
        row = client.post("/v1/score", json={"comments": [{"text": CAMPAIGN.upper()}]}).json()
    assert row["verdicts"][0]["duplicate_of"] == "old-1"


def test_concurrent_requests_to_two_workers_find_one_first_comment(make_client, tmp_path) -> None:
    """Two apps (as two worker processes would: each its own finder and connection) take
    copies of one text at once; exactly one copy is the first, every other points to it."""
    index = str(tmp_path / "index.sqlite")
    with make_client(index_path=index) as first, make_client(index_path=index) as second:
        jobs = [(first if k % 2 else second, f"w{k}", text) for k, text in enumerate(_copies(16))]

        def send(job):
            client, comment_id, text = job
            body = {"comments": [{"id": comment_id, "text": text}]}
            return client.post("/v1/score", json=body).json()["verdicts"][0]

        with ThreadPoolExecutor(8) as pool:
            rows = list(pool.map(send, jobs))
    roots = [row["id"] for row in rows if row["duplicate_of"] is None]
    assert len(roots) == 1
    assert {row["duplicate_of"] for row in rows} == {None, roots[0]}


def test_a_lone_comment_gets_what_the_finder_gives(moderator) -> None:
    """Without an index, a one-comment request skips the finder: the same fields result."""
    from moderation.dedup import DuplicateFinder
    from moderation.pipeline.marking import mark_batches
    from moderation.service.duplicates import DuplicateMarker
    from tests.service.conftest import COMMENTS

    texts = [c["text"] for c in COMMENTS] + ["!!!", "🙂🙂🙂", "...", "ok", "a" * 6000, "   "]
    marker = DuplicateMarker(None)
    for text in texts:
        shortcut = marker.mark(moderator.score([text]))[0]
        full = next(mark_batches([(moderator.score([text]), None)], DuplicateFinder()))
        assert (shortcut.duplicate_of, shortcut.cluster_id) == (full.duplicate_of, full.cluster_id)
    assert marker.mark(moderator.score(["   "]))[0].cluster_id is None  # nothing visible


def test_with_the_index_marking_never_runs_on_the_event_loop(make_client, tmp_path) -> None:
    """The index may wait for another worker's lock and for the disk: never on the loop."""
    import asyncio

    on_loop = []
    with make_client(index_path=str(tmp_path / "index.sqlite")) as client:
        duplicates = client.app.state.service.duplicates
        mark = duplicates.mark

        def watched(verdicts):
            try:
                asyncio.get_running_loop()
                on_loop.append(True)
            except RuntimeError:  # no loop running in this thread: a worker thread
                on_loop.append(False)
            return mark(verdicts)

        duplicates.mark = watched
        for size in (1, 20):
            body = {"comments": [{"text": f"comment {k}"} for k in range(size)]}
            assert client.post("/v1/score", json=body).status_code == 200
    assert on_loop == [False, False]
