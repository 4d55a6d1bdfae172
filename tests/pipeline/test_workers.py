"""score_parallel: worker processes give the verdicts one process gives, in input order."""

from __future__ import annotations

import itertools
import json

import pytest

from moderation import Comment, ModelError, Moderator
from moderation.errors import OptionsError
from moderation.pipeline.options import ScoreOptions
from moderation.pipeline.workers import BATCHES_PER_JOB, score_parallel
from tests.support import SEEDS


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    texts = []
    for path in sorted((SEEDS / "labeled").glob("*.jsonl"))[:4]:
        texts += [json.loads(line)["text"] for line in path.read_text().splitlines() if line]
    return texts


@pytest.fixture(scope="module")
def moderator() -> Moderator:
    return Moderator.load()


def test_two_jobs_give_the_single_process_verdicts_in_order(moderator, corpus) -> None:
    comments = [
        Comment(id=f"c{i}", text=text, article_id=f"a{i % 7}", parent_id=f"c{i - 1}" if i else None)
        for i, text in enumerate(corpus)
    ]
    expected = list(moderator.score_stream(comments, batch_size=97))
    verdicts = list(score_parallel(comments, ScoreOptions(jobs=2, batch_size=97)))
    assert [v.id for v in verdicts] == [c.id for c in comments]
    assert verdicts == expected
    assert any(v.reasons for v in verdicts)


def test_one_job_runs_in_process_with_overrides(corpus) -> None:
    settings = {"thresholds": {"spam": 0.1}, "max_chars": 40}
    expected = Moderator.load(**settings).score(corpus[:300], target="russia_ukraine")
    options = ScoreOptions(jobs=1, target="russia_ukraine", **settings)
    verdicts = list(score_parallel(corpus[:300], options))
    assert verdicts == expected
    assert any(v.truncated for v in verdicts)


def test_dicts_with_their_own_target_and_overrides_in_workers(moderator) -> None:
    rows = [{"id": f"r{i}", "text": t, "target": "russia_ukraine"} for i, t in enumerate("abc")]
    options = ScoreOptions(jobs=2, batch_size=4, thresholds={"spam": 0.0})
    verdicts = list(score_parallel(rows * 5, options))
    assert [v.id for v in verdicts] == [r["id"] for r in rows * 5]
    assert all("spam" in v.flags for v in verdicts)
    assert verdicts == moderator.__class__.load(thresholds={"spam": 0.0}).score(rows * 5)


def test_reading_stays_a_few_batches_ahead(corpus) -> None:
    consumed = 0

    def endless():
        nonlocal consumed
        for text in itertools.cycle(corpus[:50]):
            consumed += 1
            yield text

    stream = score_parallel(endless(), ScoreOptions(jobs=2, batch_size=20))
    first = list(itertools.islice(stream, 30))
    stream.close()  # stops the workers
    assert len(first) == 30
    assert consumed <= (BATCHES_PER_JOB * 2 + 2) * 20


def test_errors_reach_the_caller(tmp_path) -> None:
    with pytest.raises(OptionsError, match="jobs=0"):
        ScoreOptions(jobs=0)
    with pytest.raises(ModelError, match="no stance head for target 'atheism'"):
        list(score_parallel(["x", "y"], ScoreOptions(jobs=2, target="atheism")))
    missing = tmp_path / "missing.joblib"
    with pytest.raises(ModelError):
        list(score_parallel(["x"], ScoreOptions(model_path=missing, jobs=2)))
    assert list(score_parallel([], ScoreOptions(jobs=2))) == []


def _die(items):  # noqa: ANN001, ANN202 - stands in for a worker killed mid-batch
    import os

    os._exit(1)


def test_a_dying_worker_is_a_clear_error(monkeypatch) -> None:
    import moderation.pipeline.workers as parallel

    monkeypatch.setattr(parallel, "_score_in_worker", _die)
    with pytest.raises(ModelError, match="worker process stopped"):
        list(score_parallel(["x"] * 10, ScoreOptions(jobs=2, batch_size=5)))


def _with_copies(corpus: list[str]) -> list[str]:
    """Real corpus texts, then exact and one-typo copies of some of them, spread over batches."""
    texts = corpus[:200]
    copies = [texts[i] for i in range(0, 200, 9)]
    typos = [t.replace("e", "3", 1) if len(t.split()) >= 6 else t for t in texts[5:200:11]]
    return texts + copies + typos


def test_workers_shingle_batches_as_the_finder_would(corpus) -> None:
    from moderation.dedup import DuplicateFinder
    from moderation.pipeline.marking import mark_batches, mark_duplicates
    from moderation.pipeline.workers import score_batches

    texts = _with_copies(corpus)
    finder = DuplicateFinder()
    options = ScoreOptions(jobs=2, batch_size=50)
    batches = list(score_batches(texts, options, prepare=finder.preparer()))
    assert [len(b.verdicts) for b in batches] == [50] * (len(texts) // 50) + [len(texts) % 50]
    start = 0
    for batch in batches:
        expected = finder.prepare(texts[start : start + len(batch.verdicts)])
        assert batch.prepared.options == expected.options
        assert (batch.prepared.exact_keys == expected.exact_keys).all()
        assert (batch.prepared.hashes == expected.hashes).all()
        start += len(batch.verdicts)
    marked = list(mark_batches(batches, finder))
    reference = list(mark_duplicates(score_parallel(texts), DuplicateFinder()))
    assert marked == reference
    assert sum(v.duplicate_of is not None for v in marked) >= len(texts) - 200


def test_one_job_batches_come_unprepared(corpus) -> None:
    from moderation.dedup.finder import DuplicateFinder
    from moderation.pipeline.workers import score_batches

    finder = DuplicateFinder()
    options = ScoreOptions(batch_size=50)
    batches = list(score_batches(corpus[:120], options, prepare=finder.preparer()))
    assert [len(b.verdicts) for b in batches] == [50, 50, 20]
    assert all(b.prepared is None for b in batches)


def test_score_with_two_jobs_marks_the_same_duplicates(tmp_path, corpus) -> None:
    from click.testing import CliRunner

    from moderation.cli import main

    dump = tmp_path / "dump.jsonl"
    rows = [{"id": f"c{i}", "text": t} for i, t in enumerate(_with_copies(corpus))]
    dump.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}.jsonl"
        args = ["score", str(dump), "-o", str(out), "--jobs", jobs, "--batch-size", "64"]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    marked = [json.loads(line) for line in outputs[0].splitlines()]
    assert sum(row["duplicate_of"] is not None for row in marked) >= len(rows) - 200
