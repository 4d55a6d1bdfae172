"""Turn comments into what duplicate matching compares: canonical words, an exact-text key, the
hashed word shingles of each text and, for texts of few words, its hashed character n-grams, for
a whole batch at once.

Canonical words come from the featuriser's :func:`~moderation.normalise.normalise` (case, URL,
e-mail, mention and number placeholders, leetspeak and spaced-out letters folded, elongations
squashed), then punctuation and emoji are dropped and apostrophes inside words removed, so that
"Check my ch@nnel!!! 😀 www.x.ru" and "check my channel http://y.com" have the same words.
Words are hashed with :func:`moderation.hashing.hash_strings`, the featuriser's own n-gram
hash; word n-grams combine the word hashes, all in NumPy over the batch.

Character n-grams are what lets a short text keep its similarity through a typo: one changed
letter in a six-word text takes its word set's Jaccard to 5/7 = 0.71, but changes only two or
three of its thirty-odd character bigrams. They are taken from :func:`char_text` (the canonical
words joined by single spaces, padded with one space, each placeholder one character), only for
texts with fewer than ``char_words`` distinct words, where word sets are too coarse.

Scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer, Burmese) have no words to
split on: a Chinese comment is one "word" per stretch between punctuation marks, so one changed
character changed its only word, and a comment of a few such stretches stayed under the length
floor. A text whose letters are mostly in those scripts (:func:`no_space_tokens`) is therefore
compared on the characters of its Han runs (each a morpheme, much like a word) and the
character bigrams of its other runs (kana and Thai letters spell sounds: alone they are too
common to tell texts apart) instead of words; other words in it stay words. These tokens count
towards the length floor and make its word shingles, so one changed character in a
40-character Chinese comment leaves about 0.95 of its set. Its exact-text key is unchanged,
and texts in other scripts are not touched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from moderation.errors import DuplicatesError
from moderation.hashing import PRIME, hash_strings, mix64
from moderation.normalise import (
    EMAIL_TOKEN,
    MENTION_TOKEN,
    NUMBER_TOKEN,
    URL_TOKEN,
    normalise,
    normalise_batch,
)

# Words (letters of any script), digits and the normaliser's placeholders; punctuation, symbols
# and emoji are not words. Apostrophes are removed first, so "isn't" is the word "isnt".
WORD_PATTERN = re.compile(r"_(?:url|email|user|num)_|[^\W\d_]+|\d+")
_APOSTROPHES = str.maketrans("", "", "'’")
# Letters of the scripts written without spaces between words (Hangul is spaced): Han
# characters (with the iteration marks), which are each a morpheme much like a word; and kana,
# Thai, Lao, Khmer and Myanmar letters (with their vowel and tone marks), which spell sounds.
HAN_LETTERS = "\u3005-\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
NO_SPACE_LETTERS = HAN_LETTERS + (
    "\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"
    "\u0e01-\u0e3a\u0e40-\u0e4e\u0e81-\u0ecd\u1780-\u17d3\u1000-\u103f"
)
_NO_SPACE_LETTER = re.compile(f"[{NO_SPACE_LETTERS}]")
# The words of a text in those scripts: a run of their letters is one piece, to be cut into
# character n-grams; anything else is split as WORD_PATTERN splits it.
_NO_SPACE_PIECE = re.compile(
    f"_(?:url|email|user|num)_|([{NO_SPACE_LETTERS}]+)|[^\\W\\d_{NO_SPACE_LETTERS}]+|\\d+"
)
_HAN_OR_OTHER = re.compile(f"([{HAN_LETTERS}]+)|[^{HAN_LETTERS}]+")
_HAN_RUN = re.compile(f"[{HAN_LETTERS}]+")
_EXACT_SEED = np.uint64(0x2545F4914F6CDD1D)
_EMPTY_SEED = np.uint64(0x5851F42D4C957F2D)
_SHINGLE_SEED = np.uint64(0x9FB21C651E98DF25)
_CHAR_SEED = np.uint64(0x3C6EF372FE94F82B)
# In character n-grams a placeholder is one private-use character: "_user_" is one symbol, not
# six letters that every mention would share.
PLACEHOLDER_CHARS = {
    URL_TOKEN: "\ue000",
    EMAIL_TOKEN: "\ue001",
    MENTION_TOKEN: "\ue002",
    NUMBER_TOKEN: "\ue003",
}


def canonical_words(text: str) -> list[str]:
    """The words duplicate matching compares.

    >>> canonical_words("Ch3ck my CH@NNEL!!! 😀 www.spam.example/x")
    ['check', 'my', 'channel', '_url_']
    >>> canonical_words("Isn't it   great?") == canonical_words("isnt it great")
    True
    """
    return WORD_PATTERN.findall(normalise(text).translate(_APOSTROPHES))


def canonical_words_batch(texts: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """Normalised texts and their canonical words, for a batch (the normaliser runs once).

    >>> canonical_words_batch(["Isn't it GREAT?!", "🔥"])
    (["isn't it great?!", '🔥'], [['isnt', 'it', 'great'], []])
    """
    normalised = normalise_batch(texts)
    return normalised, [WORD_PATTERN.findall(t.translate(_APOSTROPHES)) for t in normalised]


def char_text(words: Sequence[str]) -> str:
    """The string whose character n-grams are compared: the canonical words joined by single
    spaces and padded with one, each placeholder one private-use character.

    >>> char_text(["great", "song"])
    ' great song '
    >>> len(char_text(["_user_", "hi"]))
    6
    """
    return " " + " ".join(PLACEHOLDER_CHARS.get(word, word) for word in words) + " "


def _grams(run: str, n: int) -> list[str]:
    """The overlapping ``n``-grams of a run of letters (the run itself when not longer)."""
    if n == 1:
        return list(run)
    return [run[i : i + n] for i in range(max(1, len(run) - n + 1))]


def no_space_tokens(text: str, n: int, han_n: int = 1) -> tuple[list[str], list[str]] | None:
    """The words of a normalised text written mostly in scripts without spaces, or ``None``.

    A text qualifies when more of its letters are in runs of :data:`NO_SPACE_LETTERS` than
    elsewhere (a placeholder counts as one letter). In each run, Han characters are cut into
    their overlapping ``han_n``-grams and the other letters (kana, Thai...) into ``n``-grams;
    other words are split as :func:`canonical_words` splits them.

    Returns
    -------
    (pieces, tokens) or None
        ``pieces``: the runs whole and the other words, for :func:`char_text`; ``tokens``: the
        words to count and shingle.

    >>> no_space_tokens("iphone的屏幕昨天碎了", 2)
    (['iphone', '的屏幕昨天碎了'], ['iphone', '的', '屏', '幕', '昨', '天', '碎', '了'])
    >>> no_space_tokens("画面が割れた", 2)[1]
    ['画', '面', 'が', '割', 'れた']
    >>> no_space_tokens("สวัสดีครับ", 2)[1]
    ['สว', 'วั', 'ัส', 'สด', 'ดี', 'ีค', 'คร', 'รั', 'ับ']
    >>> no_space_tokens("i love 寿司", 2) is None
    True
    """
    if not _NO_SPACE_LETTER.search(text):
        return None
    pieces: list[str] = []
    tokens: list[str] = []
    in_runs = elsewhere = 0
    for match in _NO_SPACE_PIECE.finditer(text.replace("'", "").replace("’", "")):
        piece = match.group()
        pieces.append(piece)
        if match.group(1):
            in_runs += len(piece)
            if _HAN_RUN.fullmatch(piece):  # Chinese: one run of Han characters
                tokens.extend(_grams(piece, han_n))
                continue
            for part in _HAN_OR_OTHER.finditer(piece):
                tokens.extend(_grams(part.group(), han_n if part.group(1) else n))
        else:
            elsewhere += 1 if piece in PLACEHOLDER_CHARS else len(piece)
            tokens.append(piece)
    return (pieces, tokens) if in_runs > elsewhere else None


@dataclass(frozen=True, slots=True)
class ShingledBatch:
    """A batch of texts ready for matching.

    Attributes
    ----------
    exact_keys : ndarray of uint64, shape (n_texts,)
        Hash of the canonical words (of the visible characters when a text has no words, so
        that "😂😂" repeats still match); equal texts after normalisation get equal keys.
    word_counts : ndarray of int64, shape (n_texts,)
        Canonical words per text (texts below the length floor are only matched exactly); for
        a text in a script without spaces, its tokens (:func:`no_space_tokens`).
    empty : ndarray of bool, shape (n_texts,)
        Texts with nothing visible: never matched.
    set_sizes : ndarray of int64, shape (n_texts,)
        Distinct canonical words (or tokens) per text.
    rows, hashes : ndarray of int64 and uint64
        Every distinct shingle of every text, as (text index, 64-bit hash), sorted by row then
        hash; a text's shingle set is its slice.
    char_rows, char_hashes : ndarray of int64 and uint64
        The same for the distinct character n-grams of the texts with fewer than
        ``char_words`` distinct words (none for the others).
    options : tuple of int
        ``(ngram low, ngram high, char_ngram, char_words, no_space_ngram, han_ngram)`` it was
        made with: a finder refuses a batch shingled with other settings.

    A batch is made from the texts and these settings only (no finder state), and pickles:
    a worker process can shingle while the main process matches.
    """

    exact_keys: np.ndarray
    word_counts: np.ndarray
    set_sizes: np.ndarray
    empty: np.ndarray
    rows: np.ndarray
    hashes: np.ndarray
    char_rows: np.ndarray
    char_hashes: np.ndarray
    options: tuple[int, int, int, int, int, int]

    def __len__(self) -> int:
        return int(self.exact_keys.size)


def _ngram_hashes(
    word_hashes: np.ndarray, rows: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Hash every run of ``n`` consecutive words of one document (rows sorted)."""
    count = word_hashes.size - n + 1
    if count <= 0:
        return rows[:0], word_hashes[:0]
    same = rows[n - 1 : n - 1 + count] == rows[:count]
    combined = np.full(count, _SHINGLE_SEED + np.uint64(n), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(n):
            combined = mix64(combined * PRIME + word_hashes[offset : offset + count])
    return rows[:count][same], combined[same]


def _distinct(rows: np.ndarray, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (row, hash) pairs, sorted by row then hash."""
    order = np.lexsort((hashes, rows))
    rows, hashes = rows[order], hashes[order]
    distinct = np.ones(rows.size, dtype=bool)
    distinct[1:] = (rows[1:] != rows[:-1]) | (hashes[1:] != hashes[:-1])
    return rows[distinct], hashes[distinct]


def _char_grams(
    word_lists: Sequence[Sequence[str]], chosen: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct character ``n``-gram hashes of the texts at ``chosen`` (indices), as sorted
    (row, hash) pairs: the code points of all their :func:`char_text` strings in one array,
    n-grams combined by a multiply-and-mix chain and kept when they stay inside one text."""
    strings = [char_text(word_lists[i]) for i in chosen.tolist()]
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    codes = np.frombuffer("".join(strings).encode("utf-32-le"), dtype=np.uint32)
    owners = np.repeat(chosen.astype(np.int64), lengths)
    count = codes.size - n + 1
    if count <= 0:
        return owners[:0], np.zeros(0, np.uint64)
    codes = codes.astype(np.uint64)
    combined = np.full(count, _CHAR_SEED + np.uint64(n), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(n):
            combined = mix64(combined * PRIME + codes[offset : offset + count])
    inside = owners[n - 1 : n - 1 + count] == owners[:count]
    return _distinct(owners[:count][inside], combined[inside])


def _exact_keys(
    normalised: Sequence[str], word_lists: Sequence[Sequence[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """Exact-text key of each text (of its canonical words, or of its visible characters when
    it has no words), and which texts have nothing visible."""
    # A leading mark keeps every string non-empty, which hash_strings needs.
    joined = ["\x02" + " ".join(words) for words in word_lists]
    exact = hash_strings(joined, _EXACT_SEED) if joined else np.zeros(0, np.uint64)
    empty = np.zeros(len(word_lists), dtype=bool)
    wordless = [i for i, words in enumerate(word_lists) if not words]
    if wordless:
        visible = ["".join(normalised[i].split()) for i in wordless]
        exact[wordless] = hash_strings(["\x02" + v for v in visible], _EMPTY_SEED)
        empty[wordless] = [not v for v in visible]
    return exact, empty


def exact_keys(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The exact-text keys of :func:`shingle_batch` and which texts have nothing visible,
    without the shingles: what a comment with nothing to match against needs (its cluster id).

    >>> keys, empty = exact_keys(["Great song!!", "great SONG", "   "])
    >>> bool(keys[0] == keys[1]), empty.tolist()
    (True, [False, False, True])
    """
    return _exact_keys(*canonical_words_batch(texts))


def _word_shingles(
    token_lists: Sequence[Sequence[str]], low: int, high: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct word n-gram shingles of each text, as sorted (row, hash) pairs, and the number
    of distinct words (tokens) of each text."""
    counts = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
    flat = [token for tokens in token_lists for token in tokens]
    if not flat:
        return np.zeros(0, np.int64), np.zeros(0, np.uint64), counts
    word_hashes = hash_strings(flat, _SHINGLE_SEED)
    rows = np.repeat(np.arange(len(token_lists), dtype=np.int64), counts)
    all_rows, all_hashes = [], []
    for n in range(low, high + 1):
        gram_rows, gram_hashes = _ngram_hashes(word_hashes, rows, n)
        all_rows.append(gram_rows)
        all_hashes.append(gram_hashes)
    if low > 1:  # texts shorter than the smallest n-gram: their words are their shingles
        keep = (counts < low)[rows]
        all_rows.append(rows[keep])
        all_hashes.append(mix64(word_hashes[keep] ^ _SHINGLE_SEED))
    shingle_rows, shingle_hashes = _distinct(np.concatenate(all_rows), np.concatenate(all_hashes))
    # Single-word shingles are a one-to-one function of the words: no second sort needed.
    word_rows = shingle_rows if high == 1 else _distinct(rows, word_hashes)[0]
    set_sizes = np.bincount(word_rows, minlength=len(token_lists)).astype(np.int64)
    return shingle_rows, shingle_hashes, set_sizes


def _is_count(value: object, low: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def _check_options(
    ngram_range: tuple[int, int], char_ngram: int, no_space_ngram: int, han_ngram: int
) -> None:
    """Refuse shingling options out of range, naming the value."""
    low, high = ngram_range
    if not 1 <= low <= high:
        raise DuplicatesError(f"ngram_range {ngram_range!r}: need 1 <= low <= high, e.g. (1, 2)")
    if not _is_count(char_ngram, 1):
        raise DuplicatesError(f"char_ngram={char_ngram!r}: must be an integer >= 1, e.g. 2")
    if not _is_count(no_space_ngram, 0):
        raise DuplicatesError(
            f"no_space_ngram={no_space_ngram!r}: must be an integer >= 0 (0: off), e.g. 2"
        )
    if not _is_count(han_ngram, 1):
        raise DuplicatesError(f"han_ngram={han_ngram!r}: must be an integer >= 1, e.g. 1")


def _tokens(
    normalised: Sequence[str], word_lists: Sequence[list[str]], n: int, han_n: int
) -> tuple[list[list[str]], list[list[str]]]:
    """Each text's tokens (to count and shingle) and pieces (for :func:`char_text`): its words,
    or for a text mostly in scripts without spaces, :func:`no_space_tokens` (``n`` 0: never).

    >>> texts = ["好听的歌", "good song 好听"]
    >>> _tokens(texts, [canonical_words(t) for t in texts], 2, 1)[0]
    [['好', '听', '的', '歌'], ['good', 'song', '好听']]
    """
    tokens, pieces = list(word_lists), list(word_lists)
    if n:
        for i, text in enumerate(normalised):
            split = no_space_tokens(text, n, han_n)
            if split is not None:
                pieces[i], tokens[i] = split
    return tokens, pieces


def shingle_batch(
    texts: Sequence[str],
    ngram_range: tuple[int, int] = (1, 2),
    *,
    char_ngram: int = 2,
    char_words: int = 0,
    no_space_ngram: int = 0,
    han_ngram: int = 1,
) -> ShingledBatch:
    """Canonicalise and shingle a batch of texts in one pass.

    Parameters
    ----------
    texts : sequence of str
        Raw comment (or article) texts.
    ngram_range : (int, int), default=(1, 2)
        Smallest and largest word n-gram used as a shingle. A text shorter than the smallest n
        gets its words as shingles, so that no text with words has an empty set.
    char_ngram : int, default=2
        Length of the character n-grams.
    char_words : int, default=0
        Texts with at least one and fewer than this many distinct words also get their
        character n-grams (0: none do).
    no_space_ngram, han_ngram : int, default=0 and 1
        A text written mostly in scripts without spaces has as words the character n-grams of
        these lengths of its runs of kana, Thai... letters and of Han characters
        (:func:`no_space_tokens`); ``no_space_ngram=0`` leaves it split at punctuation only.

    Returns
    -------
    ShingledBatch

    Raises
    ------
    DuplicatesError
        When an option is out of range (the message names it).

    Examples
    --------
    >>> batch = shingle_batch(["Great song!!", "great SONG", "🔥"], char_words=12)
    >>> bool(batch.exact_keys[0] == batch.exact_keys[1]), batch.word_counts.tolist()
    (True, [2, 2, 0])
    >>> batch.empty.tolist(), sorted(set(batch.rows.tolist()))
    ([False, False, False], [0, 1])
    >>> int((batch.char_rows == 0).sum())  # " great song ": 11 distinct bigrams
    11
    """
    _check_options(ngram_range, char_ngram, no_space_ngram, han_ngram)
    low, high = ngram_range
    options = (low, high, char_ngram, char_words, no_space_ngram, han_ngram)
    normalised, word_lists = canonical_words_batch(texts)
    exact, empty = _exact_keys(normalised, word_lists)
    token_lists, piece_lists = _tokens(normalised, word_lists, no_space_ngram, han_ngram)
    counts = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
    rows, hashes, set_sizes = _word_shingles(token_lists, low, high)
    chosen = np.flatnonzero((set_sizes > 0) & (set_sizes < char_words))
    char_rows, char_hashes = _char_grams(piece_lists, chosen, char_ngram)
    return ShingledBatch(
        exact, counts, set_sizes, empty, rows, hashes, char_rows, char_hashes, options
    )
