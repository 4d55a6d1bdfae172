"""Word stems for the word n-grams, so that "kill", "killing" and "killed" share evidence.

nltk's Snowball stemmers need no download. Stemming a word costs about 10 us, so each distinct
token is stemmed once per process and remembered (the featuriser's chunk memo then hashes a
chunk's stems once too); placeholders, hashtags, numbers, emoji and punctuation are kept as
they are. Char n-grams are taken from the words as written, not from their stems.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from moderation.errors import ModelError

# ISO 639-1 code of a model's language -> nltk's Snowball stemmer for it.
SNOWBALL = {
    "ar": "arabic",
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
}
# Distinct tokens remembered per stemmer (each entry a few hundred bytes).
CACHE_SIZE = 1 << 18

_lock = threading.Lock()
_caches: dict[str, dict[str, str]] = {}


@lru_cache(maxsize=len(SNOWBALL))
def _stemmer(language: str) -> Any:
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer(SNOWBALL[language])


def check_language(language: str | None) -> None:
    """Raise :class:`ModelError` for a stemming language nltk's Snowball does not have."""
    if language is not None and language not in SNOWBALL:
        raise ModelError(
            f"stem_language={language!r}: use None or one of {', '.join(sorted(SNOWBALL))}"
        )


def _stemmable(token: str) -> bool:
    """A word: letters (and apostrophes), not a placeholder, hashtag or punctuation."""
    return token[:1].isalpha()


def stem_tokens(tokens: Sequence[str], language: str | None) -> list[str]:
    """The stem of each word token in ``language`` (ISO 639-1; ``None``: tokens as they are).

    >>> stem_tokens(["start", "killing", "them", "!!", "_url_"], "en")
    ['start', 'kill', 'them', '!!', '_url_']
    """
    if language is None:
        return list(tokens)
    with _lock:
        cache = _caches.setdefault(language, {})
        missing = [t for t in dict.fromkeys(tokens) if t not in cache and _stemmable(t)]
        if missing:
            if len(cache) + len(missing) > CACHE_SIZE:  # start again, with this batch's words
                cache.clear()
                missing = [t for t in dict.fromkeys(tokens) if _stemmable(t)]
            stem = _stemmer(language).stem
            cache.update((token, stem(token)) for token in missing)
        get = cache.get
        return [get(token, token) for token in tokens]
