"""moderation: offline comment-section moderation and stance classification.

The data flow is parse -> normalise/featurise -> classify -> deduplicate -> report; each stage
is its own module and can be used alone.

>>> from moderation import parse
>>> page = "A title\\n\\nThe story.\\n\\nLeave a reply\\n\\nGreat piece!\\n"
>>> [c.text for c in parse(page) if c.record == "comment"]
['Great piece!']
"""

from __future__ import annotations

from moderation.errors import DataError, ModelError, ModerationError, ParseError
from moderation.parse import ParseOptions, parse
from moderation.records import Article, Comment, Rejection, Unloaded

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Comment",
    "DataError",
    "ModelError",
    "ModerationError",
    "ParseError",
    "ParseOptions",
    "Rejection",
    "Unloaded",
    "__version__",
    "parse",
]
