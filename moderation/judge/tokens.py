"""Split normalised comment text into tokens: words, placeholders, emoji, punctuation runs."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

# Words, placeholders, emoji and runs of punctuation: TweetTokenizer's families, one regex.
TOKEN_PATTERN = re.compile(
    r"_(?:url|email|user|num)_|[^\W\d_]+(?:['’][^\W\d_]+)*|\d+|#\w+"
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF]|[!?]+|[^\w\s]"
)


def tokenize(text: str) -> list[str]:
    """Split normalised text into words, placeholders, emoji and punctuation runs.

    >>> tokenize("nuke them all!!! _url_")
    ['nuke', 'them', 'all', '!!!', '_url_']
    """
    return TOKEN_PATTERN.findall(text)


def tokenize_batch(normalised: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Tokens of a whole batch in one regex pass, and how many belong to each document."""
    tokens = TOKEN_PATTERN.findall("\x00".join(normalised) + "\x00")  # NUL is its own token
    ends = np.flatnonzero(np.fromiter((t == "\x00" for t in tokens), dtype=bool, count=len(tokens)))
    counts = np.diff(np.concatenate(([-1], ends))) - 1
    return [t for t in tokens if t != "\x00"], counts
