"""Quality of duplicate finding: plant edited copies of real comments and count pair recall and
precision, beside the exact-hash baselines; then check the YouTube corpus's own repeats.

Run from the repository root (reads ../shared/data at run time; nothing from it is stored)::

    python benchmarks/dedup_quality.py

Originals are sampled from the real corpora (distinct texts of at least ``--min-words`` words,
the finder's length floor); each gets ``--copies`` copies, each with one kind of controlled edit
(typos, inserted words, deleted words, reordered sentences, case, added emoji), one edit per
``--words-per-edit`` words and at least one. The stream is the whole corpus plus the copies,
shuffled. A predicted pair is two comments in one cluster.

- recall: planted pairs (original-copy and copy-copy) found; also for originals of at least
  ``--long-words`` words, where the targets are checked (below ten words a single changed word
  already takes word-set Jaccard under 0.8, so no finder at that threshold can match it).
- precision: predicted pairs inside one true family: planted copies, plus the corpora's own
  near-duplicates (retweets, quote tweets), linked by exact Jaccard >= threshold chains found
  by an exact all-pairs join (prefix filtering, no hashing).
- pairwise: predicted pairs that are planted or whose own exact Jaccard reaches the threshold
  (stricter: a chain A~B~C makes A, C a pair even when A and C are further apart).
- planted: predicted pairs that are planted (every corpus near-duplicate counted as an error).
- the exact all-pairs reference clusters the same stream with exact Jaccard (single linkage):
  the best recall these shingles allow at this threshold.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from moderation.datasets import detect_adapter  # noqa: E402
from moderation.duplicates import DuplicateFinder  # noqa: E402
from moderation.errors import DataError  # noqa: E402
from moderation.shingles import canonical_words, canonical_words_batch  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
INSERTS = ("really", "just", "so", "very", "actually", "literally", "honestly", "totally")
NAMES = ("Maria", "Oleksandr", "Dmitri", "Anna", "Boris", "Kateryna", "John", "Ivan", "Olga")
EMOJI = ("😀", "🔥", "👍", "😂", "🇺🇦", "❤️", "🙏", "💯", "😡")
NEIGHBOURS = dict(zip("qwertyuiopasdfghjklzxcvbnm", "wqrtyuiopoasdfghjklkxcvbnm", strict=True))
EDITS = ("typo", "insert", "delete", "reorder", "case", "emoji")


def require_data() -> Path:
    """The shared corpora folder, or exit with a clear message when it is absent."""
    if not DATA.is_dir():
        sys.exit(f"skipped: {DATA} is not there (the real corpora live in ../shared/data)")
    return DATA


def real_texts() -> list[str]:
    """Every comment text of the real corpora, in file order (the labels are not used)."""
    texts: list[str] = []
    for path in sorted(require_data().rglob("*")):
        if not path.is_file() or path.suffix == ".md" or path.name.startswith("README"):
            continue
        try:
            texts.extend(row.text for row in detect_adapter(path)(path))
        except DataError:
            continue  # annotation notes beside the data
    return texts


def youtube_comments() -> list[dict[str, str]]:
    """The YouTube spam corpus rows (id, author, video, text)."""
    rows = []
    for path in sorted((require_data() / "youtube_spam").glob("Youtube*.csv")):
        with path.open(encoding="utf-8", newline="") as stream:
            lines = (line for line in stream if line.strip())
            for row in csv.DictReader(lines):
                rows.append(
                    {
                        "id": row["COMMENT_ID"],
                        "author": row["AUTHOR"],
                        "video": path.stem,
                        "text": row["CONTENT"],
                    }
                )
    return rows


# -- edits ---------------------------------------------------------------------------------


def _typo(word: str, rng: random.Random) -> str:
    letters = [i for i, ch in enumerate(word) if ch.isalpha()]
    if len(letters) < 3:
        return word + "s"
    i = rng.choice(letters[:-1])
    how = rng.randrange(4)
    if how == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if how == 1:
        return word[:i] + word[i + 1 :]
    if how == 2:
        return word[:i] + word[i] + word[i:]
    return word[:i] + NEIGHBOURS.get(word[i].lower(), "e") + word[i + 1 :]


def edit(text: str, kind: str, count: int, rng: random.Random) -> str:
    """Apply ``count`` small edits of one kind to a text."""
    words = text.split()
    if kind == "typo":
        for i in rng.sample(range(len(words)), min(count, len(words))):
            words[i] = _typo(words[i], rng)
    elif kind == "insert":
        for _ in range(count):
            words.insert(rng.randrange(len(words) + 1), rng.choice(INSERTS))
    elif kind == "delete":
        for _ in range(min(count, len(words) - 1)):
            del words[rng.randrange(len(words))]
    elif kind == "name":
        proper = [i for i, w in enumerate(words) if i and w[:1].isupper()] or list(
            range(len(words))
        )
        for i in rng.sample(proper, min(count, len(proper))):
            words[i] = rng.choice(NAMES)
    elif kind == "reorder":
        sentences = re.split(r"(?<=[.!?])\s+", text.strip())
        if len(sentences) >= 2:
            cut = rng.randrange(1, len(sentences))
            return " ".join(sentences[cut:] + sentences[:cut])
        cut = rng.randrange(1, len(words)) if len(words) > 1 else 0
        return " ".join(words[cut:] + words[:cut])
    elif kind == "case":
        return rng.choice((str.upper, str.lower, str.swapcase, str.title))(text)
    elif kind == "emoji":
        for _ in range(rng.randint(1, 3)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(EMOJI))
    return " ".join(words)


# -- scoring -------------------------------------------------------------------------------


def shingle_set(words: Sequence[str], ngram_range: tuple[int, int]) -> frozenset:
    """The shingle set the finder compares, built the slow, obvious way."""
    low, high = ngram_range
    grams = {
        tuple(words[i : i + n]) for n in range(low, high + 1) for i in range(len(words) - n + 1)
    }
    return frozenset(grams or {tuple(words)})


def exact_near_pairs(sets: Sequence[frozenset | None], threshold: float) -> list[tuple[int, int]]:
    """Every pair with exact Jaccard >= threshold (All-Pairs prefix filtering: exact, no hashing).

    ``None`` sets (texts under the length floor) take part in no pair.
    """
    frequency = Counter(token for s in sets if s for token in s)
    rank = {token: i for i, (token, _) in enumerate(sorted(frequency.items(), key=lambda x: x[1]))}
    index: defaultdict[int, list[int]] = defaultdict(list)
    pairs = []
    for x in sorted((i for i, s in enumerate(sets) if s), key=lambda i: len(sets[i])):
        tokens = sorted(rank[t] for t in sets[x])
        prefix = len(tokens) - math.ceil(threshold * len(tokens) - 1e-9) + 1
        candidates = set()
        for token in tokens[:prefix]:
            candidates.update(y for y in index[token] if len(sets[y]) >= threshold * len(tokens))
            index[token].append(x)
        for y in candidates:
            shared = len(sets[x] & sets[y])
            if shared >= threshold * (len(sets[x]) + len(sets[y]) - shared) - 1e-9:
                pairs.append((y, x))
    return pairs


def components(size: int, edges: Iterable[tuple[int, int]]) -> list[int]:
    """Connected component label of each node (union-find)."""
    parent = list(range(size))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in edges:
        parent[find(a)] = find(b)
    return [find(a) for a in range(size)]


def cluster_pairs(labels: Sequence[object]) -> set[tuple[int, int]]:
    """Every pair of stream rows that share a cluster label (None is no cluster)."""
    members: defaultdict[object, list[int]] = defaultdict(list)
    for row, label in enumerate(labels):
        if label is not None:
            members[label].append(row)
    return {pair for rows in members.values() for pair in itertools.combinations(rows, 2)}


def timed(run: Callable[[], list[object]]) -> tuple[list[object], float]:
    began = time.perf_counter()
    labels = run()
    return labels, time.perf_counter() - began


def planted_benchmark(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    corpus = real_texts()
    by_key: dict[tuple[str, ...], str] = {}
    for text in corpus:
        by_key.setdefault(tuple(canonical_words(text)), text)
    distinct = list(by_key.values())
    eligible = [t for t in distinct if len(canonical_words(t)) >= args.min_words]
    originals = rng.sample(eligible, args.originals)
    print(
        f"corpus: {len(corpus)} real texts, {len(distinct)} distinct after normalisation; "
        f"{args.originals} originals of >= {args.min_words} words, {args.copies} edited copies "
        f"each (one kind of edit per copy, one edit per {args.words_per_edit} words, at least one)"
    )
    rows: list[tuple[str, int, str]] = []  # (text, origin, edit kind)
    chosen = {id(t): i for i, t in enumerate(originals)}
    for text in distinct:
        rows.append((text, chosen.get(id(text), -1), "original"))
    for number, text in enumerate(originals):
        count = max(1, len(text.split()) // args.words_per_edit)
        for copy in range(args.copies):
            kind = EDITS[(number * args.copies + copy) % len(EDITS)]
            rows.append((edit(text, kind, count, rng), number, kind))
    rng.shuffle(rows)
    texts = [row[0] for row in rows]
    origin = [row[1] for row in rows]
    kinds = [row[2] for row in rows]
    words = [canonical_words(t) for t in texts]
    groups: defaultdict[int, list[int]] = defaultdict(list)
    for row, number in enumerate(origin):
        if number >= 0:
            groups[number].append(row)
    truth = {pair for members in groups.values() for pair in itertools.combinations(members, 2)}
    ngram_range = (args.ngram_low, args.ngram_high)
    sets = [shingle_set(w, ngram_range) if len(w) >= args.min_words else None for w in words]
    near = exact_near_pairs(sets, args.threshold)
    exact_groups: defaultdict[tuple[str, ...], list[int]] = defaultdict(list)
    for row, w in enumerate(words):
        if w:
            exact_groups[tuple(w)].append(row)
    exact_edges = [(rows[0], r) for rows in exact_groups.values() for r in rows[1:]]
    reference = components(len(texts), near + exact_edges)
    families = components(
        len(texts), near + exact_edges + [(m[0], r) for m in groups.values() for r in m[1:]]
    )
    print(
        f"stream: {len(texts)} comments, {len(truth)} planted pairs; the exact reference (all "
        f"pairs with Jaccard >= {args.threshold} of word {ngram_range[0]}-{ngram_range[1]}-grams, "
        f"found by prefix filtering) links {len(near)} pairs\n"
    )

    def raw_exact() -> list[object]:
        return [" ".join(t.split()).casefold() for t in texts]

    def normalised_exact() -> list[object]:
        keys: list[object] = []
        for start in range(0, len(texts), 1000):
            words = canonical_words_batch(texts[start : start + 1000])[1]
            keys.extend(" ".join(w) or None for w in words)
        return keys

    streamed: list[object] = []

    def minhash() -> list[object]:
        finder = DuplicateFinder(
            threshold=args.threshold,
            min_words=args.min_words,
            ngram_range=ngram_range,
            num_perm=args.bands * args.rows_per_band,
            bands=args.bands,
            rows_per_band=args.rows_per_band,
        )
        streamed.extend(m.cluster_id for m in finder.add(texts, batch_size=1000))
        return [m.cluster_id for m in finder.final_matches()]

    long_truth = {
        pair
        for number, members in groups.items()
        if len(canonical_words(originals[number])) >= args.long_words
        for pair in itertools.combinations(members, 2)
    }

    def direct(a: int, b: int) -> bool:
        if origin[a] >= 0 and origin[a] == origin[b]:
            return True
        x, y = sets[a], sets[b]
        if x is None or y is None:
            return words[a] == words[b]
        return len(x & y) >= args.threshold * len(x | y) - 1e-9

    def report(name: str, labels: Sequence[object], seconds: float, baseline: float) -> dict:
        predicted = cluster_pairs(labels)
        count = max(len(predicted), 1)
        recall = len(predicted & truth) / len(truth)
        long_recall = len(predicted & long_truth) / max(len(long_truth), 1)
        precision = sum(families[a] == families[b] for a, b in predicted) / count
        pairwise = sum(direct(a, b) for a, b in predicted) / count
        planted = sum(origin[a] >= 0 and origin[a] == origin[b] for a, b in predicted) / count
        print(
            f"{name:<27} {recall:6.4f} {long_recall:9.4f} {precision:9.4f} {pairwise:8.4f} "
            f"{planted:8.4f} {len(predicted):>7} {seconds:7.2f} {seconds / baseline:6.1f}"
        )
        return {"recall": long_recall, "precision": precision, "predicted": predicted}

    print(
        f"{'':<27} {'recall':>6} {'>=' + str(args.long_words) + ' words':>9} {'precision':>9} "
        f"{'pairwise':>8} {'planted':>8} {'pairs':>7} {'seconds':>7} {'x raw':>6}"
    )
    raw_labels, raw_seconds = timed(raw_exact)
    norm_labels, norm_seconds = timed(normalised_exact)
    labels, seconds = timed(minhash)
    report("exact hash (raw text)", raw_labels, raw_seconds, raw_seconds)
    report("exact hash (normalised)", norm_labels, norm_seconds, raw_seconds)
    report("minhash lsh, streamed", streamed, seconds, raw_seconds)
    result = report("minhash lsh, final (dedup)", labels, seconds, raw_seconds)
    reference_recall = sum(reference[a] == reference[b] for a, b in truth) / len(truth)
    long_reference = sum(reference[a] == reference[b] for a, b in long_truth) / len(long_truth)
    print(
        f"{'exact all-pairs reference':<27} {reference_recall:6.4f} {long_reference:9.4f}"
        "  (the best recall these shingles allow at this threshold)"
    )
    predicted = result["predicted"]
    print("\nrecall by edit (pairs original - copy):")
    for kind in EDITS:
        pairs = [
            (min(a, b), max(a, b))
            for members in groups.values()
            for a, b in itertools.combinations(members, 2)
            if {kinds[a], kinds[b]} == {"original", kind}
        ]
        hits = sum(pair in predicted for pair in pairs)
        best = sum(reference[a] == reference[b] for a, b in pairs)
        share, bound = hits / max(len(pairs), 1), best / max(len(pairs), 1)
        print(f"  {kind:<8} {share:.4f} of {len(pairs)} (reference {bound:.4f})")
    print("recall by length of the original (all planted pairs):")
    for low, high in ((args.min_words, 10), (10, 20), (20, 40), (40, 10**9)):
        pairs = [
            pair
            for number, members in groups.items()
            if low <= len(canonical_words(originals[number])) < high
            for pair in itertools.combinations(members, 2)
        ]
        hits = sum(pair in predicted for pair in pairs)
        best = sum(reference[a] == reference[b] for a, b in pairs)
        label = f"{low}-{high - 1} words" if high < 10**9 else f">= {low} words"
        share, bound = hits / max(len(pairs), 1), best / max(len(pairs), 1)
        print(f"  {label:<14} {share:.4f} of {len(pairs)} (reference {bound:.4f})")
    verdict = "met" if result["recall"] >= 0.98 and result["precision"] >= 0.99 else "NOT MET"
    print(
        f"targets recall >= 0.98 and precision >= 0.99 (originals of >= {args.long_words} words, "
        f"final clusters): {verdict}"
    )


def youtube_benchmark(args: argparse.Namespace) -> None:
    comments = youtube_comments()
    finder = DuplicateFinder(threshold=args.threshold, min_words=args.min_words)
    matches = finder.add([c["text"] for c in comments], [c["id"] for c in comments])
    identical: defaultdict[str, list[int]] = defaultdict(list)
    for row, comment in enumerate(comments):
        identical[comment["text"].strip()].append(row)
    repeated = [rows for rows in identical.values() if len(rows) > 1]
    together = sum(len({matches[r].cluster_id for r in rows}) == 1 for rows in repeated)
    clusters: defaultdict[str, list[int]] = defaultdict(list)
    for row, match in enumerate(matches):
        clusters[str(match.cluster_id)].append(row)
    multi = [rows for rows in clusters.values() if len(rows) > 1]
    near_only = [rows for rows in multi if len({comments[r]["text"].strip() for r in rows}) > 1]
    kinds: defaultdict[str, int] = defaultdict(int)
    for rows in multi:
        authors = {comments[r]["author"] for r in rows}
        videos = {comments[r]["video"] for r in rows}
        short = matches[rows[0]].short
        kind = "short" if short else "flood" if len(authors) == 1 else "campaign"
        kind = kind if kind != "campaign" or len(videos) > 1 else "copy-paste"
        kinds[kind] += 1
    counts = defaultdict(int)
    for match in matches:
        counts[match.match] += 1
    print(
        f"\nYouTube corpus: {len(comments)} comments; {len(repeated)} texts posted more than "
        f"once verbatim, {together} of them found as one cluster each"
    )
    print(
        f"  clusters of 2+: {len(multi)} ({len(near_only)} joining different texts); "
        f"matches: exact {counts['exact']}, near {counts['near']}, "
        f"short-exact {counts['short-exact']}; kinds: {dict(sorted(kinds.items()))}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--originals", type=int, default=3000)
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--words-per-edit", type=int, default=15)
    parser.add_argument("--min-words", type=int, default=5, help="the finder's length floor")
    parser.add_argument(
        "--long-words", type=int, default=10, help="originals this long or longer: the targets"
    )
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--ngram-low", type=int, default=1)
    parser.add_argument("--ngram-high", type=int, default=1)
    parser.add_argument("--bands", type=int, default=20)
    parser.add_argument("--rows-per-band", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    np.random.seed(args.seed)
    planted_benchmark(args)
    youtube_benchmark(args)


if __name__ == "__main__":
    main()
