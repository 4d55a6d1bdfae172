"""Errors raised by moderation: each names the bad value and, where useful, the valid ones."""

from __future__ import annotations


class ModerationError(ValueError):
    """Base class of every error this package raises on purpose."""


class ParseError(ModerationError):
    """An input could not be read as a page, an export or a comment dump.

    Parameters
    ----------
    source : str
        File name (or ``"<stdin>"``) of the input.
    reason : str
        What is wrong, in words a moderator can act on.
    line : int or None
        1-based line number in ``source`` where known.
    """

    def __init__(self, source: str, reason: str, line: int | None = None) -> None:
        self.source = source
        self.reason = reason
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")


class ModelError(ModerationError):
    """A model file is missing, tampered with, or of another schema or label set."""


class DataError(ModerationError):
    """Labeled training or evaluation data is malformed."""


class DuplicatesError(ModerationError):
    """Bad settings for duplicate finding, or an index built with other settings."""


class OptionsError(ModerationError):
    """A run's settings are out of range or do not fit together (``jobs=0``, say)."""
