"""Scale-out: `moderation score` on the local engine and on a Dask cluster of 1 and 2 workers.

Run from the repository root (reads ../shared/data at run time; nothing from it is stored)::

    python benchmarks/scale_out.py                   # 1,000,000 comments
    python benchmarks/scale_out.py --size 100000     # quicker

The dump is built as ``benchmarks/speed.py`` builds it (its builder is reused: real comment
texts, 10% verbatim, 90% spliced). Each run is measured in a fresh child process:

- ``local --jobs 2``: `moderation score DUMP -o FILE --jobs 2`, the local engine;
- ``dask N``: a `distributed.LocalCluster` of N single-threaded worker processes on 127.0.0.1
  (its start is timed apart), then `moderation score DUMP -o DIR/ --engine dask --scheduler
  ADDRESS`: one part per block.

Printed per run: comments/s (end to end, model loading included, cluster start not),
comments/s per worker, the peak RSS of each worker process (``VmHWM``; the local engine's
workers are sampled from /proc) and of the driver, the bytes shuffled per comment (what the
P2P shuffles' comms sent, plus task results moved between workers; counted on the workers by
Dask), and the scheduler overhead per block: worker-seconds not spent in a task
(``workers x wall - task time``, from Dask's task stream) over the blocks, with the tasks per
block. All figures are measured on this machine; nothing is projected here.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from speed import DATA, Descendants, real_texts, write_dump  # noqa: E402

DEFAULT_SIZE = 1_000_000
BLOCKS_PER_WORKER = 8


def _peak_kb(dask_worker: Any = None) -> int:
    """This process's peak RSS in kB (run on each worker)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _shuffled(dask_worker: Any) -> dict[str, int]:
    """Bytes this worker's P2P comms sent and its task results sent to other workers."""
    comms = sum(
        value
        for name, value in dask_worker.digests_total.items()
        if isinstance(name, tuple)
        and name[:1] == ("p2p",)
        and name[2:] == ("background-comms", "process", "bytes")
    )
    return {"p2p": int(comms), "transfers": int(dask_worker.transfer_outgoing_bytes_total)}


def measure_local(dump: Path, jobs: int) -> dict[str, Any]:
    from moderation.cli import main

    descendants = Descendants()
    descendants.start()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "verdicts.jsonl"
        try:
            main(["score", str(dump), "-o", str(out), "--jobs", str(jobs)], standalone_mode=False)
        except SystemExit as stop:
            if stop.code:
                raise
        seconds = time.perf_counter() - started
        with out.open(encoding="utf-8") as stream:
            count = sum(1 for _ in stream)
    descendants.stop()
    peaks = sorted(kb / 1024 for kb in descendants.peak_kb.values())[-jobs:]  # the workers
    return {"count": count, "seconds": seconds, "workers": jobs, "peak_workers_mb": peaks}


def measure_dask(dump: Path, workers: int, blocksize: int) -> dict[str, Any]:
    from distributed import Client, LocalCluster, get_task_stream

    from moderation.pipeline.engine import run_score
    from moderation.pipeline.options import ScoreOptions

    started = time.perf_counter()
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
        tempfile.TemporaryDirectory() as scratch,
    ):
        start_seconds = time.perf_counter() - started
        options = ScoreOptions(
            engine="dask", scheduler=cluster.scheduler_address, blocksize=blocksize
        )
        began = time.perf_counter()
        with get_task_stream(client=client) as stream:
            result = run_score([str(dump)], options, f"{scratch}/parts/")
        seconds = time.perf_counter() - began
        manifest = json.loads(Path(scratch, "parts", "manifest.json").read_text())
        peaks = sorted(kb / 1024 for kb in client.run(_peak_kb).values())
        shuffled = list(client.run(_shuffled).values())
        tasks = stream.data
    busy = sum(s["stop"] - s["start"] for task in tasks for s in task["startstops"])
    blocks = len(manifest["parts"])
    return {
        "count": result.rows,
        "seconds": seconds,
        "start_seconds": start_seconds,
        "workers": workers,
        "peak_workers_mb": peaks,
        "peak_driver_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "p2p_bytes": sum(s["p2p"] for s in shuffled),
        "transfer_bytes": sum(s["transfers"] for s in shuffled),
        "blocks": blocks,
        "tasks": len(tasks),
        "idle_worker_seconds": workers * seconds - busy,
    }


def run_child(kind: str, dump: Path, workers: int, blocksize: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", kind, "--dump", str(dump)]
    command += ["--workers", str(workers), "--blocksize", str(blocksize)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def format_row(name: str, r: dict[str, Any]) -> str:
    rate = r["count"] / r["seconds"]
    peaks = "/".join(f"{mb:.0f}" for mb in r["peak_workers_mb"]) or "-"
    line = (
        f"{name:<16} {rate:>10,.0f} {rate / r['workers']:>10,.0f} {r['seconds']:>8.1f} {peaks:>14}"
    )
    if "blocks" in r:
        per_comment = (r["p2p_bytes"] + r["transfer_bytes"]) / r["count"]
        line += (
            f" {r['peak_driver_mb']:>7.0f} {per_comment:>9.0f} ({r['p2p_bytes'] / r['count']:.0f}"
            f" p2p) {r['idle_worker_seconds'] / r['blocks']:>8.2f} s"
            f" {r['tasks'] / r['blocks']:>6.1f} {r['blocks']:>6} {r['start_seconds']:>6.1f}"
        )
    return line


HEADER = (
    f"{'run':<16} {'comments/s':>10} {'per worker':>10} {'wall s':>8} {'peak MB/worker':>14}"
    f" {'driver':>7} {'B shuffled/comment':>24} {'idle/block':>10} {'tasks/block':>6}"
    f" {'blocks':>6} {'start s':>6}"
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="comments in the dump")
    parser.add_argument("--workers", default="1,2", help="Dask worker counts (default: 1,2)")
    parser.add_argument(
        "--blocksize",
        type=int,
        default=0,
        help=f"bytes per block (default: the dump cut into {BLOCKS_PER_WORKER} per worker)",
    )
    parser.add_argument("--skip-local", action="store_true", help="leave out local --jobs 2")
    parser.add_argument("--child", choices=("local", "dask"), help=argparse.SUPPRESS)
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child == "local":
        print(json.dumps(measure_local(args.dump, int(args.workers))))
        return 0
    if args.child == "dask":
        print(json.dumps(measure_dask(args.dump, int(args.workers), args.blocksize)))
        return 0
    if not DATA.is_dir():
        print(f"skipped: {DATA} is not there (the public corpora live in ../shared/data)")
        return 0
    counts = [int(n) for n in args.workers.split(",") if n]
    print(f"{args.size:,} comments; {os.cpu_count()} cores; load {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / "dump.jsonl"
        write_dump(dump, args.size, real_texts())
        blocksize = args.blocksize or max(1, dump.stat().st_size // (BLOCKS_PER_WORKER * 2))
        print(f"dump {dump.stat().st_size / 2**20:.0f} MiB, blocks of {blocksize:,} bytes")
        print(HEADER, flush=True)
        runs = [] if args.skip_local else [("local --jobs 2", "local", 2)]
        runs += [(f"dask {n} worker{'s' * (n > 1)}", "dask", n) for n in counts]
        for name, kind, workers in runs:
            result = run_child(kind, dump, workers, blocksize)
            if result["count"] != args.size:
                raise RuntimeError(f"{name} wrote {result['count']} of {args.size} rows")
            print(format_row(name, result), flush=True)
    print(f"load after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
