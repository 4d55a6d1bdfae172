"""Normalise comment text before featurising: the spellings spammers and trolls use to dodge
filters ("ch3ck my ch@nnel", "k i l l", "sooooo", "bit . ly") fold onto the plain words.

The output is for features and duplicate matching only; records keep the original text.

Speed: most comments need only a few of the patterns below, and the costly ones (URLs,
leetspeak, spaced letters, numbers, elongations) are slow mostly because the regex engine tries
them at every character. :func:`normalise_batch` therefore runs each pattern only on the
comments that can match it: cheap substring checks decide for the early patterns, and one NumPy
pass over the code points of the whole batch decides for the late ones. Every check is a
necessary condition of its pattern (a comment it skips has no match, or only matches that the
pattern would leave unchanged), so the result is exactly that of running every pattern on every
comment.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

URL_TOKEN = "_url_"
EMAIL_TOKEN = "_email_"
MENTION_TOKEN = "_user_"
NUMBER_TOKEN = "_num_"

# Common English words that a sentence may run into after a full stop ("agree.this",
# "good.it"): such an ending is never read as a domain's.
_WORDS = (
    "a an the and or but if so as at by in of on to up us we he me my no do go be is it am "
    "are was were has had have did does can may not its his her our you your they them this "
    "that then than there their these those what when who why how all any one two new now out "
    "get got see say too yes off let way day man men big lol ok hi im oh ya yo sir bye end "
    "also just like well very much only even still here some more most next last first good "
    "best thanks please sorry maybe really great love people time year years today ty np gg "
    "xd rn bc af wtf omg idk smh tbh imo btw yep nah hmm wow ugh lmao"
)
COMMON_WORDS = frozenset(_WORDS.split())
# File names ("report.pdf") are not links.
_FILES = (
    "pdf jpg jpeg png gif webp svg mp3 mp4 mov avi wav txt doc docx xls xlsx ppt pptx zip rar "
    "exe csv json xml py js"
)
FILE_ENDINGS = frozenset(_FILES.split())
# Written out ("site dot tk", "bit . ly"), an ending is a country's two letters or one of
# these: three letters written out are as often a word ("polka dot tie").
_SPELT = "com net org xyz biz top info"
SPELT_ENDINGS = frozenset(_SPELT.split())
# Spaced or spelt out, a two-letter ending must be a country's ("bit . ly", "site dot tk"): a
# sentence's full stop before a two-letter word ("TONIGHT. RT if...", "done. ur turn", "it .xx")
# has the same shape. Written without spaces ("x.tk") any two letters still count.
_COUNTRIES = (
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br "
    "bs bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz "
    "ec ee eg er es et eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw "
    "gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw "
    "ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu "
    "mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt "
    "pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc "
    "td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws "
    "ye yt za zm zw"
)
COUNTRY_ENDINGS = frozenset(_COUNTRIES.split())
SPACED_ENDINGS = SPELT_ENDINGS | COUNTRY_ENDINGS
# A domain's ending, by shape: 2 to 10 ASCII letters after a dot inside a word ("x.tk",
# "deals.online", "cheap-meds.xyz/buy"); spelt with spaces or "dot" ("site dot tk",
# "bit . ly"), only one of SPACED_ENDINGS. Either way not one of COMMON_WORDS, and written in
# one case (a sentence joined without its space: "agree.This").
_SPACED_WWW = re.compile(r"\bw[ .]?w[ .]?w\s*(?:\.|\(?dot\)?)\s*", re.I)
_DOT_WORD = re.compile(
    r"(?<=\w)\s*[\(\[\{]?\s*\bdot\b\s*[\)\]\}]?\s*(?=([A-Za-z]{2,4})\b(?!\s*\.\w))", re.I
)
_URL = re.compile(
    r"(?:https?://|hxxps?://|www\s*\.\s*)\S+"
    r"|(?<![\w@.-])[\w-]+(?:\.[\w-]+)*(?:\.|\s\.\s?|\.\s)((?-i:[A-Za-z]{2,10}))\b(?![@-])(?:/\S*)?",
    re.IGNORECASE,
)
_STOP_BEFORE_SCHEME = re.compile(r"\s*\.\s*(?=(?:https?|hxxps?)://)", re.IGNORECASE)
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# Written to start with a literal or a small set, which the regex engine finds quickly; the
# lookbehinds after the first character make them equal to "(?<![\w@])@\w[\w.]*" and
# "(?<![\w])[+\-]?\d[\d,.:/\-]*\d?(?![\w])".
_MENTION = re.compile(r"@(?<![\w@]@)\w[\w.]*")
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
_NUMBER = re.compile(r"[+\-\d](?<!\w[+\-\d])(?:(?<=[+\-])\d|(?<=\d))[\d,.:/\-]*\d?(?![\w])")
_ELONGATED = re.compile(r"(.)\1{2,}")

# Necessary conditions (see the module docstring). A link the URL pattern's second branch
# finds has a word character, a dot with at most one space on each side, and two letters of
# one case (a full stop, a space and a capitalised word is a sentence); the e-mail pattern, a
# word character and "@".
_URL_HINT = re.compile(
    r"[\w-](?:\.[A-Za-z]{2}|\s\.\s?[A-Za-z]{2}|\.\s(?:[a-z]{2}|[A-Z]{2}(?![a-z])))"
)
_EMAIL_HINT = re.compile(r"@(?<=[\w.+-]@)[\w-]")

_LEET_CHARS = frozenset("013457@$!|€")


def _fold_leet(match: re.Match[str]) -> str:
    """Fold "k1ll" and "ch@nnel", but not "3rd" or "4ever": a letter must come first."""
    word = match.group(0)
    first_leet = next((i for i, ch in enumerate(word) if ch in _LEET_CHARS), 0)
    letters = sum(ch.isalpha() for ch in word)
    if letters >= 2 and any(ch.isalpha() for ch in word[:first_leet]):
        return word.translate(_LEET_TABLE)
    return word


def _link(match: re.Match[str]) -> str:
    """The placeholder for a link, or the text as it was when the match is a sentence run
    into the next one or a file name rather than a domain (see :data:`COMMON_WORDS`): a
    common word is an ending only before a path ("t.me/x")."""
    ending = match.group(1)
    if ending is None:  # a scheme or www: a link
        return f" {URL_TOKEN} "
    text = match.group(0)
    domain, slash, _ = text.partition("/")
    folded = ending.lower()
    if (
        (folded in COMMON_WORDS and not slash)
        or folded in FILE_ENDINGS
        or not (ending.islower() or (ending.isupper() and domain.isupper()))
        or (" " in domain and folded not in SPACED_ENDINGS)
    ):
        return text
    return f" {URL_TOKEN} "


def _dot_word(match: re.Match[str]) -> str:
    """A spelt-out dot before a domain's ending ("site dot tk") as a dot; left as it was before
    a word ("polka dot tie", "the dot on")."""
    ending = match.group(1).lower()
    spelt = ending in SPELT_ENDINGS or (ending in COUNTRY_ENDINGS and ending not in COMMON_WORDS)
    return "." if spelt else match.group(0)


def _join_spaced(match: re.Match[str]) -> str:
    return re.sub(r"[ .*_\-·]", "", match.group(0))


# -- character classes, as the regex engine sees them, for the NumPy pre-checks ------------

_WORD = 1  # \w: str.isalnum() or "_"
_DIGIT = 2  # \d: str.isdecimal()
_LETTER = 4  # [^\W\d_]
_SPACED_SEPARATOR = 8  # [ .*_\-·]
_LEET_RUN = 16  # [\w@$!|€]: what a leetspeak word is made of
_LEET = 32  # [013457@$|€]: leet characters other than "!"
_BANG = 64  # "!"
_SPACE = 128  # \s: str.isspace()


def _classes_of(code: int) -> int:
    char = chr(code)
    word = char.isalnum() or char == "_"
    flags = _WORD if word else 0
    if char.isdecimal():
        flags |= _DIGIT
    if word and not char.isdecimal() and char != "_":
        flags |= _LETTER
    if char in " .*_-·":
        flags |= _SPACED_SEPARATOR
    if word or char in "@$!|€":
        flags |= _LEET_RUN
    if char in "013457@$|€":
        flags |= _LEET
    if char == "!":
        flags |= _BANG
    if char.isspace():
        flags |= _SPACE
    return flags


_ASCII_CLASSES = np.array([_classes_of(code) for code in range(128)], dtype=np.uint8)


def _classes(codes: np.ndarray) -> np.ndarray:
    """The class flags above of every code point (exact: non-ASCII ones are looked up)."""
    classes = _ASCII_CLASSES[np.minimum(codes, 127)]
    wide = codes > 127
    if wide.any():
        distinct, inverse = np.unique(codes[wide], return_inverse=True)
        table = np.fromiter((_classes_of(int(c)) for c in distinct), np.uint8, distinct.size)
        classes[wide] = table[inverse]
    return classes


# From this many comments on, one NumPy pass picks the comments each late pattern can change;
# below it, running the four patterns on every comment is cheaper (measured on real comments:
# the pass about 100 µs for one comment, the patterns about 25 µs).
VECTOR_FROM = 8


def _late_candidates(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which case-folded comments can be changed by the spaced-letter, leetspeak, number and
    elongation patterns; one NumPy pass over the batch, each a necessary condition.

    Elongations are checked for characters that are not whitespace: squashing a run of spaces
    cannot change the result, whose whitespace is collapsed at the end.
    """
    n = len(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n) + 1
    codes = np.frombuffer(("\x00".join(texts) + "\x00").encode("utf-32-le"), dtype=np.uint32)
    document = np.repeat(np.arange(n), lengths)
    size = codes.size
    classes = _classes(codes)
    padded = np.concatenate((classes, np.zeros(4, dtype=np.uint8)))  # past the end: nothing
    word = (padded & _WORD) != 0
    letter = (padded & _LETTER) != 0
    separator = (padded & _SPACED_SEPARATOR) != 0
    run = (padded & _LEET_RUN) != 0

    def documents(positions: np.ndarray) -> np.ndarray:
        found = np.zeros(n, dtype=bool)
        found[document[positions]] = True
        return found

    # Spaced letters: every match ends with separator, letter, separator, letter, non-word.
    spaced = np.flatnonzero(
        separator[:size]
        & letter[1 : size + 1]
        & separator[2 : size + 2]
        & letter[3 : size + 3]
        & ~word[4 : size + 4]
    )
    # Leetspeak changes a word only where a letter comes before a leet character in the same
    # run of [\w@$!|€]; a "!" counts only when another run character follows it.
    leet = ((classes & _LEET) != 0) | (((classes & _BANG) != 0) & run[1 : size + 1])
    positions = np.arange(size)
    run_start = np.maximum.accumulate(np.where(run[:size], -1, positions)) + 1
    letters_before = np.concatenate(([0], np.cumsum(letter[:size])))
    leet_positions = np.flatnonzero(leet)
    folded = leet_positions[
        letters_before[leet_positions] > letters_before[run_start[leet_positions]]
    ]
    digits = np.flatnonzero((classes & _DIGIT) != 0)
    triples = np.flatnonzero(
        (codes[2:] == codes[1:-1]) & (codes[1:-1] == codes[:-2]) & ((classes[2:] & _SPACE) == 0)
    )
    return documents(spaced), documents(folded), documents(digits), documents(triples)


def _nfkc(text: str) -> str:
    """NUL characters and HTML line breaks ("<br />", left in text fields of exports) as spaces,
    U+FEFF (a byte-order mark some exports end every field with) dropped, and NFKC for text
    that is not plain ASCII. A line break's slash and brackets would otherwise read as a link's
    ("I like this song<br />" scored as a plug), and "song\ufeff" is a word no model knows."""
    if "\x00" in text:
        text = text.replace("\x00", " ")
    if "<" in text:
        text = _LINE_BREAK.sub(" ", text)
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text.replace("\ufeff", ""))


def _respelt(text: str) -> tuple[str, str]:
    """Spaced "w w w" and spelt-out "dot" folded back into a link's spelling; the text and its
    lower case (no character matches "w", "d", "o" or "t" under IGNORECASE otherwise)."""
    lower = text.lower()
    if "ww" in lower or "w w" in lower or "w.w" in lower:
        text = _SPACED_WWW.sub("www.", text)
        lower = text.lower()
    if "dot" in lower:
        text = _DOT_WORD.sub(_dot_word, text)
        lower = text.lower()
    return text, lower


def _early(text: str) -> str:
    """NFKC, then the e-mail, URL and mention placeholders, each run only where it can match."""
    text, lower = _respelt(_nfkc(text))
    if "@" in text and _EMAIL_HINT.search(text):
        text = _EMAIL.sub(f" {EMAIL_TOKEN} ", text)
        lower = text.lower()
    if "://" in text or "www" in lower or ("." in text and _URL_HINT.search(text)):
        text = _URL.sub(_link, text)
    if "@" in text:
        text = _MENTION.sub(f" {MENTION_TOKEN} ", text)
    return text.casefold()


def find_links(text: str) -> tuple[list[str], bool]:
    """The links :func:`normalise` replaces by :data:`URL_TOKEN`, as written once its
    spelling fixes ran ("bit . ly/x", "www dot site dot tk"), and whether any link was spelt
    out or spaced (a dodge of link filters). For the judge's link-shape signals; it does not
    change what :func:`normalise` returns.
    """
    written = _nfkc(text)
    text, lower = _respelt(written)
    respelt = text != written  # "w w w", "dot": written to dodge a link filter
    if "@" in text and _EMAIL_HINT.search(text):
        text = _EMAIL.sub(f" {EMAIL_TOKEN} ", text)
        lower = text.lower()
    if not ("://" in text or "www" in lower or ("." in text and _URL_HINT.search(text))):
        return [], False
    # A sentence's full stop before a scheme ("Ebola. http://t.co/x") is not a domain's dot.
    text = _STOP_BEFORE_SCHEME.sub(" ", text)
    links = [m.group(0) for m in _URL.finditer(text) if _link(m) != m.group(0)]
    spelt = bool(links) and (respelt or any(any(c.isspace() for c in link) for link in links))
    return links, spelt


def normalise_batch(texts: Sequence[str]) -> list[str]:
    """Normalise many comments at once: the same result as :func:`normalise` on each, several
    times faster (each pattern runs only on the comments that can match it).
    """
    folded = [_early(text) for text in texts]
    if not folded:
        return []
    if len(folded) < VECTOR_FROM:  # every pattern on every comment: no NumPy pass to pay for
        spaced = leet = digits = triples = np.ones(len(folded), dtype=bool)
    else:
        spaced, leet, digits, triples = _late_candidates(folded)
    for index in np.flatnonzero(spaced | leet | digits | triples).tolist():
        text = folded[index]
        changed = False
        if spaced[index]:
            joined = _SPACED_LETTERS.sub(_join_spaced, text)
            changed, text = joined != text, joined
        if leet[index] or changed:
            unfolded = text
            text = _LEET_WORD.sub(_fold_leet, text)
            changed = changed or text != unfolded
        if digits[index]:
            text = _NUMBER.sub(f" {NUMBER_TOKEN} ", text)
        if triples[index] or changed:
            text = _ELONGATED.sub(r"\1\1", text)
        folded[index] = text
    return [" ".join(text.split()) for text in folded]


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
    return normalise_batch([text])[0]
