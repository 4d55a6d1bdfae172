"""The public `parse` entry point: what it takes a string for, and the subpackage beside it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import moderation
from moderation import parse
from moderation.errors import ParseError
from moderation.records import Comment, Rejection
from tests.support import ROOT, SEEDS


def test_a_missing_path_given_as_a_string_is_reported_not_parsed_as_text() -> None:
    (rejection,) = list(parse("no_such_file.html"))
    assert isinstance(rejection, Rejection)
    assert rejection.source == "no_such_file.html" and "no such file" in rejection.reason
    (nested,) = list(parse("dumps/2024/missing"))
    assert isinstance(nested, Rejection) and "no such file" in nested.reason
    with pytest.raises(ParseError, match="no such file"):
        list(parse("no_such_file.html", strict=True))


def test_a_string_of_content_is_parsed_and_named_text() -> None:
    page = "A title\n\nThe story.\n\nLeave a reply\n\nGreat piece!\n"
    comments = [record for record in parse(page) if isinstance(record, Comment)]
    assert [c.text for c in comments] == ["Great piece!"]
    assert {c.source for c in comments} == {"<text>"}
    # one line of words is content too (a page with no thread), never a missing file
    assert list(parse("Great piece, thanks")) == []


def test_an_existing_path_as_a_string_or_a_path_is_read(tmp_path: Path) -> None:
    seed = next(iter(sorted(SEEDS.glob("*.txt"))))
    as_string = [r.to_dict() for r in parse(str(seed))]
    as_path = [r.to_dict() for r in parse(seed)]
    assert as_string == as_path and as_string


def test_the_function_and_the_subpackage_are_one_name() -> None:
    import moderation.parse.selectors as selectors

    assert moderation.parse.selectors is selectors
    assert callable(moderation.parse) and moderation.parse is parse
    result = subprocess.run(
        [sys.executable, "-c", "import moderation.parse.selectors, moderation; "
         "print(moderation.parse.selectors.__name__)"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert result.stdout.strip() == "moderation.parse.selectors"
