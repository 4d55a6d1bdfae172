"""What the class and id names of an HTML element say it is, in the words sites use.

Sites name their markup in their own language and style: ``kommentar-item``, ``commentText``,
``comentario_autor``, ``xenforo-comment``, ``bb_message_12``. :func:`name_tokens` splits such
names into lower-case words (on ``-``, ``_``, other punctuation, camelCase and letter/digit
boundaries), and the vocabularies below say which words mean a comment, its author, its date,
its toolbar, or page chrome. A token matches a word when it starts with it, so ``comments``,
``commentlist`` and ``kommentare`` match ``comment`` and ``kommentar``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from lxml import etree

__all__ = [
    "AUTHOR_WORDS",
    "CHROME_WORDS",
    "COMMENT_WORDS",
    "ACTION_WORDS",
    "CONTROL_WORDS",
    "DATE_WORDS",
    "FORUM_WORDS",
    "has_word",
    "name_tokens",
    "tokens_of",
]

_SPLIT = re.compile(r"[^0-9A-Za-z\u00c0-\u024f]+")
_CAMEL = re.compile(r"(?<=[a-z\u00df-\u00ff])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=\D)(?=\d)")

# A comment, a reply or a review, in the languages of the pages the reader meets.
COMMENT_WORDS = (
    "comment",  # en, fr commentaire, it commento
    "coment",  # es / pt comentario, comentário
    "komment",  # de Kommentar, pl komentarz (below), nl
    "komentar",
    "kommentaar",
    "reactie",  # nl
    "reply",
    "replies",
    "antwort",  # de
    "reponse",  # fr
    "respuesta",  # es
    "risposta",  # it
    "review",
    "bewertung",  # de
    "avis",  # fr
    "opinion",
    "leserbrief",  # de: letters to the editor
    "talkback",
    "discussion",
    "diskussion",
    "thread",
)
# Forum posts: a comment when the page is a thread, but also a blog's article teaser.
FORUM_WORDS = ("post", "message", "beitrag", "topic", "answer", "entry")
AUTHOR_WORDS = (
    "author",
    "autor",
    "auteur",
    "autore",
    "verfasser",
    "user",
    "username",
    "nick",
    "poster",
    "member",
    "name",
    "fn",
    "byline",
    "signature",
    "benutzer",
    "usuario",
    "utilisateur",
    "profile",
    "profil",
    "commenter",
)
DATE_WORDS = (
    "date",
    "time",
    "timestamp",
    "datum",
    "zeit",
    "fecha",
    "hora",
    "heure",
    "posted",
    "published",
    "created",
    "ago",
)
# What a comment's own buttons and links say: reply, report, vote, like, edit. Each reader
# below adds the words its own test needs.
ACTION_WORDS = (
    "reply",
    "antwort",
    "respond",
    "report",
    "melden",
    "flag",
    "abuse",
    "like",
    "vote",
    "upvote",
    "downvote",
    "rating",
    "edit",
    "delete",
)
# Toolbars and meta of one comment: reply, quote, report, vote, like, share, edit.
CONTROL_WORDS = (
    *ACTION_WORDS,
    "quote",
    "zitat",
    "zitier",
    "score",
    "karma",
    "points",
    "share",
    "permalink",
    "action",
    "toolbar",
    "button",
    "btn",
    "footer",
    "meta",
    "avatar",
    "gravatar",
    "icon",
)
# Page chrome: never a comment list, and a comment list is never inside one that is nearer.
CHROME_WORDS = (
    "nav",
    "menu",
    "sidebar",
    "widget",
    "breadcrumb",
    "pagination",
    "pager",
    "related",
    "teaser",
    "recommend",
    "promo",
    "sponsor",
    "advert",
    "banner",
    "newsletter",
    "subscribe",
    "social",
    "cookie",
    "popular",
    "trending",
    "recent",
    "latest",
    "neueste",
    "product",
    "shop",
    "cart",
    "price",
    "gallery",
    "carousel",
    "slider",
    "tagcloud",
    "archive",
    "categor",
)


def _tokens(value: str) -> tuple[str, ...]:
    words: list[str] = []
    for part in _SPLIT.split(value):
        words.extend(piece.lower() for piece in _CAMEL.split(part) if piece)
    return tuple(words)


@lru_cache(maxsize=8192)
def _cached_tokens(value: str) -> tuple[str, ...]:
    return _tokens(value)


def tokens_of(value: str) -> tuple[str, ...]:
    """The lower-case words of one class or id value.

    >>> tokens_of("mtbnewsCommentList c_12")
    ('mtbnews', 'comment', 'list', 'c', '12')
    """
    return _cached_tokens(value) if value.strip() else ()


def name_tokens(element: etree._Element) -> tuple[str, ...]:
    """The words of an element's class and id names, lower case.

    >>> from lxml import html
    >>> name_tokens(html.fragment_fromstring('<div class="kommentarItem js-x" id="c_12"></div>'))
    ('kommentar', 'item', 'js', 'x', 'c', '12')
    """
    value = (element.get("class") or "") + " " + (element.get("id") or "")
    return _cached_tokens(value) if value.strip() else ()


def has_word(tokens: Iterable[str], words: Iterable[str]) -> bool:
    """Whether any token starts with any of the words."""
    words = tuple(words)
    return any(token.startswith(words) for token in tokens)
