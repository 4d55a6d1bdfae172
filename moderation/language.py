"""Which language a comment is written in, offline, so that heads judge only their own.

py3langid (a naive Bayes model over byte n-grams, shipped inside its wheel, no network path)
ranks the languages of :data:`CANDIDATES`, the ones common in comment sections: restricting it
to them keeps two- to four-word comments from being sent to rare languages ("lol" read as
Sesotho). A comment is given the top language when its normalised probability reaches
:data:`MIN_CONFIDENCE`; below that, a comment in the Latin script (or with too few letters to
tell) is ``"und"`` (undetermined: the heads judge it, as they did before languages were told
apart), while one in another script keeps the best language of its script (for Cyrillic, of
Russian and Ukrainian): no English word is written in Cyrillic or Han, however short the
comment.

The detector's tables take about 75 MB once loaded, and loading takes 1-3 s: they are loaded
lazily, once per process, on the first comment that needs them (a comment with no letters,
or only ASCII letters of very common English words, never does).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

UNDETERMINED = "und"
# ISO 639-1 codes py3langid knows, for languages common in comment sections worldwide.
_CANDIDATE_CODES = (
    "ar bg bn bs cs da de el en es et fa fi fr he hi hr hu id it ja ko lt lv ms nl no pl pt ro "
    "ru sk sl sr sv sw th tl tr uk ur vi zh"
)
CANDIDATES = tuple(_CANDIDATE_CODES.split())
MIN_CONFIDENCE = 0.9
# Fewer letters than this (after links, handles and numbers are removed): undetermined.
MIN_LETTERS = 4
# Only the start of a long comment is read: its language does not change halfway.
MAX_CHARS = 200
# Words that are English and no other candidate's (not "is", "was", "will", "for", "die"...):
# a comment in ASCII letters with enough of them is English without asking the detector.
_ENGLISH = (
    "the and you that this with have are they their there your what would should could about "
    "because people been them when which who were don't it's i'm can't didn't doesn't isn't "
    "won't you're they're we're these those than then from into only also how why it be she "
    "his him our out but get got more some very much really think know want good going need "
    "make even still being here now yes well love said way does never every other after"
)
ENGLISH_WORDS = frozenset(_ENGLISH.split())
ENGLISH_SHARE = 0.15
# Placeholders the normaliser writes for links, e-mails, handles and numbers.
_PLACEHOLDERS = frozenset(("_url_", "_email_", "_user_", "_num_", "rt"))
# Letters by script: (name, first code point, last code point); Latin first.
_SCRIPTS = (
    ("latin", 0x41, 0x24F),
    ("latin", 0x1E00, 0x1EFF),
    ("greek", 0x370, 0x3FF),
    ("cyrillic", 0x400, 0x52F),
    ("hebrew", 0x590, 0x5FF),
    ("arabic", 0x600, 0x6FF),
    ("devanagari", 0x900, 0x97F),
    ("bengali", 0x980, 0x9FF),
    ("thai", 0xE00, 0xE7F),
    ("kana", 0x3040, 0x30FF),
    ("han", 0x3400, 0x9FFF),
    ("hangul", 0xAC00, 0xD7AF),
)

_lock = threading.Lock()


def _script(character: str) -> str | None:
    code = ord(character)
    for name, low, high in _SCRIPTS:
        if low <= code <= high:
            return name
    return None


def main_script(text: str) -> tuple[str | None, int]:
    """The script most of the letters of ``text`` are in, and how many letters it has."""
    if text.isascii():
        letters = sum(map(str.isalpha, text))
        return ("latin" if letters else None), letters
    counts: dict[str, int] = {}
    letters = 0
    for character in text:
        if character.isalpha():
            letters += 1
            name = _script(character)
            if name is not None:
                counts[name] = counts.get(name, 0) + 1
    if not counts:
        return None, letters
    return max(counts, key=counts.__getitem__), letters


def words_of(normalised: str) -> list[str]:
    """The words of a normalised comment as a language detector should see them: without the
    placeholders of links, handles and numbers, hashtags, "RT" and tokens with no letter."""
    return [
        word
        for word in normalised[: MAX_CHARS * 2].split()
        if word not in _PLACEHOLDERS and word[0] != "#" and (word.isalpha() or _has_letter(word))
    ]


def _has_letter(word: str) -> bool:
    """Whether any character of ``word`` is a letter (``words_of`` asks only when not all are)."""
    return any(c.isalpha() for c in word)


def _plainly_english(words: Sequence[str]) -> bool:
    """ASCII words of which enough are English-only function words (two at least)."""
    hits = sum(word.strip('.,!?;:"()') in ENGLISH_WORDS for word in words)
    return hits >= 2 and hits >= ENGLISH_SHARE * len(words) and all(w.isascii() for w in words)


def identifier() -> Any:
    """py3langid restricted to :data:`CANDIDATES`, loaded once per process (thread-safe;
    scoring with it keeps no state)."""
    with _lock:
        return _load_identifier(CANDIDATES)


def ranker() -> Any:
    """:func:`identifier` ranking many texts at once
    (:class:`moderation.language_batch.BatchRanker`), made once per process."""
    with _lock:
        return _load_ranker(CANDIDATES)


@lru_cache(maxsize=1)
def _load_ranker(candidates: tuple[str, ...]) -> Any:
    from moderation.language_batch import BatchRanker

    return BatchRanker(_load_identifier(candidates))


@lru_cache(maxsize=1)
def _load_identifier(candidates: tuple[str, ...]) -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    loaded = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    loaded.set_languages(list(candidates))
    return loaded


# Where a short comment's script is shared by several languages, the ones it is most likely in
# (a short Cyrillic comment under news on this story is Russian or Ukrainian far more often
# than Bulgarian or Serbian).
_LIKELY = {"cyrillic": ("ru", "uk")}


def _script_of(language: str) -> str | None:
    """The main script of a candidate language (for the non-Latin fallback)."""
    return _LANGUAGE_SCRIPTS.get(language, "latin")


_LANGUAGE_SCRIPTS = {
    "ar": "arabic",
    "fa": "arabic",
    "ur": "arabic",
    "bg": "cyrillic",
    "ru": "cyrillic",
    "uk": "cyrillic",
    "sr": "cyrillic",
    "el": "greek",
    "he": "hebrew",
    "hi": "devanagari",
    "bn": "bengali",
    "th": "thai",
    "ja": "kana",
    "zh": "han",
    "ko": "hangul",
}


def detect_normalised(normalised: str) -> tuple[str, float]:
    """The language of one comment given its normalised text
    (:func:`moderation.normalise.normalise`): an ISO 639-1 code or ``"und"``, and the
    detector's probability (1.0 for plain English, 0.0 when the detector was not asked).
    """
    return detect_many([normalised])[0]


class _Question(NamedTuple):
    """What the detector is asked about: the comment's words as one text, and its script."""

    text: str
    script: str


def _without_detector(normalised: str) -> tuple[str, float] | _Question:
    """The answer when the detector need not be asked (plain English, too few letters), else
    the question to ask it."""
    words = words_of(normalised)
    if _plainly_english(words):
        return "en", 1.0
    text = " ".join(words)[:MAX_CHARS]
    script, letters = main_script(text)
    if letters < MIN_LETTERS or script is None:
        return UNDETERMINED, 0.0
    return _Question(text, script)


def _decide(question: _Question, ranked: Sequence[tuple[str, float]]) -> tuple[str, float]:
    """The language from the detector's ranking: the top one when sure enough, else
    undetermined (Latin script) or the likeliest of the text's own script."""
    language, probability = ranked[0]
    if probability >= MIN_CONFIDENCE:
        return language, float(probability)
    script = question.script
    if script == "latin":
        return UNDETERMINED, float(probability)
    if script == "han" and any(_script(c) == "kana" for c in question.text):
        script = "kana"  # Japanese mixes kanji and kana; Chinese has no kana
    likely = _LIKELY.get(script)
    for candidate, score in ranked:
        if _script_of(candidate) == script and (likely is None or candidate in likely):
            return candidate, float(score)
    return language, float(probability)


def detect_many(normalised: Sequence[str]) -> list[tuple[str, float]]:
    """:func:`detect_normalised` of each text, asking the detector about all that need it at
    once (:class:`moderation.language_batch.BatchRanker`: the same rankings, faster)."""
    answers = [_without_detector(text) for text in normalised]
    asked = [i for i, answer in enumerate(answers) if isinstance(answer, _Question)]
    if asked:
        questions = [answers[i] for i in asked]
        rankings = ranker().rank([question.text for question in questions])
        for i, question, ranked in zip(asked, questions, rankings, strict=True):
            answers[i] = _decide(question, ranked)
    return answers  # type: ignore[return-value]  # every question was answered


def detect(text: str) -> tuple[str, float]:
    """:func:`detect_normalised` of a raw comment.

    >>> detect("Das ist die beste Nachricht des Tages")[0]
    'de'
    >>> detect("😂😂 123 http://x.example")
    ('und', 0.0)
    """
    from moderation.normalise import normalise

    return detect_normalised(normalise(text))


def detect_batch(normalised: Sequence[str]) -> list[str]:
    """The language of each normalised comment (see :func:`detect_normalised`)."""
    return [language for language, _ in detect_many(normalised)]
