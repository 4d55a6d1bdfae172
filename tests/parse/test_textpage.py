"""Plain-text scraped pages: the seeds exactly, and pages from other sites in the same style."""

from __future__ import annotations

import json

import pytest

from moderation.parse import Input, parse
from moderation.parse.chrome import LineKind, classify_line
from moderation.parse.text import fold_for_matching
from moderation.records import Article, Comment
from tests.support import FIXTURES, SEEDS

SEED_EXPECTED = json.loads((FIXTURES / "seed_comments.json").read_text(encoding="utf-8"))

# Every chrome line of the seed pages, and lines of the same kinds from other sites.
CHROME_LINES = [
    "For more news go to:",
    "Follow DW on social media:",
    "Für Videos in deutscher Sprache besuchen Sie:",
    "#Russia #Ukraine #UkraineInvasion",
    "Like it? Share with your friends!",
    "What's Your Reaction?",
    "hate hate",
    "geeky geeky",
    "omg omg",
    "Your email address will not be published.",
    "Share this story",
    "Share on Facebook",
    "Tweet",
    "Follow us on Instagram",
    "How do you feel about this story?",
    "Angry 12",
    "About the author",
    "Subscribe to our newsletter for more local news",
    "Related stories:",
    "Advertisement",
    "Leave a Reply",
    "12 Comments",
]


def _records(path: str):
    records = list(parse(path, articles=True))
    articles = [r for r in records if isinstance(r, Article)]
    comments = [r for r in records if isinstance(r, Comment)]
    assert len(records) == len(articles) + len(comments), records
    return articles, comments


def _seed(name: str) -> str:
    return str(next(SEEDS.glob(f"{name}_*.txt")))


def test_seed_comment_counts_and_texts_are_exact() -> None:
    _, comments = _records(str(SEEDS))
    by_article: dict[str, list[str]] = {}
    for comment in comments:
        by_article.setdefault(comment.article_id, []).append(comment.text)
    assert by_article == SEED_EXPECTED["comments"]
    assert [len(v) for v in by_article.values()] == [1, 11]


def test_seed_001_multi_paragraph_comments() -> None:
    _, comments = _records(_seed("001"))
    assert len(comments) == 11
    assert comments[5].text.count("\n\n") == 3  # comment 6 has 4 paragraphs
    assert comments[10].text.count("\n\n") == 8  # comment 11 has 9 paragraphs
    assert comments[10].text.startswith("Israel and the USA are the real aggressors!")
    assert comments[10].text.endswith("Bravo Russia!!!")
    assert [c.position for c in comments] == list(range(1, 12))
    assert comments[8].text == comments[9].text  # posted twice
    assert len({c.id for c in comments}) == 11


def test_seed_000_comment_after_repeated_title() -> None:
    articles, comments = _records(_seed("000"))
    assert [c.text for c in comments] == [
        "Remember that it took 2 months for the Blitzkrieg campaign to take over France "
        "during Hitler’s reign."
    ]
    assert (
        articles[0].title
        == "Ukraine and Russia negotiators meet for peace talks at Ukraine-Belarus border"
    )
    assert articles[0].site == "DW News – YouTube"
    assert "Blitzkrieg" not in articles[0].body


@pytest.mark.parametrize("name", ["002", "003", "004"])
def test_seeds_without_comments(name: str) -> None:
    articles, comments = _records(_seed(name))
    assert comments == []
    assert len(articles) == 1 and articles[0].body


def test_seed_captions_dateline_and_credit_are_kept_apart() -> None:
    article_003 = _records(_seed("003"))[0][0]
    assert article_003.date == "2022-02-28"
    assert article_003.title == "Ukraine demands ‘immediate ceasefire’, Russian withdrawal"
    assert article_003.dateline == "KIEV, Ukraine (AFP)"
    assert article_003.body.startswith("Ukraine demanded an immediate Russian ceasefire")
    assert len(article_003.captions) == 3
    assert all("(Photo by" in caption for caption in article_003.captions)
    assert "Photo by" not in article_003.body and "handout" not in article_003.body.lower()

    article_004 = _records(_seed("004"))[0][0]
    assert article_004.title is None
    assert article_004.captions == [
        "Ukrainian President Volodymyr Zelenskiy makes a statement in Kyiv, Ukraine, February "
        "26, 2022. (Ukrainian Presidential Press Service/Handout via Reuters)"
    ]
    assert article_004.body.startswith("Peace negotiations between Russian")

    article_002 = _records(_seed("002"))[0][0]
    assert article_002.credit == "AFP"
    assert not article_002.body.endswith("AFP")
    assert article_002.body.count("\n\n") == 14  # 15 one-line paragraphs


def test_no_chrome_line_in_any_seed_body_or_comment() -> None:
    articles, comments = _records(str(SEEDS))
    texts = [a.body for a in articles] + [c.text for c in comments]
    for line in CHROME_LINES[:10] + ["DW News"]:
        for text in texts:
            assert line not in text.split("\n"), (line, text[:80])
    article_001 = next(a for a in articles if a.id.startswith("001"))
    assert article_001.body.count("\n\n") == 1  # two story paragraphs, nothing else


@pytest.mark.parametrize("line", CHROME_LINES)
def test_chrome_lines_are_recognised(line: str) -> None:
    assert classify_line(fold_for_matching(line)) in (LineKind.CHROME, LineKind.COMMENTS_START)


@pytest.mark.parametrize(
    "line",
    [
        "Putin is a bully, only one way to deal with a bully is to come back to him.",
        "The talks come after a phone call between Zelensky and Lukashenko.",
        "Remember that it took 2 months for the Blitzkrieg campaign to take over France.",
        "He said he would share the plan with allies on Monday.",
        "He would share it with allies on Monday.",
    ],
)
def test_story_lines_are_not_chrome(line: str) -> None:
    assert classify_line(fold_for_matching(line)) is LineKind.TEXT


def test_other_site_numbered_thread_with_its_own_widgets() -> None:
    articles, comments = _records(str(FIXTURES / "pages" / "tribune_numbered.txt"))
    article = articles[0]
    assert article.title == "Harbour town votes on new ferry timetable"
    assert article.site == "The Example Tribune"
    assert article.date == "2023-05-14"
    assert article.dateline == "PORTSMOUTH, England (Reuters)"
    assert article.captions == [
        "Passengers queue at the harbour gate before the first crossing of the day. "
        "(Photo: Example Tribune / Reuters)"
    ]
    assert article.body.count("\n\n") == 2
    for chrome in ("Share", "Tweet", "Angry", "Jane Example", "How do you feel", "Leave a"):
        assert chrome not in article.body
    assert [c.text for c in comments] == [
        "Finally some common sense from the council.",
        "The 8 a.m. boat would have cost me my job.\nI start at the market at seven.\n\n"
        "Thanks to everyone who came to the vote.",
        "Share this with your neighbours, the next vote is in June!",
    ]


def test_plain_thread_after_comment_heading_keeps_spam_and_drops_toolbars() -> None:
    articles, comments = _records(str(FIXTURES / "pages" / "ledger_plain_thread.txt"))
    assert "1. a short menu," in articles[0].body  # a list in the story is not the thread
    assert "Subscribe to our newsletter" not in articles[0].body
    assert "#bakery" not in articles[0].body
    assert [c.text for c in comments] == [
        "Their rye bread is the best in town.",
        "Subscribe to my channel for more bakery reviews!!",
        "I miss the old station café, honestly.\n"
        "Second paragraph of the same reader, no blank line before it.",
    ]
    assert [c.line for c in comments] == [18, 21, 24]


def test_wire_page_without_title_or_comments() -> None:
    articles, comments = _records(str(FIXTURES / "pages" / "wire_no_comments.txt"))
    assert comments == []
    assert articles[0].credit == "AFP"
    assert len(articles[0].captions) == 1
    assert articles[0].body.count("\n\n") == 3


def test_text_given_as_a_string_gets_a_stable_article_id() -> None:
    page = "A title\n\nThe story.\n\n  1. First!\n\n  2. Second.\n"
    first = [r for r in parse(page) if isinstance(r, Comment)]
    second = [r for r in parse(page) if isinstance(r, Comment)]
    assert [c.text for c in first] == ["First!", "Second."]
    assert first[0].id == second[0].id and first[0].article_id.startswith("text-")
    assert Input("<text>", data=page.encode()).stem == first[0].article_id
