"""Patterns that tell page chrome, captions and wire credits apart from story and comment text.

Scraped pages carry share widgets, reaction buttons, follow prompts, author boxes and comment
forms between the story and its comments. These rules describe their general shapes, not any
one site's exact lines, so that another site's widget is dropped too. All matching is done on
NFKC, case-folded lines (see :func:`moderation.parse.text.fold_for_matching`).
"""

from __future__ import annotations

import re
from enum import Enum

_WIRES = r"afp|ap|reuters|dpa|upi|xinhua|tass|ria novosti|efe|ansa|bloomberg|pa|anadolu|kyodo"


class LineKind(Enum):
    """What a non-blank line of a scraped page is."""

    TEXT = "text"
    CHROME = "chrome"  # dropped: share, reaction, follow, navigation, ads
    COMMENTS_START = "comments_start"  # dropped, and what follows is the comment thread
    CAPTION = "caption"


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# The comment form or a comment-count heading: the thread starts here.
COMMENTS_START = _any(
    r"^your e-?mail( address)? will not be published",
    r"^required fields are marked",
    r"^leave a (reply|comment|response)",
    r"^(post|submit|add) (a )?comment\b",
    r"^(join|start) the (discussion|conversation)",
    r"^\d+ (comments?|responses?|replies|kommentare?|commentaires?)\b",
    r"^(comments?|kommentare?|commentaires?|reader comments|discussion)\s*(\(\d+\))?:?$",
    r"^(show|load|view) (all )?\d* ?comments?$",
)

# Share and follow widgets, reaction buttons, navigation, ads.
CHROME = _any(
    # share widgets: "Like it? Share with your friends!", "Share this:", "Share on Facebook"
    r"^(?!.*\.$).{0,30}\bshare (this|it|with|on|via)\b.{0,40}$",
    r"^(like (it|this)\?? ?)?share\b.{0,30}$",
    r"^(tweet|pin it|e-?mail|print|copy link|whatsapp|facebook|twitter|linkedin|telegram|"
    r"reddit|pinterest|x|vk|flipboard)$",
    # follow / subscribe / more-news prompts, in English and German
    r"^(follow|subscribe( to)?|join|like) (us|\w+( \w+)?) (on|to|at|via)\b.{0,50}$",
    r"^follow .{0,40}(social media|twitter|facebook|instagram|telegram)\W*$",
    r"^(for|get) (more|the latest) (news|videos|stories|updates)\b.{0,50}$",
    r"^subscribe\b.{0,60}$",
    r"^.{0,60}\b(besuchen sie|folgen sie|abonnieren)\b.{0,30}$",
    r"^(watch|read|see) (more|also|next)\b.{0,60}$",
    r"^(related|recommended|more from|most read|trending)( \w+){0,3}:?$",
    r"^(advertisement|sponsored( content)?|anzeige|werbung)$",
    r"^(skip to (main )?content|menu|home|search|sign in|log in|register)$",
    # reaction widgets: "What's Your Reaction?", "hate hate", "love 12"
    r"^what'?s your reaction\??$",
    r"^how do you feel\b.{0,40}$",
    r"^(your reaction|reactions?)\W*$",
    # hashtag lines: "#Russia #Ukraine"
    r"^(#\w+\s*)+$",
    # cookie banners
    r"\bthis (site|website) uses cookies\b",
)

# Reaction buttons, as scraped: "hate hate" (icon text and label), "love 12", "Wow".
REACTION = _any(
    r"^(\w+) \1( \d+)?$",
    r"^(like|love|haha|wow|sad|angry|hate|confused|fail|fun|geeky|lol|omg|win|cute|wtf|"
    r"upvote|downvote|thumbs up|thumbs down)( \d+)?$",
)

# "About the author": the author box's name and bio lines that follow are chrome too.
AUTHOR_BOX = re.compile(r"^(about the (author|writer)|über (den|die) autor(in)?|author bio)\W*$")
AUTHOR_BOX_LINES = 2

# Photo and video captions: a closing credit in parentheses, or a caption opener.
CAPTION = _any(
    r"\((photo|photograph|picture|image|video|foto|bild)( by| credit|:)[^()]*\)\s*$",
    rf"\([^()]*(/\s*({_WIRES})\b|handout|via ({_WIRES})|getty images|press service)[^()]*\)\s*$",
    r"^(this|a|an) (handout )?(photo|picture|image|video grab|handout|file photo)\b.{0,80}"
    r"\b(taken|shows|released|provided)\b",
)

# "KIEV, Ukraine (AFP) – " at the start of the first paragraph.
DATELINE = re.compile(
    rf"^(?P<dateline>[A-Z][A-Z .'-]{{1,40}}(,\s*[A-Z][\w .'-]{{1,40}})?\s*\((?i:{_WIRES})\))"
    r"\s*[-–—]+\s*"
)

# A closing wire credit on its own line: "AFP", "(Reuters)", "AFP/dpa".
CREDIT = re.compile(rf"^[-–—(]?\s*(({_WIRES})(\s*[/,]\s*)?)+\)?$", re.IGNORECASE)

# Inside an unnumbered comment thread only toolbars and reaction buttons are dropped: a
# reader's comment may well say "share this" or "subscribe to my channel", and that is spam
# to flag, not chrome to hide.
THREAD_TOOLBAR = re.compile(
    r"^((reply|antworten|report|melden|like|share|flag)( \d+)?( \W )?)+$|"
    r"^\d+ (likes?|replies|points?)$|^(show|hide|load|view) (more |all )?(replies|comments)$"
)

# A short label: an author box line, a site name; no sentence punctuation.
SHORT_LABEL = re.compile(r"^[^.!?]{1,40}$")

# "  1. First comment": a numbered comment item and its number.
NUMBERED_ITEM = re.compile(r"^(?P<indent> {0,6})(?P<number>\d{1,5})[.)]\s+(?P<text>\S.*)$")

# " date 2022-02-28 Title": the scrape's date header.
DATE_HEADER = re.compile(r"^\s*date\s+(?P<date>\d{4}-\d{2}-\d{2})\s*(?P<rest>.*)$")


def classify_line(folded: str) -> LineKind:
    """Classify one folded, stripped, non-blank line of a scraped page."""
    if COMMENTS_START.search(folded):
        return LineKind.COMMENTS_START
    if CAPTION.search(folded):
        return LineKind.CAPTION
    if CHROME.search(folded) or REACTION.search(folded) or AUTHOR_BOX.search(folded):
        return LineKind.CHROME
    return LineKind.TEXT


def is_short_label(text: str) -> bool:
    """True for short lines with no sentence punctuation: names, site labels, buttons."""
    return bool(SHORT_LABEL.match(text)) and len(text.split()) <= 5
