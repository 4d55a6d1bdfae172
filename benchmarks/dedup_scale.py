"""Scale of duplicate finding: seconds per 1,000 comments at 10k, 100k and 1M comments, peak
memory, and the fingerprint index's bytes per comment, beside an exact-hash baseline.

Run from the repository root (reads ../shared/data at run time; nothing from it is stored)::

    python benchmarks/dedup_scale.py                # 10k, 100k, 1M
    python benchmarks/dedup_scale.py --sizes 10000  # quicker

The stream is built from the real corpora's texts: most comments join two random real texts
(so they are new), and the rest repeat an earlier comment verbatim or with case and emoji
changes (floods), repeat one with a small edit (near duplicates), or are very short ("lol").
Joined texts are long, so a second stream (``--few-words``) takes single real texts of 5 to 11
distinct words instead: every new comment there also goes through the character bigram
matching of texts of few words, the finder's costliest path per comment.
Each size runs in a fresh child process, so its peak RSS is its own; the time counted is the
time spent in the finder (``add_batch`` in batches of 1,000, then ``final_matches``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from dedup_quality import EDITS, edit, real_texts  # noqa: E402

from moderation.dedup.finder import DuplicateFinder  # noqa: E402
from moderation.dedup.index import FingerprintIndex  # noqa: E402
from moderation.dedup.shingles import canonical_words, canonical_words_batch  # noqa: E402

SHORT = ("lol", "First!", "great video", "so true", "👍👍", "wow", "+1", "agreed", "LOL")
BATCH = 1000
POOL = 20_000


def few_word_texts(texts: list[str]) -> list[str]:
    """The real texts of at least 5 words and fewer than 12 distinct ones (the finder's
    defaults: compared on character bigrams as well as words)."""
    chosen = []
    for text in texts:
        words = canonical_words(text)
        if len(words) >= 5 and len(set(words)) < 12:
            chosen.append(text)
    return chosen


def stream(size: int, texts: list[str], seed: int, join: bool = True) -> Iterator[list[str]]:
    """Batches of synthetic comments: 70% new (two real texts joined, or one with ``join``
    False), 12% repeats (half with case or emoji changes), 10% edited copies, 8% very short."""
    rng = random.Random(seed)
    pool: list[str] = []
    batch: list[str] = []
    for number in range(size):
        roll = rng.random()
        if roll < 0.70 or not pool:
            comment = rng.choice(texts) + " " + rng.choice(texts) if join else rng.choice(texts)
        elif roll < 0.82:
            comment = rng.choice(pool)
            if rng.random() < 0.5:
                comment = comment.upper() if rng.random() < 0.5 else comment + " 🔥"
        elif roll < 0.92:
            original = rng.choice(pool)
            comment = edit(original, rng.choice(EDITS), max(1, len(original.split()) // 15), rng)
        else:
            comment = rng.choice(SHORT)
        if len(pool) < POOL:
            pool.append(comment)
        else:
            pool[number % POOL] = comment
        batch.append(comment)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_size(
    size: int, seed: int, with_index: bool, queue: multiprocessing.Queue, few_words: bool = False
) -> None:
    """In a child process: baseline and finder timings, peak RSS, and the index's size."""
    texts = real_texts()
    if few_words:
        texts = few_word_texts(texts)
    join = not few_words
    start_peak = _peak_mb()
    generated = time.perf_counter()
    batches = list(stream(size, texts, seed, join)) if size <= 100_000 else None
    generated = time.perf_counter() - generated

    def batches_again() -> Iterator[list[str]]:
        return iter(batches) if batches is not None else stream(size, texts, seed, join)

    # Baselines: a dict of whitespace/case-folded texts (every size), and of the normalised
    # word strings (up to 100k): the finder's exact stage without the near one.
    seen: dict[str, int] = {}
    raw_seconds = 0.0
    for batch in batches_again():
        began = time.perf_counter()
        for text in batch:
            seen.setdefault(" ".join(text.split()).casefold(), len(seen))
        raw_seconds += time.perf_counter() - began
    seen.clear()
    normalised_seconds = 0.0
    if size <= 100_000:
        for batch in batches_again():
            began = time.perf_counter()
            for words in canonical_words_batch(batch)[1]:
                seen.setdefault(" ".join(words), len(seen))
            normalised_seconds += time.perf_counter() - began
        seen.clear()

    finder = DuplicateFinder()
    index = None
    scratch = tempfile.TemporaryDirectory(prefix="dedup-scale-")
    if with_index:
        index = FingerprintIndex(Path(scratch.name) / "index.sqlite", settings=finder.settings)
        finder.index = index
    spent = 0.0
    repeats = {"exact": 0, "near": 0, "short-exact": 0}
    for batch in batches_again():
        began = time.perf_counter()
        matches = finder.add_batch(batch)
        spent += time.perf_counter() - began
        for match in matches:
            if match.match in repeats:
                repeats[match.match] += 1
    began = time.perf_counter()
    clusters = 0
    for start in range(0, len(finder), 100_000):
        final = finder.final_matches(range(start, min(start + 100_000, len(finder))))
        clusters += sum(m.cluster_size > 1 and m.duplicate_of is None for m in final)
    final_seconds = time.perf_counter() - began
    index_bytes = 0
    if index is not None:
        index.close()
        index_bytes = sum(p.stat().st_size for p in Path(scratch.name).iterdir())
    scratch.cleanup()
    queue.put(
        {
            "size": size,
            "stream": spent,
            "final": final_seconds,
            "raw": raw_seconds,
            "normalised": normalised_seconds,
            "generated": generated,
            "peak_mb": _peak_mb(),
            "start_mb": start_peak,
            "finder_mb": finder.nbytes / 2**20,
            "repeats": repeats,
            "clusters": clusters,
            "index_bytes": index_bytes,
        }
    )


def measure(size: int, seed: int, with_index: bool, few_words: bool = False) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=run_size, args=(size, seed, with_index, queue, few_words))
    child.start()
    result = queue.get()
    child.join()
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--index-size", type=int, default=50_000, help="0 to skip")
    parser.add_argument(
        "--few-words",
        type=int,
        default=100_000,
        help="comments in the stream of texts of few words (0 to skip)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    real_texts()  # exits with a clear message when ../shared/data is absent
    print(
        f"{'comments':>9} {'s/1k stream':>11} {'s/1k final':>10} {'s/1k total':>10} "
        f"{'x exact-hash':>12} {'x normalised':>12} {'peak RSS':>9} {'finder':>8}  repeats found"
    )
    for size in args.sizes:
        r = measure(size, args.seed, with_index=False)
        total = r["stream"] + r["final"]
        per_k = 1000 / size
        ratio = f"{total / r['raw']:12.1f}"
        normalised = f"{total / r['normalised']:12.2f}" if r["normalised"] else f"{'-':>12}"
        print(
            f"{size:>9} {r['stream'] * per_k:11.3f} {r['final'] * per_k:10.3f} "
            f"{total * per_k:10.3f} {ratio} {normalised} {r['peak_mb']:7.0f}MB "
            f"{r['finder_mb']:6.0f}MB  {r['repeats']}, {r['clusters']} clusters"
        )
    print(
        "  x exact-hash: finder time over a dict of whitespace/case-folded texts; "
        "x normalised: over a dict of the normalised word strings (same process, same stream)"
    )
    if args.few_words:
        r = measure(args.few_words, args.seed, with_index=False, few_words=True)
        total = r["stream"] + r["final"]
        print(
            f"texts of few words only, {args.few_words} comments: "
            f"{total * 1000 / args.few_words:.3f} s per 1k, peak RSS {r['peak_mb']:.0f}MB, "
            f"finder {r['finder_mb']:.0f}MB = {r['finder_mb'] * 2**20 / args.few_words:.0f} bytes "
            f"per comment, {r['repeats']}, {r['clusters']} clusters"
        )
    if args.index_size:
        r = measure(args.index_size, args.seed, with_index=True)
        print(
            f"with --index, {args.index_size} comments: {r['stream'] * 1000 / args.index_size:.3f}"
            f" s per 1k, index {r['index_bytes'] / 2**20:.1f} MB = "
            f"{r['index_bytes'] / args.index_size:.0f} bytes per comment"
        )


if __name__ == "__main__":
    main()
