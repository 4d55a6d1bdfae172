"""Header lines of plain-text pages: bylines, date lines and comment author/time lines.

A scraped page prints who wrote what and when on lines of their own: "By Jane Example",
" date 2024-09-03", "Veröffentlicht am 3. September 2024" above a story, and "Anna Berger ·
3 hours ago", "Geschrieben von Max am 03.09.2024, 19:12", "Posted by Ana on Mar 2, 2024"
above a comment. These rules read such lines by their shape (a name, a connector word, a
date) in English, German, French, Spanish, Italian and Portuguese, so that the words of one
site are not needed; the dates themselves are read by :mod:`moderation.parse.dates`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from moderation.parse.chrome import LineKind, classify_line, has_toolbar_word, is_toolbar
from moderation.parse.dates import find_date, is_date
from moderation.parse.text import fold_for_matching

__all__ = [
    "Header",
    "looks_like_name",
    "read_byline",
    "read_comment_header",
    "read_date_line",
    "reply_target",
    "toolbar_date",
]

# Words that join a name and a date: "Anna on Mar 2", "Max am 03.09.", "Jean le 12/03".
# Header lines are short; longer lines are text and are not searched for dates at all.
_MAX_HEADER_CHARS = 160
_MAX_HEADER_WORDS = 16
_WORD_CONNECTOR = r"(?:on the|on|at|am|um|le|el|il|em|à|a|the|dated)"
_PUNCT_CONNECTOR = r"[,·•|\-–—():]"
_TRAILING_CONNECTORS = re.compile(
    rf"(?:\s+{_WORD_CONNECTOR}|\s*{_PUNCT_CONNECTOR})+\s*$", re.IGNORECASE
)
_LEADING_CONNECTORS = re.compile(
    rf"^\s*(?:{_PUNCT_CONNECTOR}\s*|{_WORD_CONNECTOR}\s+)+", re.IGNORECASE
)
_BY = r"(?:by|von|par|por|da|di)"
# "Posted by", "Geschrieben von", "Publié par", "Publicado por", "Scritto da", "Enviado por";
# a bare "by" / "von" / "par" is a lead only where a date or a name is expected anyway.
_LEAD_VERB = (
    r"(?:posted|written|submitted|commented|comment|reply|replied|answered|answer|geschrieben"
    r"|verfasst|kommentar|antwort|eingesendet|gepostet|eingestellt|erstellt|publié|posté"
    r"|écrit|commentaire|réponse|publicado|escrito|comentado|enviado|respondido|respuesta"
    r"|comentario|scritto|pubblicato|inviato|commento|risposta|postato|resposta|comentário)"
)
_LEAD = re.compile(rf"^(?:{_LEAD_VERB}\s+)?{_BY}\s+(?P<rest>.+)$", re.IGNORECASE)
_LEAD_PHRASE = re.compile(rf"^{_LEAD_VERB}\s+{_BY}\s+(?P<rest>.+)$", re.IGNORECASE)
# "Anna says:", "Max sagt:", "Jean a écrit :", "Ana dice:", "Mario scrive:", "João disse:".
_SAYS = re.compile(
    r"^(?P<rest>.+?)\s+(?:says|said|wrote|writes|sagt|schreibt|schrieb|meint|dit|a écrit"
    r"|écrit|dice|escribió|escribe|comenta|comentó|scrive|ha scritto|diz|escreveu|disse"
    r"|comentou)\s*:?\s*$",
    re.IGNORECASE,
)
# "Ben replied to Anna", "In reply to Anna", "Antwort an Anna", "En réponse à Anna".
_REPLIED_TO = re.compile(
    r"^(?P<author>.+?)\s+(?:replied to|replying to|antwortete(?: auf| an)?|a répondu à"
    r"|respondió a|ha risposto a|respondeu a)\s+@?(?P<target>.+)$",
    re.IGNORECASE,
)
_REPLY_TO_LINE = re.compile(
    r"^(?:(?:in )?reply to|replying to|antwort (?:an|auf)|als antwort auf|en réponse à"
    r"|réponse à|en respuesta a|respuesta a|in risposta a|risposta a|em resposta a"
    r"|resposta a)\s+@?(?P<target>.+?)\s*:?$",
    re.IGNORECASE,
)
# "Date: 3 Sept 2024", "Veröffentlicht am ...", "Publié le ...", " date 2024-09-03 ...".
_DATE_LABEL = re.compile(
    r"^\s*(?:date|datum|fecha|data|published|posted|updated|last updated|veröffentlicht"
    r"|aktualisiert|erschienen|stand|zuletzt aktualisiert|publié|mis à jour|modifié|publicado"
    r"|actualizado|pubblicato|aggiornato|atualizado)(?:\s+(?:on|am|le|el|il|em|at|à))?"
    r"\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
# "(@anna_b)", "@anna_b", "(Gast)", "(guest)": kept off the author name.
_HANDLE = re.compile(r"\s*\(@?[\w. ]{1,20}\)$|\s*\(@[\w.]+\)|\s+@[\w.]+$")
_NAME_PARTICLES = frozenset(
    ("von", "van", "de", "der", "den", "la", "le", "di", "da", "dos", "das", "del", "du")
    + ("ten", "ter", "al", "bin", "el", "y", "e", "zu", "of", "und", "and", "et")
)
_INITIAL = re.compile(r"^[^\W\d_]\.$")
_NAME_WORD = re.compile(r"^[\w'’.\-]+$")
_DATE_SEPARATORS = re.compile(r"\s+[-–—]\s+|\s*[·•|]\s*")
_SEGMENT_SEPARATORS = re.compile(r"\s+[-–—]\s+|\s*[·•|]\s*|,\s+")


@dataclass(frozen=True, slots=True)
class Header:
    """What a header line says: who wrote, when (as printed), and to whom they reply."""

    author: str | None = None
    date: str | None = None
    reply_to: str | None = None


@lru_cache(maxsize=8192)
def looks_like_name(text: str) -> bool:
    """True for a plausible author name: a user name, or up to five capitalised words.

    >>> [looks_like_name(t) for t in ("Anna Berger", "wheelie_42", "Jean de la Fontaine")]
    [True, True, True]
    >>> looks_like_name("Peter K."), looks_like_name("Thanks.")
    (True, False)
    >>> [looks_like_name(t) for t in ("See you", "Reply", "I agree!", "3 hours")]
    [False, False, False, False]
    """
    text = _HANDLE.sub("", text.strip()).strip().lstrip("@")
    words = text.split()
    if not words or len(text) > 40 or len(words) > 5:
        return False
    if not all(_NAME_WORD.match(word) for word in words):
        return False
    if text.endswith(".") and not _INITIAL.match(words[-1]):
        return False  # a sentence, not "Peter K."
    if not any(character.isalpha() for character in text):
        return False
    folded = fold_for_matching(text)
    if is_toolbar(folded) or classify_line(folded) is not LineKind.TEXT or is_date(text):
        return False
    if len(words) == 1:
        return True
    return words[0][0].isupper() and all(
        word[0].isupper() or word[0].isdigit() or word.casefold() in _NAME_PARTICLES
        for word in words
    )


def _name(text: str) -> str | None:
    """The author name left once the date and connector words are taken off, if plausible."""
    name = _TRAILING_CONNECTORS.sub("", _HANDLE.sub("", text.rstrip(" ·•|,:-–—")))
    name = _LEADING_CONNECTORS.sub("", name)
    lead = _LEAD.match(name)
    if lead and looks_like_name(lead.group("rest")):
        name = lead.group("rest")
    name = _HANDLE.sub("", name).strip()
    return name if looks_like_name(name) else None


def _split_date(text: str) -> tuple[str, str] | None:
    """Split "NAME <sep> DATE" (or "DATE <sep> NAME") into the date and the rest."""
    found = find_date(text)
    if found is not None:
        before, after = text[: found.start], text[found.end :]
        if not after.strip(" )·•|,:-–—"):
            return found.text, before
        if not before.strip(" (·•|,:-–—"):
            return found.text, after
    segments = _SEGMENT_SEPARATORS.split(text)
    if len(segments) > 1:
        if is_date(segments[-1]):
            return segments[-1].strip(" ()"), text[: text.rindex(segments[-1])]
        if is_date(segments[0]):
            return segments[0].strip(" ()"), text[len(segments[0]) :]
    return None


def _is_widget(text: str) -> bool:
    folded = fold_for_matching(text)
    return is_toolbar(folded) or classify_line(folded) is LineKind.CHROME


def _without_toolbar_tail(line: str) -> str:
    """Drop widget segments at the end of a header: "Ana · hace 2 días · Responder",
    "Jane Example | 3 September 2024 | 5 min read"."""
    parts = _SEGMENT_SEPARATORS.split(line)
    while len(parts) > 1 and _is_widget(parts[-1]):
        line = line[: line.rindex(parts.pop())].rstrip(" ·•|,-–—")
    return line


@lru_cache(maxsize=8192)
def read_comment_header(text: str) -> Header | None:
    """Read a comment's header line: author and/or time, or None for an ordinary line.

    >>> read_comment_header("Anna Berger · Mar 2")
    Header(author='Anna Berger', date='Mar 2', reply_to=None)
    >>> read_comment_header("Geschrieben von Max Muster am 03.09.2024, 19:12")
    Header(author='Max Muster', date='03.09.2024, 19:12', reply_to=None)
    >>> read_comment_header("3 hours ago")
    Header(author=None, date='3 hours ago', reply_to=None)
    >>> read_comment_header("Anna says:")
    Header(author='Anna', date=None, reply_to=None)
    >>> read_comment_header("2 weeks ago news is not news") is None
    True
    """
    line = text.strip()
    if not line or len(line) > _MAX_HEADER_CHARS or len(line.split()) > _MAX_HEADER_WORDS:
        return None
    if is_toolbar(fold_for_matching(line)):
        return None
    if is_date(line):
        return Header(date=line.strip(" ()·•|,:-–—"))
    line = _without_toolbar_tail(line)
    says = _SAYS.match(line)
    if says:
        line = says.group("rest")
    replied = _REPLIED_TO.match(line)
    reply_to = None
    if replied and looks_like_name(replied.group("target").split(" ·")[0].strip()):
        target_and_date = replied.group("target")
        split = _split_date(target_and_date)
        reply_to = _name(split[1] if split else target_and_date)
        line = replied.group("author") + (f" · {split[0]}" if split else "")
    split = _split_date(line)
    if split is not None:
        name = _name(split[1]) if split[1].strip(" ()·•|,:-–—") else None
        if name is None and split[1].strip(" ()·•|,:-–—"):
            return None
        return Header(author=name, date=split[0], reply_to=reply_to)
    if not (says or reply_to or _LEAD_PHRASE.match(line)):
        return None  # no date and nothing that says "header": no need to read a name
    name = _name(line)
    return Header(author=name, reply_to=reply_to) if name is not None else None


@lru_cache(maxsize=8192)
def reply_target(text: str) -> str | None:
    """The name in an "In reply to NAME" line (six languages), else None.

    >>> reply_target("In reply to Anna Berger"), reply_target("Antwort an Max")
    ('Anna Berger', 'Max')
    """
    match = _REPLY_TO_LINE.match(text.strip())
    if match and looks_like_name(match.group("target")):
        return match.group("target")
    return None


@lru_cache(maxsize=8192)
def toolbar_date(text: str) -> str | None:
    """The time on a toolbar line that carries one ("3 hours ago · Reply"), else None.

    >>> toolbar_date("3 hours ago · Reply · Like 4"), toolbar_date("Reply")
    ('3 hours ago', None)
    """
    if len(text) > _MAX_HEADER_CHARS or not has_toolbar_word(fold_for_matching(text)):
        return None
    split = _split_date(text.strip())
    if split is None or not is_toolbar(fold_for_matching(split[1])):
        return None
    return split[0]


@lru_cache(maxsize=8192)
def read_date_line(text: str) -> tuple[str, str] | None:
    """Split a story's date line into (date as printed, rest of the line), else None.

    The date may stand alone ("3. September 2024") or after a label (" date 2024-09-03",
    "Veröffentlicht am ...", "Publié le ..."); a label line may go on with the title.

    >>> read_date_line(" date 2022-02-28 Ukraine demands ceasefire")
    ('2022-02-28', 'Ukraine demands ceasefire')
    >>> read_date_line("Publié le 12/03/2019 à 14h05")
    ('12/03/2019 à 14h05', '')
    >>> read_date_line("Tuesday, 3 September 2024 | Updated 4 September 2024 | 5 min read")
    ('3 September 2024', '')
    >>> read_date_line("The vote was held on 3 March 2024.") is None
    True
    """
    if len(text) <= _MAX_HEADER_CHARS:
        if is_date(text):
            found = find_date(text)
            return (found.text if found else text.strip(" ()·•|,:-–—")), ""
        segments = _DATE_SEPARATORS.split(_without_toolbar_tail(text.strip()))
        if len(segments) > 1 and all(_is_date_segment(segment) for segment in segments):
            first = read_date_line(segments[0])
            return (first[0] if first else segments[0]), ""
    label = _DATE_LABEL.match(text[:_MAX_HEADER_CHARS])
    if label is None:
        return None
    rest = text[label.start("rest") :]
    found = find_date(rest[:_MAX_HEADER_CHARS])
    if found is None or rest[: found.start].strip(" :"):
        return None
    return found.text, rest[found.end :].strip(" ·•|,:-–—")


def _is_date_segment(text: str) -> bool:
    """A date, or a labelled date: "Updated 4 September 2024", "Stand: 19:12 Uhr" aside."""
    if is_date(text):
        return True
    label = _DATE_LABEL.match(text)
    found = find_date(label.group("rest")) if label else None
    return found is not None and not label.group("rest")[found.end :].strip(" .")  # type: ignore[union-attr]


@lru_cache(maxsize=8192)
def read_byline(text: str) -> Header | None:
    """Read a story's byline: "By Jane Example", "Von Max Muster, 3. Sept. 2024".

    >>> read_byline("By Jane Example | March 2, 2024")
    Header(author='Jane Example', date='March 2, 2024', reply_to=None)
    >>> read_byline("Por Ana García y Luis Pérez")
    Header(author='Ana García y Luis Pérez', date=None, reply_to=None)
    >>> read_byline("By the end of the day, nobody had come.") is None
    True
    """
    match = re.match(rf"^\s*{_BY}\s+(?P<rest>.+)$", text, re.IGNORECASE)
    if match is None or len(text) > _MAX_HEADER_CHARS:
        return None
    rest = _without_toolbar_tail(match.group("rest").strip())
    split = _split_date(rest)
    date, rest = (split[0], split[1]) if split else (None, rest)
    rest = _TRAILING_CONNECTORS.sub("", rest).strip()
    name = rest.split(",")[0].strip()
    names = re.split(r"\s+(?:and|und|et|y|e|&)\s+", name)
    if not all(looks_like_name(part) for part in names) or len(name) > 80:
        return None
    return Header(author=name, date=date)
