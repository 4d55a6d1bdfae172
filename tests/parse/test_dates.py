"""Dates and relative times as news pages and comment headers print them, in six languages."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.parse import dates
from moderation.parse.dates import find_date, is_date, is_relative_time, parse_date

ABSOLUTE = [
    # English
    ("Mar 2, 2024 at 5:01 pm", "2024-03-02T17:01:00"),
    ("September 3rd, 2024", "2024-09-03"),
    ("Tuesday, 3 September 2024", "2024-09-03"),
    ("the 3rd of March 2024", "2024-03-03"),
    ("Sept. 3, 2024, 7:12 p.m. EDT", "2024-09-03T19:12:00-04:00"),
    ("12:05 am, Jan 1 2020", "2020-01-01T00:05:00"),  # the time printed first
    ("Updated 7:12 PM EDT, Tue September 3, 2024", "2024-09-03T19:12:00-04:00"),
    ("Jan 1 2020 12:05 am", "2020-01-01T00:05:00"),
    # German
    ("21. Jan. 2015, 19:04", "2015-01-21T19:04:00"),
    ("03.09.2024, 19:12", "2024-09-03T19:12:00"),
    ("3.9.2024 19.12 Uhr", "2024-09-03T19:12:00"),
    ("Dienstag, 3. September 2024 um 19:12 Uhr", "2024-09-03T19:12:00"),
    ("2. Jänner 2023", "2023-01-02"),
    ("19:04, 21. Januar 2015", "2015-01-21T19:04:00"),
    ("12. März 2020 · 08:15 MEZ", "2020-03-12T08:15:00+01:00"),
    # French
    ("Le 12/03/2019 à 14:05", "2019-03-12T14:05:00"),
    ("1er mars 2019", "2019-03-01"),
    ("mardi 3 septembre 2024 à 14h05", "2024-09-03T14:05:00"),
    ("15 févr. 2023 à 9h", "2023-02-15T09:00:00"),
    # Spanish
    ("3 de marzo de 2024", "2024-03-03"),
    ("martes, 3 de septiembre de 2024 a las 19:04", "2024-09-03T19:04:00"),
    ("12 dic. 2022", "2022-12-12"),
    # Italian
    ("3 settembre 2024 alle 19:04", "2024-09-03T19:04:00"),
    ("12 gen 2021", "2021-01-12"),
    # Portuguese
    ("3 de setembro de 2024 às 19h04", "2024-09-03T19:04:00"),
    ("5 de março de 2024", "2024-03-05"),
    ("10 out. 2020", "2020-10-10"),
    # ISO and other numeric forms
    ("2024-09-03", "2024-09-03"),
    ("2024-09-03T19:12:05Z", "2024-09-03T19:12:05+00:00"),
    ("2024-09-03 19:12:05.123+02:00", "2024-09-03T19:12:05+02:00"),
    ("2024/09/03", "2024-09-03"),
    ("03.09.24", "2024-09-03"),
    ("03/25/2024", "2024-03-25"),  # the day first cannot be a month: the US order
]


@pytest.mark.parametrize(("text", "iso"), ABSOLUTE)
def test_parse_date_reads_absolute_dates(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    "text",
    ["31.02.2024", "32 March 2024", "May 45", "Version 2.0.2024", "1.2.3.4", "12:30", "2024"]
    + ["March madness", "25 hours later", "3 hours ago", "I may 3 times"],
)
def test_parse_date_refuses_what_is_no_date(text: str) -> None:
    assert parse_date(text) is None
    assert not is_date(text) or is_relative_time(text)


def test_numeric_order_follows_dayfirst() -> None:
    assert parse_date("03/04/2024") == "2024-04-03"
    assert parse_date("03/04/2024", dayfirst=False) == "2024-03-04"
    # Dots are never month first.
    assert parse_date("03.04.2024", dayfirst=False) == "2024-04-03"


def test_yearless_dates_take_the_first_such_day_after_the_reference() -> None:
    assert parse_date("Mar 2") is None
    assert is_date("Mar 2")
    assert parse_date("Mar 2", reference="2024-02-20") == "2024-03-02"
    assert parse_date("2. Jan", reference="21. Dezember 2023") == "2024-01-02"
    assert parse_date("14 Jan, 10:00", reference="2024-01-14") == "2024-01-14T10:00:00"


RELATIVE = [
    "3 hours ago", "an hour ago", "a few seconds ago", "just now", "yesterday at 5:01 pm",
    "vor 3 Tagen", "vor 1 Tag", "vor einem Monat", "vor einem Jahr", "vor einer Stunde",
    "vor 5 Min.", "gestern, 19:12", "gerade eben",
    "il y a 2 jours", "il y a une heure", "hier à 14h05", "à l'instant",
    "hace 3 horas", "hace un día", "ayer a las 19:04",
    "2 giorni fa", "un'ora fa", "ieri alle 19:04", "poco fa",
    "há 5 minutos", "2 dias atrás", "ontem às 19h04",
]  # fmt: skip


@pytest.mark.parametrize("text", RELATIVE)
def test_relative_times_are_recognised_and_kept_raw(text: str) -> None:
    assert is_relative_time(text)
    assert is_date(text)
    assert parse_date(text) is None


@pytest.mark.parametrize("text", ["today", "heute", "3h", "5 min", "2 Std.", "(3 hours ago)"])
def test_short_relative_times_count_as_a_whole_text_only(text: str) -> None:
    assert is_relative_time(text)


@pytest.mark.parametrize(
    "text", ["ago we went", "hours", "vor dem Haus", "hace calor", "Today is the day", "Mar"]
)
def test_ordinary_words_are_no_relative_time(text: str) -> None:
    assert not is_relative_time(text)


@pytest.mark.parametrize(
    ("line", "found", "iso", "relative"),
    [
        ("Posted by Anna on March 2, 2024 at 5:01 pm", "March 2, 2024 at 5:01 pm",
         "2024-03-02T17:01:00", False),
        ("Geschrieben von Max am 03.09.2024, 19:12", "03.09.2024, 19:12",
         "2024-09-03T19:12:00", False),
        ("Publié le 12/03/2019 à 14:05 par Jean", "12/03/2019 à 14:05",
         "2019-03-12T14:05:00", False),
        ("Anna · vor 3 Stunden", "vor 3 Stunden", None, True),
        ("Respondido por Ana hace 3 horas", "hace 3 horas", None, True),
    ],
)  # fmt: skip
def test_find_date_finds_the_date_inside_a_header_line(
    line: str, found: str, iso: str | None, relative: bool
) -> None:
    hit = find_date(line)
    assert hit is not None
    assert (hit.text, hit.iso, hit.relative) == (found, iso, relative)
    assert line[hit.start : hit.end] == found


@pytest.mark.parametrize(
    "line",
    ["I was there today and it may 3 times be true", "No date in 2024 here, version 1.2.3"]
    + ["Hier ist der Text", "Tel. 030 12 34 56", "Score was 3-2-1 at 5 pm"],
)
def test_find_date_ignores_ordinary_sentences(line: str) -> None:
    assert find_date(line) is None


def test_documented_examples_hold() -> None:
    result = doctest.testmod(dates)
    assert result.attempted > 10
    assert result.failed == 0


# --- the cheap tests that spare the costly searches ------------------------------------------

# Words and pieces of relative times and absolute dates, in odd cases, spacing and the letters
# IGNORECASE takes for i, s and k (İ, ı, ſ, K), so that the texts drawn from them reach the
# edges of the key-word test.
_PIECES = (
    *("3", "12", "2024", "03.09.2024", "2024-09-03", "5:01", "pm", "Mar", "März", "sept."),
    *("hours", "Stunden", "jours", "horas", "giorni", "minutos", "Tagen", "einer", "une", "un"),
    *("ago", "AGO", "vor", "VOR", "il", "y", "a", "hace", "HACE", "fa", "FA", "há", "HÁ", "ha"),
    *("atrás", "ATRAS", "just", "now", "moments", "gerade", "eben", "soeben", "à", "l'instant"),
    *("ahora", "mismo", "poco", "proprio", "ora", "agora", "mesmo", "pouco", "last", "week"),
    *("letzte", "vorige", "Woche", "yesterday", "TODAY", "vorgestern", "gestern", "heute"),
    *("avant-hier", "hier", "aujourd'hui", "anteayer", "ayer", "hoy", "l'altro", "ieri", "oggi"),
    *("anteontem", "ontem", "hoje", "at", "um", "alle", "às", "\u0130ER\u0130", "\u0131er\u0131"),
    *("\u017foeben", "\u212aoment", "HOY", "fast", "vorne", "says", "Anna", "·", "(", ")", ","),
)
_SPACES = (" ", "  ", "\t", "\u00a0", "\u2009", "\n", "")


@st.composite
def _texts(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=7))
    spaces = draw(st.lists(st.sampled_from(_SPACES), min_size=len(pieces), max_size=len(pieces)))
    return "".join(piece + space for piece, space in zip(pieces, spaces, strict=True))


@settings(max_examples=400, deadline=None)
@given(_texts())
def test_the_key_word_test_never_turns_a_relative_time_away(text: str) -> None:
    found = dates._RELATIVE.search(text)
    guarded = dates._relative_search(text)
    assert (found and found.span()) == (guarded and guarded.span())


@pytest.mark.parametrize("text", RELATIVE)
def test_every_relative_time_passes_the_key_word_test(text: str) -> None:
    for variant in (text, text.upper(), f"Anna · {text} · Reply", text.replace(" ", "\u00a0")):
        assert dates._may_be_relative(variant), variant


@settings(max_examples=400, deadline=None)
@given(_texts())
def test_the_digit_test_never_turns_an_absolute_date_away(text: str) -> None:
    shapes = dates._absolute_shapes(text)
    for pattern in dates._ABSOLUTE:
        if pattern.search(text):
            assert pattern in shapes


@pytest.mark.parametrize(
    "text",
    ["\u0131l y a 2 jours", "\u0130L Y A 2 JOURS", "h\u0131er \u00e0 14h05", "la\u017ft week"],
)
def test_the_key_word_test_reads_the_letters_ignorecase_reads(text: str) -> None:
    # IGNORECASE takes dotless i, dotted capital I and long s for i and s; so must the test
    assert dates._RELATIVE.search(text)
    assert dates._relative_search(text)


def test_the_tests_spare_the_searches_on_ordinary_lines() -> None:
    line = "Thanks for the article, I learned something new about this."
    assert not dates._may_be_relative(line)
    assert dates._absolute_shapes(line) == ()
    assert dates._absolute_shapes("Call 06 12 34") == (dates._ABSOLUTE[1],)
