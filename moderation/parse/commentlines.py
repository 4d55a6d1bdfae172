"""Lines of a comment's text that are not the comment: its header, its toolbar, its votes.

Markup that names no text element leaves the comment's header ("geschrieben von Max am 21.
Jan. 2015, 19:04 [ antworten ]", "Anna sagt:", "#3 Kommentar von Ben") and its toolbar
("Antworten", "Melden", "Gefällt mir (3)", "Reply · Report", "12 Likes") in the text. These
rules recognise such lines in the languages the date reader knows, so that what is left is
what the commenter wrote.
"""

from __future__ import annotations

import re

from moderation.parse.dates import find_date, is_date

__all__ = ["clean_comment_text", "is_header_line", "is_toolbar_line"]

# One toolbar word or phrase: reply, quote, report, like, vote, share, edit, permalink, in the
# languages of the pages the reader meets.
_TOOLBAR_WORD = (
    r"(?:reply|replies|antworten|antwort|répondre|repondre|responder|responda|rispondi"
    r"|odpowiedz|beantwoorden|quote|zitieren|zitat|citer|citar|cita|report|melden|signaler"
    r"|denunciar|segnala|zgłoś|flag|like|likes|unlike|gefällt mir|j'aime|me gusta|mi piace"
    r"|upvote|downvote|vote|votes|points?|punkte|share|teilen|partager|compartir|condividi"
    r"|permalink|link|edit|bearbeiten|delete|löschen|supprimer|eliminar|hide|ausblenden"
    r"|show|anzeigen|more|mehr|weniger|less|top|thumbs up|thumbs down|recommend|empfehlen"
    r"|upvotes?|downvotes?|comment|kommentieren|commenter|comentar|commenta|\d+)"
)
_TOOLBAR = re.compile(
    rf"^[\s\[\](){{}}|·•,;:/\\\-–—+^↑↓▲▼↵⤶✓❤♥👍👎*#]*"
    rf"(?:{_TOOLBAR_WORD}[\s\[\](){{}}|·•,;:/\\\-–—+^↑↓▲▼↵⤶✓❤♥👍👎*#]*)+$",
    re.IGNORECASE,
)
# Words of a comment header: "X schrieb", "X says:", "Kommentar von X", "posted by X on".
_HEADER_WORDS = re.compile(
    r"\b(?:schrieb|schreibt|sagt|meint|says|said|wrote|writes|commented|posted|geschrieben"
    r"|verfasst|kommentar von|comment by|comment from|réponse de|commentaire de|a écrit|dit"
    r"|escribió|dice|comentó|ha scritto|scrive|napisał|schreef|zegt|von|by|am|um|on|at|le"
    r"|à|el|il|alle|de|op|kommentar|comment|antwort|reply|in reply to|als antwort auf"
    r"|permalink|link|uhr|edited|bearbeitet|\d+)\b",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[\s\[\](){}|·•,;:/\\\-–—#@.!]+")
_MAX_HEADER = 160


def _only_separators(line: str) -> bool:
    """A line left with nothing but the "|" or "·" that stood between two toolbar links."""
    stripped = line.strip()
    return bool(stripped) and len(stripped) <= 5 and _SEPARATORS.fullmatch(stripped) is not None


def is_toolbar_line(line: str) -> bool:
    """A line of toolbar words, counts and separators only ("Antworten | Melden", "12 Likes").

    >>> [is_toolbar_line(t) for t in ("[ antworten ]", "Reply · Report", "Gefällt mir (3)")]
    [True, True, True]
    >>> is_toolbar_line("Reply to the author of the article")
    False
    """
    stripped = line.strip()
    return bool(stripped) and len(stripped) <= 80 and _TOOLBAR.match(stripped) is not None


def _leftover(line: str, author: str | None) -> str:
    """The words of a line once its date, author, header words and separators are removed."""
    found = find_date(line)
    if found is not None:
        line = line[: found.start] + " " + line[found.end :]
    if author:
        line = re.sub(re.escape(author), " ", line, flags=re.IGNORECASE)
    line = _HEADER_WORDS.sub(" ", line)
    line = re.sub(_TOOLBAR_WORD, " ", line, flags=re.IGNORECASE)
    return _SEPARATORS.sub(" ", line).strip()


def is_header_line(line: str, author: str | None = None) -> bool:
    """A comment's own header: its author and/or date with header words, nothing else.

    >>> is_header_line("geschrieben von Max am 21. Jan. 2015, 19:04 [ antworten ]", "Max")
    True
    >>> is_header_line("Anna sagt:", "Anna"), is_header_line("I agree with Anna", "Anna")
    (True, False)
    """
    stripped = line.strip()
    if not stripped or len(stripped) > _MAX_HEADER:
        return False
    if author and stripped.casefold() == author.casefold():
        return True
    if is_date(stripped.strip("()[]|·-–— ")):
        return True
    named = bool(author) and author.casefold() in stripped.casefold()
    dated = find_date(stripped) is not None
    headerish = _HEADER_WORDS.search(stripped) is not None
    if not (dated or (named and headerish)):
        return False
    return len(_leftover(stripped, author).split()) <= (0 if not named and not dated else 1)


def clean_comment_text(text: str, author: str | None = None) -> str:
    """Drop header lines at the start, toolbar and date lines at the end, toolbar lines anywhere.

    A text that would be left empty is returned as it was: a comment that only says "+1" or
    "Like" is still a comment.

    >>> text = "Max schrieb am 3.9.2024, 19:12\\n\\nGood point.\\n\\nAntworten | Melden"
    >>> clean_comment_text(text, "Max")
    'Good point.'
    """
    lines = text.split("\n")
    kept = [line for line in lines if not is_toolbar_line(line) and not _only_separators(line)]
    while kept and (not kept[0].strip() or is_header_line(kept[0], author)):
        kept.pop(0)
    while kept and (not kept[-1].strip() or is_header_line(kept[-1], author)):
        kept.pop()
    cleaned = "\n".join(kept)
    while "\n\n\n" in cleaned:
        cleaned = cleaned.replace("\n\n\n", "\n\n")
    return cleaned.strip() or text.strip()
