"""The fast featuriser and scorer compute exactly what the first implementation computed.

The first implementation (normalisation over one joined string, CSR built by scipy, reasons
from :meth:`feature_spans` one comment at a time) is frozen below as the reference. For a fixed
fitted model, the current code must give the same normalised texts, the same sparse matrices
(bit for bit), the same spans and the same verdicts, on the project corpus and on small hostile
strings. One deliberate difference: the reference could let a match run from one comment into
the next (``["see www.", "next"]`` came back as one text); each comment is now normalised on
its own, which is what :func:`normalise` always did.

Pinned differences since issue 13 (the judge on real data), each a change of what is computed,
not of how fast; the reference below is the first implementation with these changes written in
the same plain way, one comment at a time:

- links are recognised by shape (a domain's ending of 2-10 letters, not a list of endings;
  common words, file names and sentences run into each other excepted; spaced or spelt out,
  a country's two letters or a few common endings, since "TONIGHT. RT" has a spaced link's
  shape): ``_URL``, ``_DOT_WORD``, :func:`_reference_link` and :func:`_reference_dot_word`;
- HTML line breaks ("<br />") read as spaces and U+FEFF dropped before NFKC (exports leave
  them in text fields);
- word n-grams are hashed from Snowball stems (:func:`reference_stem`), char n-grams still from
  the words as written;
- the six dense signals (links, capitals, repetition, exclamations, length, digits: scaled
  values, the log-length in every row) became binned indicators and the violent-act cues of
  :mod:`moderation.judge.cues`, each worth ``1 / sqrt(1 + word features)``
  (:func:`reference_dense_signals`);
- verdicts carry the comment's language, and a comment in a language the model does not judge
  gets no stance or flag but ``review`` (:func:`reference_score`);
- the summary counts stances per target and comments per language (:class:`ReferenceSummary`).
"""

from __future__ import annotations

import concurrent.futures
import csv
import dataclasses
import io
import json
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nltk.stem.snowball import SnowballStemmer

from moderation import Comment, Moderator, Verdict, language, normalise
from moderation.judge import cues, features, links
from moderation.judge.features import CommentFeaturiser
from moderation.judge.moderator import FLAGS, REASONS_PER_FLAG, scoring_item
from moderation.judge.promotion import CURRENCY, PROMOTION_STEMS
from moderation.parse import Input, ParseOptions, dumps
from moderation.parse.text import html_to_text, normalise_whitespace
from moderation.pipeline import workers as parallel
from moderation.pipeline import writers as output
from moderation.pipeline.summary import ScoreSummary
from tests.support import SEEDS

# ---------------------------------------------------------------------------------------------
# Frozen reference: moderation/normalise.py, features.py and model.py scoring, as first written.
# ---------------------------------------------------------------------------------------------

URL_TOKEN, EMAIL_TOKEN, MENTION_TOKEN, NUMBER_TOKEN = "_url_", "_email_", "_user_", "_num_"
_SPACED_WWW = re.compile(r"\bw[ .]?w[ .]?w\s*(?:\.|\(?dot\)?)\s*", re.I)
_DOT_WORD = re.compile(
    r"(?<=\w)\s*[\(\[\{]?\s*\bdot\b\s*[\)\]\}]?\s*(?=([A-Za-z]{2,4})\b(?!\s*\.\w))", re.I
)
_URL = re.compile(
    r"(?:https?://|hxxps?://|www\s*\.\s*)\S+"
    r"|(?<![\w@.-])[\w-]+(?:\.[\w-]+)*(?:\.|\s\.\s?|\.\s)((?-i:[A-Za-z]{2,10}))\b(?![@-])(?:/\S*)?",
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
_LEET_CHARS = frozenset("013457@$!|€")
_SEPARATOR = "\n\x00\n"


def _fold_leet(match: re.Match[str]) -> str:
    word = match.group(0)
    first_leet = next((i for i, ch in enumerate(word) if ch in _LEET_CHARS), 0)
    letters = sum(ch.isalpha() for ch in word)
    if letters >= 2 and any(ch.isalpha() for ch in word[:first_leet]):
        return word.translate(_LEET_TABLE)
    return word


def _join_spaced(match: re.Match[str]) -> str:
    return re.sub(r"[ .*_\-·]", "", match.group(0))


def _reference_link(match: re.Match[str]) -> str:
    ending = match.group(1)
    if ending is None:
        return f" {URL_TOKEN} "
    text = match.group(0)
    domain = text.split("/")[0]
    word = ending.lower()
    if word in normalise.COMMON_WORDS and "/" not in text:
        return text
    if word in normalise.FILE_ENDINGS:
        return text
    if not ending.islower() and not (ending.isupper() and domain.isupper()):
        return text
    spaced_ending = word in normalise.SPELT_ENDINGS or word in normalise.COUNTRY_ENDINGS
    if " " in domain and not spaced_ending:
        return text
    return f" {URL_TOKEN} "


def _reference_dot_word(match: re.Match[str]) -> str:
    word = match.group(1).lower()
    country = word in normalise.COUNTRY_ENDINGS and word not in normalise.COMMON_WORDS
    if word in normalise.SPELT_ENDINGS or country:
        return "."
    return match.group(0)


def reference_normalise_batch(texts: Sequence[str]) -> list[str]:
    text = _SEPARATOR.join(t.replace("\x00", " ") for t in texts)
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.IGNORECASE).replace("\ufeff", "")
    text = unicodedata.normalize("NFKC", text)
    text = _SPACED_WWW.sub("www.", text)
    text = _DOT_WORD.sub(_reference_dot_word, text)
    text = _EMAIL.sub(f" {EMAIL_TOKEN} ", text)
    text = _URL.sub(_reference_link, text)
    text = _MENTION.sub(f" {MENTION_TOKEN} ", text)
    text = text.casefold()
    text = _SPACED_LETTERS.sub(_join_spaced, text)
    text = _LEET_WORD.sub(_fold_leet, text)
    text = _NUMBER.sub(f" {NUMBER_TOKEN} ", text)
    text = _ELONGATED.sub(r"\1\1", text)
    return [" ".join(part.split()) for part in text.split("\x00")] if texts else []


def reference_normalise(text: str) -> str:
    return reference_normalise_batch([text])[0]


TOKEN_PATTERN = re.compile(
    r"_(?:url|email|user|num)_|[^\W\d_]+(?:['’][^\W\d_]+)*|\d+|#\w+"
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF]|[!?]+|[^\w\s]"
)
_PRIME = np.uint64(0x100000001B3)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_WORD_SEED = np.uint64(0x9E3779B97F4A7C15)
_CHAR_SEED = np.uint64(0x632BE59BD9B4E019)
DENSE_NAMES = (
    ("shouting", "exclamations", "repetition", "digits", "short", "long")
    + (
        "violent",
        "violent:imperative",
        "violent:wish",
        "violent:should",
        "violent:will",
        "violent:first_person",
        "violent:second_person",
        "violent:them",
        "violent:passive",
        "violent:report",
        "violent:negated",
        "violent:will+first_person",
        "violent:wish+second_person",
        "violent:should+them",
        "violent:imperative+them",
        "violent:imperative+second_person",
    )
    + links.LINK_NAMES
    + ("promotion",)
)
_ENGLISH = SnowballStemmer("english")


def reference_stem(token: str) -> str:
    """A word token's English Snowball stem; other tokens as they are."""
    return _ENGLISH.stem(token) if token[:1].isalpha() else token


def _mix(values: np.ndarray) -> np.ndarray:
    values = values ^ (values >> np.uint64(30))
    values = values * _MIX_1
    values = values ^ (values >> np.uint64(27))
    values = values * _MIX_2
    return values ^ (values >> np.uint64(31))


def _powers(length: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.cumprod(np.full(max(length, 1), _PRIME, dtype=np.uint64)) // _PRIME


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def reference_hash_strings(strings: Sequence[str], seed: np.uint64) -> np.ndarray:
    lengths = np.fromiter((len(s) for s in strings), dtype=np.int64, count=len(strings))
    codes = _codepoints("".join(strings))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    position = np.arange(codes.size) - np.repeat(starts, lengths)
    with np.errstate(over="ignore"):
        terms = codes * _powers(int(lengths.max(initial=1)))[position]
        sums = np.add.reduceat(terms, starts) if codes.size else np.zeros(0, np.uint64)
    sums = np.where(lengths > 0, sums, np.uint64(0))
    return _mix(sums ^ (seed + lengths.astype(np.uint64)))


def reference_word_grams(tokens, counts, max_n):
    if not tokens:
        empty = np.zeros(0, np.int64)
        return empty, empty.astype(np.uint64)
    unigram = reference_hash_strings(tokens, _WORD_SEED)
    rows = np.repeat(np.arange(counts.size), counts)
    all_rows, all_hashes = [rows], [unigram]
    if max_n >= 2 and unigram.size > 1:
        same_doc = rows[1:] == rows[:-1]
        with np.errstate(over="ignore"):
            bigram = _mix(unigram[:-1] * _PRIME + unigram[1:] + _WORD_SEED)
        all_rows.append(rows[1:][same_doc])
        all_hashes.append(bigram[same_doc])
    return np.concatenate(all_rows), np.concatenate(all_hashes)


def reference_char_grams(texts, min_n, max_n):
    padded = [" " + " ".join(text.split()) + " " for text in texts]
    lengths = np.fromiter((len(p) + 1 for p in padded), dtype=np.int64, count=len(padded))
    codes = _codepoints("\x00".join(padded) + "\x00")
    size = codes.size
    is_space = codes == 32
    is_break = codes == 0
    space_sum = np.concatenate(([0], np.cumsum(is_space)))
    break_sum = np.concatenate(([0], np.cumsum(is_break)))
    row_of = np.repeat(np.arange(len(padded)), lengths)
    powers = _powers(max_n)
    all_rows, all_hashes = [], []
    running = np.zeros(size, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for n in range(1, max_n + 1):
            count = size - n + 1
            if count <= 0:
                break
            running = running[:count] + codes[n - 1 : n - 1 + count] * powers[n - 1]
            if n < min_n:
                continue
            start = np.arange(count)
            spaces = space_sum[start + n] - space_sum[start]
            interior = spaces - is_space[start] - is_space[start + n - 1]
            valid = (break_sum[start + n] == break_sum[start]) & (interior == 0) & (spaces < n)
            all_rows.append(row_of[start[valid]])
            all_hashes.append(_mix(running[valid] ^ (_CHAR_SEED + np.uint64(n))))
    if not all_rows:
        empty = np.zeros(0, np.int64)
        return empty, empty.astype(np.uint64)
    return np.concatenate(all_rows), np.concatenate(all_hashes)


def reference_tokenize_batch(normalised):
    tokens = TOKEN_PATTERN.findall("\x00".join(normalised) + "\x00")
    ends = np.flatnonzero(np.fromiter((t == "\x00" for t in tokens), dtype=bool, count=len(tokens)))
    counts = np.diff(np.concatenate(([-1], ends))) - 1
    return [t for t in tokens if t != "\x00"], counts


def _in_ranges(codes, ranges):
    mask = np.zeros(codes.size, dtype=bool)
    for low, high in ranges:
        mask |= (codes >= low) & (codes <= high)
    return mask


_UPPER = ((65, 90), (0xC0, 0xD6), (0xD8, 0xDE), (0x391, 0x3A9), (0x400, 0x42F))
_LOWER = ((97, 122), (0xDF, 0xF6), (0xF8, 0xFF), (0x3B1, 0x3C9), (0x430, 0x45F))
_OTHER_LETTERS = ((0x100, 0x390), (0x3AA, 0x3B0), (0x3CA, 0x3FF), (0x460, 0x1FFF), (0x3040, 0xD7FF))


def _reference_style(raw: str, stem_hashes: np.ndarray) -> list[bool]:
    codes = _codepoints(raw).astype(np.int64)
    upper = _in_ranges(codes, _UPPER)
    letters = upper | _in_ranges(codes, _LOWER) | _in_ranges(codes, _OTHER_LETTERS)
    n_letters, n_upper = float(letters.sum()), float(upper.sum())
    n_digits = float(((codes >= 48) & (codes <= 57)).sum())
    n_tokens = stem_hashes.size
    n_distinct = len({int(h) >> 24 for h in stem_hashes.tolist()})
    return [
        n_letters >= 8 and n_upper >= 0.5 * n_letters,
        raw.count("!") >= 3,
        n_tokens >= 6 and n_distinct <= 0.5 * n_tokens,
        n_digits >= 7 and n_digits >= 0.15 * len(raw),
        len(raw) < 25,
        len(raw) > 400,
    ]


def _reference_cues(classes: list[int]) -> list[bool]:
    """The violent-act cues of one comment, one violent word at a time."""
    found = [False] * 16
    starts, start = [], 0
    for index, bits in enumerate(classes):
        starts.append(start)
        if bits & cues.BOUNDARY:
            start = index + 1
    for at, bits in enumerate(classes):
        if not bits & cues.VIOLENT:
            continue
        if bits & cues.PHRASAL and at + 1 < len(classes) and classes[at + 1] & cues.PARTICLE:
            continue  # "hang in there", "hung out"
        first = starts[at]
        before = after = previous = two_back = 0
        for k in range(1, 6):
            if at - k >= first:
                before |= classes[at - k]
        for k in range(1, 4):
            if at + k < len(classes) and starts[at + k] == first:
                after |= classes[at + k]
        previous = classes[at - 1] if at - 1 >= first else 0
        two_back = classes[at - 2] if at - 2 >= first else 0
        leads = all(classes[i] & cues.LEAD for i in range(first, at))
        imperative = leads and at - first <= 3
        wish, should = bool(before & cues.WISH), bool(before & cues.SHOULD)
        will, first_person = bool(before & cues.WILL), bool(before & cues.FIRST)
        second = bool((before | after) & cues.SECOND)
        them = bool((before | after) & cues.THEM)
        passive = bool(previous & cues.PASSIVE)
        report = bool(previous & cues.REPORT) or (passive and bool(two_back & cues.REPORT))
        if bits & cues.PAST and not (wish or should or will or passive):
            report = True
        tags = [True, imperative, wish, should, will, first_person, second, them, passive]
        tags += [report, bool(before & cues.NEGATION), will and first_person, wish and second]
        tags += [should and them, imperative and them, imperative and second]
        found = [old or new for old, new in zip(found, tags, strict=True)]
    return found


def reference_dense_signals(raw_texts, tokens, counts, word_entries, english=True):
    """The dense columns, one comment at a time: style bins, cues, link shapes and promotion,
    each worth one more word (``1 / sqrt(1 + word features)``)."""
    rows, offset = [], 0
    for raw, count, entries in zip(raw_texts, counts.tolist(), word_entries, strict=True):
        own = tokens[offset : offset + count]
        offset += count
        stems = [reference_stem(t) for t in own] if english else list(own)
        hashes = reference_hash_strings(stems, _WORD_SEED) if stems else np.zeros(0, np.uint64)
        classes = [
            cues.token_class(t, st if english else "") for t, st in zip(own, stems, strict=True)
        ]
        style, link_flags = _reference_style(raw, hashes), links.link_flags(raw).astype(bool)
        flags = style + _reference_cues(classes) + link_flags.tolist()  # per comment already
        promoted = english and any(stem in PROMOTION_STEMS for stem in stems)
        promoted |= any(c in CURRENCY for c in raw) or bool(link_flags.any())
        flags.append(promoted or bool(style[DENSE_NAMES.index("digits")]))
        scale = np.float32(1.0 / np.sqrt(1.0 + entries))
        rows.append([np.float32(flag) * scale for flag in flags])
    return np.array(rows, dtype=np.float32).reshape(len(raw_texts), len(DENSE_NAMES))


class ReferenceFeaturiser:
    """CommentFeaturiser as first written (fitted state copied from a current one)."""

    def __init__(self, fitted: CommentFeaturiser | None = None, **params: Any) -> None:
        params = fitted.get_params() if fitted is not None else params
        self.word_ngram_max = params.get("word_ngram_max", 2)
        self.char_ngram_range = params.get("char_ngram_range", (2, 5))
        self.n_buckets = params.get("n_buckets", 2**22)
        self.min_df = params.get("min_df", 2)
        self.sublinear_tf = params.get("sublinear_tf", True)
        self.dense = params.get("dense", True)
        self.stem_language = params.get("stem_language", "en")
        if fitted is not None:
            self.buckets_ = fitted.buckets_
            self.idf_ = fitted.idf_
            self.n_word_features_ = fitted.n_word_features_

    def _bucket_counts(self, normalised):
        tokens, counts = reference_tokenize_batch(normalised)
        stems = [reference_stem(t) for t in tokens] if self.stem_language == "en" else tokens
        word_rows, word_hashes = reference_word_grams(stems, counts, self.word_ngram_max)
        char_rows, char_hashes = reference_char_grams(normalised, *self.char_ngram_range)
        size = np.uint64(self.n_buckets)
        rows = np.concatenate((word_rows, char_rows))
        columns = np.concatenate(
            (
                (word_hashes % size).astype(np.int64),
                (char_hashes % size).astype(np.int64) + self.n_buckets,
            )
        )
        data = np.ones(rows.size, dtype=np.float32)
        shape = (len(normalised), 2 * self.n_buckets)
        matrix = sp.csr_matrix((data, (rows, columns)), shape=shape)
        matrix.sum_duplicates()
        return matrix, tokens, counts

    def fit(self, texts):
        normalised = reference_normalise_batch([str(text) for text in texts])
        counts, _, _ = self._bucket_counts(normalised)
        document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
        kept = np.flatnonzero(document_frequency >= self.min_df)
        n_documents = len(normalised)
        idf = np.log((1 + n_documents) / (1 + document_frequency[kept])) + 1
        self.buckets_ = kept.astype(np.int64)
        self.idf_ = idf.astype(np.float32)
        self.n_word_features_ = int(np.searchsorted(kept, self.n_buckets))
        return self

    def _columns(self, counts):
        table = np.full(2 * self.n_buckets, -1, dtype=np.int32)
        table[self.buckets_] = np.arange(self.buckets_.size, dtype=np.int32)
        positions = table[counts.indices]
        known = positions >= 0
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        return sp.csr_matrix(
            (counts.data[known], (rows[known], positions[known])),
            shape=(counts.shape[0], self.buckets_.size),
        )

    def transform(self, texts):
        raw = [str(text) for text in texts]
        return self.transform_normalised(raw, reference_normalise_batch(raw))

    def transform_normalised(self, raw, normalised):
        counts, tokens, token_counts = self._bucket_counts(normalised)
        matrix = self._columns(counts).astype(np.float32)
        if self.sublinear_tf:
            np.log(matrix.data, out=matrix.data)
            matrix.data += 1
        matrix = matrix.multiply(self.idf_[np.newaxis, :]).tocsr()
        is_word = np.arange(self.buckets_.size) < self.n_word_features_
        column_is_word = is_word[matrix.indices]
        squares = matrix.data.astype(np.float64) ** 2
        rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        word_norm = np.sqrt(np.bincount(rows, squares * column_is_word, matrix.shape[0]))
        char_norm = np.sqrt(np.bincount(rows, squares * ~column_is_word, matrix.shape[0]))
        norms = np.where(column_is_word, word_norm[rows], char_norm[rows])
        matrix.data /= np.maximum(norms, 1e-12).astype(np.float32)
        if not self.dense:
            return matrix
        word_columns = matrix.indices < self.n_word_features_
        word_entries = [
            int(np.sum(word_columns[matrix.indptr[i] : matrix.indptr[i + 1]]))
            for i in range(matrix.shape[0])
        ]
        english = self.stem_language == "en"
        signals = reference_dense_signals(raw, tokens, token_counts, word_entries, english)
        signals = sp.csr_matrix(signals)
        return sp.hstack((matrix, signals), format="csr")

    def feature_spans(self, text):
        normalised = reference_normalise(text)
        tokens = TOKEN_PATTERN.findall(normalised)
        grams = []
        size = self.n_buckets
        stems = [reference_stem(t) for t in tokens] if self.stem_language == "en" else tokens
        unigram = reference_hash_strings(stems, _WORD_SEED) if tokens else np.zeros(0, np.uint64)
        for token, value in zip(tokens, unigram, strict=True):
            grams.append((int(value % np.uint64(size)), token))
        if self.word_ngram_max >= 2 and len(tokens) > 1:
            with np.errstate(over="ignore"):
                bigram = _mix(unigram[:-1] * _PRIME + unigram[1:] + _WORD_SEED)
            for i, value in enumerate(bigram):
                grams.append((int(value % np.uint64(size)), f"{tokens[i]} {tokens[i + 1]}"))
        low, high = self.char_ngram_range
        for word in normalised.split():
            padded = f" {word} "
            pieces = [
                padded[i : i + n]
                for n in range(low, high + 1)
                for i in range(len(padded) - n + 1)
                if padded[i : i + n].strip() and " " not in padded[i + 1 : i + n - 1]
            ]
            for value in reference_hash_strings(pieces, _CHAR_SEED) if pieces else ():
                grams.append((int(value % np.uint64(size)) + size, word))
        positions = np.searchsorted(self.buckets_, [bucket for bucket, _ in grams])
        result = []
        for (bucket, label), position in zip(grams, positions, strict=True):
            if position < self.buckets_.size and self.buckets_[position] == bucket:
                result.append((int(position), label))
        return result


def reference_reasons(featuriser, text, row, head, class_index, top=REASONS_PER_FLAG):
    coef = head.coef_
    if coef.shape[0] == 1:
        weights = coef[0] if class_index == 1 else -coef[0]
    else:
        weights = coef[class_index] - coef.mean(axis=0)
    columns, values = row.indices, row.data
    contribution = dict(zip(columns.tolist(), (values * weights[columns]).tolist(), strict=True))
    totals: dict[str, float] = {}
    for column, label in featuriser.feature_spans(text):
        totals[label] = totals.get(label, 0.0) + contribution.pop(column, 0.0)
    n_buckets = featuriser.buckets_.size
    for column, value in contribution.items():
        if column >= n_buckets:
            totals[f"[{DENSE_NAMES[column - n_buckets]}]"] = value
    ranked = sorted(totals.items(), key=lambda pair: -pair[1])
    return [(label, round(weight, 3)) for label, weight in ranked[:top] if weight > 0]


def _reference_judged(moderator: Moderator, text: str) -> tuple[str, bool]:
    """The comment's language, and whether the model's heads judge it."""
    found = language.detect_normalised(reference_normalise(text))[0]
    known = moderator.languages
    return found, known is None or found == language.UNDETERMINED or found in known


def reference_score(moderator: Moderator, texts: Sequence[str]) -> list[Verdict]:
    """Moderator.score_items as first written, for bare texts and the default target."""
    featuriser = ReferenceFeaturiser(moderator.featuriser)
    texts = [text[: moderator.max_chars] for text in texts]
    matrix = featuriser.transform(texts)
    languages = [_reference_judged(moderator, text) for text in texts]
    flag_scores = {flag: moderator.heads[flag].predict_proba(matrix)[:, 1] for flag in FLAGS}
    head = moderator._stance_head(moderator.default_target)
    stance_scores = head.predict_proba(matrix)
    verdicts = []
    for i, text in enumerate(texts):
        probabilities = stance_scores[i]
        found, judged = languages[i]
        if not judged:
            verdicts.append(
                Verdict(
                    id=str(i + 1),
                    text=text,
                    target=moderator.default_target,
                    stance=None,
                    stance_scores={},
                    spam=None,
                    incitement=None,
                    action="review",
                    reasons={"unsupported_language": []},
                    language=found,
                )
            )
            continue
        scores = {flag: float(flag_scores[flag][i]) for flag in FLAGS}
        flags = [flag for flag in FLAGS if scores[flag] >= moderator.thresholds[flag]]
        remove = any(
            moderator.remove_thresholds[flag] is not None
            and scores[flag] >= moderator.remove_thresholds[flag]
            for flag in flags
        )
        reasons = {
            flag: reference_reasons(featuriser, text, matrix[i], moderator.heads[flag], 1)
            for flag in flags
        }
        verdicts.append(
            Verdict(
                id=str(i + 1),
                text=text,
                target=moderator.default_target,
                stance=str(head.classes_[int(np.argmax(probabilities))]),
                stance_scores={
                    str(c): round(float(p), 4)
                    for c, p in zip(head.classes_, probabilities, strict=True)
                },
                spam=round(scores["spam"], 4),
                incitement=round(scores["incitement"], 4),
                flags=flags,
                action="remove" if remove else ("review" if flags else "approve"),
                reasons=reasons,
                truncated=False,
                language=found,
            )
        )
    return verdicts


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\n\n\t",
    "🙂🙂🙂 🔥",
    "ｗｗｗ．ｓｐａｍ．ｃｏｍ ＫＩＬＬ",
    "x" * 3000,
    "supercalifragilistic" * 40 + " end",
    "CH3CK my ch@nnel!!!! www.spam.example/x s u b s c r i b e",
    "@Mark Sooooo 4500 soldiers? k i l l them",
    "see www.",
    "see w w w dot",
    "bit . ly/abc and spam dot com and x(dot)ru",
    "hxxps://evil.ru/x?y=1 https://a.b/c mail me a.b+c@x-y.co.uk",
    "k1ll th3m @ll, l33t $p34k, 4ever, 3rd, b00o, a a a, s.u.b, k-i-l-l, k*i*l*l, k·i·l·l",
    "hello! x!y !!! ?!?! #tag #Слава don't it’s",
    "ı İ ſ K ß ² ½ ٣ Ⅻ ǅ \u00a0nbsp \u2028sep",
    "Слава Україні!!! ПУТИН ХУЙЛО 2022-02-24, +3.5%, -7, 1,000,000",
    "[links] [length] [capitals] the [links]",
    "www.x.ru\nnext line www\n.\ny",
    "a" * 5 + "!" * 9 + "." * 7,
    "dot com!1",
    "x y z",
    "_url_ _user_ _num_ _email_",
]


def _corpus_texts() -> list[str]:
    texts = []
    for path in sorted((SEEDS / "labeled").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    assert len(texts) > 1000
    return texts


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    return _corpus_texts()


@pytest.fixture(scope="module")
def moderator() -> Moderator:
    return Moderator.load()


def _batches(texts: Sequence[str], size: int = 500) -> list[list[str]]:
    return [list(texts[i : i + size]) for i in range(0, len(texts), size)]


def assert_same_matrix(new: sp.csr_matrix, old: sp.csr_matrix) -> None:
    old = old.tocsr()
    assert new.shape == old.shape and new.dtype == old.dtype
    assert np.array_equal(new.indptr, old.indptr)
    assert np.array_equal(new.indices, old.indices)
    assert np.array_equal(new.data, old.data)  # bit for bit, not just close


# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------


def test_normalise_batch_matches_reference_on_corpus(corpus) -> None:
    for batch in _batches(corpus):
        assert normalise.normalise_batch(batch) == reference_normalise_batch(batch)


def test_small_batches_without_the_numpy_pass_match_reference(corpus) -> None:
    """Below VECTOR_FROM comments every late pattern runs on every comment: same text out."""
    texts = list(corpus[:3000])
    small = [normalise.normalise_batch(texts[i : i + 3]) for i in range(0, len(texts), 3)]
    assert normalise.VECTOR_FROM > 3
    assert [text for batch in small for text in batch] == reference_normalise_batch(texts)


def test_normalise_matches_reference_on_hostile_strings() -> None:
    for text in HOSTILE:
        assert normalise.normalise(text) == reference_normalise(text), text
    assert normalise.normalise_batch(HOSTILE) == [reference_normalise(t) for t in HOSTILE]


def test_comments_no_longer_leak_into_each_other() -> None:
    texts = ["see www.", "next"]
    assert len(reference_normalise_batch(texts)) == 1  # the old bug
    assert normalise.normalise_batch(texts) == [reference_normalise(t) for t in texts]


TRICKY = "abcdkotwWDOT ilsSxyz013457@$!|€.*_-·:/+,()[]{}\n\t\x00#'’ıİſKß²½٣🙂ｗ\u00a0\u2028"
PIECES = [
    "www",
    "dot",
    "com",
    "http://",
    "@mark",
    "a@b.co",
    "k i l l",
    "ch3ck",
    "sooo",
    "-5",
    "x.ru",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES) | st.text(TRICKY, max_size=4), max_size=12))
def test_normalise_matches_reference_on_generated_text(parts) -> None:
    text = " ".join(parts) if len(parts) % 2 else "".join(parts)
    assert normalise.normalise(text) == reference_normalise(text)


def test_character_classes_are_the_regex_engines() -> None:
    word, digit, space = re.compile(r"\w"), re.compile(r"\d"), re.compile(r"\s")
    letter = re.compile(r"[^\W\d_]")
    codes = list(range(0x3000)) + list(range(0x1F300, 0x1F700))
    classes = normalise._classes(np.array(codes, dtype=np.uint32))
    for code, flags in zip(codes, classes.tolist(), strict=True):
        char = chr(code)
        assert bool(flags & normalise._WORD) == bool(word.match(char))
        assert bool(flags & normalise._DIGIT) == bool(digit.match(char))
        assert bool(flags & normalise._LETTER) == bool(letter.match(char))
        assert bool(flags & normalise._SPACE) == bool(space.match(char))


# ---------------------------------------------------------------------------------------------
# Featurisation
# ---------------------------------------------------------------------------------------------


def test_transform_matches_reference_on_corpus(moderator, corpus) -> None:
    reference = ReferenceFeaturiser(moderator.featuriser)
    for batch in _batches(corpus):
        assert_same_matrix(moderator.featuriser.transform(batch), reference.transform(batch))


def test_transform_matches_reference_on_hostile_strings(moderator) -> None:
    assert_same_matrix(
        moderator.featuriser.transform(HOSTILE), _reference_rows(moderator.featuriser, HOSTILE)
    )
    empty = moderator.featuriser.transform([])
    assert empty.shape == (0, moderator.featuriser.n_features_out_)


def _reference_rows(featuriser: CommentFeaturiser, texts: Sequence[str]) -> sp.csr_matrix:
    """The reference, one comment at a time (a batch of it can mix up hostile comments)."""
    reference = ReferenceFeaturiser(featuriser)
    return sp.vstack([reference.transform([text]) for text in texts], format="csr")


def test_results_do_not_depend_on_the_chunk_memo(moderator, corpus, monkeypatch) -> None:
    texts = corpus[:600] + HOSTILE
    expected = _reference_rows(moderator.featuriser, texts)
    fresh = CommentFeaturiser(**moderator.featuriser.get_params())
    fresh.buckets_ = moderator.featuriser.buckets_
    fresh.idf_ = moderator.featuriser.idf_
    fresh.n_word_features_ = moderator.featuriser.n_word_features_
    monkeypatch.setattr(features, "CHUNK_MEMO_SIZE", 300)  # forces restarts within a batch
    for _ in range(2):
        assert_same_matrix(fresh.transform(texts), expected)
    distinct = {chunk for text in normalise.normalise_batch(texts) for chunk in text.split()}
    assert len(fresh._chunk_memo.ids) <= max(300, len(distinct))


def test_transform_is_the_same_from_several_threads(moderator, corpus) -> None:
    batches = _batches(corpus[:1200], 150)
    expected = [ReferenceFeaturiser(moderator.featuriser).transform(b) for b in batches]
    fresh = CommentFeaturiser(**moderator.featuriser.get_params())
    fresh.buckets_ = moderator.featuriser.buckets_
    fresh.idf_ = moderator.featuriser.idf_
    fresh.n_word_features_ = moderator.featuriser.n_word_features_
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(fresh.transform, batches * 2))
    for result, reference in zip(results, expected * 2, strict=True):
        assert_same_matrix(result, reference)


def test_public_helpers_match_reference(corpus) -> None:
    raw = corpus[:300] + HOSTILE
    texts = normalise.normalise_batch(raw)
    for low, high in ((2, 5), (1, 3), (1, 1), (3, 8)):
        grams = features.char_grams(texts, low, high)
        rows, hashes = reference_char_grams(texts, low, high)
        assert np.array_equal(grams.rows, rows) and np.array_equal(grams.hashes, hashes)
    tokens, counts = features.tokenize_batch(texts)
    assert np.array_equal(
        features.hash_strings(tokens, _WORD_SEED), reference_hash_strings(tokens, _WORD_SEED)
    )
    stems = [reference_stem(t) for t in tokens]
    assert features.stem_tokens(tokens, "en") == stems
    entries = np.arange(len(raw)) % 7
    rows = np.repeat(np.arange(len(raw)), counts)
    classes = cues.token_classes(tokens, stems)
    assert np.array_equal(
        features.dense_signals(
            raw, features.hash_strings(stems, _WORD_SEED), counts, classes, entries
        ),
        reference_dense_signals(raw, tokens, counts, entries.tolist()),
    )
    assert rows.size == len(tokens)


def test_fit_matches_reference(corpus) -> None:
    params = {"n_buckets": 2**16, "min_df": 2}
    new = CommentFeaturiser(**params).fit(corpus[:800] + HOSTILE[-5:])
    old = ReferenceFeaturiser(**params).fit(corpus[:800] + HOSTILE[-5:])
    assert np.array_equal(new.buckets_, old.buckets_)
    assert np.array_equal(new.idf_, old.idf_)
    assert new.n_word_features_ == old.n_word_features_
    small = corpus[800:1100]
    assert_same_matrix(new.transform(small), ReferenceFeaturiser(new).transform(small))


def test_feature_spans_match_reference(moderator, corpus) -> None:
    reference = ReferenceFeaturiser(moderator.featuriser)
    for text in corpus[::15] + HOSTILE:
        assert moderator.featuriser.feature_spans(text) == reference.feature_spans(text), text


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------


def test_verdicts_match_reference_on_corpus(moderator, corpus) -> None:
    texts = corpus[::2]
    new = moderator.score(texts)
    old = [v for batch in _batches(texts, 1000) for v in reference_score(moderator, batch)]
    for offset, verdict in enumerate(old):
        verdict.id = str(offset + 1)
    assert sum(bool(v.flags) for v in old) > 50  # reasons are exercised
    assert new == old


def test_verdicts_match_reference_on_hostile_strings(moderator) -> None:
    everything = Moderator.load(thresholds={"spam": 0.0, "incitement": 0.0})
    for judge in (moderator, everything):
        new = judge.score(HOSTILE)
        old = [reference_score(judge, [text])[0] for text in HOSTILE]
        for offset, verdict in enumerate(old):
            verdict.id = str(offset + 1)
        assert new == old


def test_explanations_match_reference(moderator, corpus) -> None:
    reference = ReferenceFeaturiser(moderator.featuriser)
    for text in corpus[:40] + HOSTILE[:12] + ["x " * 3000 + "kill them"]:
        explanation = moderator.explain(text)
        row = reference.transform([text[: moderator.max_chars]])[0]
        head = moderator._stance_head(moderator.default_target)
        index = int(np.flatnonzero(head.classes_ == explanation["stance"]["label"])[0])
        assert explanation["stance"]["ngrams"] == reference_reasons(
            reference, text, row, head, index
        )
        for flag in FLAGS:
            expected = reference_reasons(reference, text, row, moderator.heads[flag], 1)
            assert explanation[flag]["ngrams"] == expected


# ---------------------------------------------------------------------------------------------
# The main process of `moderation score`: parsing, verdict rows, JSON lines, CSV cells, summary.
# Frozen references: the code as it was before the main process was made faster.
# ---------------------------------------------------------------------------------------------


def reference_to_dict(verdict: Verdict) -> dict[str, Any]:
    """Verdict.to_dict as first written: dataclasses.asdict, then reasons as lists."""
    row = dataclasses.asdict(verdict)
    row["reasons"] = {
        flag: [list(pair) for pair in pairs] for flag, pairs in verdict.reasons.items()
    }
    return row


def reference_json_line(row: Any) -> str:
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"


_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def reference_neutralise_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = ";".join(str(item) for item in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


class ReferenceSummary(ScoreSummary):
    """ScoreSummary.add as first written (render is inherited: only add changed).

    Pinned differences (issue 13): stances are counted per target, since rows of one run may
    name different targets, so the reference counts ``stances[target][stance]``; comments are
    counted per language, and those the heads do not judge have no stance.
    """

    def add(self, verdict: Verdict) -> None:
        self.total += 1
        self.languages[verdict.language or "und"] += 1
        if verdict.stance is None:
            self.unjudged += 1
        else:
            self.stances[verdict.target][verdict.stance] += 1
        self.flags.update(verdict.flags)
        self.actions[verdict.action] += 1
        self.truncated += verdict.truncated
        article = self.articles[verdict.article_id or "(none)"]
        article["comments"] += 1
        article.update(verdict.flags)
        if verdict.duplicate_of is not None:
            self.duplicates += 1
            self.duplicate_clusters.add(verdict.cluster_id or "")


@pytest.fixture(scope="module")
def marked_verdicts(moderator, corpus) -> list[Verdict]:
    """Verdicts of the corpus and the hostile strings, with every field filled somewhere."""
    judge = Moderator.load(thresholds={"spam": 0.3, "incitement": 0.3})
    comments = [
        Comment(id=f"c{i}", text=text, article_id=f"a{i % 9}" if i % 5 else None, parent_id="p")
        for i, text in enumerate(corpus[::3] + HOSTILE[1:])
    ]
    verdicts = judge.score(comments)
    for i, verdict in enumerate(verdicts):
        if i % 4 == 0:
            verdict.duplicate_of, verdict.cluster_id = f"c{i // 2}", f"{i:016x}"
        verdict.story_id = "s1" if i % 7 == 0 else None
    assert sum(bool(v.reasons) for v in verdicts) > 50
    return verdicts


def test_verdict_rows_match_asdict(marked_verdicts) -> None:
    for verdict in marked_verdicts:
        row = verdict.to_dict()
        expected = reference_to_dict(verdict)
        assert row == expected
        assert list(row) == list(expected)  # same keys, same order: the columns of the output
        assert reference_json_line(row) == reference_json_line(expected)
    assert list(marked_verdicts[0].to_dict()) == [f.name for f in dataclasses.fields(Verdict)]


def test_verdict_rows_are_copies(marked_verdicts) -> None:
    verdict = next(v for v in marked_verdicts if v.reasons and v.flags)
    before = reference_to_dict(verdict)
    row = verdict.to_dict()
    row["stance_scores"]["neutral"] = -1.0
    row["flags"].append("edited")
    for pairs in row["reasons"].values():
        pairs.append(["edited", 1.0])
        pairs[0][1] = -1.0
    row["reasons"]["new"] = []
    assert reference_to_dict(verdict) == before


# Values json.dumps handles and a row may hold, ugly ones included.
JSON_VALUES = [
    None,
    True,
    False,
    0,
    -7,
    2**70,
    0.1,
    1e-300,
    -0.0,
    float("nan"),
    float("inf"),
    float("-inf"),
    "",
    'quote " backslash \\ slash / controls \x00\x1f\x7f tab\t newline\n',
    "ünïcödé Слава 🙂 \u2028\u2029 \ud800 lone surrogate",
    [],
    [[], {}, [1, "a", None]],
    {},
    {"nested": {"deeper": [0.5, {"x": None}]}},
    (1, "tuple"),
    {1: "int key", 2.5: "float key", None: "none key", False: "bool key"},
]


def test_json_lines_match_json_dumps(marked_verdicts) -> None:
    for verdict in marked_verdicts:
        row = verdict.to_dict()
        assert output.json_line(row) == reference_json_line(row)
    for value in JSON_VALUES:
        assert output.json_line(value) == reference_json_line(value), value
        assert output.json_line({"v": value}) == reference_json_line({"v": value}), value
    with pytest.raises(TypeError, match="not JSON serializable"):
        output.json_line({"v": object()})
    assert output.json_line({"ok": 1}) == '{"ok":1}\n'  # nothing left behind by the error


def test_row_writer_writes_the_reference_lines(marked_verdicts) -> None:
    rows = [verdict.to_dict() for verdict in marked_verdicts]
    for output_format in ("jsonl", "csv"):
        stream = io.StringIO()
        writer = output.RowWriter(stream, output_format)
        for row in rows:
            writer.write(row)
        expected = io.StringIO()
        if output_format == "jsonl":
            expected.write("".join(reference_json_line(row) for row in rows))
        else:
            table = csv.writer(expected, lineterminator="\n")
            table.writerow(list(rows[0]))
            for row in rows:
                table.writerow([reference_neutralise_cell(row[column]) for column in row])
        assert stream.getvalue() == expected.getvalue()
        assert writer.count == len(rows)


@given(
    st.one_of(
        st.text(),
        st.text("=+-@\t\r x'", max_size=4),
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.lists(st.text(max_size=3) | st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=3), st.floats(), max_size=3),
    )
)
def test_csv_cells_match_reference(value) -> None:
    assert output.neutralise_cell(value) == reference_neutralise_cell(value)


def test_summary_matches_reference(marked_verdicts) -> None:
    new, old = ScoreSummary(), ReferenceSummary()
    for verdict in marked_verdicts:
        new.add(verdict)
        old.add(verdict)
    assert new.render(rejected=3) == old.render(rejected=3)
    assert (new.flags, new.articles, new.duplicate_clusters) == (
        old.flags,
        old.articles,
        old.duplicate_clusters,
    )


def test_item_tuples_match_scoring_item() -> None:
    values = [
        Comment(id="c1", text="hi", article_id="a", parent_id="p"),
        Comment(id="c2", text="x"),
        "bare text",
        {"id": 5, "text": "a dict", "target": "russia_ukraine", "article_id": "a"},
        {"text": "no id"},
    ]
    for position, value in enumerate(values, start=1):
        item = scoring_item(value, position)
        expected = (item.id, item.text, item.target, item.article_id, item.parent_id)
        assert parallel._item_tuple(value, position) == expected


# -- whitespace: the tidy check never skips a normalisation that would change the text -------

WHITESPACE_ALPHABET = " \n\r\t\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u2028\u2029\u3000\x00\x07\x7fa.é"


@settings(max_examples=2000, deadline=None)
@given(st.text(WHITESPACE_ALPHABET, max_size=12))
def test_tidy_texts_are_left_as_normalise_whitespace_leaves_them(text) -> None:
    assert dumps._normalised(text) == normalise_whitespace(text)
    if dumps._tidy(text):
        assert normalise_whitespace(text) == text


def test_tidy_check_sees_every_character_normalisation_touches() -> None:
    # normalise_whitespace changes control characters and whitespace; isprintable() is False
    # for all of them but the plain space, which the tidy check looks at on its own.
    for code in range(0x110000):
        char = chr(code)
        touched = char.isspace() or bool(re.fullmatch(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", char))
        if touched and char != " ":
            assert not char.isprintable(), hex(code)
            assert not dumps._tidy(f"a{char}b"), hex(code)


def test_tidy_on_the_corpus(corpus) -> None:
    # Pinned difference (issue 13): a dump's text field is decoded as HTML when it holds an
    # entity as well as when it holds a tag, and U+FEFF is dropped first.
    for text in corpus + HOSTILE + ["I&#39;m \ufeffhere", "a &amp; b", "x\ufeff", "<br />y"]:
        assert dumps._normalised(text) == normalise_whitespace(text)
        plain = text.replace("\ufeff", "")
        html = dumps._HTML_TAG.search(plain) or dumps._ENTITY.search(plain)
        assert dumps._plain(text) == (html_to_text(plain) if html else normalise_whitespace(plain))


# -- flat rows: the fast path gives exactly the record the general one gives -----------------

ROLE_KEYS = ["id", "ID", "text", "Text", "body", "comment", "parent_id", "article_id", "url"]
ROLE_KEYS += ["author", "name", "user", "time", "created_utc", "record", "comments", "Replies"]
ROW_VALUES = st.one_of(
    st.text(" \n\t<>/pbr&;a1é", max_size=8),
    st.sampled_from(["<p>hi</p>", "a  b", " x ", "1600000000", "1600000000000", "", "comment"]),
    st.integers(-5, 2_000_000_000_000),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.lists(st.fixed_dictionaries({"text": st.text("ab", max_size=2)}), max_size=2),
    st.dictionaries(st.sampled_from(["text", "x"]), st.text("ab", max_size=2), max_size=2),
)


def _readers(fields: dict[str, str], data: bytes | None) -> tuple[Any, Any]:
    source = Input("<text>", data=data) if data is not None else Input("d.jsonl", path=Path("d"))
    options = ParseOptions(fields=fields)
    return dumps._Reader(source, options, "jsonl"), dumps._Reader(source, options, "jsonl")


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.dictionaries(st.sampled_from(ROLE_KEYS), ROW_VALUES, max_size=6), max_size=6),
    st.sampled_from([{}, {"text": "body"}, {"id": "name", "author": "user"}, {"time": "url"}]),
    st.booleans(),
)
def test_flat_rows_give_the_records_rows_gives(rows, fields, in_memory) -> None:
    fast, general = _readers(fields, b"{}" if in_memory else None)
    for line, row in enumerate(rows, start=1):
        assert list(fast.records(row, line)) == list(general.rows(row, line))
        assert fast.position == general.position


def test_flat_rows_of_a_varied_dump_match() -> None:
    lines = [
        {"id": "c1", "article_id": "a1", "text": "plain text"},
        {"comment_id": 7, "Body": "<p>html</p> <b>x</b>", "parent_id": "c1", "created_utc": 1.6e9},
        {"id": "c3", "text": " spaced  out \n\n\n line ", "name": "bob", "user": "x"},
        {"thread_id": "t", "comments": [{"id": 1, "text": "in a thread"}]},
        {"record": "comment", "id": "n1", "text": "native"},
        {"id": True, "text": "bool id", "article": 3.5},
        {"text": "first", "Text": "second"},
        {"id": "c9", "text": "with replies", "replies": [{"text": "a reply"}]},
        {"id": "c10", "text": 5},
        {"id": "c11", "text": "   "},
        {"text": "no id at all"},
        ["not", "an", "object"],
    ]
    flat = [True, True, True, False, False, True, True, False, True, True, True, False]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    for in_memory in (True, False):
        fast, general = _readers({}, data if in_memory else None)
        probe, _ = _readers({}, data if in_memory else None)
        for line, (row, is_flat) in enumerate(zip(lines, flat, strict=True), start=1):
            expected = list(general.rows(row, line))
            assert list(fast.records(row, line)) == expected, row
            probe.position = general.position - (len(expected) if is_flat else 0)
            record = probe.flat(row, line)
            assert (record is not None) == is_flat, row
            if is_flat:
                assert [record] == expected


def test_verdicts_from_workers_are_built_field_for_field() -> None:
    sent = [("c1", "text", None, "a1", "p1"), ("c2", "more", None, None, None)]
    answers = [
        ("t", "neutral", {"neutral": 1.0}, 0.25, 0.5, ["spam"], "review", {"spam": []}, True, "en"),
        ("t", "pro", {"pro": 0.75}, 0.0, 0.0, [], "approve", {}, False, "und"),
    ]
    expected = [
        Verdict(
            id=id_,
            text=text,
            target=target,
            stance=stance,
            stance_scores=scores,
            spam=spam,
            incitement=incitement,
            flags=flags,
            action=action,
            reasons=reasons,
            article_id=article_id,
            parent_id=parent_id,
            truncated=truncated,
            language=language,
        )
        for (id_, text, _, article_id, parent_id), (
            target,
            stance,
            scores,
            spam,
            incitement,
            flags,
            action,
            reasons,
            truncated,
            language,
        ) in zip(sent, answers, strict=True)
    ]
    assert list(parallel._verdicts(sent, answers)) == expected
