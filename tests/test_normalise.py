"""Links recognised by their shape, not a list of endings."""

from __future__ import annotations

import pytest

from moderation.normalise import normalise


@pytest.mark.parametrize(
    "text",
    [
        "visit best-deals.tk now",
        "free stuff at freestuff dot tk",
        "tarot.ninja has the answers",
        "CHEAP-DEALS.XYZ",
        "bit . ly/abc",
        "t.me/somechannel",
        "go to truthwire dot info",
    ],
)
def test_domains_on_any_ending_are_links(text) -> None:
    assert "_url_" in normalise(text)


@pytest.mark.parametrize(
    "text",
    [
        "I agree.this is true",
        "good.It was",
        "polka dot tie",
        "connect the dot to the next",
        "see the report.pdf attached",
        "done. wtf",
        "U.S.A. e.g. i.e. a.m.",
        "Mr.Smith went to St.Petersburg",
    ],
)
def test_sentences_files_and_abbreviations_are_not_links(text) -> None:
    assert "_url_" not in normalise(text)


@pytest.mark.parametrize(
    "text",
    [
        "we can take first place TONIGHT. RT if you agree",
        "thanks for looking after it .xx",
        "that's it. ur done",
        "my turn now . ya know",
        "site dot ur",
    ],
)
def test_a_full_stop_before_a_two_letter_word_is_not_a_spaced_link(text) -> None:
    assert "_url_" not in normalise(text)


@pytest.mark.parametrize(
    "text", ["mysite. tk", "deals . ly/x", "cheapstuff dot io", "BEST-DEALS. TK", "bit . ly"]
)
def test_spaced_and_spelt_links_on_a_country_ending_are_links(text) -> None:
    assert "_url_" in normalise(text)


def test_html_line_breaks_and_byte_order_marks_of_exports_are_not_words() -> None:
    assert normalise("I like this song<br />\ufeff") == normalise("I like this song")
    assert normalise("first line<BR>second<br/>third") == "first line second third"
    assert normalise("1 < 2 and 3 > 2") == "_num_ < _num_ and _num_ > _num_"
