"""The fingerprint index: repeats across runs, settings, concurrent readers, killed writers."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from moderation.dedup.finder import DuplicateFinder, DuplicatesError
from moderation.dedup.index import FingerprintIndex
from tests.support import ROOT

DAY_ONE = [
    "The only way to stop this war is for both sides to sit down and negotiate in good faith.",
    "Share this everywhere: the grain deal is a lie and the ships never left the port at all.",
    "lol",
    "Interesting analysis, though I would like to see the shipping numbers for March as well.",
]
DAY_TWO = [
    "SHARE THIS EVERYWHERE!!! The grain deal is a lie and the ships never left the port at all 😡",
    "The only way to stop this war is for both sides to sit down and negotiate in good faith now.",
    "lol",
    "Sanctions only work when every country actually enforces them, which is not happening.",
    "Sanctions only work when every country actually enforces them, which is not happening.",
]


def _run(path: Path, texts: list[str], prefix: str, **settings: object) -> list:
    finder = DuplicateFinder(**settings)
    with FingerprintIndex(path, settings=finder.settings, label=prefix) as index:
        finder.index = index
        return finder.add(texts, [f"{prefix}{i}" for i in range(len(texts))], batch_size=2)


def test_a_second_run_flags_repeats_of_the_first(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    first = _run(path, DAY_ONE, "one-")
    assert [m.duplicate_of for m in first] == [None] * 4
    second = _run(path, DAY_TWO, "two-")
    assert [(m.duplicate_of, m.match) for m in second] == [
        ("one-1", "earlier-run"),
        ("one-0", "earlier-run"),
        ("one-2", "earlier-run"),
        (None, None),
        ("two-3", "exact"),
    ]
    assert second[0].similarity == 1.0 and 0.8 <= second[1].similarity < 1.0
    assert second[0].cluster_id == first[1].cluster_id  # cluster ids are stable across runs
    third = _run(path, [DAY_TWO[3], DAY_ONE[1]], "three-")
    assert [m.duplicate_of for m in third] == ["two-3", "one-1"]
    with FingerprintIndex(path, settings=DuplicateFinder().settings, readonly=True) as index:
        assert len(index) == 11


def test_read_only_lookups_add_nothing(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    _run(path, DAY_ONE, "one-")
    finder = DuplicateFinder()
    with FingerprintIndex(path, settings=finder.settings, readonly=True) as index:
        finder.index = index
        assert finder.add(DAY_TWO[:1], ["x"])[0].duplicate_of == "one-1"
        assert len(index) == 4
    with pytest.raises(DuplicatesError, match="no such file"):
        FingerprintIndex(tmp_path / "missing.sqlite", settings=finder.settings, readonly=True)


def test_an_index_refuses_other_settings_and_other_files(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    _run(path, DAY_ONE, "one-")
    with pytest.raises(DuplicatesError, match=r"seed: index 1, finder 2"):
        _run(path, DAY_TWO, "two-", seed=2)
    with pytest.raises(DuplicatesError, match="bands"):
        _run(path, DAY_TWO, "two-", threshold=0.5)
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database at all " * 100)
    with pytest.raises(DuplicatesError, match="junk.sqlite"):
        FingerprintIndex(junk, settings=DuplicateFinder().settings)


_WRITER = """
import sys, time
from moderation.dedup.finder import DuplicateFinder
from moderation.dedup.index import FingerprintIndex
finder = DuplicateFinder()
finder.index = FingerprintIndex(sys.argv[1], settings=finder.settings)
words = "peace war grain port ship talks army border winter energy gas oil wheat bread".split()
for batch in range(int(sys.argv[2])):
    texts = [
        f"{words[batch % 14]} {words[i % 14]} and {words[(batch + i) % 13]} say the same again"
        for i in range(50)
    ]
    finder.add_batch(texts, [f"{batch}-{i}" for i in range(50)])
    print(batch, flush=True)
    time.sleep(float(sys.argv[3]))
"""

_READER = """
import sys
import numpy as np
from moderation.dedup.finder import DuplicateFinder
from moderation.dedup.index import FingerprintIndex
finder = DuplicateFinder()
index = FingerprintIndex(sys.argv[1], settings=finder.settings, readonly=True)
counts = set()
for _ in range(40):
    count = len(index)
    assert count % 50 == 0, count  # whole batches only: each is one transaction
    counts.add(count)
    assert isinstance(index.first_rows(np.arange(1, 500, dtype=np.uint64), table="bands"), dict)
print(len(counts))
"""


def _python(script: str, *args: object) -> subprocess.Popen:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )


def test_two_processes_read_while_one_writes(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    writer = _python(_WRITER, path, 40, 0.05)
    assert writer.stdout is not None and writer.stdout.readline()  # first batch committed
    readers = [_python(_READER, path) for _ in range(2)]
    for process in readers:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert int(out) >= 1
    writer_err = writer.communicate(timeout=60)[1]
    assert writer.returncode == 0, writer_err
    with FingerprintIndex(path, settings=DuplicateFinder().settings, readonly=True) as index:
        assert len(index) == 40 * 50


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_run_leaves_the_index_consistent(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    writer = _python(_WRITER, path, 10_000, 0.0)
    assert writer.stdout is not None
    for _ in range(3):
        writer.stdout.readline()
    time.sleep(0.05)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        comments = db.execute("SELECT count(*) FROM comments").fetchone()[0]
        roots = db.execute(
            "SELECT count(*) FROM comments WHERE root NOT IN (SELECT row FROM comments)"
        ).fetchone()[0]
    assert comments >= 150 and comments % 50 == 0 and roots == 0
    again = _run(path, ["peace peace and peace say the same again"], "new-")
    assert again[0].duplicate_of == "0-0" and again[0].match == "earlier-run"
