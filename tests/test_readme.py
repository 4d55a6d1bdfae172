"""The README's two opening commands are what a new user and CI run: keep them honest."""

from __future__ import annotations

import re

from tests.support import ROOT


def _commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", readme)


def test_readme_opens_with_install_and_test_commands() -> None:
    commands = _commands()
    assert "pip install -e ." in commands[0] and "moderation" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _commands()[1] in ci_lines
