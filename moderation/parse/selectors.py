"""Every XPath the HTML page reader uses, precompiled in one place so that markup knowledge is
reviewable and testable apart from the code that walks the tree.

Each ``*_XPATH`` name is a list of :class:`lxml.etree.XPath` expressions, or of
:class:`~moderation.parse.query.Query` objects where an expression tests long lists of class
names or every ancestor of many elements: a query is called the same way, gives the same
elements (the tests check it against the expression it keeps) and costs a fraction of the time
libxml2 takes over the expression. Lists are tried in
order and the first expression that finds something wins, except :data:`COMMENT_ITEM_XPATH`,
whose matches are all merged (a page can mix markups, such as a comment list plus a separate
trackback list) and deduplicated by the reader. Expressions are built from the named token
tuples below by :func:`_alt`, so adding a theme usually means adding one word to one tuple.

Class tokens are matched as whole words (``comment`` matches ``class="comment even"`` but not
``class="comment-form"``) and are case-sensitive, as browsers match them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from lxml import etree

from moderation.parse.query import Query, Scope, class_pattern

__all__ = [
    "ARTICLE_BODY_XPATH",
    "ARTICLE_CAPTION_XPATH",
    "ARTICLE_DATE_XPATH",
    "ARTICLE_SITE_XPATH",
    "ARTICLE_STRIP_XPATH",
    "ARTICLE_TITLE_XPATH",
    "ARTICLE_URL_XPATH",
    "COMMENT_AUTHOR_XPATH",
    "COMMENT_BODY_XPATH",
    "COMMENT_CHROME_XPATH",
    "COMMENT_DATE_XPATH",
    "COMMENT_ID_XPATH",
    "COMMENT_ITEM_XPATH",
    "SEMANTIC_ITEM_XPATH",
    "LIST_BETWEEN_XPATH",
    "PINGBACK_XPATH",
    "REPLY_LIST_XPATH",
    "TRACKBACK_XPATH",
]


def _alt(conditions: Iterable[str]) -> str:
    """Join XPath conditions with ``or``; an empty group is a bug here, not "match nothing"."""
    parts = list(conditions)
    if not parts:
        raise ValueError("empty selector group: give at least one condition")
    return "(" + " or ".join(parts) + ")"


def _has_class(token: str) -> str:
    """Condition: the context element's class attribute holds ``token`` as a whole word."""
    # The plain substring test first: it is cheap and rules out almost every element, so
    # the exact whole-word test (normalize-space, concat) runs on few.
    return (
        f"(contains(@class, '{token}')"
        f" and contains(concat(' ', normalize-space(@class), ' '), ' {token} '))"
    )


def _any_class(tokens: Iterable[str]) -> str:
    return _alt(_has_class(token) for token in tokens)


def _any_id(ids: Iterable[str]) -> str:
    return "(@id and " + _alt(f"@id='{name}'" for name in ids) + ")"


def _any_id_prefix(prefixes: Iterable[str]) -> str:
    return _alt(f"starts-with(@id, '{prefix}')" for prefix in prefixes)


def _any_tag(tags: Iterable[str]) -> str:
    return _alt(f"self::{tag}" for tag in tags)


def _compile(*expressions: str | Query) -> list[etree.XPath | Query]:
    return [e if isinstance(e, Query) else etree.XPath(e) for e in expressions]


def _classes(tokens: Iterable[str], scope: Scope = "descendants") -> Query:
    """``.//*`` (or ``//*``) elements whose class holds one of ``tokens``, as a query."""
    tokens = tuple(tokens)
    axis = "//*" if scope == "document" else ".//*"
    return Query(f"{axis}[{_any_class(tokens)}]", scope=scope, classes=tokens)


# --- Where comments are not ------------------------------------------------------------------

# The reply form, cut out of a comment that prints one inline. Whether a matched item sits in a
# form, widget, sidebar or navigation is decided by nearness (moderation.parse.nearness), not by
# these expressions: Blogger wraps each thread in a widget, broken pages leave a <nav> open.
RESPOND_IDS = ("respond", "commentform", "comment-form", "reply-form")

# --- Comment items ------------------------------------------------------------------------------

# li items of a threaded list: WordPress ol.commentlist / .comment-list (pingbacks and
# trackbacks sit in the same list), wordpress.com "highlander", the old Disqus plugin's
# ul#dsq-comments (li.comment, li.post.pingback).
LIST_ITEM_CLASSES = ("comment", "pingback", "trackback", "highlander-comment")
# Elements that are one comment whatever their tag: Avada's .the-comment, BEM .c-comment,
# Drupal 8's article.comment.js-comment.
ITEM_CLASSES = ("the-comment", "c-comment", "js-comment")
# Tags that may carry a bare class="comment" (Drupal 7, the Disqus no-script fallback
# div.comment, news sites); ambiguous, so only inside something whose id or class says comment.
BLOCK_TAGS = ("div", "article", "section")
# Tags that may carry a generic id="comment-<number>".
ID_ITEM_TAGS = ("li", "div", "article", "section")
# Forum software (Invision Power Board in taz.de's openNewspaper): li.member / li.guest.
FORUM_ID_PREFIXES = ("bb_message_",)
# Thesis theme: <dl id="comment_list"><dt class="comment"> author and date, <dd> the text.
DEFINITION_ITEM_CLASSES = ("comment",)
# Thesis theme again: trackbacks listed apart, as plain links.
TRACKBACK_LIST_IDS = ("trackback_list", "trackbacks")
PINGBACK_LIST_IDS = ("pings", "pingbacks", "pingback_list")

_IN_COMMENT_AREA = (
    "[ancestor::*[contains(@id, 'comment') or contains(@class, 'comment') or @id='disqus_thread']]"
)
# id="comment-123": the suffix is digits only, so "comment-form" or "comment-body-1" do not match.
_COMMENT_NUMBER_ID = (
    "(starts-with(@id, 'comment-') and string-length(@id) > 8"
    " and translate(substring(@id, 9), '0123456789', '') = '')"
)

_COMMENT_NUMBER = re.compile(r"comment-[0-9]+")


def _in_comment_area(element: etree._Element) -> bool:
    """:data:`_IN_COMMENT_AREA`: an ancestor whose id or class holds "comment"."""
    for ancestor in element.iterancestors():
        name = ancestor.get("id") or ""
        if (
            "comment" in name
            or name == "disqus_thread"
            or "comment" in (ancestor.get("class") or "")
        ):
            return True
    return False


def _comment_number_id(element: etree._Element) -> bool:
    """:data:`_COMMENT_NUMBER_ID`: ``id="comment-<digits>"``."""
    name = element.get("id")
    return name is not None and _COMMENT_NUMBER.fullmatch(name) is not None


def _parent_id_in(ids: tuple[str, ...]) -> Callable[[etree._Element], bool]:
    """``[@id and (...)]/li``: the element's parent has one of ``ids``."""

    def test(element: etree._Element) -> bool:
        parent = element.getparent()
        return parent is not None and parent.get("id") in ids

    return test


def _ancestor_id_in(ids: tuple[str, ...]) -> Callable[[etree._Element], bool]:
    """``ancestor::*[@id and (...)]``: an ancestor has one of ``ids``."""

    def test(element: etree._Element) -> bool:
        return any(ancestor.get("id") in ids for ancestor in element.iterancestors())

    return test


COMMENT_ITEM_XPATH = _compile(
    Query(
        f"//li[{_any_class(LIST_ITEM_CLASSES)}]",
        scope="document",
        tags=("li",),
        classes=LIST_ITEM_CLASSES,
    ),
    _classes(ITEM_CLASSES, "document"),
    Query(
        f"//*[{_any_tag(BLOCK_TAGS)}][{_has_class('comment')}]{_IN_COMMENT_AREA}",
        scope="document",
        tags=BLOCK_TAGS,
        classes=("comment",),
        test=_in_comment_area,
    ),
    Query(
        f"//*[{_any_tag(ID_ITEM_TAGS)}][{_COMMENT_NUMBER_ID}]",
        scope="document",
        tags=ID_ITEM_TAGS,
        test=_comment_number_id,
    ),
    Query(
        f"//li[{_any_id_prefix(FORUM_ID_PREFIXES)}]",
        scope="document",
        tags=("li",),
        test=lambda element: (element.get("id") or "").startswith(FORUM_ID_PREFIXES),
    ),
    Query(
        f"//dl/dt[{_any_class(DEFINITION_ITEM_CLASSES)}]",
        scope="document",
        tags=("dt",),
        classes=DEFINITION_ITEM_CLASSES,
        test=lambda element: getattr(element.getparent(), "tag", None) == "dl",
    ),
    Query(
        f"//*[{_any_id(TRACKBACK_LIST_IDS + PINGBACK_LIST_IDS)}]/li",
        scope="document",
        tags=("li",),
        test=_parent_id_in(TRACKBACK_LIST_IDS + PINGBACK_LIST_IDS),
    ),
)

# schema.org comments and reviews as microdata (itemtype) or RDFa (typeof), read when no markup
# above matches: shop review widgets, news sites' comment modules, Q&A answers.
SEMANTIC_TYPES = ("Comment", "Review", "UserComments", "Answer")
_ITEMTYPE = _alt(
    f"substring(@itemtype, string-length(@itemtype) - {len(name)}) = '/{name}'"
    for name in SEMANTIC_TYPES
)
_TYPEOF = _alt(
    f"contains(concat(' ', normalize-space(@typeof), ' '), '{prefix}{name} ')"
    for name in SEMANTIC_TYPES
    for prefix in (" ", ":")
)
SEMANTIC_ITEM_XPATH = _compile(f"//*[@itemtype][{_ITEMTYPE}]", f"//*[@typeof][{_TYPEOF}]")

# Lists that hold replies. When one is the next sibling of a comment rather than inside it
# (wordpress.com "highlander" writes </li><ul class="children">, Drupal <div class="indented">
# after the article), its replies belong to that preceding comment.
REPLY_LIST_CLASSES = (
    "children",
    "replies",
    "indented",
    "thread",
    "comment-replies",
    "comment-children",
    "c-comment__replies",
    "sub-comments",
)
_REPLY_LIST = class_pattern(REPLY_LIST_CLASSES).search
REPLY_LIST_XPATH = _compile(
    Query(
        f"boolean(self::*[{_any_class(REPLY_LIST_CLASSES)}])",
        scope="self",
        classes=REPLY_LIST_CLASSES,
    )
)
# A list between two nested items makes the inner one a reply (li.comment > ol.children >
# li.comment); without one, the inner item may be the same comment matched twice.
LIST_BETWEEN_XPATH = _compile(
    Query(
        f"boolean(self::*[self::ul or self::ol or self::dl or {_any_class(REPLY_LIST_CLASSES)}])",
        scope="self",
        test=lambda element: (
            element.tag in ("ul", "ol", "dl") or _REPLY_LIST(element.get("class") or "") is not None
        ),
    )
)

PINGBACK_XPATH = _compile(
    Query(f"boolean(self::*[{_has_class('pingback')}])", scope="self", classes=("pingback",)),
    Query(
        f"boolean(ancestor::*[{_any_id(PINGBACK_LIST_IDS)}])",
        scope="self",
        test=_ancestor_id_in(PINGBACK_LIST_IDS),
    ),
)
TRACKBACK_XPATH = _compile(
    Query(f"boolean(self::*[{_has_class('trackback')}])", scope="self", classes=("trackback",)),
    Query(
        f"boolean(ancestor::*[{_any_id(TRACKBACK_LIST_IDS)}])",
        scope="self",
        test=_ancestor_id_in(TRACKBACK_LIST_IDS),
    ),
)

# --- Inside one comment (relative to the item) -------------------------------------------------

COMMENT_ID_XPATH = _compile(
    "@id",
    "@data-comment-id",
    # Drupal 7 puts the anchor before the comment: <a id="comment-12"></a><div class="comment">.
    "preceding-sibling::*[1][self::a][starts-with(@id, 'comment-')]/@id",
)

# The comment's own text. Order matters: in WordPress .comment-body wraps the whole comment
# (author, date, reply link) and .comment-content is the text; in the Disqus no-script
# fallback .comment-body is the text.
BODY_CLASSES = (
    "field-name-comment-body",  # Drupal 7
    "field--name-comment-body",  # Drupal 8+
    "comment-content",  # WordPress core
    "c-comment__content",  # BEM
    "comment-text",  # Avada .the-comment, many themes
    "commentText",  # mdr.de
    "comment_text",
    "comment-message",
    "dsq-comment-message",  # the old Disqus WordPress plugin
    "contenttext",  # wordpress.com highlander
    "comment-entry",
)
COMMENT_BODY_XPATH = _compile(
    _classes(BODY_CLASSES),
    ".//*[@itemprop='text' or @itemprop='commentText' or @itemprop='reviewBody']",
    ".//*[@property='text' or @property='schema:text' or @property='reviewBody'"
    " or @property='schema:reviewBody' or @property='commentText']",
    _classes(("comment-body",)),
    # Thesis: the text is in the <dd> after the <dt> item.
    "following-sibling::*[1][self::dd]",
)

AUTHOR_CLASSES = (
    "fn",  # hCard, WordPress core
    "c-comment__author-name",
    "comment-author-name",
    "commentAuthor",
    "comment_author",
    "comment__author",
    "username",
    "dsq-comment-cite",
)
COMMENT_AUTHOR_XPATH = _compile(
    _classes(AUTHOR_CLASSES),
    ".//*[@itemprop='author']//*[@itemprop='name']",
    ".//*[@itemprop='author']",
    ".//*[@property='author' or @property='schema:author' or @property='creator']"
    "//*[@property='name' or @property='schema:name']",
    ".//*[@property='author' or @property='schema:author' or @property='creator']",
    # Avada: <div class="comment-author meta"><strong>Name</strong> date <a>Reply</a></div>
    f".//*[{_has_class('comment-author')}]//*[self::strong or self::b]",
    _classes(("comment-author", "author")),
    ".//cite",
)

DATE_CLASSES = (
    "comment-date",
    "comment-time",
    "comment__time",
    "commentDate",
    "comment_time",
    "c-comment__date",
    "comment-metadata",
    "commentmetadata",
    "comment-meta",
    "submitted",
    "timestamp",
    "date",
)
COMMENT_DATE_XPATH = _compile(
    ".//time[@datetime]",
    ".//*[@datetime]",
    ".//*[@itemprop='dateCreated' or @itemprop='datePublished'][@content]",
    ".//*[@property='dateCreated' or @property='schema:dateCreated'"
    " or @property='datePublished' or @property='schema:datePublished'][@content]",
    _classes(DATE_CLASSES),
    ".//time",
)

# Inside a comment but not its text: toolbars ("Reply", "Antworten", "melden", "Like"),
# metadata, avatars, "says:" labels, and any reply form a theme printed inline.
CHROME_CLASSES = (
    "reply",
    "comment-reply",
    "comment-reply-link",
    "comment-actions",
    "comment-edit-link",
    "edit-link",
    "comment-likes",
    "comment-like-feedback",
    "sharedaddy",
    "toolbar",  # taz.de: ul.toolbar > li.reply / li.report
    "report",
    "links",  # Drupal: ul.links with reply / edit / delete
    "comment-meta",
    "comment__meta",
    "comment-metadata",
    "commentmetadata",
    "comment-author",
    "says",
    "avatar",
    "c-comment__header",
    "c-comment__footer",
    "c-comment__author-avatar",
    "comment_author",
    "comment_time",
    "commentTitle",
    "comment-respond",
)
COMMENT_CHROME_XPATH = _compile(
    _classes(CHROME_CLASSES),
    f".//*[{_any_id(RESPOND_IDS)}]",
    ".//form | .//button",
)

# --- The article -------------------------------------------------------------------------------

ARTICLE_TITLE_XPATH = _compile(
    "//meta[@property='og:title']/@content",
    "//head/title",
    "//h1",
)
ARTICLE_URL_XPATH = _compile(
    "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href",
    "//meta[@property='og:url']/@content",
)
ARTICLE_SITE_XPATH = _compile("//meta[@property='og:site_name']/@content")

# Anything that holds comments, for keeping them out of the article body.
COMMENT_AREA_IDS = ("comments", "disqus_thread", "dsq-comments", "respond")
COMMENT_AREA_CLASSES = (
    "comments",
    "comments-area",
    "comment-list",
    "commentlist",
    "comment-respond",
    "d-noscript-comments",
    "c-comments",
    "c-discussion",
    "fusion-comments",
)
# An element without id or class is ruled out by the first, cheap test.
_COMMENTS = "(@id or @class) and " + _alt(
    (
        _any_id(COMMENT_AREA_IDS),
        _any_class(COMMENT_AREA_CLASSES + LIST_ITEM_CLASSES + ITEM_CLASSES),
        _COMMENT_NUMBER_ID,
        _any_id_prefix(FORUM_ID_PREFIXES),
    )
)
# Not inside a comment area or a comment item (a forum thread may sit in no named area).
_NOT_IN_COMMENTS = f"[not(ancestor-or-self::*[{_COMMENTS}])]"
_AREA_CLASS = class_pattern(COMMENT_AREA_CLASSES + LIST_ITEM_CLASSES + ITEM_CLASSES).search


def _is_comments(element: etree._Element) -> bool:
    """:data:`_COMMENTS`: an element that holds comments or is one, by its id or class."""
    name = element.get("id")
    if name is not None and (
        name in COMMENT_AREA_IDS
        or _COMMENT_NUMBER.fullmatch(name) is not None
        or name.startswith(FORUM_ID_PREFIXES)
    ):
        return True
    value = element.get("class")
    return value is not None and _AREA_CLASS(value) is not None


def _not_in_comments(element: etree._Element) -> bool:
    """:data:`_NOT_IN_COMMENTS`: neither the element nor an ancestor holds comments."""
    return not _is_comments(element) and not any(map(_is_comments, element.iterancestors()))


def _dated_article_part(element: etree._Element) -> bool:
    return (
        element.get("datetime") is not None
        and next(element.iterancestors("article"), None) is not None
        and _not_in_comments(element)
    )


ARTICLE_DATE_XPATH = _compile(
    "//meta[@property='article:published_time']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "//*[@itemprop='datePublished']/@datetime",
    Query(
        f"//article//time[@datetime]{_NOT_IN_COMMENTS}/@datetime",
        scope="document",
        tags=("time",),
        test=_dated_article_part,
        attribute="datetime",
    ),
    Query(
        f"//time[@datetime]{_NOT_IN_COMMENTS}/@datetime",
        scope="document",
        tags=("time",),
        test=lambda element: element.get("datetime") is not None and _not_in_comments(element),
        attribute="datetime",
    ),
)

ARTICLE_BODY_CLASSES = (
    "entry-content",
    "entrytext",  # old WordPress themes (Kubrick and its children, wordpress.com)
    "post-content",
    "article-body",
    "article__body",
    "post-body",
    "story-body",
)
ARTICLE_BODY_XPATH = _compile(
    f"//*[@itemprop='articleBody']{_NOT_IN_COMMENTS}",
    Query(
        f"//*[{_any_class(ARTICLE_BODY_CLASSES)}]{_NOT_IN_COMMENTS}",
        scope="document",
        classes=ARTICLE_BODY_CLASSES,
        test=_not_in_comments,
    ),
    f"//article[not(ancestor::article)][not(contains(@class, 'comment'))]{_NOT_IN_COMMENTS}",
)
ARTICLE_CAPTION_XPATH = _compile(
    f".//figcaption | .//*[{_any_class(('wp-caption-text', 'caption'))}]",
)
# Removed from a copy of the article element before its text is read. Jetpack's share and
# like buttons (div.sharedaddy) sit inside WordPress entry content.
ARTICLE_STRIP_XPATH = _compile(
    Query(f".//*[{_COMMENTS}]", test=_is_comments),
    f".//form | .//nav | .//aside | .//button | .//*[{_has_class('sharedaddy')}]",
)
