"""benchmarks/quality.py: its columns on a tiny split, and the "F1 no lower than scikit-learn's
own vectorisers" line (the real corpora are not needed)."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

from moderation.train.corpora import read_labeled
from tests.support import FIXTURES, ROOT


@pytest.fixture(scope="module")
def quality():
    spec = importlib.util.spec_from_file_location("quality", ROOT / "benchmarks" / "quality.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["quality"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    del sys.modules["quality"]


def _row(quality, metric: str, trained: float, sklearn: float, data: str = "x"):
    values = dict.fromkeys(quality.METHODS, 0.5) | {"trained": trained, "sklearn-vec": sklearn}
    return quality.Row("spam", data, metric, values)


def test_f1_check_has_no_tolerance_and_ignores_other_metrics(quality) -> None:
    rows = [_row(quality, "F1", 0.8, 0.8), _row(quality, "PR-AUC", 0.1, 0.9)]
    assert "): holds; trained reaches it on 1 of 1 rows" in quality.f1_check(rows)
    rows.append(_row(quality, "F_avg", 0.7, 0.7001, data="SemEval, x"))
    line = quality.f1_check(rows)
    assert "does NOT hold; trained reaches it on 1 of 2 rows" in line
    assert line.endswith("lower on: SemEval, x F_avg -0.000")


def test_table_prints_every_method_and_the_difference(quality) -> None:
    table = quality.format_table([_row(quality, "F1", 0.9, 0.85)])
    header, _, line = table.splitlines()[:3]
    for name in (*quality.METHODS, "tr-skl"):
        assert name in header
    assert line.split()[-1] == "+0.050"


def test_run_split_fills_every_column(quality) -> None:
    rows = read_labeled([FIXTURES / "tiny_labeled.jsonl"])
    spam = [r for r in rows if r.spam is not None]
    key, flag = quality.run_split(quality.Split("tiny/spam", "spam", spam, spam[:10]))
    assert key == "tiny/spam"
    for method in quality.METHODS:
        assert flag.predicted[method].shape == (10,) and flag.scores[method].shape == (10,)
    stance = [r for r in rows if r.stance is not None]
    split = quality.Split("tiny/stance", "stance:russia_ukraine", stance, stance[:10])
    _, result = quality.run_split(split)
    assert result.scores["sklearn-vec"] is None
    assert set(result.predicted["sklearn-vec"]) <= {"neutral", "pro_russia", "pro_ukraine"}
    np.testing.assert_array_equal(result.predicted["trained-f1"], result.predicted["trained"])


def test_sklearn_vectorisers_see_the_normalised_text(quality) -> None:
    union = quality.sklearn_vectorisers().fit(["CH3CK my ch@nnel", "check MY channel"] * 2)
    words = union.transformer_list[0][1].vocabulary_
    assert {"check", "my", "channel", "check my"} <= set(words)
    assert "ch3ck" not in words


def test_extra_rows_say_pass_or_miss(quality) -> None:
    civil = [("OLID NOT", 100, 0.005, 0.02)]
    text = quality.format_extra(civil, (50, 0.7, 1.0))
    assert "spam flags  0.50 % pass" in text and "incitement flags  2.00 % MISS" in text
    assert "F_avg 0.700 (pass >= 0.69)" in text and "own target's head: 100.0 %" in text
