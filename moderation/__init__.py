"""moderation: offline comment-section moderation and stance classification.

The data flow is parse -> judge -> dedup -> outputs, one subpackage per stage
(``moderation.parse``, ``.judge``, ``.dedup``, ``.pipeline``; ``.train`` and ``.evaluate``
beside them), each importable and usable alone; the CLI is a thin shell over them.

>>> from moderation import parse
>>> page = "A title\\n\\nThe story.\\n\\nLeave a reply\\n\\nGreat piece!\\n"
>>> [c.text for c in parse(page) if c.record == "comment"]
['Great piece!']
"""

from __future__ import annotations

from moderation import parse
from moderation.errors import DataError, DuplicatesError, ModelError, ModerationError, ParseError
from moderation.parse import ParseOptions
from moderation.records import Article, Comment, Rejection, Unloaded

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """Import the judge lazily: ``import moderation`` stays light (no scikit-learn)."""
    if name == "Moderator":
        from moderation.judge import Moderator

        return Moderator
    if name == "Verdict":
        from moderation.verdict import Verdict

        return Verdict
    raise AttributeError(f"module 'moderation' has no attribute {name!r}")


__all__ = [
    "Article",
    "Comment",
    "DataError",
    "DuplicatesError",
    "ModelError",
    "ModerationError",
    "Moderator",
    "ParseError",
    "ParseOptions",
    "Rejection",
    "Unloaded",
    "Verdict",
    "__version__",
    "parse",
]
