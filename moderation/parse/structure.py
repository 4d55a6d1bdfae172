"""Find the comments of a page that no selector knows, from the shape of its markup.

A comment section is a container whose children are blocks of one shape, each carrying the
signs of a comment: an author (a name element, a profile link), an avatar, a date, a
permalink or numbered id, reply / quote / report / like controls, vote counts, and class
names that say comment, reply or review in the site's language. Article paragraphs carry
none of these; navigation, teaser lists and product grids are mostly links, headlines and
prices; a comment form holds inputs. Every element is scored once, bottom-up, so a page
costs one pass over its tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from moderation.parse.commentlines import is_toolbar_line
from moderation.parse.dates import find_date
from moderation.parse.names import (
    ACTION_WORDS,
    AUTHOR_WORDS,
    CHROME_WORDS,
    COMMENT_WORDS,
    DATE_WORDS,
    FORUM_WORDS,
    has_word,
    name_tokens,
    tokens_of,
)
from moderation.parse.nearness import in_chrome, is_comment_area
from moderation.parse.text import text_content

__all__ = ["Signals", "find_blocks", "page_signals"]

AUTHOR, AVATAR, TIME, CONTROL, PERMALINK, HEADER, VOTE, NAMED, FORM, HEADLINE, PRICE, META = (
    1 << bit for bit in range(12)
)
# What marks an element (not its descendants) as a comment's header or toolbar, not its text.
META_BITS = AUTHOR | AVATAR | TIME | CONTROL | PERMALINK | HEADER | VOTE | META

# Parts longer than this are never header or toolbar, whatever their names say.
SHORT_META = 160
# Elements that hold text blocks rather than a header's or toolbar's words.
_BLOCKS = frozenset(
    {"p", "blockquote", "pre", "ul", "ol", "div", "section", "article", "dd", "td", "li"}
)
_TEXT_TAGS = frozenset({"p", "blockquote", "pre"})
_SKIP = frozenset({"script", "style", "template", "svg", "head", "title", "meta", "link"})
# Marks a tag gives whatever its attributes.
_TAG_MARKS = {"time": TIME, "form": FORM, "textarea": FORM, "button": CONTROL}
_HEADLINE_TAGS = frozenset({"h1", "h2", "h3", "h4"})
_DIGITS = re.compile(r"\d+")
_PROFILE_HREF = re.compile(r"/(?:user|users|u|member|members|profile|profil|autoren|people)/", re.I)
_AVATAR = re.compile(r"avatar|gravatar|userpic|profile[_-]?(?:pic|image|photo)", re.I)
_FRAGMENT = re.compile(r"#(?:[\w-]*comment|c|p|post|r|reply|msg|kommentar)?[\w-]*\d", re.I)
# A comment's header line: "Anna schrieb:", "Kommentar von Ben", "posted by Cy on".
_HEADER_TEXT = re.compile(
    r"^.{1,50}\b(?:schrieb|schreibt|sagt|says|said|wrote|writes|meint|a écrit|escribió"
    r"|ha scritto|napisał|schreef)\s*:?\s*$"
    r"|\b(?:kommentar|comment|antwort|reply|beitrag|post|réponse|respuesta)\w*\s+(?:von|by|from|de|di)\b"
    r"|\b(?:geschrieben|verfasst|posted|written|submitted|commented)\s+(?:von|by|am|on)\b",
    re.I,
)
# A heading that names the thread: "Kommentare", "3 Comments", "Leserkommentare (12)",
# "Réactions des lecteurs", "Comments on this story" (up to three words after the noun).
_COMMENTS_HEADING = re.compile(
    r"\W*(?:\d+\s+)?(?:leser|user|reader)?\s*(?:comments?|kommentare?|commentaires?"
    r"|comentarios?|commenti|komentarze?|reacties|r[eé]actions?|reaktionen|diskussion"
    r"|discussion|responses?|antworten|replies|leserbriefe|meinungen|reviews?|bewertungen"
    r"|avis|opiniones|respuestas|risposte)"
    r"\s*(?:\(\d+\)|\d+)?(?:\s+[\w'’]+){0,3}\W*",
    re.I,
)
_PRICE = re.compile(r"[€$£]\s?\d|\d[.,]\d\d\s?(?:€|eur\b|usd\b|chf\b)", re.I)
_CURRENCY_WORDS = ("price", "preis", "prix", "precio", "cart", "warenkorb", "product", "produkt")
_META_WORDS = ("header", "meta", "info", "byline", "footer", "toolbar", "actions", "tools", "bar")
_CONTROL_WORDS = (*ACTION_WORDS, "score", "karma", "points", "permalink", "action", "toolbar")
_VOTE_WORDS = ("vote", "score", "points", "karma", "likes", "rating", "thumbs")
_AREA_WORDS = ("list", "area", "section", "wrapper", "container", "holder", "box", "wrap")
_PLURAL_COMMENTS = ("comments", "kommentare", "commentaires", "comentarios", "commenti")


_MARK_WORDS = (
    (AUTHOR_WORDS, AUTHOR),
    (("avatar", "gravatar", "userpic"), AVATAR),
    (DATE_WORDS, TIME),
    (_CONTROL_WORDS, CONTROL),
    (_VOTE_WORDS, VOTE),
    (COMMENT_WORDS, NAMED),
    (_META_WORDS, META),
    (_CURRENCY_WORDS, PRICE),
)


# The same test as names.has_word, one regular expression per vocabulary, on " "-joined tokens.
_MARK_PATTERNS = tuple(
    (re.compile(" (?:" + "|".join(map(re.escape, words)) + ")"), mark)
    for words, mark in _MARK_WORDS
)


@dataclass(slots=True)
class Signals:
    """Per element: its own marks, the marks of its subtree, its text and link text length."""

    own: dict[etree._Element, int] = field(default_factory=dict)
    subtree: dict[etree._Element, int] = field(default_factory=dict)
    text: dict[etree._Element, int] = field(default_factory=dict)
    links: dict[etree._Element, int] = field(default_factory=dict)
    free: dict[etree._Element, int] = field(default_factory=dict)  # text outside meta parts
    # How many separate dates and authors the subtree holds (innermost marked elements).
    times: dict[etree._Element, int] = field(default_factory=dict)
    authors: dict[etree._Element, int] = field(default_factory=dict)


def _direct_text(element: etree._Element) -> str:
    parts = [element.text or ""]
    parts.extend(child.tail or "" for child in element)
    return " ".join("".join(parts).split())


@lru_cache(maxsize=16384)
def _words_marks(value: str) -> int:
    """Marks from the words of one class or id value (cached: pages repeat their classes)."""
    joined = " " + " ".join(tokens_of(value))
    marks = 0
    for pattern, mark in _MARK_PATTERNS:
        if pattern.search(joined):
            marks |= mark
    return marks


def _name_marks(element: etree._Element) -> int:
    marks = AUTHOR if element.tag == "cite" else 0
    value = element.get("class")
    if value:
        marks |= _words_marks(value)
    value = element.get("id")
    if value:  # numbers mark nothing: "comment-17" and "comment-18" share one cache entry
        marks |= _words_marks(_DIGITS.sub("0", value))
    return marks


def _attribute_marks(element: etree._Element) -> int:
    tag = element.tag
    marks = _TAG_MARKS.get(tag, 0)
    if tag in _HEADLINE_TAGS and element.find(".//a") is not None:
        marks |= HEADLINE
    if not element.attrib:
        return marks
    itemprop = (element.get("itemprop") or "").lower()
    if "author" in itemprop or "creator" in itemprop or "author" in (element.get("rel") or ""):
        marks |= AUTHOR
    if element.get("datetime") or "date" in itemprop:
        marks |= TIME
    if tag == "a":
        href = element.get("href") or ""
        if _PROFILE_HREF.search(href):
            marks |= AUTHOR
        if _FRAGMENT.search(href) or "bookmark" in (element.get("rel") or ""):
            marks |= PERMALINK
    elif tag == "img":
        described = " ".join(element.get(a) or "" for a in ("src", "alt", "class"))
        if _AVATAR.search(described):
            marks |= AVATAR
    return marks


@lru_cache(maxsize=8192)
def _text_marks(direct: str) -> int:
    """Marks from an element's own words: a date, a header ("Anna schrieb"), a toolbar, a price."""
    if not direct or len(direct) > 120:
        return 0
    marks = 0
    if _HEADER_TEXT.search(direct):
        marks |= HEADER
    if _DIGITS.search(direct):
        if find_date(direct) is not None:
            marks |= TIME
        if _PRICE.search(direct):
            marks |= PRICE
    elif len(direct) <= 40 and find_date(direct) is not None:
        marks |= TIME  # "yesterday", "vor einer Stunde"
    if not marks & TIME and len(direct) <= 40 and is_toolbar_line(direct):
        marks |= CONTROL  # "12/03/2019 14:05" is all digits and separators, but a date
    return marks


def page_signals(body: etree._Element) -> Signals:
    """Score every element of the page once, children before parents."""
    signals = Signals()
    own_of, subtree_of, text_of = signals.own, signals.subtree, signals.text
    links_of, free_of = signals.links, signals.free
    times_of, authors_of = signals.times, signals.authors
    for element in reversed(list(body.iter(etree.Element))):  # elements only, no comments
        tag = element.tag
        if tag in _SKIP:
            own_of[element] = subtree_of[element] = text_of[element] = links_of[element] = 0
            free_of[element] = times_of[element] = authors_of[element] = 0
            continue
        direct = _direct_text(element)
        own = _name_marks(element) | _attribute_marks(element) | _text_marks(direct)
        subtree, text, links, free = own, len(direct), 0, len(direct)
        times = authors = 0
        children = list(element.iterchildren(etree.Element))
        for child in children:
            subtree |= subtree_of[child]
            text += text_of[child]
            links += links_of[child]
            free += free_of[child]
            times += times_of[child]
            authors += authors_of[child]
        # a date alone in a paragraph of the text ("20.05.2019" above a quote) is marked but
        # not counted as one of the block's dates: a comment quoting dated items stays compact
        times_of[element] = times or int(bool(own & TIME) and tag not in _TEXT_TAGS)
        authors_of[element] = authors or int(bool(own & AUTHOR))
        if tag == "a":
            links = text
        if own & FORM:
            free = 0
        elif own & META_BITS:
            # a header or toolbar part holds no comment text of its own, only that of blocks
            # in it (a theme that puts a paragraph in its header; a comment whose class names
            # its author, "comment-author-anna"); a long one (a forum's "member" item, an old
            # theme's author box around the text) holds all its children's text
            blocks = (free_of[c] for c in children if c.tag in _BLOCKS)
            free = sum(blocks) if text <= SHORT_META else free - len(direct)
        own_of[element], subtree_of[element] = own, subtree
        text_of[element], links_of[element], free_of[element] = text, links, free
    return signals


def _bits(marks: int) -> int:
    return bin(marks).count("1")


def _block_score(element: etree._Element, signals: Signals) -> int:
    """How much an element looks like one comment (its subtree's marks, its own names)."""
    text = signals.text[element]
    if text < 2:
        return -99
    marks = signals.subtree[element]
    tokens = name_tokens(element)
    score = 0
    if has_word(tokens, COMMENT_WORDS):
        score += 3
    elif has_word(tokens, FORUM_WORDS):
        score += 1
    if any(token.isdigit() and len(token) >= 2 for token in tokens) or element.get("data-id"):
        score += 1
    score += 2 * bool(marks & AUTHOR) + bool(marks & AVATAR) + 2 * bool(marks & TIME)
    score += 2 * bool(marks & CONTROL) + bool(marks & PERMALINK) + 2 * bool(marks & HEADER)
    score += bool(marks & VOTE) + bool(marks & NAMED & ~signals.own[element])
    if marks & FORM:
        score -= 4
    if marks & HEADLINE:
        score -= 2
    if marks & PRICE:
        score -= 3
    if has_word(tokens, CHROME_WORDS):
        score -= 4
    if any(t in _PLURAL_COMMENTS for t in tokens) or has_word(tokens, _AREA_WORDS):
        score -= 3
    if signals.links[element] > 0.6 * text:
        score -= 4
    return score


def _heading_says_comments(element: etree._Element) -> bool:
    """Whether a nearby heading before the element's container names the comments."""
    for candidate in (element, element.getparent()):
        if candidate is None:
            continue
        before = candidate.getprevious()
        for _ in range(3):
            if before is None:
                break
            if isinstance(before.tag, str):
                words = " ".join(text_content(before).split())
                if words and len(words) <= 60 and _COMMENTS_HEADING.fullmatch(words):
                    return True
            before = before.getprevious()
    return False


def _in_comment_area(element: etree._Element, levels: int = 4) -> bool:
    for depth, ancestor in enumerate(element.iterancestors()):
        if depth >= levels:
            break
        if is_comment_area(ancestor):
            return True
    return False


def _shape(element: etree._Element) -> tuple[str, frozenset[str]]:
    tokens = frozenset(t for t in name_tokens(element) if not t.isdigit() and len(t) > 2)
    return element.tag, tokens


def _same_shape(a: tuple[str, frozenset[str]], b: tuple[str, frozenset[str]]) -> bool:
    return a[0] == b[0] and (a[1] == b[1] or bool(a[1] & b[1]))


def _strong(element: etree._Element, signals: Signals, context: bool) -> bool:
    """Evidence beyond "has a date": a time (or a header line) and at least one of a comment
    name, an author, a header line, or a comment heading or area around the block. A comment
    form, or a block whose text is all header and toolbar, is never one."""
    marks = signals.subtree[element]
    if marks & FORM or signals.free.get(element, 0) < 8:
        return False
    named = has_word(name_tokens(element), COMMENT_WORDS)
    if not marks & (TIME | HEADER) and not (named and marks & AUTHOR):
        return False
    return named or context or bool(marks & (AUTHOR | HEADER))


def _may_be_strong(element: etree._Element, signals: Signals) -> bool:
    """What :func:`_strong` asks before anything else: text of its own, no form, an author,
    a date or a header line."""
    marks = signals.subtree.get(element, 0)
    return (
        bool(marks & (TIME | HEADER | AUTHOR))
        and not marks & FORM
        and signals.free.get(element, 0) >= 8
    )


def _accepted_children(parent: etree._Element, signals: Signals) -> Iterator[etree._Element]:
    children = [c for c in parent if isinstance(c.tag, str) and signals.text.get(c, 0) >= 2]
    if not any(_may_be_strong(child, signals) for child in children):
        return  # nothing here can be a comment: the scoring below is spared
    area = _in_comment_area(children[0], 2)
    scores: dict[etree._Element, int] = {}
    contexts: dict[etree._Element, bool] = {}
    for child in children:
        score = _block_score(child, signals)
        contexts[child] = area or (score >= 2 and _heading_says_comments(child))
        scores[child] = score + 2 * contexts[child]
    shapes = {c: _shape(c) for c in children}
    for child in children:
        score, context = scores[child], contexts[child]
        if score < 4 or not _strong(child, signals, context):
            continue
        repeated = any(
            other is not child and scores[other] >= 4 and _same_shape(shapes[child], shapes[other])
            for other in children
        )
        named = has_word(name_tokens(child), COMMENT_WORDS)
        marks = signals.subtree[child]
        alone = (score >= 7 and (named or context)) or (
            score >= 6 and context and bool(marks & (HEADER | AUTHOR))
        )
        if repeated or alone:
            yield child


def _compact(child: etree._Element, signals: Signals, inner: list[etree._Element]) -> bool:
    """One comment holds one date besides those of the replies inside it: a block with more
    is a column or a teaser list that gathers several, and a block around replies that has
    no date of its own is their list, not their parent."""
    times = signals.times.get(child, 0) - sum(signals.times.get(b, 0) for b in inner)
    return times <= 2 and (not inner or times >= 1)


def _comment_evidence(child: etree._Element, signals: Signals) -> bool:
    """Something says comment: a name, a comment area or heading around, a header line."""
    if signals.subtree[child] & (NAMED | HEADER):
        return True
    return _in_comment_area(child, 6) or _heading_says_comments(child)


def _in_article(element: etree._Element, article: etree._Element | None) -> bool:
    """Inside the article's text with no comment area in between (a live blog's updates)."""
    if article is None:
        return False
    for ancestor in element.iterancestors():
        if ancestor is article:
            return True
        if is_comment_area(ancestor):
            return False
    return False


def _is_head(element: etree._Element, signals: Signals) -> bool:
    """A comment's header printed as a sibling of its text: author or date, no text."""
    return (
        bool(signals.subtree.get(element, 0) & (AUTHOR | TIME))
        and signals.free.get(element, 0) < 8
        and signals.text.get(element, 0) <= SHORT_META
    )


def _pairs(parent: etree._Element, signals: Signals) -> list[tuple[etree._Element, etree._Element]]:
    """Header and text siblings that make one comment each (``<dt>`` author and date, then
    ``<dd>`` text; a table row of header, then one of text), when they repeat."""
    children = [c for c in parent if isinstance(c.tag, str) and signals.text.get(c, 0) >= 2]
    pairs = [
        (head, text)
        for head, text in zip(children, children[1:], strict=False)
        if _is_head(head, signals)
        and not _is_head(text, signals)
        and signals.free.get(text, 0) >= 8
        and not signals.subtree.get(text, 0) & FORM
    ]
    if len(pairs) < 2 or 3 * len(pairs) < len(children):
        return []
    tags = {(head.tag, text.tag) for head, text in pairs}
    return pairs if len(tags) == 1 else []


def _wrap_pairs(body: etree._Element, signals: Signals) -> None:
    """Put each repeated header-and-text pair of siblings in one element, scored as the two."""
    for parent in [p for p in body.iter() if isinstance(p.tag, str) and len(p) >= 4]:
        for head, text in _pairs(parent, signals):
            wrapper = parent.makeelement("div", {})
            if head.get("id"):
                wrapper.set("data-comment-id", head.get("id"))
            wrapper.sourceline = head.sourceline
            head.addprevious(wrapper)
            wrapper.extend((head, text))  # moves both, tails with them
            _score_wrapper(wrapper, signals)


def _score_wrapper(wrapper: etree._Element, signals: Signals) -> None:
    parts = list(wrapper)
    signals.own[wrapper] = 0
    signals.subtree[wrapper] = signals.subtree[parts[0]] | signals.subtree[parts[1]]
    for table in (signals.text, signals.links, signals.free, signals.times, signals.authors):
        table[wrapper] = sum(table.get(part, 0) for part in parts)


def find_blocks(
    root: etree._Element,
    signals: Signals | None = None,
    article: etree._Element | None = None,
) -> list[etree._Element]:
    """Elements that each hold one comment, in document order (replies nested in them too).

    Blocks in page chrome (by nearness), in a comment form, inside the ``article`` text
    element, or holding the page's ``<h1>`` or most of its text are left out.
    """
    body = root.find("body")
    if body is None:
        body = root
    signals = signals or page_signals(body)
    _wrap_pairs(body, signals)
    total = max(signals.text.get(body, 1), 1)
    found: list[etree._Element] = []
    parents = [p for p in body.iter() if isinstance(p.tag, str) and p.tag not in _SKIP and len(p)]
    for parent in reversed(parents):  # innermost first, so that a block knows its replies
        if signals.subtree.get(parent, 0) & ~(FORM | HEADLINE | PRICE) == 0:
            continue
        for child in _accepted_children(parent, signals):
            if signals.text[child] > 0.6 * total or child.find(".//h1") is not None:
                continue
            if child is article or _in_article(child, article):
                continue
            inner = [b for b in found if _is_below(b, child)]
            if not _compact(child, signals, _outermost(inner)):
                continue
            if _comment_evidence(child, signals) and not in_chrome(child):
                found.append(child)
    return found[::-1]


def _is_below(element: etree._Element, ancestor: etree._Element) -> bool:
    return any(a is ancestor for a in element.iterancestors())


def _outermost(elements: list[etree._Element]) -> list[etree._Element]:
    chosen = set(elements)
    return [e for e in elements if not any(a in chosen for a in e.iterancestors())]
