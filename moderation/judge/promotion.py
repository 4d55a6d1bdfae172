"""Whether a comment promotes something: a link, a number, a price or a promotional word.

Spam sells, and what it sells has an address, a number, a price or a call to act ("subscribe",
"check out", "free"). A comment with none of these is spam only when the head is very sure
(see ``LogisticHead(requires=...)``): "like", "my", "u" and a fan's enthusiasm cannot carry the
flag on their own. The words are Snowball (English) stems; in other languages only links,
numbers and prices count.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Stems of words that ask the reader to act, buy, win or go somewhere.
_PROMOTION = (
    "subscrib follow channel check visit free win won winner prize claim click dm inbox "
    "download app promo code offer discount sale buy order deal money cash earn job video "
    "song music view page site link watch join txt ringtone profil"
)
PROMOTION_STEMS = frozenset(_PROMOTION.split())
CURRENCY = frozenset("$£€¥₹₽")


def promotion_signal(
    raw_texts: Sequence[str],
    promotional_tokens: np.ndarray,
    rows: np.ndarray,
    links: np.ndarray,
    digits: np.ndarray,
) -> np.ndarray:
    """Per text, 1.0 when it has a promotional word (``promotional_tokens``: a bool per token
    of the batch, ``rows`` its text), a link (any column of ``links``), a run of digits (the
    ``digits`` style signal) or a currency sign; else 0.0 (float32)."""
    n = len(raw_texts)
    words = np.bincount(rows[promotional_tokens], minlength=n) > 0
    prices = np.fromiter((not CURRENCY.isdisjoint(text) for text in raw_texts), bool, count=n)
    return (words | prices | links.any(axis=1) | (digits > 0)).astype(np.float32)
