"""The catalogue of findings: every code made from it, documented in the README, explained on demand."""

from __future__ import annotations

import re

import pytest

from mcp_verify._catalogue import CATALOGUE, markdown_table

from .conftest import ROOT, mcp_verify

SOURCE = ROOT / "src" / "mcp_verify"


def test_the_readme_table_is_the_catalogue():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("<!-- codes: begin -->\n", 1)[1].split("<!-- codes: end -->", 1)[0]
    assert table == markdown_table(), (
        "regenerate it: python -c 'import mcp_verify._catalogue as c; print(c.markdown_table())'"
    )


def test_every_code_in_the_code_is_catalogued_and_every_entry_is_used():
    used = set()
    for path in SOURCE.rglob("*.py"):
        if path.name != "_catalogue.py":
            used |= set(re.findall(r'"(MV\d{3})"', path.read_text()))
    assert used - set(CATALOGUE) == set()
    assert set(CATALOGUE) - used == set(), "entries no code makes"


def test_entries_say_what_why_and_how():
    for entry in CATALOGUE.values():
        assert all((entry.step, entry.title, entry.meaning, entry.why, entry.fix)), entry.code


@pytest.mark.parametrize("code", ["MV204", "mv204"])
def test_explain_prints_the_entry(tmp_path, code):
    result = mcp_verify("--explain", code, tmp=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("MV204 (error, step launch):")
    assert "How to fix it: Print diagnostics to stderr" in result.stdout


def test_explain_of_an_unknown_code_is_a_usage_error(tmp_path):
    result = mcp_verify("--explain", "MV999", tmp=tmp_path)
    assert result.returncode == 2
    assert "MV999: no such finding code" in result.stderr
    assert "Traceback" not in result.stderr
