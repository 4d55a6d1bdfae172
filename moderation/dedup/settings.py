"""The duplicate finder's settings: defaults, range checks, and the MinHash banding they imply.

Kept apart from the matching so that a bad setting is refused before any table is built, with a
message naming the value and its valid range (a CLI user sees it as is).
"""

from __future__ import annotations

from collections.abc import Sequence

from moderation.dedup.minhash import MinHasher, banding_for
from moderation.dedup.sketches import MEASURES
from moderation.errors import DuplicatesError

__all__ = [
    "DEFAULT_CHAR_WORDS",
    "DEFAULT_HAN_NGRAM",
    "DEFAULT_MIN_WORDS",
    "DEFAULT_NO_SPACE_NGRAM",
    "DEFAULT_THRESHOLD",
    "STORY_THRESHOLD",
    "check_settings",
    "make_hasher",
]

DEFAULT_THRESHOLD = 0.8
DEFAULT_MIN_WORDS = 5
DEFAULT_CHAR_WORDS = 12
DEFAULT_NO_SPACE_NGRAM = 2
DEFAULT_HAN_NGRAM = 1
STORY_THRESHOLD = 0.7


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_settings(
    *,
    threshold: object,
    min_words: object,
    measure: object,
    char_words: object,
    char_ngram: object,
    no_space_ngram: object,
    han_ngram: object,
    ngram_range: Sequence[int],
) -> None:
    """Refuse a setting out of range.

    Raises
    ------
    DuplicatesError
        Naming the first bad setting, its value and the valid range.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise DuplicatesError(f"threshold={threshold!r}: must be a number in (0, 1], e.g. 0.8")
    if not 0.0 < threshold <= 1.0:
        raise DuplicatesError(f"threshold={threshold!r}: must be in (0, 1], e.g. 0.8")
    if not _is_int(min_words) or min_words < 1:  # type: ignore[operator]
        raise DuplicatesError(f"min_words={min_words!r}: must be an integer >= 1, e.g. 5")
    if measure not in MEASURES:
        raise DuplicatesError(f"measure={measure!r}: use one of {MEASURES}")
    for name, value, low in (
        ("char_words", char_words, 0),
        ("char_ngram", char_ngram, 1),
        ("no_space_ngram", no_space_ngram, 0),
        ("han_ngram", han_ngram, 1),
    ):
        if not _is_int(value) or value < low:  # type: ignore[operator]
            raise DuplicatesError(f"{name}={value!r}: must be an integer >= {low}")
    pair = tuple(ngram_range)
    if len(pair) != 2 or not 1 <= pair[0] <= pair[1]:
        raise DuplicatesError(f"ngram_range={ngram_range!r}: need (low, high), 1 <= low <= high")


def make_hasher(
    *,
    threshold: float,
    num_perm: int,
    bands: int | None,
    rows_per_band: int | None,
    seed: int,
) -> MinHasher:
    """The MinHash hasher for the settings: banding given in full, or derived from the
    threshold by :func:`~moderation.dedup.minhash.banding_for` (``num_perm`` then becomes
    ``bands * rows_per_band``).

    Raises
    ------
    DuplicatesError
        When only one of ``bands`` and ``rows_per_band`` is given, or they do not fit
        ``num_perm``.
    """
    if bands is None and rows_per_band is None:
        bands, rows_per_band = banding_for(threshold, num_perm)
        num_perm = bands * rows_per_band
    elif bands is None or rows_per_band is None:
        raise DuplicatesError(
            f"bands={bands!r}, rows_per_band={rows_per_band!r}: give both or neither"
        )
    return MinHasher(num_perm=num_perm, bands=bands, rows_per_band=rows_per_band, seed=seed)
