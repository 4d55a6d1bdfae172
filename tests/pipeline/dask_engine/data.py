"""Inputs for the Dask engine's tests, written for them: dumps full of exact, near and short
copies (in several blocks), the awkward rows a dump has, and pages of the project's fixtures."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from tests.support import FIXTURES

# A bigger dump's blocks: several per dump, so that copies cross blocks and workers.
BLOCKSIZE = 4000
# A chain: C is too far from A (0.75) and only the later B (0.83 with A, 0.92 with C) joins
# them. Streamed (score), C keeps its own cluster; merged (dedup), C joins A's.
_NATO = [
    "alfa",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliett",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "xray",
]
CHAIN_A = " ".join(_NATO[:20])
CHAIN_C = " ".join(_NATO[2:24])
CHAIN_B = " ".join(_NATO[:24])
_WORDS = [
    "the",
    "war",
    "peace",
    "sanctions",
    "winter",
    "europe",
    "freeze",
    "tell",
    "your",
    "mp",
    "end",
    "them",
    "today",
    "vote",
    "now",
    "for",
    "real",
    "truth",
    "media",
    "never",
    "about",
    "this",
    "page",
    "channel",
    "subscribe",
    "great",
    "song",
    "love",
    "hate",
    "bring",
    "soldiers",
    "home",
    "stop",
    "start",
    "talks",
    "grain",
    "energy",
    "prices",
]


def _texts(rng: random.Random, count: int) -> list[str]:
    """Comment texts: repeats, shouted repeats, one-letter typos, short ones, emoji, new ones."""
    base = [" ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 16))) for _ in range(40)]
    texts = []
    for number in range(count):
        text, roll = rng.choice(base), rng.random()
        if roll < 0.2:
            texts.append(text)
        elif roll < 0.4:
            words = text.split()
            at = rng.randrange(len(words))
            words[at] = words[at][:-1] or "x"
            texts.append(" ".join(words))
        elif roll < 0.45:
            texts.append(text.upper() + "!!")
        elif roll < 0.5:
            texts.append(rng.choice(["😂😂", "First!", "lol"]))
        else:
            length = rng.randint(1, 20)
            texts.append(" ".join(rng.choice(_WORDS) for _ in range(length)) + f" n{number}")
    return texts


def write_jsonl(path: Path, count: int = 260, seed: int = 7) -> None:
    """A JSONL dump: most rows with ids, some without (ids made up from the line), broken
    lines, a thread object with nested replies, and the chain A, C, B."""
    rng = random.Random(seed)
    lines = []
    for number, text in enumerate(_texts(rng, count)):
        if number == 40:
            lines.append(json.dumps({"id": "chainA", "text": CHAIN_A, "article_id": "a1"}))
        if number == 120:
            lines.append(json.dumps({"id": "chainC", "text": CHAIN_C, "article_id": "a2"}))
        if number == 200:
            lines.append(json.dumps({"id": "chainB", "text": CHAIN_B, "article_id": "a3"}))
        if number % 37 == 5:
            lines.append("{not json")
        if number % 53 == 9:
            replies = [{"text": text}, {"text": "a reply", "replies": [{"text": text.upper()}]}]
            lines.append(json.dumps({"thread_id": f"t{number}", "title": "T", "comments": replies}))
            continue
        row = {"text": text, "article_id": f"a{rng.randrange(6)}", "author": f"u{rng.randrange(9)}"}
        if rng.random() < 0.85:
            row["id"] = f"c{number}"
        lines.append(json.dumps(row, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_csv(path: Path, count: int = 90, seed: int = 11) -> None:
    """A CSV dump whose quoted texts hold line breaks, quotes and delimiters, so that block
    ends fall inside records; one row has a field too many."""
    rng = random.Random(seed)
    rows = ["id,text,author,article_id"]
    for number, text in enumerate(_texts(rng, count)):
        if number % 4 == 0:
            words = text.split(" ")
            cut = len(words) // 2
            quoted = " ".join(words[:cut]) + '\n"said"\n' + " ".join(words[cut:])
            rows.append(f'd{number},"{quoted.replace(chr(34), chr(34) * 2)}",u{number % 5},a2')
        elif number == 33:
            rows.append(f"d{number},{text},u1,a1,extra")
        else:
            rows.append(f'd{number},"{text}, too",u{number % 5},a{number % 3}')
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def write_inputs(folder: Path) -> Path:
    """A folder of inputs: both dumps and, whole, two copies of one text page (one story)
    and an HTML page. Returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl(folder / "a_dump.jsonl")
    write_csv(folder / "b_dump.csv")
    shutil.copy(FIXTURES / "pages" / "ledger_plain_thread.txt", folder / "c_ledger.txt")
    shutil.copy(FIXTURES / "pages" / "ledger_plain_thread.txt", folder / "d_ledger_copy.txt")
    shutil.copy(FIXTURES / "html" / "wordpress_nested.html", folder / "e_page.html")
    return folder
