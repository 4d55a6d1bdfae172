"""Speed of `moderation score` on a large comment dump, beside the floor and plain scikit-learn.

Run from the repository root (reads ../shared/data at run time; nothing from it is stored)::

    python benchmarks/speed.py                          # 10k, 100k and 1M comments
    python benchmarks/speed.py --sizes 10000,100000     # quicker

For each size it writes a JSONL dump (``id``, ``article_id``, ``text``) built from the real
corpora's texts: 10% are a real comment verbatim, 90% splice the start of one real comment onto
the end of another at word boundaries, so lengths and vocabulary are real's but most comments
are new (a stream of exact repeats would flatter every cache). Then it times, each in a fresh
child process so that peak memory is that run's own:

- (a) ``read``: reading and JSON-decoding every line, the floor;
- (b) ``sklearn``: the plain scikit-learn pipeline with the same feature families (word
  1-2-gram and ``char_wb`` 2-5-gram ``TfidfVectorizer`` with sublinear tf, ``LogisticRegression``),
  fitted on the project corpus first (not timed), then read + decode + ``predict_proba`` in
  batches of 1,000: one head, no reasons, no duplicates, nothing written;
- (s) ``scorer``, a diagnostic between the two: read + decode, then only the judge
  (:func:`moderation.pipeline.workers.score_parallel`: featurise, three heads, reasons), nothing
  written, with the same worker counts as (c);
- (c) ``score``: `moderation score` end to end: read and parse the dump, featurise, three heads
  with reasons, duplicates, write JSONL; with ``--jobs 1`` and ``--jobs 2``. The command is run
  in-process when it has ``--jobs``; otherwise the same pipeline is built from the library
  (parse -> :func:`moderation.pipeline.workers.score_parallel` -> ``mark_duplicates`` ->
  ``RowWriter``).
  Its time includes loading the model and starting the workers.

Peak memory is the main process's ``ru_maxrss`` and the largest peak RSS (``VmHWM``) among the
processes it started, workers included (they are forked by a forkserver, so the child samples
``/proc`` every quarter second to see them; elsewhere the column shows "-"). CPU is user +
system time of the main process and of those processes, as last sampled; "main" is the main
process's share (all its threads), which shows whether workers wait on it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SEED = 20261122
BATCH = 1000
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
VERBATIM = 0.1
ARTICLES = 500
METHODS = ("read", "sklearn", "scorer", "score")


# -- the dump ----------------------------------------------------------------------------------


def real_texts() -> list[str]:
    """Every comment text of the real corpora (labels are not used)."""
    from moderation.errors import DataError
    from moderation.train.corpora import detect_adapter

    texts: list[str] = []
    for path in sorted(DATA.rglob("*")):
        if not path.is_file() or path.suffix == ".md" or path.name.startswith("README"):
            continue
        try:
            texts.extend(row.text for row in detect_adapter(path)(path))
        except DataError:
            continue  # annotation notes beside the data
    return [text for text in texts if text.strip()]


def comments(size: int, texts: list[str], seed: int = SEED) -> Iterator[dict[str, str]]:
    """``size`` dump rows: a real text, or the start of one spliced onto the end of another."""
    rng = random.Random(seed)
    words = [text.split(" ") for text in texts]
    for number in range(size):
        if rng.random() < VERBATIM:
            text = rng.choice(texts)
        else:
            head, tail = rng.choice(words), rng.choice(words)
            cut_head, cut_tail = rng.randint(1, len(head)), rng.randint(0, len(tail) - 1)
            text = " ".join(head[:cut_head] + tail[cut_tail:])
            # A splice that starts like an HTML tag ("<a all &#8230;") is read as markup with
            # no text and rejected: drop the "<" (no extra draw, so every other row stays).
            text = text.lstrip("<")
        yield {"id": f"c{number}", "article_id": f"a{rng.randrange(ARTICLES)}", "text": text}


def write_dump(path: Path, size: int, texts: list[str]) -> None:
    with path.open("w", encoding="utf-8") as stream:
        for row in comments(size, texts):
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")


# -- the three measurements (each runs in its own child process) ---------------------------------


def measure_read(dump: Path) -> int:
    count = 0
    with dump.open(encoding="utf-8") as stream:
        for line in stream:
            json.loads(line)
            count += 1
    return count


def sklearn_pipeline():  # noqa: ANN201 - a fitted scikit-learn Pipeline
    """The plain baseline with the featuriser's feature families, fitted on the project corpus."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    from moderation.train.corpora import read_labeled

    rows = [row for row in read_labeled([ROOT / "seeds" / "labeled"]) if row.spam is not None]
    pipeline = make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        ),
        LogisticRegression(max_iter=1000),
    )
    return pipeline.fit([row.text for row in rows], [row.spam for row in rows])


def measure_sklearn(dump: Path, pipeline) -> int:  # noqa: ANN001
    count = 0
    batch: list[str] = []
    with dump.open(encoding="utf-8") as stream:
        for line in stream:
            batch.append(json.loads(line)["text"])
            if len(batch) == BATCH:
                count += len(pipeline.predict_proba(batch))
                batch = []
    if batch:
        count += len(pipeline.predict_proba(batch))
    return count


def measure_scorer(dump: Path, jobs: int) -> int:
    from moderation.pipeline.options import ScoreOptions
    from moderation.pipeline.workers import score_parallel

    options = ScoreOptions(jobs=jobs, batch_size=BATCH)
    with dump.open(encoding="utf-8") as stream:
        rows = (json.loads(line) for line in stream)
        return sum(1 for _ in score_parallel(rows, options))


def command_has_jobs() -> bool:
    """Whether `moderation score` takes --jobs yet."""
    from click.testing import CliRunner

    from moderation.cli import main

    return "--jobs" in CliRunner().invoke(main, ["score", "--help"]).output


def measure_score_command(dump: Path, out: Path, jobs: int) -> int:
    from moderation.cli import main

    try:
        main(["score", str(dump), "-o", str(out), "--jobs", str(jobs)], standalone_mode=False)
    except SystemExit as stop:
        if stop.code:
            raise
    with out.open(encoding="utf-8") as stream:
        return sum(1 for _ in stream)


def measure_score_pipeline(dump: Path, out: Path, jobs: int) -> int:
    """What `moderation score DUMP -o OUT` runs, with score_parallel for the judging."""
    from moderation.dedup import DuplicateFinder
    from moderation.parse import ParseOptions, parse
    from moderation.pipeline.marking import mark_duplicates
    from moderation.pipeline.options import ScoreOptions
    from moderation.pipeline.summary import ScoreSummary
    from moderation.pipeline.workers import score_parallel
    from moderation.pipeline.writers import RowWriter, open_output
    from moderation.records import Comment

    summary = ScoreSummary()
    finder = DuplicateFinder()
    records = parse([str(dump)], ParseOptions(articles=True))
    parsed = (record for record in records if isinstance(record, Comment))
    with open_output(out) as stream:
        writer = RowWriter(stream, "jsonl")
        verdicts = score_parallel(parsed, ScoreOptions(jobs=jobs, batch_size=BATCH))
        for verdict in mark_duplicates(verdicts, finder, story_ids={}, batch_size=BATCH):
            summary.add(verdict)
            writer.write(verdict.to_dict())
    summary.render()
    return writer.count


class Descendants(threading.Thread):
    """Sample, from /proc, the peak RSS and CPU seconds of every process this one started."""

    def __init__(self, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.stopped = threading.Event()
        self.peak_kb: dict[int, int] = {}
        self.cpu: dict[int, float] = {}
        self.ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self.stopped.set()
        self.join()
        self.sample()

    def sample(self) -> None:
        children: dict[int, list[int]] = {}
        stats: dict[int, list[str]] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry.name))
        found, todo = [], list(children.get(os.getpid(), []))
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo += children.get(pid, [])
        for pid in found:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_kb[pid] = max(self.peak_kb.get(pid, 0), int(line.split()[1]))
            self.cpu[pid] = (int(stats[pid][11]) + int(stats[pid][12])) / self.ticks


def child(method: str, dump: Path, jobs: int, use_command: bool) -> dict:
    """Run one measurement here; report counts, times and peaks."""
    pipeline = sklearn_pipeline() if method == "sklearn" else None
    descendants = Descendants()
    if Path("/proc/self/stat").exists():
        descendants.start()
    started, cpu_started = time.perf_counter(), os.times()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "verdicts.jsonl"
        if method == "read":
            count = measure_read(dump)
        elif method == "sklearn":
            count = measure_sklearn(dump, pipeline)
        elif method == "scorer":
            count = measure_scorer(dump, jobs)
        elif use_command:
            count = measure_score_command(dump, out, jobs)
        else:
            count = measure_score_pipeline(dump, out, jobs)
    seconds = time.perf_counter() - started
    cpu = os.times()
    if descendants.is_alive():
        descendants.stop()
    cpu_seconds = cpu.user - cpu_started.user + cpu.system - cpu_started.system
    return {
        "count": count,
        "seconds": seconds,
        "cpu": cpu_seconds + sum(descendants.cpu.values()),
        "cpu_main": cpu_seconds,
        "peak_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_worker_mb": max(descendants.peak_kb.values(), default=0) / 1024,
    }


def run_child(method: str, dump: Path, jobs: int, use_command: bool) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        method,
        "--dump",
        str(dump),
        "--jobs",
        str(jobs),
    ]
    if use_command:
        command.append("--command")
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the table -----------------------------------------------------------------------------------


def format_table(results: list[tuple[int, str, dict]]) -> str:
    header = (
        f"{'comments':>9}  {'run':<20} {'comments/s':>11} {'wall s':>8} {'cpu s':>8}"
        f" {'cpu us/comment':>15} {'main us/comment':>16} {'peak MB main':>13}"
        f" {'peak MB worker':>15}"
    )
    lines = [header, "-" * len(header)]
    for size, name, result in results:
        rate = result["count"] / result["seconds"]
        worker = f"{result['peak_worker_mb']:.0f}" if result["peak_worker_mb"] else "-"
        per_comment = result["cpu"] / result["count"] * 1e6
        main_per_comment = result.get("cpu_main", result["cpu"]) / result["count"] * 1e6
        lines.append(
            f"{size:>9,}  {name:<20} {rate:>11,.0f} {result['seconds']:>8.1f} {result['cpu']:>8.1f}"
            f" {per_comment:>15.0f} {main_per_comment:>16.0f} {result['peak_main_mb']:>13.0f}"
            f" {worker:>15}"
        )
    return "\n".join(lines)


def format_ratios(results: list[tuple[int, str, dict]]) -> str:
    rates = {(size, name): r["count"] / r["seconds"] for size, name, r in results}
    lines = []
    for size in sorted({size for size, _, _ in results}):
        parts = []
        for name, rate in sorted(rates.items()):
            if name[0] != size or not name[1].startswith(("(c)", "(s)")):
                continue
            short = name[1].split()[0][:-1] + name[1][-1] + ")"  # "(c2)"
            if (size, "(b) sklearn") in rates:
                parts.append(f"{short}/(b) = {rate / rates[size, '(b) sklearn']:.1f}x")
            if (size, "(a) read") in rates and name[1].startswith("(c)"):
                parts.append(f"(a)/{short} = {rates[size, '(a) read'] / rate:.0f}x")
        lines.append(f"{size:>9,}: " + ", ".join(parts))
    return "\n".join(lines)


def format_growth(results: list[tuple[int, str, dict]]) -> str:
    """Peak memory growth per comment of each (c) run between consecutive sizes: what a larger
    dump costs beyond the fixed start (model, workers, buffers)."""
    peaks: dict[str, list[tuple[int, float]]] = {}
    for size, name, result in results:
        if name.startswith("(c)"):
            peaks.setdefault(name, []).append((size, result["peak_main_mb"]))
    lines = []
    for name, points in peaks.items():
        points.sort()
        for (small, low), (large, high) in zip(points, points[1:], strict=False):
            growth = (high - low) * 2**20 / (large - small)
            lines.append(
                f"{name}: peak RSS of the main process grows {growth:,.0f} bytes per comment "
                f"from {small:,} to {large:,} comments ({low:,.0f} -> {high:,.0f} MB)"
            )
    return "\n".join(lines) or "memory growth: give two sizes or more to see it"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="comma-separated dump sizes (default: 10000,100000,1000000)",
    )
    parser.add_argument("--jobs", default="1,2", help="worker counts for (c) (default: 1,2)")
    parser.add_argument(
        "--skip", default="", help="runs to leave out: read, sklearn, scorer, score"
    )
    parser.add_argument("--child", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--command", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        jobs = int(args.jobs)
        print(json.dumps(child(args.child, args.dump, jobs, args.command)))
        return 0
    if not DATA.is_dir():
        print(f"skipped: {DATA} is not there (the public corpora live in ../shared/data)")
        return 0
    sizes = [int(size) for size in args.sizes.split(",") if size]
    jobs_list = [int(jobs) for jobs in args.jobs.split(",") if jobs]
    skip = {name for name in args.skip.split(",") if name}
    use_command = command_has_jobs()
    texts = real_texts()
    print(
        f"{len(texts):,} real texts from {DATA}; (c) runs "
        + (
            "`moderation score --jobs N` in-process"
            if use_command
            else "the library pipeline (`moderation score` has no --jobs yet)"
        )
        + f"; {os.cpu_count()} cores",
        flush=True,
    )
    results: list[tuple[int, str, dict]] = []
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            dump = Path(scratch) / f"dump-{size}.jsonl"
            write_dump(dump, size, texts)
            runs = [("(a) read", "read", 1), ("(b) sklearn", "sklearn", 1)]
            runs += [(f"(s) scorer --jobs {jobs}", "scorer", jobs) for jobs in jobs_list]
            runs += [(f"(c) score --jobs {jobs}", "score", jobs) for jobs in jobs_list]
            for name, method, jobs in runs:
                if method in skip:
                    continue
                result = run_child(method, dump, jobs, use_command)
                if result["count"] != size:
                    raise RuntimeError(f"{name} handled {result['count']} of {size} comments")
                results.append((size, name, result))
                print(format_table(results[-1:]).splitlines()[-1], flush=True)
            dump.unlink()
    print()
    print(format_table(results))
    print()
    print(format_ratios(results))
    print()
    print(format_growth(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
