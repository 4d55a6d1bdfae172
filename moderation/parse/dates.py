"""Read the dates that news pages and comment headers print, in six languages, as ISO 8601.

Pages give a story's date and each comment's time in their own words: "21. Jan. 2015,
19:04", "Le 12/03/2019 à 14:05", "3 de marzo de 2024", "Mar 2, 2024 at 5:01 pm", or a
relative time such as "3 hours ago" / "vor 3 Tagen" / "il y a 2 jours". Absolute dates in
English, German, French, Spanish, Italian and Portuguese are turned into ISO 8601; relative
times are only recognised, because turning them into a date needs the moment the page was
scraped, which a saved page does not record. The rules are tables of month names and a few
shapes, with no dependency: ``dateutil`` reads English month names only, and ``dateparser``
turns "3 hours ago" into a time relative to *now*, which is the wrong answer for a saved page.

Public API: :func:`parse_date` (the whole text is one date), :func:`find_date` (the first
date inside a line), :func:`is_relative_time` and :func:`is_date`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

__all__ = ["FoundDate", "find_date", "is_date", "is_relative_time", "parse_date"]

# Month names and abbreviations, with and without accents, in the six languages.
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "januar", "jänner", "jaenner", "janvier", "enero", "gennaio", "janeiro")
    + ("jan", "jän", "janv", "ene", "gen"),
    2: ("february", "februar", "février", "fevrier", "febrero", "febbraio", "fevereiro")
    + ("feb", "févr", "fevr", "fév", "fev", "febr"),
    3: ("march", "märz", "maerz", "marz", "mars", "marzo", "março", "marco")
    + ("mar", "mär", "mrz"),
    4: ("april", "avril", "abril", "aprile", "apr", "avr", "abr"),
    5: ("may", "mai", "mayo", "maggio", "maio", "mag"),
    6: ("june", "juni", "juin", "junio", "giugno", "junho", "jun", "giu"),
    7: ("july", "juli", "juillet", "julio", "luglio", "julho", "jul", "juil", "lug"),
    8: ("august", "août", "aout", "agosto", "aug", "ago"),
    9: ("september", "septembre", "septiembre", "setiembre", "settembre", "setembro")
    + ("sep", "sept", "set", "sett"),
    10: ("october", "oktober", "octobre", "octubre", "ottobre", "outubro")
    + ("oct", "okt", "ott", "out"),
    11: ("november", "novembre", "noviembre", "novembro", "nov"),
    12: ("december", "dezember", "décembre", "decembre", "diciembre", "dicembre", "dezembro")
    + ("dec", "dez", "déc", "dic"),
}
_MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names}
_MONTH = (
    r"(?P<month>"
    + "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
    + r")(?![^\W\d_])\.?"
)

_WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs"
    "|fri|sat|sun|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|mo|di"
    "|mi|do|fr|sa|so|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lun|mer|jeu|ven|dim"
    "|lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo|lunedì|lunedi"
    "|martedì|martedi|mercoledì|mercoledi|giovedì|giovedi|venerdì|venerdi|domenica"
    "|segunda-feira|terça-feira|terca-feira|quarta-feira|quinta-feira|sexta-feira|segunda"
    "|terça|terca|quarta|quinta|sexta"
)

_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|º|°|ª|\.)?"
_YEAR = r"(?P<year>\d{4})(?!\d)"
# Between a date and its time: ", ", " at ", " um ", " à ", " a las ", " alle ", " às ", "T".
_DATE_TIME_SEP = (
    r"(?:T|\s*(?:,|-|–|—|\||·|/)?\s*"
    r"(?:(?:at|um|à|a|a\s+las?|alle(?:\s+ore)?|às|as|ore|kl\.?)\s+)?)"
)
# A time is digits followed by ":mm", "h", "hhmm", am/pm or "Uhr"; "2024" alone is not one.
_TIME = (
    r"(?P<hour>[01]?\d|2[0-3])(?!\d)"
    r"(?:[:.h](?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d)(?:[.,]\d{1,6})?)?(?!\d)"
    r"|h\b|(?=\s*[ap]\.?\s?m\b|\s*uhr\b))"
    r"(?:\s*(?P<ampm>[ap])\.?\s?m\b\.?)?(?:\s*uhr\b)?"
)
_ZONES = {
    "z": 0, "utc": 0, "gmt": 0, "wet": 0, "west": 60, "bst": 60, "cet": 60, "mez": 60,
    "cest": 120, "mesz": 120, "eet": 120, "eest": 180, "est": -300, "edt": -240,
    "mst": -420, "mdt": -360, "pst": -480, "pdt": -420,
}  # fmt: skip
_ZONE = (
    r"(?:\s*\(?(?P<zone>(?:utc|gmt)\s*[+-]\s*\d{1,2}(?::?\d\d)?|[+-]\d\d:?\d\d"
    r"|" + "|".join(sorted(_ZONES, key=len, reverse=True)) + r")(?![\w])\)?)?"
)
_CLOCK = rf"(?:{_DATE_TIME_SEP}{_TIME}{_ZONE})?"
# Every absolute shape has a year of at least two digits (all but the numeric one four), every
# yearless one a day: a text without such digits is not searched with them (the month-name
# shapes are costly to try at every word of a line).
_DIGIT = re.compile(r"\d")
_TWO_DIGITS = re.compile(r"\d\d")
_FOUR_DIGITS = re.compile(r"\d{4}")

# The shapes of an absolute date; each may carry a time and a zone after it.
_ABSOLUTE_SHAPES = (
    # 2024-09-03, 2024/09/03, 2024.09.03 (ISO and East-Asian order)
    r"(?<![\d.])(?P<year>\d{4})(?P<sep>[-/.])(?P<month>[01]?\d)(?P=sep)(?P<day>[0-3]?\d)(?![\d])",
    # 03.09.2024, 3/9/2024, 03-09-24
    r"(?<![\d.])(?P<day>\d\d?)(?P<sep>[-/.])(?P<month>\d\d?)(?P=sep)"
    r"(?P<year>\d{4}|\d\d)(?![\d]|\.\d)",
    # 21. Jan. 2015, 3 de marzo de 2024, 12 mars 2019, 1er mars 2019
    rf"(?<![\w.]){_DAY}\s*(?:de\s+|of\s+|-)?{_MONTH}\s*(?:,|-)?\s*(?:de\s+|del\s+)?{_YEAR}",
    # Mar 2, 2024; March 2nd 2024
    rf"(?<![\w.]){_MONTH}\s*{_DAY}(?:,\s*|\s+){_YEAR}",
)
_ABSOLUTE = [re.compile(shape + _CLOCK, re.IGNORECASE) for shape in _ABSOLUTE_SHAPES]
# Without a year ("Mar 2", "2. März"): only as a whole text, where it cannot be a sentence.
_YEARLESS = [
    re.compile(rf"{_DAY}\s*(?:de\s+)?{_MONTH}{_CLOCK}", re.IGNORECASE),
    re.compile(rf"{_MONTH}\s*{_DAY}{_CLOCK}", re.IGNORECASE),
]

# A time printed before the date: "Updated 7:12 PM EDT, Tue September 3, 2024".
_LEADING_TIME = re.compile(
    rf"{_TIME}{_ZONE}\s*(?:,|-|–|—|\||·)?\s*(?:(?:on|am|le|el|il|em|the)\s+)?"
    rf"(?:(?:{_WEEKDAYS})\.?,?\s+)?",
    re.IGNORECASE,
)
_LEADING_TIME_AT_END = re.compile(_LEADING_TIME.pattern + "$", re.IGNORECASE)

# Relative times: a number and a unit with "ago", "vor", "il y a", "hace", "fa", "há".
_NUMBER = (
    r"(?:\d+|an?|one|two|three|a\s+few|few|several|ein(?:e[mnr]?)?|zwei|drei|einigen|wenigen"
    r"|une?|deux|trois|quelques|uno?|una|dos|tres|unos|unas|algunos|due|qualche|alcuni|alcune"
    r"|um|uma|dois|duas|alguns|algumas)"
)
_UNIT = (
    r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|years?|yrs?"
    r"|sekunden?|sek|minuten?|stunden?|std|tag(?:e|en)?|wochen?|monat(?:e|en)?|jahr(?:e|en)?"
    r"|secondes?|heures?|jours?|semaines?|mois|ans?|années?|annees?"
    r"|segundos?|minutos?|horas?|días?|dias?|semanas?|meses|mes|años?|anos?"
    r"|secondi|secondo|minuti|minuto|ore|ora|giorni|giorno|settimane|settimana|mesi|mese"
    r"|anni|anno|mês|moments?|instants?|instantes"
    r"|[smhdwjt])\.?(?![\w])"
)
_AMOUNT = rf"{_NUMBER}(?:\s*|['’]){_UNIT}"
_RELATIVE_SHAPES = (
    rf"{_AMOUNT}\s+ago",
    rf"vor\s+{_AMOUNT}",
    rf"il\s+y\s+a\s+{_AMOUNT}",
    rf"hace\s+{_AMOUNT}",
    rf"{_AMOUNT}\s+fa",
    rf"h[áa]\s+{_AMOUNT}(?:\s+atr[áa]s)?",
    rf"{_AMOUNT}\s+atr[áa]s",
    r"just\s+now|moments?\s+ago|gerade\s+eben|soeben|à\s+l['’]instant|ahora\s+mismo"
    r"|hace\s+un\s+momento|poco\s+fa|proprio\s+ora|agora\s+mesmo|h[áa]\s+pouco",
    r"(?:last|letzte[nr]?|vorige[nr]?)\s+(?:week|month|year|woche|monat|jahr)",
)
_DAY_WORDS = (
    r"(?:yesterday|today|vorgestern|gestern|heute|avant-hier|hier|aujourd['’]hui|anteayer|ayer"
    r"|hoy|l['’]altro\s+ieri|ieri|oggi|anteontem|ontem|hoje)"
)
# "yesterday at 5:01 pm" is specific enough to find inside a line; "heute" alone is not.
_DAY_WORD_TIME = rf"{_DAY_WORDS}{_DATE_TIME_SEP}{_TIME}{_ZONE}"
_RELATIVE = re.compile(
    r"(?<![\w])(?:" + "|".join(f"(?:{s})" for s in (*_RELATIVE_SHAPES, _DAY_WORD_TIME)) + ")",
    re.IGNORECASE,
)
# One of these words stands in every relative time above (a shape's own word, or a day word),
# in the text folded as IGNORECASE compares it, white space runs as one space: a text without
# any is not searched with _RELATIVE, whose many alternatives are costly to try at every word.
# Keep them beside the shapes: tests/parse/test_dates.py checks that the test never turns a
# match away.
_RELATIVE_KEYS = (
    *("ago", "vor", "il y a", "hace", " fa", "ha ", "há ", "atras", "atrás"),  # with an amount
    *("now", "moment", "eben", "instant", "mismo", "poco", "proprio", "mesmo", "pouco"),
    *("last", "letzte"),  # vorige: "vor"
    *("yesterday", "today", "gestern", "heute", "hier", "aujourd", "ayer", "hoy", "ieri"),
    *("oggi", "ontem", "hoje"),
)
# The letters IGNORECASE takes for i, s and k besides their capitals: İ, ı, ſ, K.
_IGNORECASE_EXTRA = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _may_be_relative(text: str) -> bool:
    """Whether ``text`` holds one of the words every relative time holds (searching it with
    ``_RELATIVE`` costs several times this test; matching one whole text with it does not)."""
    folded = " ".join(text.translate(_IGNORECASE_EXTRA).lower().split())
    return any(map(folded.__contains__, _RELATIVE_KEYS))


def _relative_search(text: str) -> re.Match[str] | None:
    """``_RELATIVE.search(text)``, skipped where no relative time can be."""
    return _RELATIVE.search(text) if _may_be_relative(text) else None


def _absolute_shapes(text: str) -> tuple[re.Pattern[str], ...]:
    """The absolute shapes that may match somewhere in ``text``, by the digits it holds."""
    if _TWO_DIGITS.search(text) is None:
        return ()
    return _ABSOLUTE if _FOUR_DIGITS.search(text) else (_ABSOLUTE[1],)


# As a whole text only: "today", "gestern", "3h", "5 min.", "now".
_RELATIVE_ALONE = re.compile(
    rf"(?:{_DAY_WORDS}(?:{_DATE_TIME_SEP}{_TIME}{_ZONE})?|\d+\s?{_UNIT}|now|jetzt|maintenant"
    r"|ahora|adesso|agora)",
    re.IGNORECASE,
)
# What may wrap a date that stands alone: "(3 hours ago)", "– Mar 2, 2024", "am 03.09.2024".
_WRAPPER = re.compile(
    rf"^[\s(\[\-–—·|,:]*(?:(?:on|am|le|el|il|em|den|dated?|posted|updated|publié|publicado"
    rf"|pubblicato|veröffentlicht|aktualisiert)\s*:?\s+)?(?:(?:{_WEEKDAYS})\.?,?\s+)?"
    rf"(?:(?:the|der|den|le|el|il|o)\s+)?(?P<date>.*?)[\s)\]\-–—·|,.:]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date or relative time found in a text.

    Attributes
    ----------
    start, end : int
        Where it stands in the text that was searched (``text[start:end]``).
    text : str
        The words as printed.
    iso : str or None
        ISO 8601 (``"2024-03-02"`` or ``"2024-03-02T17:01:00"``, with an offset where the
        page gives a zone); None for relative times and for dates without a year when no
        reference date was given.
    relative : bool
        True for "3 hours ago" and its kind.
    """

    start: int
    end: int
    text: str
    iso: str | None
    relative: bool


@lru_cache(maxsize=4096)
def _cores(text: str) -> tuple[str, ...]:
    """The text itself, and the text without what may wrap a date ("on", a weekday, brackets)."""
    stripped = text.strip()
    wrapped = _WRAPPER.match(stripped)
    return (stripped, wrapped.group("date")) if wrapped else (stripped,)


def _as_date(reference: str | date | None) -> date | None:
    if reference is None or isinstance(reference, date):
        return reference.date() if isinstance(reference, datetime) else reference
    iso = parse_date(reference)
    return date.fromisoformat(iso[:10]) if iso else None


def _zone(text: str | None) -> timezone | None:
    if not text:
        return None
    folded = text.casefold().replace(" ", "")
    if folded in _ZONES:
        return timezone(timedelta(minutes=_ZONES[folded]))
    match = re.fullmatch(r"(?:utc|gmt)?([+-])(\d{1,2}):?(\d\d)?", folded)
    if not match:
        return None
    minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
    return timezone(timedelta(minutes=minutes if match.group(1) == "+" else -minutes))


def _clock(match: re.Match[str]) -> tuple[int, int, int] | None:
    if match.group("hour") is None:
        return None
    hour, minute = int(match.group("hour")), int(match.group("minute") or 0)
    if match.group("ampm"):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match.group("ampm").casefold() == "p" else 0)
    if hour > 23:
        return None
    return hour, minute, int(match.group("second") or 0)


def _year_month_day(
    match: re.Match[str], dayfirst: bool, reference: date | None
) -> tuple[int, int, int] | None:
    groups = match.groupdict()
    month_text = groups["month"].rstrip(".").casefold()
    day = int(groups["day"])
    if month_text.isdigit():
        month = int(month_text)
        if match.re is _ABSOLUTE[1] and day <= 12:
            us_order = groups["sep"] == "/" and not dayfirst
            if us_order or month > 12:
                day, month = month, day  # 03/25/2024: the US order
    else:
        month = _MONTHS[month_text]
    year_text = groups.get("year")
    if year_text is None:
        if reference is None:
            return None
        before = (month, day) < (reference.month, reference.day)
        return reference.year + before, month, day
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000 if year < 70 else 1900
    return year, month, day


def _to_iso(
    match: re.Match[str],
    dayfirst: bool,
    reference: date | None,
    leading: re.Match[str] | None = None,
) -> str | None:
    """The ISO form of an absolute-date match (with a time printed before it, if given),
    or None when it is no real calendar date."""
    use_leading = leading is not None and match.group("hour") is None
    clock_match = leading if use_leading and leading is not None else match
    parts = _year_month_day(match, dayfirst, reference)
    if parts is None:
        return None
    try:
        day = date(*parts)
    except ValueError:
        return None
    if not 1000 <= day.year <= 2999:
        return None
    clock = _clock(clock_match)
    if clock is None:
        return day.isoformat() if clock_match.group("hour") is None else None
    zone = _zone(clock_match.group("zone"))
    moment = datetime(day.year, day.month, day.day, *clock, tzinfo=zone)
    return moment.isoformat(timespec="seconds")


def _valid(match: re.Match[str], dayfirst: bool) -> bool:
    """An absolute match names a real date (any year, so that yearless dates count too)."""
    parts = _year_month_day(match, dayfirst, date(2000, 1, 1))
    if parts is None:
        return False
    try:
        date(2000, parts[1], parts[2])
    except ValueError:
        return False
    return match.group("hour") is None or _clock(match) is not None


def _whole_date(text: str, dayfirst: bool) -> tuple[re.Match[str], re.Match[str] | None] | None:
    """The absolute-date match that is the whole of ``text`` (a leading time allowed)."""
    for core in _cores(text):
        if _DIGIT.search(core) is None:
            continue
        leading = _LEADING_TIME.match(core)
        candidates = [(core, None)]
        if leading is not None and leading.end() < len(core):
            candidates.insert(0, (core[leading.end() :], leading))
        for rest, lead in candidates:
            for pattern in (*_ABSOLUTE, *_YEARLESS):
                match = pattern.fullmatch(rest)
                if match is None or not _valid(match, dayfirst):
                    continue
                if lead is None or (match.group("hour") is None and _clock(lead) is not None):
                    return match, lead
    return None


def parse_date(
    text: str, *, reference: str | date | None = None, dayfirst: bool = True
) -> str | None:
    """ISO 8601 form of ``text`` when the whole of it is one absolute date, else None.

    A weekday, a leading "on"/"am"/"le" and surrounding brackets or dashes may wrap the date.
    A date without a year ("Mar 2") takes the first such day on or after ``reference`` (the
    article's date, say), and is None without one. Numeric dates are read day first ("03/04"
    is 3 April) unless ``dayfirst`` is False or the day first cannot be a month's day.

    >>> parse_date("21. Jan. 2015, 19:04")
    '2015-01-21T19:04:00'
    >>> parse_date("Le 12/03/2019 à 14:05")
    '2019-03-12T14:05:00'
    >>> parse_date("3 de marzo de 2024")
    '2024-03-03'
    >>> parse_date("Mar 2, 2024 at 5:01 pm")
    '2024-03-02T17:01:00'
    >>> parse_date("Dienstag, 3. September 2024 um 19:12 Uhr")
    '2024-09-03T19:12:00'
    >>> parse_date("2024-09-03T19:12:05Z")
    '2024-09-03T19:12:05+00:00'
    >>> parse_date("7:12 PM EDT, Tue September 3, 2024")
    '2024-09-03T19:12:00-04:00'
    >>> parse_date("Mar 2", reference="2023-11-20")
    '2024-03-02'
    >>> parse_date("3 hours ago") is None, parse_date("31.02.2024") is None
    (True, True)
    """
    found = _whole_date(text, dayfirst)
    return None if found is None else _to_iso(found[0], dayfirst, _as_date(reference), found[1])


@lru_cache(maxsize=4096)
def is_relative_time(text: str) -> bool:
    """True when the whole of ``text`` is a relative time ("3 hours ago", "gestern, 19:12").

    >>> [is_relative_time(t) for t in ("3 hours ago", "vor 3 Tagen", "il y a 2 jours")]
    [True, True, True]
    >>> [is_relative_time(t) for t in ("hace 3 horas", "2 giorni fa", "há 5 minutos", "3h")]
    [True, True, True, True]
    >>> is_relative_time("yesterday at 5:01 pm"), is_relative_time("ago we went")
    (True, False)
    """
    return any(
        _RELATIVE.fullmatch(core) or _RELATIVE_ALONE.fullmatch(core) for core in _cores(text)
    )


@lru_cache(maxsize=4096)
def is_date(text: str) -> bool:
    """True when the whole of ``text`` is a date (with a year or not) or a relative time.

    >>> is_date("Mar 2"), is_date("03.09.2024, 19:12"), is_date("vor einer Stunde")
    (True, True, True)
    >>> is_date("March madness"), is_date("May 45")
    (False, False)
    """
    return _whole_date(text, True) is not None or is_relative_time(text)


@lru_cache(maxsize=4096)
def find_date(
    text: str, *, reference: str | date | None = None, dayfirst: bool = True
) -> FoundDate | None:
    """The first date with a year, or relative time, inside ``text``; None if there is none.

    Dates without a year and bare day words ("today") are not looked for inside a line,
    where they are too often ordinary words; :func:`parse_date` and :func:`is_date` accept
    them as a whole text.

    >>> found = find_date("Posted by Anna on March 2, 2024 at 5:01 pm")
    >>> found.text, found.iso, found.relative
    ('March 2, 2024 at 5:01 pm', '2024-03-02T17:01:00', False)
    >>> find_date("Geschrieben von Max am 03.09.2024, 19:12").iso
    '2024-09-03T19:12:00'
    >>> find_date("Anna · vor 3 Stunden").text
    'vor 3 Stunden'
    >>> find_date("No date in 2024 here, version 1.2.3") is None
    True
    """
    best: FoundDate | None = None
    for pattern in _absolute_shapes(text):
        for match in pattern.finditer(text):
            if not _valid(match, dayfirst):
                continue
            start, leading = match.start(), None
            if match.group("hour") is None:
                leading = _LEADING_TIME_AT_END.search(text, max(0, start - 60), start)
                start = leading.start() if leading and _clock(leading) else start
            if best is None or (start, -match.end()) < (best.start, -best.end):
                iso = _to_iso(match, dayfirst, _as_date(reference), leading)
                best = FoundDate(start, match.end(), text[start : match.end()], iso, False)
            break
    relative = _relative_search(text)
    if relative and (best is None or relative.start() < best.start):
        best = FoundDate(relative.start(), relative.end(), relative.group(0), None, True)
    return best
