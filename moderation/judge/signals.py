"""Signals n-grams miss: shouting, "!!!", repetition, digits, length bins, the violent-act
cues of :mod:`.cues`, the link shapes of :mod:`.links` and whether a comment promotes anything
(:mod:`.promotion`), as a few columns after the n-grams.

Each signal is an indicator (binned: "at least three '!'", not a count), and its value is what
one more word of the comment is worth in the word block, ``1 / sqrt(1 + word features)``: so a
signal weighs like a word, is small in a long comment, and cannot stand in for an intercept (a
signal every comment has, as the log-length once was, moved every score by +4 to +5). Upper
case and letters are approximated for the Latin, Greek and Cyrillic scripts (other letters
count as caseless).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from moderation.hashing import codepoints
from moderation.judge.arrays import distinct_sorted
from moderation.judge.cues import CUE_NAMES, PROMOTIONAL, cue_features
from moderation.judge.links import LINK_NAMES, link_signals
from moderation.judge.promotion import promotion_signal

STYLE_NAMES = ("shouting", "exclamations", "repetition", "digits", "short", "long")
DENSE_NAMES = STYLE_NAMES + CUE_NAMES + LINK_NAMES + ("promotion",)
# How explanations name each signal, beside the words it competes with.
DENSE_LABELS = [f"[{name}]" for name in DENSE_NAMES]
# The bins: capitals among 8 letters or more, "!" in a comment, repeated tokens among 6 or
# more, digits among the characters (phone numbers, codes), characters.
SHOUTING_SHARE, MIN_LETTERS = 0.5, 8
EXCLAMATIONS = 3
REPEATED_SHARE, MIN_TOKENS = 0.5, 6
DIGIT_SHARE, MIN_DIGITS = 0.15, 7
SHORT_CHARS, LONG_CHARS = 25, 400

# Upper- and lower-case letters of the Latin, Greek and Cyrillic scripts; other letters count
# as caseless. Approximate, vectorised versions of str.isupper / str.isalpha.
_UPPER = ((65, 90), (0xC0, 0xD6), (0xD8, 0xDE), (0x391, 0x3A9), (0x400, 0x42F))
_LOWER = ((97, 122), (0xDF, 0xF6), (0xF8, 0xFF), (0x3B1, 0x3C9), (0x430, 0x45F))
_OTHER_LETTERS = ((0x100, 0x390), (0x3AA, 0x3B0), (0x3CA, 0x3FF), (0x460, 0x1FFF), (0x3040, 0xD7FF))
_IS_UPPER, _IS_LETTER = 1, 2


def _letter_table() -> np.ndarray:
    """The ranges above as one lookup table over code points below U+D800 (one more entry,
    for everything above, which is neither)."""
    table = np.zeros(0xD801, dtype=np.uint8)
    for ranges, flags in ((_UPPER, _IS_UPPER | _IS_LETTER), (_LOWER, _IS_LETTER)):
        for low, high in ranges:
            table[low : high + 1] |= flags
    for low, high in _OTHER_LETTERS:
        table[low : high + 1] |= _IS_LETTER
    return table


_LETTER_TABLE = _letter_table()


def _character_counts(raw_texts: Sequence[str]) -> tuple[np.ndarray, ...]:
    """Per text: its length and how many letters, upper-case letters, digits and ``!`` it has."""
    n = len(raw_texts)
    lengths = np.fromiter(map(len, raw_texts), dtype=np.int64, count=n)
    codes = codepoints("".join(raw_texts))
    doc = np.repeat(np.arange(n), lengths)
    classes = _LETTER_TABLE[np.minimum(codes, 0xD800)]
    n_letters = np.bincount(doc, weights=(classes & _IS_LETTER) != 0, minlength=n)
    n_upper = np.bincount(doc, weights=(classes & _IS_UPPER) != 0, minlength=n)
    n_digits = np.bincount(doc, weights=(codes >= 48) & (codes <= 57), minlength=n)
    n_exclamations = np.bincount(doc, weights=codes == 33, minlength=n)
    return lengths, n_letters, n_upper, n_digits, n_exclamations


def _distinct_tokens(hashes: np.ndarray, counts: np.ndarray, n: int) -> np.ndarray:
    """Per document (of ``n``), how many distinct tokens it has (compared by 40 hash bits)."""
    rows = np.repeat(np.arange(n), counts)
    keys = np.sort((rows.astype(np.uint64) << np.uint64(40)) | (hashes >> np.uint64(24)))
    return np.bincount((distinct_sorted(keys) >> np.uint64(40)).astype(np.int64), minlength=n)


def style_signals(raw_texts: Sequence[str], hashes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per text, which of :data:`STYLE_NAMES` it has (0/1): ``hashes`` are its tokens' word
    hashes, ``counts`` how many tokens each text has."""
    n = len(raw_texts)
    lengths, n_letters, n_upper, n_digits, n_exclamations = _character_counts(raw_texts)
    n_distinct = _distinct_tokens(hashes, counts, n)
    return np.column_stack(
        (
            (n_letters >= MIN_LETTERS) & (n_upper >= SHOUTING_SHARE * n_letters),
            n_exclamations >= EXCLAMATIONS,
            (counts >= MIN_TOKENS) & (n_distinct <= (1 - REPEATED_SHARE) * counts),
            (n_digits >= MIN_DIGITS) & (n_digits >= DIGIT_SHARE * lengths),
            lengths < SHORT_CHARS,
            lengths > LONG_CHARS,
        )
    ).astype(np.float32)


def dense_signals(
    raw_texts: Sequence[str],
    hashes: np.ndarray,
    counts: np.ndarray,
    classes: np.ndarray,
    word_entries: np.ndarray,
) -> np.ndarray:
    """The :data:`DENSE_NAMES` columns of a batch, float32.

    Parameters
    ----------
    raw_texts : sequence of str
        The comments as written (case and "!" intact).
    hashes, classes : ndarray
        Each token's word hash and :func:`~moderation.judge.cues.token_classes` bits, the
        batch's tokens document after document.
    counts : ndarray
        Tokens per document.
    word_entries : ndarray
        Word n-gram features (non-zero word columns) per document: each signal is worth
        ``1 / sqrt(1 + word_entries)``, one more word's share of the word block.
    """
    n = len(raw_texts)
    rows = np.repeat(np.arange(n), counts)
    style = style_signals(raw_texts, hashes, counts)
    links = link_signals(raw_texts)
    promotional = (classes & PROMOTIONAL) != 0
    promotion = promotion_signal(
        raw_texts, promotional, rows, links, style[:, STYLE_NAMES.index("digits")]
    )
    indicators = np.hstack((style, cue_features(classes, rows, n), links, promotion[:, None]))
    scale = (1.0 / np.sqrt(1.0 + word_entries)).astype(np.float32)
    return indicators * scale[:, np.newaxis]
