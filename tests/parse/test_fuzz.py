"""A bounded mutation fuzzer over every reader: flip, insert, delete and splice bytes of the
project's own fixtures, and check that parse never crashes and only yields records.

It runs a fixed seed for ``MODERATION_FUZZ_ITERATIONS`` mutations (default 15,000) or
``MODERATION_FUZZ_SECONDS`` (default 60), whichever ends first, so that every machine runs a
prefix of the same sequence (a fast CI machine finds nothing a slower one did not try) and a
failure names the seed and the iteration that reproduce it. Raise both for a longer local run.
"""

from __future__ import annotations

import os
import random
import time

from moderation import parse
from moderation.parse import FORMATS
from moderation.records import Article, Comment, Rejection, Unloaded
from tests.support import FIXTURES

SECONDS = float(os.environ.get("MODERATION_FUZZ_SECONDS", "60"))
ITERATIONS = int(os.environ.get("MODERATION_FUZZ_ITERATIONS", "15000"))
SEED = int(os.environ.get("MODERATION_FUZZ_SEED", "20261122"))
MAX_INPUT = 64 * 1024
TOKENS = [
    b"<",
    b">",
    b"</post>",
    b"<![CDATA[",
    b"&amp;",
    b"&#0;",
    b'"',
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b"\n",
    b"\r\n",
    b"\x00",
    b"\xff",
    b"\xe2\x80",
    b"  1. ",
    b"<!ENTITY",
]


def _corpus() -> list[bytes]:
    files = [p for p in sorted(FIXTURES.rglob("*")) if p.is_file() and p.stat().st_size < MAX_INPUT]
    return [p.read_bytes() for p in files]


def _mutate(rng: random.Random, data: bytes, corpus: list[bytes]) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        position = rng.randint(0, len(data)) if data else 0
        if choice < 0.3 and data:
            data[min(position, len(data) - 1)] = rng.randrange(256)
        elif choice < 0.55:
            data[position:position] = rng.choice(TOKENS)
        elif choice < 0.75 and data:
            del data[position : position + rng.randint(1, 64)]
        elif choice < 0.9:
            other = rng.choice(corpus)
            start = rng.randint(0, len(other))
            data[position:position] = other[start : start + rng.randint(1, 256)]
        else:
            data = data[:position]  # truncation
    return bytes(data[:MAX_INPUT])


def test_fuzz_parse_never_crashes() -> None:
    rng = random.Random(SEED)
    corpus = _corpus()
    assert len(corpus) >= 20
    deadline = time.monotonic() + SECONDS
    iterations = 0
    while iterations < ITERATIONS and time.monotonic() < deadline:
        data = _mutate(rng, rng.choice(corpus), corpus)
        forced = rng.choice((None, None, *FORMATS))
        try:
            records = list(parse(data, format=forced, articles=True))
        except Exception as error:  # noqa: BLE001 - the fuzzer's job is to catch anything
            raise AssertionError(
                f"iteration {iterations} (seed {SEED}, format {forced}) crashed: {error!r}; "
                f"input starts {data[:120]!r}"
            ) from error
        assert all(isinstance(r, Comment | Article | Rejection | Unloaded) for r in records)
        iterations += 1
    assert iterations > 50
