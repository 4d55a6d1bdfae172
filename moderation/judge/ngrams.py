"""Hash word and character n-grams of a whole batch in NumPy, and map hashes to buckets.

No Python loop runs per n-gram: word n-grams combine the tokens' hashes
(:func:`~moderation.hashing.hash_strings`), char n-grams are polynomial hashes over the code
points of the whole batch. Two n-grams may share a bucket; at the featuriser's default
``2**22`` buckets that is rare.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from moderation.hashing import PRIME, codepoints, hash_strings, mix64, powers

WORD_SEED = np.uint64(0x9E3779B97F4A7C15)
CHAR_SEED = np.uint64(0x632BE59BD9B4E019)


@dataclass(frozen=True, slots=True)
class HashedGrams:
    """Rows (documents) and hashes of every n-gram occurrence in a batch."""

    rows: np.ndarray
    hashes: np.ndarray


def _no_grams() -> HashedGrams:
    empty = np.zeros(0, np.int64)
    return HashedGrams(empty, empty.astype(np.uint64))


def token_hashes(tokens: Sequence[str]) -> np.ndarray:
    """Word-unigram hashes of tokens (an empty uint64 array for no tokens)."""
    return hash_strings(tokens, WORD_SEED) if tokens else np.zeros(0, np.uint64)


def bigram_hashes(hashes: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of the pairs of consecutive tokens within one document, and their documents."""
    if hashes.size < 2:
        empty = np.zeros(0, np.int64)
        return empty.astype(np.uint64), empty
    same_doc = rows[1:] == rows[:-1]
    with np.errstate(over="ignore"):
        bigram = mix64(hashes[:-1] * PRIME + hashes[1:] + WORD_SEED)
    return bigram[same_doc], rows[1:][same_doc]


def word_grams(tokens: Sequence[str], counts: np.ndarray, max_n: int) -> HashedGrams:
    """Hash word 1..max_n-grams (max_n is 1 or 2) of a batch's tokens, ``counts`` per document."""
    if not tokens:
        return _no_grams()
    unigram = hash_strings(tokens, WORD_SEED)
    rows = np.repeat(np.arange(counts.size), counts)
    if max_n < 2 or unigram.size < 2:
        return HashedGrams(rows, unigram)
    bigram, bigram_rows = bigram_hashes(unigram, rows)
    return HashedGrams(np.concatenate((rows, bigram_rows)), np.concatenate((unigram, bigram)))


def _longest_grams(codes: np.ndarray) -> np.ndarray:
    """Per position, the longest n-gram that may start there: up to and including the first
    space after it, or up to the NUL ending its document; 0 on a NUL."""
    size = codes.size
    is_space = codes == 32
    positions = np.arange(size)
    stops = np.where(is_space | (codes == 0), positions, size)
    next_stop = np.append(np.minimum.accumulate(stops[::-1])[::-1][1:], size)
    ends_on_space = np.append(is_space, False)[next_stop]
    longest = next_stop - positions + ends_on_space.astype(np.int64)
    longest[codes == 0] = 0
    return longest


def char_hashes(codes: np.ndarray, row_of: np.ndarray, min_n: int, max_n: int) -> HashedGrams:
    """Char n-grams of padded words whose code points are ``codes`` (spaces between words and
    on both ends, NUL after each document; ``row_of`` gives each position's document).

    An n-gram starting at ``s`` is kept when it stays inside one document, has no space inside
    and is not all spaces: it may end at most on the first space after ``s`` (or just before the
    first NUL), so each start needs one bound, ``longest``, and each length one comparison.
    """
    is_space = codes == 32
    longest = _longest_grams(codes)
    weights = powers(max_n)
    all_rows, all_hashes = [], []
    starts = np.flatnonzero(longest >= 1)
    with np.errstate(over="ignore"):
        running = codes[starts].copy()
        for n in range(1, max_n + 1):
            if n > 1:
                keep = longest[starts] >= n
                starts = starts[keep]
                running = running[keep] + codes[starts + n - 1] * weights[n - 1]
            if n < min_n:
                continue
            if n == 1:  # a lone space is all spaces
                valid = ~is_space[starts]
            elif n == 2:  # two spaces: the padding of an empty document
                valid = ~(is_space[starts] & is_space[starts + 1])
            else:
                valid = slice(None)
            all_rows.append(row_of[starts[valid]])
            all_hashes.append(mix64(running[valid] ^ (CHAR_SEED + np.uint64(n))))
    if not all_rows:
        return _no_grams()
    return HashedGrams(np.concatenate(all_rows), np.concatenate(all_hashes))


def padded_codes(words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Code points of ``" " + text + " "`` per text, each followed by a NUL; and each
    position's document. ``words`` must already have single spaces between words."""
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 3
    codes = codepoints(" " + " \x00 ".join(words) + " \x00") if words else np.zeros(0, np.uint64)
    return codes, np.repeat(np.arange(len(words)), lengths)


def char_grams(texts: Sequence[str], min_n: int, max_n: int) -> HashedGrams:
    """Hash character min_n..max_n-grams inside word boundaries (like ``char_wb``).

    Each word is padded with one space on both sides; n-grams never cross a word.
    """
    codes, row_of = padded_codes([" ".join(text.split()) for text in texts])
    return char_hashes(codes, row_of, min_n, max_n)


def buckets_of(hashes: np.ndarray, n_buckets: int) -> np.ndarray:
    """Each hash's bucket in ``0 .. n_buckets - 1`` (its remainder)."""
    if n_buckets & (n_buckets - 1) == 0:  # a power of two: the same as the remainder, faster
        return (hashes & np.uint64(n_buckets - 1)).astype(np.int64)
    return (hashes % np.uint64(n_buckets)).astype(np.int64)
