"""The shape of a comment's links, as signals for the judge: the normaliser folds every link
onto one ``_url_`` token (right for duplicate matching), which makes a news tweet's source
look like a spammer's plug. What tells them apart is the link's structure, not its words:

- ``link:site``: a bare site, no path ("visit mysite.example");
- ``link:code``: one opaque code as the path, the shape of a shortener or share link
  ("t.co/Hq2vLm8RtW", "bit.ly/2uKr9Z");
- ``link:name``: a handle as the path, the shape of a profile, channel or shop page
  ("/msmarilynmiles", "/user/djtorres", "/@mira", "t.me/deals_vip");
- ``link:deep``: a page inside a site: several path segments, a slug of words or a page file
  ("/news/2024/bridge-closed-after-crash", "/story.html");
- ``link:query``: a query string; ``link:ref``: a referral, affiliate or invite marker in it or
  in the path ("?ref=", "?aff=", "/r/fox");
- ``link:typed``: written without a scheme ("mysite.example/shop"), as a plug is typed out;
  ``link:spelt``: spelt out or spaced ("site dot tk", "bit . ly"), to dodge a link filter;
- ``links:several``: two links or more.

Links are the ones :func:`moderation.normalise.find_links` finds, so a signal fires only
where the normalised text has ``_url_``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from moderation.normalise import find_links

LINK_NAMES = (
    "link:site",
    "link:code",
    "link:name",
    "link:deep",
    "link:query",
    "link:ref",
    "link:typed",
    "link:spelt",
    "links:several",
)
_SITE, _CODE, _NAME, _DEEP, _QUERY, _REF, _TYPED, _SPELT, _SEVERAL = range(len(LINK_NAMES))

_SCHEME = re.compile(r"(?:https?|hxxps?)://", re.IGNORECASE)
# A link ends at a quote, an angle bracket (HTML around it) or an invisible format character
# (U+FEFF in exports), and loses trailing punctuation.
_END = re.compile(r"[\"'<>\s\ufeff\u200b-\u200d\u2060“”‘’«»]")
_TRAILING = ".,;:!?)]}*"
# Path segments that introduce a handle on profile, channel and shop pages.
_MARKERS = "u user users c channel profile people member members id"
PROFILE_MARKERS = frozenset(_MARKERS.split())
# Referral, affiliate and invite markers: a query key or a path segment.
_KEYS = "ref refid referral referrer aff affid affiliate partner invite invitation promo coupon"
REF_KEYS = frozenset(_KEYS.split())
_SEGMENTS = "r ref aff invite referral join"
REF_SEGMENTS = frozenset(_SEGMENTS.split())
# Longest domain ending a typed site without a path is read with (com, shop, info: most
# sites people type; "deals.online" still counts with a path or "www").
MAX_ENDING = 4
_CODE_SEGMENT = re.compile(r"[A-Za-z0-9]{4,16}")
_HANDLE = re.compile(r"@?[A-Za-z][\w.]{1,39}")
_PAGE_FILE = re.compile(r"\.(?:html?|php|aspx?|jsp)$", re.IGNORECASE)


def _parts(link: str) -> tuple[bool, list[str], str]:
    """Whether the link has a scheme, its path segments and its query string."""
    scheme = _SCHEME.match(link)
    rest = link[scheme.end() :] if scheme else link
    rest = "".join(rest.split()).replace("&amp;", "&")
    rest = _END.split(rest, maxsplit=1)[0].rstrip(_TRAILING)
    host_end = min(
        (i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest)
    )
    path, _, query = rest[host_end:].partition("?")
    path = path.partition("#")[0]
    return bool(scheme), [segment for segment in path.split("/") if segment], query


def _is_code(segment: str) -> bool:
    """An opaque code: letters and digits mixed, or letters whose case changes twice or more
    inside ("Hq2vLm8", "KQ6zr6k", "AbXqWe")."""
    if not _CODE_SEGMENT.fullmatch(segment):
        return False
    letters = [c for c in segment if c.isalpha()]
    if not letters:
        return False
    if any(c.isdigit() for c in segment):
        return True
    changes = sum(
        a.isupper() != b.isupper() for a, b in zip(letters[1:-1], letters[2:], strict=True)
    )
    return changes >= 2


def _is_slug(segment: str) -> bool:
    """A page named by its words ("bridge-closed-after-crash"), or a page file (handles may
    hold "_", so only "-" and "+" join words)."""
    words = [w for w in re.split(r"[-+]", segment) if w]
    return len(words) >= 3 or bool(_PAGE_FILE.search(segment))


def link_shape(link: str) -> set[int]:
    """The :data:`LINK_NAMES` indices that one link (as :func:`find_links` gives it) has,
    apart from the per-comment ``link:spelt`` and ``links:several``; none for a word run into
    the next sentence that the normaliser took for a site (see :func:`_run_on`)."""
    scheme, segments, query = _parts(link)
    if not scheme and not segments and not query and _run_on(link):
        return set()
    shape = set() if scheme else {_TYPED}
    keys = {part.partition("=")[0].lower() for part in re.split(r"[&;]", query) if part}
    if query:
        shape.add(_QUERY)
    if keys & REF_KEYS or any(s.lower() in REF_SEGMENTS for s in segments[:-1]):
        shape.add(_REF)
    handle = segments[1:] if segments and segments[0].lower() in PROFILE_MARKERS else segments
    if not segments:
        shape.add(_SITE if not query else _QUERY)
    elif len(segments) == 1 and _is_code(segments[0]):
        shape.add(_CODE)
    elif (
        len(handle) == 1 and not query and _HANDLE.fullmatch(handle[0]) and not _is_slug(handle[0])
    ):
        shape.add(_NAME)
    else:
        shape.add(_DEEP)
    return shape


def _run_on(link: str) -> bool:
    """A typed "site" without a path whose ending is longer than most domain endings
    ("proven.unfortunately", "his.teacher"): more often two sentences run together (the
    normaliser reads it as a link, which duplicate matching keeps; the shapes do not)."""
    host = "".join(link.split()).rstrip(_TRAILING)
    return not host.lower().startswith("www") and len(host.rpartition(".")[2]) > MAX_ENDING


def link_flags(text: str) -> np.ndarray:
    """The :data:`LINK_NAMES` of one comment, as 0/1 float32."""
    links, spelt = find_links(text)
    flags = np.zeros(len(LINK_NAMES), dtype=np.float32)
    for link in links:
        flags[sorted(link_shape(link))] = 1.0
    flags[_SPELT] = float(spelt)
    flags[_SEVERAL] = float(len(links) >= 2)
    return flags


def link_signals(raw_texts: Sequence[str]) -> np.ndarray:
    """:func:`link_flags` of every comment of a batch, shape ``(n, len(LINK_NAMES))``."""
    flags = np.zeros((len(raw_texts), len(LINK_NAMES)), dtype=np.float32)
    for row, text in enumerate(raw_texts):
        # find_links finds nothing otherwise (NFKC may make a dot of other characters)
        if "." in text or "dot" in text.lower() or not text.isascii():
            flags[row] = link_flags(text)
    return flags
