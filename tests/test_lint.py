"""The house rules, held by the test suite so that the README's test command (and CI) enforces them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy"],
        ["mypy", "--platform", "win32"],
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict", "mypy-strict-windows"],
)
def test_house_rules(command):
    result = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
