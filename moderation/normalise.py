"""Normalise comment text before featurising: the spellings spammers and trolls use to dodge
filters ("ch3ck my ch@nnel", "k i l l", "sooooo", "bit . ly") fold onto the plain words.

The output is for features and duplicate matching only; records keep the original text.
"""

from __future__ import annotations

import re
import unicodedata

URL_TOKEN = "_url_"
EMAIL_TOKEN = "_email_"
MENTION_TOKEN = "_user_"
NUMBER_TOKEN = "_num_"

_SPACED_WWW = re.compile(r"\bw[ .]?w[ .]?w\s*(?:\.|\(?dot\)?)\s*", re.I)
_DOT_WORD = re.compile(
    r"\s*[\(\[\{]?\s*\bdot\b\s*[\)\]\}]?\s*(?=(com|net|org|ly|io|ru|ua|me|co|xyz|info|biz|tv|gg)\b)",
    re.I,
)
_URL = re.compile(
    r"(?:https?://|hxxps?://|www\s*\.\s*)\S+"
    r"|\b[\w-]+(?:\s?\.\s?[\w-]+)*\s?\.\s?(?:com|net|org|ly|io|ru|ua|me|co|xyz|info|biz|tv|gg|"
    r"example|link|site|shop|app|to)\b(?:/\S*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_MENTION = re.compile(r"(?<![\w@])@\w[\w.]*")
_SPACED_LETTERS = re.compile(r"(?<![\w])(?:[^\W\d_][ .*_\-·]){2,}[^\W\d_](?![\w])")
_LEET_TABLE = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
        "€": "e",
    }
)
_LEET_WORD = re.compile(
    r"(?<!\S)(?=\S*[^\W\d_])(?=\S*[013457@$!|€])[\w@$!|€]*[^\W\d_][\w@$!|€]*[\w@$|€]"
)
_NUMBER = re.compile(r"(?<![\w])[+\-]?\d[\d,.:/\-]*\d?(?![\w])")
_ELONGATED = re.compile(r"(.)\1{2,}")
_WHITESPACE = re.compile(r"\s+")


_LEET_CHARS = frozenset("013457@$!|€")


def _fold_leet(match: re.Match[str]) -> str:
    """Fold "k1ll" and "ch@nnel", but not "3rd" or "4ever": a letter must come first."""
    word = match.group(0)
    first_leet = next((i for i, ch in enumerate(word) if ch in _LEET_CHARS), 0)
    letters = sum(ch.isalpha() for ch in word)
    if letters >= 2 and any(ch.isalpha() for ch in word[:first_leet]):
        return word.translate(_LEET_TABLE)
    return word


def _join_spaced(match: re.Match[str]) -> str:
    return re.sub(r"[ .*_\-·]", "", match.group(0))


def normalise(text: str) -> str:
    """Fold a comment onto a canonical form for matching and featurising.

    Steps: Unicode NFKC; URLs, e-mails, @mentions and numbers become placeholders; case is
    folded; leetspeak inside words ("k1ll", "ch@nnel") and spaced-out letters ("k i l l",
    "s.u.b") are joined back; letters repeated three times or more are squashed to two.

    >>> normalise("CH3CK my ch@nnel!!!! www.spam.example/x s u b s c r i b e")
    'check my channel!! _url_ subscribe'
    >>> normalise("@Mark Sooooo 4500 soldiers? k i l l them")
    '_user_ soo _num_ soldiers? kill them'
    """
    text = unicodedata.normalize("NFKC", text)
    text = _SPACED_WWW.sub("www.", text)
    text = _DOT_WORD.sub(".", text)
    text = _EMAIL.sub(f" {EMAIL_TOKEN} ", text)
    text = _URL.sub(f" {URL_TOKEN} ", text)
    text = _MENTION.sub(f" {MENTION_TOKEN} ", text)
    text = text.casefold()
    text = _SPACED_LETTERS.sub(_join_spaced, text)
    text = _LEET_WORD.sub(_fold_leet, text)
    text = _NUMBER.sub(f" {NUMBER_TOKEN} ", text)
    text = _ELONGATED.sub(r"\1\1", text)
    return _WHITESPACE.sub(" ", text).strip()
