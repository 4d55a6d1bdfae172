"""The review pages in a real browser: headless Chromium (Debian's chromium and
chromium-driver) through Selenium, against a real `moderation review` process.

Opens the queue, moves with the keyboard, decides, undoes, removes a whole campaign, reloads,
then checks the SQLite rows and the exported labels, and that no hostile comment ran script.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from moderation.cli import main
from tests.review.support import Server, not_judged, small_queue, write_dump

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT = 15.0


def _driver():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        found = shutil.which("chromium"), shutil.which("chromedriver")
        pytest.skip(
            f"needs Debian's chromium and chromium-driver (found {found}): "
            "apt-get install chromium chromium-driver"
        )
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # to see CSP reports
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,2000",
    ):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)


def _until(condition, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def browser():
    driver = _driver()
    yield driver
    driver.quit()


def test_keyboard_review_in_chromium(browser, tmp_path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    rows = [*small_queue(), not_judged("de1", "Die sollte man alle erschießen, diese Verräter.")]
    dump, db = write_dump(tmp_path / "out.jsonl", rows), tmp_path / "review.sqlite"
    server = Server([dump], db)
    try:
        browser.get(server.first_line.split(" ", 1)[1])
        assert "token=" not in browser.current_url  # the token went into a cookie
        cards = browser.find_elements(By.CSS_SELECTOR, "article.card")
        assert cards[0].get_attribute("id") == "c2"  # the remove tier first

        def current() -> str:
            return browser.find_element(By.CSS_SELECTOR, "article.card.current").get_attribute("id")

        def press(keys: str) -> None:
            ActionChains(browser).send_keys(keys).perform()

        def state(card: str) -> str:
            return browser.find_element(By.CSS_SELECTOR, f"#{card} .state").text

        ids = [card.get_attribute("id") for card in cards]
        # then the comment the model did not judge, then the campaign (the least sure review)
        german = "c12"  # the page names cards by their key: de1 is the dump's 12th row
        assert ids[:5] == ["c2", german, "c5", "c6", "c7"]
        notice = browser.find_element(By.CSS_SELECTOR, f"#{german} .not-judged").text
        assert notice == "not judged by the model (unsupported language: de)"
        assert current() == "c2"
        press("j")
        press("i")  # incitement: yes (the model gave no score)
        _until(lambda: state(german) == "labels only · incitement yes", "the label to be saved")
        press("r")
        _until(lambda: state(german) == "removed · incitement yes", "the removal to be saved")
        assert current() == ids[2]
        press("jjjj")
        press("k")
        second, third = ids[5], ids[6]  # c4 (a reply, flagged spam), then a hostile text
        assert current() == second
        press("r")  # remove, and move on
        _until(lambda: state(second) == "removed · spam yes", "the removal to be saved")
        assert current() == third
        press("a")
        _until(lambda: state(third).startswith("approved"), "the approval to be saved")
        press("k")
        press("k")
        press("3")  # the stance key: pro_russia for the default target
        _until(lambda: "stance pro_russia" in state(second), "the stance to be saved")
        press("u")  # undo the stance
        _until(lambda: state(second) == "removed · spam yes", "the undo to be saved")

        campaign = browser.find_element(By.CSS_SELECTOR, "#c6 button[value='remove:spam']")
        campaign.click()
        for copy in ("c5", "c6", "c7"):
            _until(lambda c=copy: state(c) == "removed · spam yes", f"{copy} to be removed")

        assert browser.title == "Queue · moderation"  # no hostile comment ran its script
        browser.refresh()
        shown = {
            c.get_attribute("id") for c in browser.find_elements(By.CSS_SELECTOR, "article.card")
        }
        assert not shown & {second, third, "c5", "c6", "c7"}  # decided: out of the queue
        assert browser.title == "Queue · moderation"
        logs = browser.get_log("browser") if hasattr(browser, "get_log") else []
        assert not [
            entry for entry in logs if "Content Security Policy" in entry.get("message", "")
        ]
    finally:
        server.stop()

    with sqlite3.connect(db) as connection:
        latest = dict(
            connection.execute(
                "SELECT c.id, c.decision FROM comments c WHERE c.decision IS NOT NULL"
            ).fetchall()
        )
        undone = connection.execute("SELECT op FROM decisions WHERE undone_at IS NOT NULL")
        assert [row[0] for row in undone] == ["stance:pro_russia"]
    assert latest == {
        second: "remove",
        third: "approve",
        "c5": "remove",
        "c6": "remove",
        "c7": "remove",
        "de1": "remove",
    }
    out = tmp_path / "labels.jsonl"
    result = CliRunner().invoke(main, ["review", "export", str(db), "-o", str(out)])
    assert result.exit_code == 0, result.output
    labels = {row["id"]: row for row in map(json.loads, out.read_text().splitlines())}
    assert set(labels) == {second, third, "c5", "c6", "c7", "de1"}
    german_labels = (labels["de1"][k] for k in ("spam", "incitement", "language"))
    assert tuple(german_labels) == (None, 1, "de")
    assert all(labels[c]["spam"] == 1 for c in ("c5", "c6", "c7", second))
    assert labels[third]["spam"] == 0 and labels[third]["incitement"] == 0
    assert {row["source"] for row in labels.values()} == {"moderator"}
