"""The dedup package's parts: light imports, the final merge on its own, batching edges."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from moderation.dedup import DuplicateFinder, FingerprintIndex, StoryTracker
from moderation.dedup.merging import merge_roots
from moderation.records import Article
from tests.support import ROOT

_NO_JUDGE = """
import sys
import moderation.dedup
heavy = sorted(m for m in sys.modules if m.startswith(("sklearn", "moderation.judge")))
print(heavy)
sys.exit(1 if heavy else 0)
"""


def test_the_dedup_stage_imports_without_scikit_learn_or_the_judge() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _NO_JUDGE],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_merging_roots_clusters_of_earlier_runs_first_then_by_row() -> None:
    roots = np.array([0, 1, 1, 3, 4, 4])
    # Row 4 links to row 3 and row 3 to row 1: one cluster, rooted at row 1 (earliest).
    assert merge_roots(roots, np.array([[4, 3], [3, 2]]), []).tolist() == [0, 1, 1, 1, 1, 1]
    # A cluster that began in an earlier run (row 3) wins over an earlier row of this run.
    assert merge_roots(roots, np.array([[4, 3], [3, 2]]), [3]).tolist() == [0, 3, 3, 3, 3, 3]
    unlinked = merge_roots(roots, np.zeros((0, 2), np.int64), [])
    assert unlinked is roots


def test_an_empty_batch_adds_nothing_even_with_an_index(tmp_path: Path) -> None:
    finder = DuplicateFinder()
    with FingerprintIndex(tmp_path / "index.sqlite", settings=finder.settings) as index:
        finder.index = index
        assert finder.add_batch([], []) == []
        assert len(finder) == 0 and len(index) == 0
        finder.add_batch(["one comment that is long enough to shingle"], ["a"])
        assert len(finder) == 1 and len(index) == 1


def test_add_cuts_batches_and_keeps_ids_aligned() -> None:
    texts = [
        "The grain deal is a lie and the ships never left",
        "Interesting analysis, I would like the March numbers",
        "Sanctions only work when every country enforces them",
        "My grandmother still lives two streets from the station",
        "Nobody in our village believes the evening news anymore",
        "INTERESTING analysis!!! I would like the March numbers",
        "The bridge was repaired twice this winter already",
    ]
    ids = [f"c{i}" for i in range(7)]
    matches = DuplicateFinder().add(texts, ids, batch_size=3)
    assert [m.row for m in matches] == list(range(7))
    assert (matches[5].duplicate_of, matches[5].match) == ("c1", "exact")


def test_story_tracker_takes_a_generator_of_articles() -> None:
    story = " ".join(f"word{i}" for i in range(60))
    tracker = StoryTracker()
    tracker.add_many(Article(f"a{i}", body=story if i % 2 else " ") for i in range(250))
    assert len(tracker.story_ids) == 125
    assert len(set(tracker.story_ids.values())) == 1
