"""Marking the words behind a flag, and the dashboard's counts."""

from __future__ import annotations

from moderation.review import dashboard, decisions
from moderation.review.highlight import highlight
from moderation.review.priority import Thresholds
from moderation.review.store import load_dump, open_store
from tests.review.support import scored, small_queue, write_dump

THRESHOLDS = Thresholds({"spam": 0.137, "incitement": 0.306}, {"spam": 0.71, "incitement": 0.88})


def test_highlight_marks_words_and_pairs_but_not_signals_or_parts_of_words() -> None:
    reasons = {
        "spam": [["check my", 1.0], ["[links]", 0.9], ["sub", 0.5]],
        "incitement": [["nuke", 2.0]],
    }
    text = "CHECK  my subs, sub now! Nuke them. <b>nuke</b>"
    segments = highlight(text, reasons)
    assert "".join(part for part, _ in segments) == text  # nothing lost or added
    marked = [(part, flag) for part, flag in segments if flag]
    assert marked == [
        ("CHECK  my", "spam"),
        ("sub", "spam"),
        ("Nuke", "incitement"),
        ("nuke", "incitement"),
    ]
    assert highlight("", reasons) == [("", None)]


def test_dashboard_counts_per_article_over_time_and_campaigns(tmp_path) -> None:
    rows = [*small_queue(), scored("t1", "x", created_at="2026-03-01T10:00:00Z", article="a9")]
    rows.append(scored("t2", "y", stance="pro_ukraine", created_at="2026-03-02", article="a9"))
    connection = open_store(tmp_path / "r.sqlite")
    dump = load_dump(connection, write_dump(tmp_path / "s.jsonl", rows), THRESHOLDS).dump_id
    per_article = dashboard.counts(connection, [dump], "article_id")
    assert per_article["a2"].comments == 2 and per_article["a2"].flags["spam"] == 2
    assert per_article["a1"].actions["remove"] == 1 and per_article["a1"].flags["incitement"] == 1
    assert per_article["a9"].stances == {"neutral": 1, "pro_ukraine": 1}
    days = dashboard.stances_over_time(connection, [dump])
    assert days == {"2026-03-01": {"neutral": 1}, "2026-03-02": {"pro_ukraine": 1}}
    [campaign] = dashboard.campaigns(connection, [dump])
    assert (campaign.copies, campaign.authors, campaign.articles) == (3, 3, 2)
    key = campaign.key
    decisions.decide_cluster(connection, key, "approve", "ann")  # the model flagged them spam
    agreement = {
        row.label: (row.decided, row.agree) for row in dashboard.agreement(connection, [dump])
    }
    assert agreement == {"spam": (3, 0), "incitement": (3, 3), "stance": (0, 0)}
    assert dashboard.per_dump(connection, [dump])[0].decided == 3
