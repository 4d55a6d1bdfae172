"""The batcher merges small requests into one judge call: at once when the worker is idle,
after a short wait when it is busy, and never past a full batch."""

from __future__ import annotations

import asyncio

from moderation.judge.moderator import ScoringItem
from moderation.service.batcher import MERGE_FULL, ScoringBatcher


class RecordingJudge:
    """Stands in for the Moderator: records the size of every call, answers each item's id."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def score_items(self, items, target, *, every_language=False):
        self.calls.append(len(items))
        return [item.id for item in items]


def _items(name: str, count: int = 1) -> list[ScoringItem]:
    return [ScoringItem(f"{name}-{n}", "text", None, None, None) for n in range(count)]


async def _staggered(batcher: ScoringBatcher, gap: float, names: list[str]) -> list[list]:
    async def request(position: int, name: str) -> list:
        await asyncio.sleep(position * gap)
        return await batcher.score(_items(name))

    return await asyncio.gather(*(request(p, n) for p, n in enumerate(names)))


def test_an_idle_worker_scores_at_once_a_busy_one_merges_requests_a_moment_apart() -> None:
    judge = RecordingJudge()
    # Windows far wider than the 5 ms gaps, so that a loaded machine cannot change the answer
    # (with the shipped 10 ms busy window, a CI run under load once saw "d" as idle).
    batcher = ScoringBatcher(judge, max_batch=100, merge_wait=1.0, busy_within=60.0)

    async def scenario() -> tuple[list, list]:
        first = await _staggered(batcher, 0.005, ["a", "b", "c"])  # "a" finds it idle
        second = await _staggered(batcher, 0.005, ["d", "e", "f"])  # busy now
        return first, second

    first, second = asyncio.run(scenario())
    assert first == [["a-0"], ["b-0"], ["c-0"]] and second == [["d-0"], ["e-0"], ["f-0"]]
    assert judge.calls[0] == 1  # "a" did not wait for "b", 5 ms behind it
    assert judge.calls[-1] == 3  # the busy worker's three requests went in one call


def test_without_a_wait_only_requests_of_the_same_turn_merge() -> None:
    judge = RecordingJudge()
    batcher = ScoringBatcher(judge, max_batch=100, merge_wait=0)

    async def scenario() -> None:
        await _staggered(batcher, 0.0, ["a", "b"])  # same turn of the loop
        await _staggered(batcher, 0.05, ["c", "d", "e"])  # a turn apart even under load

    asyncio.run(scenario())
    assert judge.calls == [2, 1, 1, 1]


def test_a_full_batch_is_scored_without_waiting_out_the_timer() -> None:
    judge = RecordingJudge()
    batcher = ScoringBatcher(judge, max_batch=100, merge_wait=30.0)  # would hang the test

    async def scenario() -> list:
        await batcher.score(_items("warm"))  # the worker is busy from now on
        requests = [batcher.score(_items(f"r{n}", 8)) for n in range(MERGE_FULL // 8)]
        return await asyncio.wait_for(asyncio.gather(*requests), timeout=10)

    answers = asyncio.run(scenario())
    assert [len(answer) for answer in answers] == [8] * (MERGE_FULL // 8)
    assert judge.calls == [1, MERGE_FULL]
