"""Load on `moderation serve`: latency, throughput, memory, and hostile input, beside
`moderation score --jobs 2` on the same comments.

Run from the repository root (reads ../shared/data at run time; nothing from it is stored)::

    python benchmarks/serve_load.py                      # about three minutes
    python benchmarks/serve_load.py --seconds 5          # quicker, noisier

For 1 and then 2 workers it starts `moderation serve` on 127.0.0.1 (``--body-timeout 2``),
waits for ``/readyz``, times the first single-comment request, warms it up by sending every
comment in 100-comment requests (workers + 1 passes, each on new connections, so that every
worker likely sees every text: the featuriser remembers the words it has seen), then drives it
with ``--clients`` concurrent httpx clients (in this process, on uvloop unless
``--client-loop asyncio``; each request body encoded once) for ``--seconds`` per mix:

- ``single``: one comment per request (requests/s; latency p50, p95, p99);
- ``batch``: 100 comments per request (comments/s);
- ``hostile`` (2 workers only): good single-comment requests interleaved with bad ones
  (invalid JSON, invalid UTF-8, wrong types, missing text, 10,000-deep nesting, a 50 MB body
  streamed in 1 MB chunks, a client that sends half a body and stalls).

Each mix prints responses by status, transport errors (dropped connections) and the CPU per
request of the server and of the clients (they share the machine's cores); then the server's
RSS (all its processes) at start, after warm-up, after the good mixes and at the end. Then
`moderation score --jobs 2` scores the same comments from a JSONL file, then
:data:`MARGINAL_COPIES` times as many distinct ones, alternately, ``--score-runs`` times: the
medians of comments/s end to end, and of the marginal rate (the extra comments over the extra
time, without startup), with its CPU per comment. (The server's mixes send the same comments
again and again, which the featuriser's memo makes cheaper; the marginal rate of `score` is
over distinct comments.) The load average is printed before and after: the machine may be shared.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SEED = 20261206
BATCH = 100
# `moderation score`'s marginal rate is measured over this many times the comments served.
MARGINAL_COPIES = 9
SERVE = [sys.executable, "-c", "from moderation.cli import main; main()"]
MB = 1024 * 1024
T = TypeVar("T")


# -- the comments ------------------------------------------------------------------------------


def real_texts(limit: int) -> list[str]:
    """Up to ``limit`` distinct real comment texts, shuffled (labels are not used)."""
    from moderation.errors import DataError
    from moderation.train.corpora import detect_adapter

    texts: set[str] = set()
    for path in sorted(DATA.rglob("*")):
        if not path.is_file() or path.suffix == ".md" or path.name.startswith("README"):
            continue
        try:
            texts.update(row.text for row in detect_adapter(path)(path) if row.text.strip())
        except DataError:
            continue  # annotation notes beside the data
    chosen = sorted(texts)
    random.Random(SEED).shuffle(chosen)
    return chosen[:limit]


# -- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tree(pid: int) -> list[int]:
    """A process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total = 0
    for member in tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its live descendants: the
    server's own cost, less sensitive than wall time to other load on the machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def start_server(workers: int, port: int) -> subprocess.Popen:
    command = [*SERVE, "serve", "--port", str(port), "--workers", str(workers)]
    command += ["--body-timeout", "2"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                time.sleep(2)  # the other workers finish starting too
                return process
        except httpx.TransportError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("the server did not become ready within 300 s")


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(2)  # SIGINT: uvicorn stops its workers
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()


# -- the clients -------------------------------------------------------------------------------


class Tally:
    """What one mix saw: latencies of good requests, statuses, transport errors, comments."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()
        self.comments = 0
        self.requests = 0
        self.elapsed = 0.0
        self.server_cpu = 0.0
        self.client_cpu = 0.0

    def add(self, kind: str, status: str, seconds: float, comments: int = 0) -> None:
        self.requests += 1
        self.statuses[f"{kind} {status}"] += 1
        if kind == "good" and status == "200":
            self.latencies.append(seconds)
            self.comments += comments


async def post(http: httpx.AsyncClient, tally: Tally, kind: str, body, comments: int) -> None:
    """One request; transport errors are counted as such (a dropped connection)."""
    started = time.perf_counter()
    try:
        if isinstance(body, bytes) or callable(body):
            content = body() if callable(body) else body
            headers = {"Content-Type": "application/json"}
            response = await http.post("/v1/score", content=content, headers=headers)
        else:
            response = await http.post("/v1/score", json=body)
        status = str(response.status_code)
    except httpx.TransportError as error:
        status = f"transport error ({type(error).__name__})"
    tally.add(kind, status, time.perf_counter() - started, comments)


async def drive(port: int, clients: int, seconds: float, next_request: Callable) -> Tally:
    """``clients`` loops sending ``next_request()``'s requests until ``seconds`` have passed."""
    tally = Tally()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    timeout = httpx.Timeout(60.0)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=timeout
    ) as http:
        deadline = time.perf_counter() + seconds

        async def client() -> None:
            while time.perf_counter() < deadline:
                kind, body, comments = next_request()
                if kind == "slow":
                    await slow_client(port, tally)
                else:
                    await post(http, tally, kind, body, comments)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        tally.elapsed = time.perf_counter() - started
    return tally


async def slow_client(port: int, tally: Tally) -> None:
    """Send half a body, then nothing: the server should answer 408 after its body timeout."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    )
    writer.write(head.encode() + b'{"comments": [')
    try:
        line = await asyncio.wait_for(reader.readline(), timeout=30)
        status = line.split()[1].decode() if line else "closed without answer"
    except TimeoutError:
        status = "no answer in 30 s"
    writer.close()
    tally.add("bad", status, time.perf_counter() - started)


def cycling(texts: list[str], size: int) -> Callable[[], tuple[str, bytes, int]]:
    """Requests of ``size`` comments, going round the texts (each body encoded once, so that
    the clients, on the same cores as the server, spend less CPU per request)."""
    position = 0
    bodies: dict[int, bytes] = {}

    def next_request() -> tuple[str, bytes, int]:
        nonlocal position
        start = position % len(texts)
        if start not in bodies:
            chosen = [texts[(start + k) % len(texts)] for k in range(size)]
            comments = [{"id": f"c{start + k}", "text": t} for k, t in enumerate(chosen)]
            bodies[start] = json.dumps({"comments": comments}, ensure_ascii=False).encode()
        position += size
        return "good", bodies[start], size

    return next_request


def _fifty_megabytes():
    async def chunks():
        for _ in range(50):
            yield b" " * MB

    return chunks()


BAD_BODIES = [
    b"{not json",
    b'{"comments": [{"text": "caf\xe9 \xff"}]}',
    b'{"comments": [{"text": 42}]}',
    b'{"comments": [{"id": "no-text"}]}',
    b"[" * 10_000 + b"]" * 10_000,
    _fifty_megabytes,
    "slow",
]


def hostile(texts: list[str]) -> Callable[[], tuple[str, object, int]]:
    """Good single-comment requests, every other one replaced by the next bad input."""
    good = cycling(texts, 1)
    count = 0

    def next_request() -> tuple[str, object, int]:
        nonlocal count
        count += 1
        if count % 2:
            return good()
        bad = BAD_BODIES[(count // 2) % len(BAD_BODIES)]
        return ("slow", None, 0) if bad == "slow" else ("bad", bad, 0)

    return next_request


# -- the baseline and the report ---------------------------------------------------------------


def write_dump(texts: list[str], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as stream:
        for number, text in enumerate(texts):
            row = {"id": f"c{number}", "text": text}
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def score_cli(dump: Path, directory: Path) -> tuple[float, float]:
    """Seconds and CPU seconds that `moderation score --jobs 2` takes on a dump. CPU is the
    command's and its workers', sampled every 0.1 s from /proc while it runs (so a little
    under the truth)."""
    command = [*SERVE, "score", str(dump), "--jobs", "2", "-o", str(directory / "out.jsonl")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    cpu = 0.0
    while process.poll() is None:
        cpu = max(cpu, tree_cpu(process.pid))
        time.sleep(0.1)
    return time.perf_counter() - started, cpu


def score_rates(texts: list[str], more_texts: list[str], runs: int) -> dict[str, float]:
    """`moderation score --jobs 2` on ``texts`` and on ``more_texts`` (more distinct
    comments), ``runs`` pairs run alternately: the median of each pair's end-to-end
    rate and of its marginal rate (the extra comments over the extra seconds, startup
    cancelled out). One pair's marginal rate moved by half between runs; a median of pairs
    holds steadier."""
    count, extra = len(texts), len(more_texts) - len(texts)
    ends, marginals, cpus, marginal_cpus = [], [], [], []
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        small = write_dump(texts, directory / "comments.jsonl")
        large = write_dump(more_texts, directory / "more_comments.jsonl")
        for _ in range(runs):
            once, once_cpu = score_cli(small, directory)
            larger, larger_cpu = score_cli(large, directory)
            ends.append(count / once)
            # nan when the larger dump was not slower (too few comments to tell)
            marginals.append(extra / (larger - once) if larger > once else float("nan"))
            cpus.append(once_cpu / count * 1e3)
            marginal_cpus.append((larger_cpu - once_cpu) / extra * 1e3)
    print(
        "moderation score --jobs 2, runs: marginal "
        + ", ".join(f"{rate:.0f}" for rate in marginals)
        + " comments/s"
    )
    return {
        "end to end": float(np.median(ends)),
        "marginal": float(np.nanmedian(marginals)) if not np.isnan(marginals).all() else np.nan,
        "CPU ms/comment": float(np.median(cpus)),
        "marginal CPU ms/comment": float(np.median(marginal_cpus)),
        "runs": runs,
    }


def describe(name: str, tally: Tally) -> dict:
    latencies = np.array(tally.latencies) * 1e3
    p50, p95, p99 = np.percentile(latencies, [50, 95, 99]) if latencies.size else (0, 0, 0)
    row = {
        "mix": name,
        "requests/s": tally.requests / tally.elapsed,
        "comments/s": tally.comments / tally.elapsed,
        "p50 ms": p50,
        "p95 ms": p95,
        "p99 ms": p99,
        "statuses": dict(sorted(tally.statuses.items())),
        "server CPU ms/request": tally.server_cpu / max(tally.requests, 1) * 1e3,
        "client CPU ms/request": tally.client_cpu / max(tally.requests, 1) * 1e3,
    }
    print(
        f"  {name:<8} {row['requests/s']:8.1f} req/s {row['comments/s']:9.1f} comments/s"
        f"  p50 {p50:6.1f}  p95 {p95:6.1f}  p99 {p99:6.1f} ms"
        f"  CPU ms/request: server {row['server CPU ms/request']:.2f}, clients "
        f"{row['client CPU ms/request']:.2f}  {row['statuses']}",
        flush=True,
    )
    return row


def run(coroutine: Coroutine[Any, Any, T], loop: str) -> T:
    """``asyncio.run`` on uvloop (the clients spend less CPU per request: they share the
    machine's cores with the server) or on asyncio's own loop."""
    if loop == "uvloop":
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(coroutine)
    return asyncio.run(coroutine)


def first_request(port: int, text: str) -> float:
    """Milliseconds for the first single-comment request after the server is ready (a worker
    that loaded something on first use would show it here)."""
    started = time.perf_counter()
    body = {"comments": [{"id": "first", "text": text}]}
    response = httpx.post(f"http://127.0.0.1:{port}/v1/score", json=body, timeout=60)
    response.raise_for_status()
    return (time.perf_counter() - started) * 1e3


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def warm_up(port: int, texts: list[str], clients: int) -> None:
    """Every text once, in 100-comment requests (fills the featuriser's per-word memo)."""
    batches = [texts[start : start + BATCH] for start in range(0, len(texts), BATCH)]
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=120
    ) as http:
        for start in range(0, len(batches), clients):
            group = batches[start : start + clients]
            await asyncio.gather(
                *(
                    http.post("/v1/score", json={"comments": [{"text": t} for t in b]})
                    for b in group
                )
            )


def run_server(workers: int, texts: list[str], args: argparse.Namespace, hostile_mix: bool) -> dict:
    """All the mixes on one server of ``workers`` workers."""
    port = free_port()
    print(f"workers={workers}: starting (load average {load_average()})", flush=True)
    process = start_server(workers, port)
    try:
        rss = {"start": tree_rss(process.pid)}
        first = first_request(port, texts[0])
        print(f"  first request: {first:.1f} ms", flush=True)
        for _ in range(workers + 1):  # new connections each pass: every worker sees the texts
            run(warm_up(port, texts, args.clients), args.client_loop)
        rss["after warm-up"] = tree_rss(process.pid)
        mixes = [("single", cycling(texts, 1)), ("batch", cycling(texts, BATCH))]
        if hostile_mix:
            mixes.append(("hostile", hostile(texts)))
        rows = []
        for name, requests in mixes:
            if name == "hostile":
                rss["after good mixes"] = tree_rss(process.pid)
            cpu, own = tree_cpu(process.pid), time.process_time()
            tally = run(drive(port, args.clients, args.seconds, requests), args.client_loop)
            tally.server_cpu = tree_cpu(process.pid) - cpu
            tally.client_cpu = time.process_time() - own
            rows.append(describe(name, tally))
        rss["end"] = tree_rss(process.pid)
        alive = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10).status_code
    finally:
        stop_server(process)
    growth = rss.get("after good mixes", rss["end"]) / rss["after warm-up"] - 1
    end_growth = rss["end"] / rss["after warm-up"] - 1
    print(
        "  RSS MB: "
        + ", ".join(f"{name} {value / MB:.0f}" for name, value in rss.items())
        + f" (after warm-up to: good mixes {growth:+.1%}, end {end_growth:+.1%}); "
        f"/readyz after the mixes: {alive}",
        flush=True,
    )
    return {
        "workers": workers,
        "first request ms": first,
        "mixes": rows,
        "rss": rss,
        "rss_growth": growth,
        "rss_growth_end": end_growth,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="Length of each mix.")
    parser.add_argument("--clients", type=int, default=8, help="Concurrent clients.")
    parser.add_argument("--comments", type=int, default=5000, help="Distinct real comments.")
    parser.add_argument("--workers", default="1,2", help="Worker counts to run, e.g. 1,2.")
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    parser.add_argument(
        "--score-runs",
        type=int,
        default=3,
        help="Runs of `moderation score` on each dump (the rates are their medians).",
    )
    parser.add_argument(
        "--client-loop",
        choices=("uvloop", "asyncio"),
        default="uvloop",
        help="Event loop of the httpx clients (uvloop costs them less CPU per request).",
    )
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} is not there (real comments live in ../shared/data)")
        return
    # The marginal rate of `score` is taken over more distinct comments: the same comments
    # repeated would be judged from the featuriser's memo at almost no cost. With three times
    # as many, the extra comments took about one second, within the runs' own startup noise
    # (marginal rates of 4,674 to 13,688 comments/s in one run).
    more_texts = real_texts(MARGINAL_COPIES * args.comments)
    texts = more_texts[: args.comments]
    # The clients' own full garbage collections (over the corpora just read and httpx) paused
    # all eight clients at once for up to 200 ms, which the latencies then counted.
    gc.collect()
    gc.freeze()
    counts = [int(n) for n in args.workers.split(",")]
    print(
        f"{len(texts)} real comments; {args.clients} clients ({args.client_loop}); "
        f"{args.seconds:g} s a mix"
    )
    results = [run_server(n, texts, args, hostile_mix=n == max(counts)) for n in counts]
    cli = score_rates(texts, more_texts, args.score_runs)
    if len(more_texts) < MARGINAL_COPIES * len(texts):
        print(f"note: only {len(more_texts)} distinct comments for the marginal rate")
    count = len(texts)
    print(
        f"moderation score --jobs 2 on the same {count} comments: "
        f"{cli['end to end']:.0f} comments/s end to end, "
        f"{cli['marginal']:.0f} comments/s marginal (over {len(more_texts)} distinct; "
        f"medians of {cli['runs']} runs); "
        f"CPU {cli['CPU ms/comment']:.3f} ms/comment, marginal "
        f"{cli['marginal CPU ms/comment']:.3f}"
    )
    for result in results:
        batch = next(row for row in result["mixes"] if row["mix"] == "batch")
        server_cpu = batch["server CPU ms/request"] / BATCH
        print(
            f"workers={result['workers']}: batched {batch['comments/s']:.0f} comments/s = "
            f"{batch['comments/s'] / cli['end to end']:.0%} of score end to end, "
            f"{batch['comments/s'] / cli['marginal']:.0%} of its marginal rate; server CPU "
            f"{server_cpu:.3f} ms/comment"
        )
    print(f"load average at the end: {load_average()}")
    if args.json is not None:
        args.json.write_text(json.dumps({"results": results, "score_cli": cli}, indent=1))


if __name__ == "__main__":
    main()
