"""Regenerate the README's screenshots of `moderation review`: ``python scripts/screenshots.py``

Scores a small demo comment section written for this screenshot (two articles, replies, a
copy-paste campaign, comments over four days) with the bundled model, serves it with
`moderation review --no-open --port 0`, removes one comment with the keyboard and a campaign
with its button in headless Chromium (Debian's chromium and chromium-driver) and saves
``docs/review-queue.png`` and ``docs/review-dashboard.png``.

`moderation score` rows carry no author or time; this script adds the demo's own back to the
scored rows, so the dashboard shows stances over time and the campaign's authors.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CAMPAIGN = (
    "Earn $500 a day from home!! DM me on WhatsApp, my mentor changed my life: profit-daily.example"
)

# (id, article, parent, author, day, text): written for this demo.
COMMENTS = [
    (
        "d1",
        "kyiv-grid",
        None,
        "marta_k",
        1,
        "Another night without power in Kyiv. Thank you to the repair crews who keep going "
        "out in the cold.",
    ),
    (
        "d2",
        "kyiv-grid",
        "d1",
        "oleg77",
        1,
        "Respect to them. Russia keeps hitting power plants in winter on purpose, that is a "
        "war on civilians.",
    ),
    (
        "d3",
        "kyiv-grid",
        None,
        "truthseeker",
        1,
        "NATO pushed and pushed for years, this war is the West's fault, not Russia's.",
    ),
    ("d4", "kyiv-grid", None, "bot_ana", 2, CAMPAIGN),
    (
        "d5",
        "kyiv-grid",
        None,
        "dan_w",
        2,
        "Is there any source for the numbers in paragraph three? The report links nothing.",
    ),
    (
        "d6",
        "kyiv-grid",
        "d3",
        "marta_k",
        2,
        "The West did not send tanks into Ukraine. Stop repeating that.",
    ),
    ("d7", "peace-talks", None, "bot_ben", 2, CAMPAIGN),
    ("d8", "peace-talks", None, "gregor", 3, "They should drop a nuke on Moscow and end it today."),
    (
        "d9",
        "peace-talks",
        "d8",
        "lena_s",
        3,
        "No. Calling for nuking a city full of people is sick, whatever side you are on.",
    ),
    ("d10", "peace-talks", None, "bot_cai", 3, CAMPAIGN),
    (
        "d11",
        "peace-talks",
        None,
        "pieter",
        3,
        "Both governments should sit down, a ceasefire first and then talks. Too many dead "
        "already.",
    ),
    (
        "d12",
        "peace-talks",
        None,
        "sub2me",
        4,
        "check out my channel for daily war updates, sub and i sub back!!! "
        "youtube.example/c/warnow",
    ),
    (
        "d13",
        "peace-talks",
        None,
        "ivan_p",
        4,
        "Russia is protecting Donbas, Kyiv shelled those people for eight years.",
    ),
    ("d14", "kyiv-grid", None, "bot_dee", 4, CAMPAIGN),
    (
        "d15",
        "kyiv-grid",
        None,
        "sam_r",
        4,
        "Slava Ukraini from Lisbon. We are collecting generators for Kharkiv this weekend.",
    ),
    (
        "d16",
        "peace-talks",
        None,
        "mike_o",
        4,
        "Not sure what to think any more, every channel tells a different story about this.",
    ),
]


def demo_dump(folder: Path) -> Path:
    """Score the demo comments and add their authors and times back to the rows."""
    raw = folder / "comments.jsonl"
    with raw.open("w", encoding="utf-8") as stream:
        for ident, article, parent, author, day, text in COMMENTS:
            row = {
                "id": ident,
                "text": text,
                "article_id": article,
                "parent_id": parent,
                "author": author,
                "created_at": f"2026-03-0{day}T1{day}:00:00Z",
            }
            stream.write(json.dumps(row) + "\n")
    scored = folder / "scored.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "moderation", "score", str(raw), "-o", str(scored)],
        check=True,
        env=env,
        capture_output=True,
    )
    extra = {
        c[0]: {"author": c[3], "created_at": f"2026-03-0{c[4]}T1{c[4]}:00:00Z"} for c in COMMENTS
    }
    rows = [json.loads(line) for line in scored.read_text(encoding="utf-8").splitlines()]
    with scored.open("w", encoding="utf-8") as stream:
        for row in rows:
            stream.write(json.dumps({**row, **extra[row["id"]]}, ensure_ascii=False) + "\n")
    return scored


def browser():  # noqa: ANN201 - a selenium WebDriver
    """Headless Debian Chromium through its own chromedriver (nothing downloaded)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--disable-dev-shm-usage",
        "--window-size=1280,1500",
    ):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def capture(url: str) -> None:
    """Open the queue, remove a comment and a campaign, save both pages."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    driver = browser()
    try:
        driver.get(url)
        ActionChains(driver).send_keys("r").pause(0.8).perform()  # remove the first comment
        driver.find_element(By.CSS_SELECTOR, "button[value='remove:spam']").click()
        time.sleep(0.8)
        driver.execute_script("window.scrollTo(0, 0)")
        time.sleep(0.5)
        DOCS.mkdir(exist_ok=True)
        driver.save_screenshot(str(DOCS / "review-queue.png"))
        driver.set_window_size(1280, 3000)
        driver.get(url.split("?", 1)[0] + "dashboard")
        for _ in range(50):  # the charts are drawn on request: wait for every image
            if driver.execute_script("return [...document.images].every(i => i.complete)"):
                break
            time.sleep(0.2)
        height = driver.execute_script(
            "return document.querySelector('main').getBoundingClientRect().bottom"
        )
        driver.set_window_size(1280, min(int(height) + 20, 4000))
        time.sleep(0.5)
        driver.find_element(By.TAG_NAME, "h1")
        driver.save_screenshot(str(DOCS / "review-dashboard.png"))
    finally:
        driver.quit()


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        scored = demo_dump(Path(folder))
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [
            sys.executable,
            "-m",
            "moderation",
            "review",
            str(scored),
            "--db",
            str(Path(folder) / "review.sqlite"),
            "--no-open",
            "--port",
            "0",
            "--reviewer",
            "demo",
        ]
        server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
            match = re.match(r"review: (\S+)", line)
            if match is None:
                raise SystemExit(f"the server did not start: {line!r}")
            capture(match.group(1))
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"wrote {DOCS / 'review-queue.png'} and {DOCS / 'review-dashboard.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
