"""`moderation train` and `python train.py`: floors are checked before anything is written."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from moderation.cli import main
from tests.support import FIXTURES, ROOT

TINY = str(FIXTURES / "tiny_labeled.jsonl")
# tiny_labeled.jsonl reaches a cross-validated spam F1 near 0.55 (3 folds): 0.99 is out of reach.
OUT_OF_REACH = "spam=0.99"
# The module, not the command of the same name that moderation.cli exports.
train_module = importlib.import_module("moderation.cli.train_command")
OLD_BYTES = b"an earlier model, which a failed retrain must leave alone\n"


def _existing_model(directory) -> tuple:
    model = directory / "m.joblib"
    model.write_bytes(OLD_BYTES)
    card = directory / "m.card.json"
    card.write_bytes(b'{"old": "card"}\n')
    return model, card


def _train(*args: str):
    return CliRunner().invoke(main, ["train", "--data", TINY, "--cv", "3", *args])


def test_a_floor_out_of_reach_leaves_the_model_and_its_card_untouched(tmp_path) -> None:
    model, card = _existing_model(tmp_path)
    result = _train("-o", str(model), "--floor", OUT_OF_REACH)
    assert result.exit_code == 1
    assert "Error: cross-validated scores below the floors: spam 0." in result.output
    assert "< 0.99; the model was not written" in result.output
    assert "Traceback" not in result.output
    assert model.read_bytes() == OLD_BYTES
    assert card.read_bytes() == b'{"old": "card"}\n'
    assert not (tmp_path / "m.card.md").exists()


def test_the_default_output_is_untouched_too(tmp_path, monkeypatch) -> None:
    model, _ = _existing_model(tmp_path)
    monkeypatch.setattr(train_module, "DEFAULT_OUTPUT_MODEL", str(model))
    result = _train("--floor", "stance:russia_ukraine=1.0", "--floor", OUT_OF_REACH)
    assert result.exit_code == 1 and "spam 0." in result.output
    assert "stance:russia_ukraine 0." in result.output  # every head below its floor is named
    assert model.read_bytes() == OLD_BYTES
    # The same run with floors it reaches writes the default output.
    result = _train("--floor", "spam=0.2", "--floor", "stance:russia_ukraine=0")
    assert result.exit_code == 0, result.output
    assert model.read_bytes() != OLD_BYTES
    assert json.loads((tmp_path / "m.card.json").read_text())["data"]["rows_used"] == 40


def test_python_train_py_exits_non_zero_and_writes_nothing(tmp_path) -> None:
    model, _ = _existing_model(tmp_path)
    command = [sys.executable, str(ROOT / "train.py"), "--data", TINY, "--cv", "3"]
    command += ["-o", str(model), "--floor", OUT_OF_REACH]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert result.returncode == 1, result.stderr
    assert "Error: cross-validated scores below the floors" in result.stderr
    assert model.read_bytes() == OLD_BYTES


@pytest.mark.parametrize(
    "floor", ["spam", "spam=1.5", "spam=x", "toxicity=0.5", "stance:=0.5", "=0.5"]
)
def test_bad_floors_are_usage_errors(floor) -> None:
    result = CliRunner().invoke(main, ["train", "--data", TINY, "--floor", floor])
    assert result.exit_code == 2
    assert "HEAD=VALUE, HEAD one of spam, incitement or stance:<target>" in result.output


def test_a_floor_for_a_head_the_model_lacks_is_refused(tmp_path) -> None:
    model, _ = _existing_model(tmp_path)
    result = _train("-o", str(model), "--floor", "stance:climate=0.1")
    assert result.exit_code == 1
    assert "floors for heads this model does not have: ['stance:climate']" in result.output
    assert model.read_bytes() == OLD_BYTES


def test_bad_estimator_settings_are_clean_errors(tmp_path) -> None:
    result = CliRunner().invoke(main, ["train", "--data", TINY, "--cv", "1"])
    assert result.exit_code == 1
    assert "Error: cv=1: use a whole number of folds, 2 or more" in result.output
