"""Mark the words behind a comment's flags (its ``reasons``) in its text.

The result is a list of plain-text segments, each with the flag it is evidence for (or
``None``), so the template escapes every piece: no markup is ever built from comment text.
Reasons are n-grams of the normalised text (``ch3ck`` is read as ``check``); those that do not
occur literally are still listed beside the comment, just not marked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

Segment = tuple[str, str | None]


def _pattern(term: str) -> re.Pattern[str] | None:
    words = term.split()
    if not words or term.startswith("["):  # "[links]", "[capitals]": dense signals, not words
        return None
    body = r"\W+".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def highlight(text: str, reasons: Mapping[str, Sequence[Sequence[object]]]) -> list[Segment]:
    """Split ``text`` into segments, marking each reason's occurrences with its flag.

    >>> highlight("Check my channel now", {"spam": [["channel", 1.2], ["[links]", 0.5]]})
    [('Check my ', None), ('channel', 'spam'), (' now', None)]
    """
    spans: list[tuple[int, int, str]] = []
    for flag, pairs in reasons.items():
        for pair in pairs:
            pattern = _pattern(str(pair[0]))
            if pattern is not None:
                spans.extend((m.start(), m.end(), flag) for m in pattern.finditer(text))
    spans.sort(key=lambda span: (span[0], -span[1]))
    segments: list[Segment] = []
    position = 0
    for start, end, flag in spans:
        if start < position:  # overlaps a marked span: the earlier, longer one wins
            continue
        if start > position:
            segments.append((text[position:start], None))
        segments.append((text[start:end], flag))
        position = end
    if position < len(text) or not segments:
        segments.append((text[position:], None))
    return segments
