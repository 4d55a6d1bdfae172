"""Shared fixtures: paths to the project's own data (see tests/support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import FIXTURES


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
