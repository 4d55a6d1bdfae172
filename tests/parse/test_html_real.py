"""The HTML page reader on real saved pages from ../shared/pages/html, checked against its README.

The pages are not part of the project (other sites' copyright, real commenters): the tests
read them in place and skip when the shared folder is not beside the checkout. The gold
snippets and counts below are the README's.
"""

from __future__ import annotations

from functools import cache

import pytest

from moderation.parse.htmlitems import FINDERS
from moderation.parse.htmlpage import read_html_page
from moderation.parse.source import Input
from moderation.records import Article, Comment
from tests.support import SHARED

SHARED_PAGES = SHARED / "pages"
PAGES = SHARED_PAGES / "html"

pytestmark = pytest.mark.shared

# file stem: (listed comment count, gold snippets each inside exactly one comment)
GOLD: dict[str, tuple[int, tuple[str, ...]]] = {
    "blog.wordpress.com.diverse": (13, ("Thank you.", "Amazing!!!", "Wow,")),
    "crazy-julia.de.tipps": (0, ()),
    "foxyfolksy.com.buttercream": (
        80,
        (
            "not as sweet as the American version",
            "Amazing! Just sweet enough, silky smooth texture",
            "Hi Fiona, glad this recipe was able",
        ),
    ),
    "hearya.com.metal": (
        38,
        (
            "Really, no Shagrath?",
            "Ok,so you put Dani Filth,the \u201dRipper\u201d and other few screamers",
            "Where\u2019s Max Cavalera??",
        ),
    ),
    "mdr.de.autohaeuser": (1, ("Daran, dass die Autohändler so ziemlich als erst",)),
    "moritz-meyer.net.vreni": (36, ("Danke für dein Feedback. Auch zum Look meiner Seite.",)),
    "netzpolitik.org.abmahnungen": (
        74,
        ("News vom 31.10.2018", "Hallo zusammen,", "Selbstverständlich darf man den Namen"),
    ),
    "taz.de.siemens": (
        50,  # "~50"
        (
            "Inhaltlich ist der Artikel super",
            " Neubauers Job ist nicht Kaeser quasi",
            "folgenden Artikel interessant, ob man jetzt die Ernsthaftigkeit",
        ),
    ),
    "threatpost.com.android": (1, ()),
    "toptal.com.python": (
        86,
        ("for common mistake #6", "This is a fairer comparison", "I liked the article."),
    ),
}

# Strings the README says must not be in the result of a page.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "crazy-julia.de.tipps": ("Erforderliche Felder sind mit * markiert.",),
    "threatpost.com.android": (
        "Write a comment",
        "Notify me when new comments are added.",
        "uses Akismet to reduce spam.",
    ),
}

# Comment-form, widget and toolbar text that no comment on any page may contain.
NOT_COMMENT_TEXT = (
    "Leave a Reply",
    "LEAVE A REPLY",
    "Your email address will not be published",
    "Deine E-Mail-Adresse wird nicht veröffentlicht",
    "Required fields are marked",
    "Erforderliche Felder sind mit",
    "Notify me when new comments are added",
    "uses Akismet to reduce spam",
    "Write a comment",
    "Recent Comments",
    "Post Comment",
    "Liked by",
    "auf diesen Beitrag antworten",
    "als unangemessen melden",
)
TOOLBAR_LINES = {"reply", "antworten", "- antworten", "melden", "report", "like", "says:", "sagt:"}

SNIPPETS = [(name, snippet) for name, (_, snippets) in GOLD.items() for snippet in snippets]


@cache
def extract(name: str, finders: tuple[str, ...] = FINDERS) -> tuple[Article, tuple[Comment, ...]]:
    """Read one shared page (once per test session); skip when the shared pages are absent."""
    path = PAGES / f"{name}.html"
    if not PAGES.is_dir():
        pytest.skip(f"shared pages not found at {PAGES} (../shared beside the checkout)")
    if not path.is_file():
        pytest.skip(f"shared page {path} is missing")
    records = list(read_html_page(Input(str(path), path=path), finders=finders))
    article, rest = records[0], records[1:]
    assert isinstance(article, Article)
    assert all(isinstance(record, Comment) for record in rest), "no rejections on real pages"
    return article, tuple(rest)  # type: ignore[arg-type]


def comments_of(name: str) -> tuple[Comment, ...]:
    return extract(name)[1]


def test_every_listed_page_is_present() -> None:
    if not PAGES.is_dir():
        pytest.skip(f"shared pages not found at {PAGES} (../shared beside the checkout)")
    missing = [name for name in GOLD if not (PAGES / f"{name}.html").is_file()]
    assert not missing


@pytest.mark.parametrize("name", list(GOLD))
def test_comment_count_within_ten_percent(name: str) -> None:
    listed = GOLD[name][0]
    found = len(comments_of(name))
    assert abs(found - listed) <= 0.1 * listed, f"{name}: {found} comments, README lists {listed}"


@pytest.mark.parametrize(("name", "snippet"), SNIPPETS)
def test_gold_snippet_in_exactly_one_comment(name: str, snippet: str) -> None:
    holders = [comment.id for comment in comments_of(name) if snippet in comment.text]
    assert len(holders) == 1, f"{snippet!r} found in {holders}"


@pytest.mark.parametrize("name", list(FORBIDDEN))
def test_forbidden_strings_in_no_comment(name: str) -> None:
    for comment in comments_of(name):
        for text in FORBIDDEN[name]:
            assert text not in comment.text, (comment.id, text)


@pytest.mark.parametrize(("name", "snippet"), SNIPPETS)
def test_structural_finder_alone_finds_each_gold_snippet_in_one_comment(
    name: str, snippet: str
) -> None:
    """Read as a site no selector knows would be: the finder must carry over to other sites."""
    found = extract(name, ("structure",))[1]
    holders = [comment.id for comment in found if snippet in comment.text]
    assert len(holders) == 1, f"{snippet!r} found in {holders}"


def test_structural_finder_alone_finds_nothing_on_the_form_only_page() -> None:
    assert extract("crazy-julia.de.tipps", ("structure",))[1] == ()


def test_form_only_page_has_no_comments() -> None:
    article, found = extract("crazy-julia.de.tipps")
    assert found == ()
    assert article.title


@pytest.mark.parametrize("name", list(GOLD))
def test_no_form_widget_or_toolbar_text(name: str) -> None:
    for comment in comments_of(name):
        for text in NOT_COMMENT_TEXT:
            assert text not in comment.text, (comment.id, text)
        lines = {line.strip().casefold() for line in comment.text.splitlines()}
        assert not lines & TOOLBAR_LINES, (comment.id, lines & TOOLBAR_LINES)


@pytest.mark.parametrize("name", list(GOLD))
def test_each_comment_is_its_own_record_and_replies_point_at_emitted_comments(
    name: str,
) -> None:
    found = comments_of(name)
    by_id = {comment.id: comment for comment in found}
    assert len(by_id) == len(found), "ids are unique"
    assert [c.position for c in found] == list(range(1, len(found) + 1))
    for comment in found:
        assert comment.text
        assert comment.article_id == name
        assert comment.format == "html"
        if comment.parent_id is not None:
            parent = by_id[comment.parent_id]
            assert parent.position < comment.position
            assert comment.text not in parent.text, "a parent's text holds no reply"


@pytest.mark.parametrize(
    ("name", "replies"),
    [
        ("blog.wordpress.com.diverse", 3),
        ("foxyfolksy.com.buttercream", 41),
        ("moritz-meyer.net.vreni", 9),
        ("netzpolitik.org.abmahnungen", 38),
        ("taz.de.siemens", 22),
    ],
)
def test_threaded_pages_keep_their_replies(name: str, replies: int) -> None:
    # Reply counts from the pages' own depth-N markup, so a lost nesting level shows up.
    assert sum(1 for c in comments_of(name) if c.parent_id is not None) == replies


def test_pingbacks_and_trackbacks_are_kept_and_marked() -> None:
    kinds = [c.kind for c in comments_of("moritz-meyer.net.vreni")]
    assert kinds.count("pingback") == 16
    assert [c.kind for c in comments_of("hearya.com.metal")].count("trackback") == 1


@pytest.mark.parametrize("name", list(GOLD))
def test_article_has_a_title_and_no_comment_text(name: str) -> None:
    article, found = extract(name)
    assert article.title
    assert article.url and article.url.startswith("http")
    for comment in found:
        if len(comment.text) > 40:
            assert comment.text not in article.body, comment.id
