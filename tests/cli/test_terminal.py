"""What a person at a terminal sees: progress bars and the verdict table, run under a
pseudo-terminal, and neither when the output is a file or a pipe."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from tests.support import ROOT, SEEDS

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
COMMAND = [sys.executable, "-c", "from moderation.cli import main; main()"]


def run(args: list[str], *, stdout_tty: bool, stderr_tty: bool) -> tuple[str, str, str]:
    """Run the CLI with stdout and/or stderr on a 120-column pseudo-terminal; return what
    reached the terminal, stdout's pipe and stderr's pipe."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    process = subprocess.Popen(
        [*COMMAND, *args],
        stdin=subprocess.DEVNULL,
        stdout=follower if stdout_tty else subprocess.PIPE,
        stderr=follower if stderr_tty else subprocess.PIPE,
        env=ENV,
        cwd=ROOT,
    )
    os.close(follower)
    terminal = b""
    while True:  # ends when the child closes the terminal (EIO) or after its last byte
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        terminal += chunk
    os.close(leader)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, (terminal, err)
    decode = lambda data: (data or b"").decode("utf-8")  # noqa: E731
    return decode(terminal), decode(out), decode(err)


def test_score_on_a_terminal_prints_a_table_and_no_bar_between_its_lines() -> None:
    terminal, _, _ = run(["score", str(SEEDS)], stdout_tty=True, stderr_tty=True)
    lines = terminal.splitlines()
    assert lines[0].split() == ["id", "action", "flags", "stance", "text"]
    assert not any(line.startswith("{") for line in lines)
    assert "remove  incitement" in terminal
    assert "%|" not in terminal  # the rows show the progress themselves
    assert "scored 12 comments; 0 rejected" in terminal


def test_score_piped_writes_jsonl_and_no_bar() -> None:
    _, out, err = run(["score", str(SEEDS)], stdout_tty=False, stderr_tty=False)
    assert len([json.loads(line) for line in out.splitlines()]) == 12
    assert "\r" not in err and "%|" not in err


def test_score_into_a_file_draws_a_bar_on_the_terminal(tmp_path: Path) -> None:
    output = tmp_path / "rows.jsonl"
    terminal, _, _ = run(["score", str(SEEDS), "-o", str(output)], stdout_tty=True, stderr_tty=True)
    assert "scored" in terminal and "%|" in terminal and "B/19." in terminal
    assert len(output.read_text(encoding="utf-8").splitlines()) == 12


def test_quiet_draws_no_bar_and_output_format_forces_jsonl(tmp_path: Path) -> None:
    output = tmp_path / "rows.jsonl"
    terminal, _, _ = run(
        ["score", str(SEEDS), "-o", str(output), "--quiet"], stdout_tty=True, stderr_tty=True
    )
    assert "%|" not in terminal and "scored 12 comments" in terminal
    terminal, _, _ = run(
        ["score", str(SEEDS), "--output-format", "jsonl", "-q"], stdout_tty=True, stderr_tty=True
    )
    assert sum(line.startswith('{"id":') for line in terminal.splitlines()) == 12


@pytest.mark.parametrize("name", ["parse", "dedup"])
def test_parse_and_dedup_draw_a_bar_on_the_terminal(name: str, tmp_path: Path) -> None:
    output = tmp_path / "rows.jsonl"
    terminal, _, _ = run([name, str(SEEDS), "-o", str(output)], stdout_tty=False, stderr_tty=True)
    assert "%|" in terminal
    _, _, err = run([name, str(SEEDS), "-o", str(output)], stdout_tty=False, stderr_tty=False)
    assert "%|" not in err


def test_train_and_evaluate_draw_a_step_bar_on_the_terminal_only(tmp_path: Path) -> None:
    tiny = str(ROOT / "tests" / "fixtures" / "tiny_labeled.jsonl")
    model = tmp_path / "tiny.joblib"
    train = ["train", "--data", tiny, "--cv", "3", "-o", str(model)]
    terminal, _, _ = run(train, stdout_tty=False, stderr_tty=True)
    assert "training" in terminal and "%|" in terminal and "head spam (3 folds)" in terminal
    assert "head spam: fold fits 1/" in terminal  # each cross-validation fit is counted
    _, _, err = run(train, stdout_tty=False, stderr_tty=False)
    assert "%|" not in err and "\r" not in err
    evaluate = ["evaluate", tiny, "--model", str(model)]
    terminal, _, _ = run(evaluate, stdout_tty=False, stderr_tty=True)
    assert "evaluating" in terminal and "%|" in terminal and "scoring spam" in terminal
    _, out, err = run(evaluate, stdout_tty=False, stderr_tty=False)
    assert "%|" not in err and "\r" not in err and "evaluated" in out
    terminal, _, _ = run([*evaluate, "-q"], stdout_tty=False, stderr_tty=True)
    assert "%|" not in terminal
