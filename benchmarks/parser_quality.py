"""How well the HTML reader finds comments on real pages, beside trafilatura's comment extraction.

Run from the repository root (reads ../shared/pages at run time; nothing from it is stored)::

    python benchmarks/parser_quality.py [--pages html-more] [--verbose] [--half even|odd]
        [--structural-only] [--repeat N]

Gold: for ``html-more/`` the per-page ``comments`` and ``article`` snippets of
``html-more-gold.json``; for ``html/`` the README's snippets as pinned in
``tests/parse/test_html_real.py``. Snippets and comment texts are compared with whitespace
collapsed. Per page and in total it prints:

- ``found``: comments extracted;
- ``gold``: comment snippets that lie inside ONE extracted comment, over all of them (inside
  its title and text; a snippet that is the commenter's name alone counts when it is the record's
  ``author``, since author lines are kept out of the text);
- ``art``: article snippets that lie inside some extracted comment (article text taken for a
  comment; should be 0);
- ``none``: pages whose gold has comment snippets but where nothing was extracted;
- ``some-on-no-gold``: pages whose gold keeps no comment snippet (threads loaded by script)
  where something was extracted all the same (possibly article text taken for comments);
- ``ms``: time to read the page in this process (parse to the last record), median over pages;
  the two extractors take turns page by page, so both medians are taken under the same load.
  With ``--repeat N`` each page is read N times by each extractor (still taking turns) and
  its fastest time kept: on a shared machine the fastest of several runs is the figure least
  moved by other processes.

``--structural-only`` switches the known-markup selectors and schema.org items off, so that
every page is read by the structural finder alone, as a page of a site no selector knows
would be: the figure that says how far the finder generalises.

trafilatura (``pip install trafilatura``, the benchmark's optional extra) returns one comment
text per page: a snippet counts when it is inside that text, so its figures are an upper bound
of what "inside one comment" would give. Its column is skipped when it is not installed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from moderation.parse import parse  # noqa: E402
from moderation.parse.htmlpage import read_html_page  # noqa: E402
from moderation.parse.source import Input  # noqa: E402
from moderation.records import Comment  # noqa: E402

PAGES = ROOT.parent / "shared" / "pages"
FOLDERS = ("html", "html-more")


@dataclass(frozen=True, slots=True)
class Gold:
    """What one page should give: comment snippets (each in one comment), article snippets."""

    comments: tuple[str, ...]
    article: tuple[str, ...]


@dataclass(slots=True)
class Score:
    """One extractor on one page."""

    found: int = 0
    gold_hits: int = 0
    article_hits: int = 0
    seconds: float = 0.0
    missed: list[str] = field(default_factory=list)


def collapse(text: str) -> str:
    """Whitespace collapsed to single spaces, as the gold is compared."""
    return " ".join(text.split())


def html_gold() -> dict[str, Gold]:
    """The README's snippets for ``html/``, as the real-page tests pin them."""
    from tests.parse.test_html_real import GOLD

    return {f"{name}.html": Gold(tuple(snips), ()) for name, (_, snips) in GOLD.items()}


def more_gold() -> dict[str, Gold]:
    """``html-more-gold.json``: comment and article snippets per file."""
    raw = json.loads((PAGES / "html-more-gold.json").read_text(encoding="utf-8"))
    return {
        name: Gold(tuple(entry.get("comments", ())), tuple(entry.get("article", ())))
        for name, entry in raw.items()
    }


def _texts(records: Iterable[object]) -> list[str]:
    """Each comment's title and text (the title is a field of its own), ``\\x00``, author."""
    rows = []
    for record in records:
        if isinstance(record, Comment):
            whole = f"{record.title}\n\n{record.text}" if record.title else record.text
            rows.append(f"{whole}\x00{record.author or ''}")
    return rows


def ours(path: Path) -> list[str]:
    """Comments from the project's HTML reader, as :func:`_texts` gives them."""
    return _texts(parse(path, format="html"))


def ours_structural(path: Path) -> list[str]:
    """As :func:`ours`, with the structural finder alone (no selectors, no schema.org items)."""
    return _texts(read_html_page(Input(str(path), path), finders=("structure",)))


def trafilatura_comments(path: Path) -> list[str] | None:
    """trafilatura's comment text for the page as one item, or None when not installed."""
    try:
        import trafilatura
    except ImportError:
        return None
    result = trafilatura.extract(
        path.read_bytes(), include_comments=True, output_format="json", with_metadata=False
    )
    if not result:
        return []
    text = json.loads(result).get("comments") or ""
    return [text] if text.strip() else []


def score(texts: list[str], gold: Gold, seconds: float) -> Score:
    """Count gold snippets inside one comment and article snippets inside any comment."""
    pairs = [text.partition("\x00")[::2] for text in texts]
    collapsed = [collapse(text) for text, _ in pairs]
    authors = {collapse(author) for _, author in pairs if author}
    result = Score(found=len(texts), seconds=seconds)
    for snippet in gold.comments:
        wanted = collapse(snippet)
        if wanted in authors or any(wanted in text for text in collapsed):
            result.gold_hits += 1
        else:
            result.missed.append(snippet)
    result.article_hits = sum(
        1 for snippet in gold.article if any(collapse(snippet) in text for text in collapsed)
    )
    return result


Extractor = Callable[[Path], list[str] | None]


def run(
    extractors: Sequence[Extractor], folder: Path, gold: dict[str, Gold], repeat: int = 1
) -> list[dict[str, Score] | None]:
    """Score each extractor on every gold page of a folder (None for one not available).

    The extractors take turns page by page (and run by run), so that their times are taken
    under the same machine load and their medians can be compared; each page's time is the
    fastest of ``repeat`` runs.
    """
    scores: list[dict[str, Score] | None] = [{} for _ in extractors]
    for name in sorted(gold):
        path = folder / name
        if not path.is_file():
            print(f"  missing page {path}", file=sys.stderr)
            continue
        for _ in range(repeat):
            for index, extractor in enumerate(extractors):
                table = scores[index]
                if table is None:
                    continue
                start = time.perf_counter()
                texts = extractor(path)
                seconds = time.perf_counter() - start
                if texts is None:
                    scores[index] = None
                elif name not in table or seconds < table[name].seconds:
                    table[name] = score(texts, gold[name], seconds)
    return scores


def totals(scores: dict[str, Score], gold: dict[str, Gold]) -> str:
    """One line: snippet recall, article snippets in comments, pages with none, median ms."""
    wanted = sum(len(gold[name].comments) for name in scores)
    hits = sum(s.gold_hits for s in scores.values())
    articles = sum(len(gold[name].article) for name in scores)
    article_hits = sum(s.article_hits for s in scores.values())
    with_gold = [name for name in scores if gold[name].comments]
    none = sum(1 for name in with_gold if scores[name].found == 0)
    without = [name for name in scores if not gold[name].comments]
    extra = sum(1 for name in without if scores[name].found > 0)
    found = sum(s.found for s in scores.values())
    median_ms = 1000 * statistics.median(s.seconds for s in scores.values()) if scores else 0.0
    recall = hits / wanted if wanted else 1.0
    article_rate = article_hits / articles if articles else 0.0
    return (
        f"comments {found:5d}  gold {hits}/{wanted} = {recall:.3f}  "
        f"article-in-comment {article_hits}/{articles} = {article_rate:.3f}  "
        f"none {none}/{len(with_gold)}  some-on-no-gold {extra}/{len(without)}  "
        f"median {median_ms:.1f} ms/page"
    )


def _load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages: timings under load must say so."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def report(
    label: str,
    folder: Path,
    gold: dict[str, Gold],
    verbose: bool,
    names: Sequence[str],
    extractor: Extractor = ours,
    repeat: int = 1,
) -> None:
    """Print the per-page table (with ``verbose``) and the totals for both extractors."""
    gold = {name: gold[name] for name in names}
    before = _load_average()
    mine, theirs = run((extractor, trafilatura_comments), folder, gold, repeat)
    print(f"\n== {label}: {len(gold)} pages, fastest of {repeat} run(s) per page")
    print(f"load average before: {before}, after: {_load_average()}")
    if verbose and mine is not None:
        print(f"{'page':48s} {'found':>5s} {'gold':>7s} {'art':>4s} {'ms':>7s}   trafilatura")
        for name, s in mine.items():
            t = theirs.get(name) if theirs else None
            wanted = len(gold[name].comments)
            other = (
                f"gold {t.gold_hits}/{wanted} art {t.article_hits} {1000 * t.seconds:7.1f} ms"
                if t
                else ""
            )
            print(
                f"{name[:48]:48s} {s.found:5d} {s.gold_hits:3d}/{len(gold[name].comments):<3d}"
                f" {s.article_hits:4d} {1000 * s.seconds:7.1f}   {other}"
            )
            for snippet in s.missed:
                print(f"{'':8s}missed: {snippet[:70]!r}")
    if mine is not None:
        name = "structural" if extractor is ours_structural else "moderation"
        print(f"{name:12s} {totals(mine, gold)}")
    if theirs is None:
        print("trafilatura  not installed (pip install trafilatura): column skipped")
    else:
        print(f"trafilatura  {totals(theirs, gold)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", choices=FOLDERS, action="append", help="folders to score")
    parser.add_argument("--verbose", action="store_true", help="print every page and its misses")
    parser.add_argument(
        "--half",
        choices=("even", "odd"),
        help="only every other page (sorted by name), to develop on one half and check the other",
    )
    parser.add_argument(
        "--structural-only",
        action="store_true",
        help="find comments by shape alone (selectors and schema.org items off)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="read each page N times per extractor and keep its fastest time (default 1)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be 1 or more, not {args.repeat}")
    if not PAGES.is_dir():
        print(f"skipped: {PAGES} is not there (the real pages live in ../shared/pages)")
        return 0
    sources = {"html": html_gold, "html-more": more_gold}
    for label in args.pages or FOLDERS:
        folder = PAGES / label
        if not folder.is_dir():
            print(f"skipped {label}: {folder} is not there")
            continue
        gold = sources[label]()
        names = sorted(gold)
        if args.half:
            names = names[0 if args.half == "even" else 1 :: 2]
        extractor = ours_structural if args.structural_only else ours
        report(label, folder, gold, args.verbose, names, extractor, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
