"""Pure pieces, without processes: parsing, diagnosis and the formatters over a hand-made report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from mcp_verify._diagnose import hint_for, last_words
from mcp_verify._format import FORMATTERS
from mcp_verify._format.github import summary
from mcp_verify._inspect import parse_entry_points
from mcp_verify._report import Report
from mcp_verify._types import STEPS, Finding, Installed, Listing, Severity, Status, StepResult

TRACEBACK = """Traceback (most recent call last):
  File "/venv/bin/srv", line 4, in <module>
    from srv import main
ModuleNotFoundError: No module named 'httpx'
"""


def test_entry_points_keep_case_and_every_group():
    text = "[console_scripts]\nMy-Server = pkg.mod:main\n\n[gui_scripts]\ng = pkg:gui [extra]\n"
    assert parse_entry_points(text) == {
        "console_scripts": {"My-Server": "pkg.mod:main"},
        "gui_scripts": {"g": "pkg:gui [extra]"},
    }


def test_last_words_prefers_the_exception_line():
    assert last_words(TRACEBACK) == "ModuleNotFoundError: No module named 'httpx'"
    assert last_words("starting\nfatal: no config\n") == "fatal: no config"
    assert last_words("") == ""


def test_hints_come_from_the_known_breakage_table():
    assert "declare the distribution" in hint_for(TRACEBACK, Installed())
    installed = Installed(requires_dist=["mcp>=1.6.0"], packages={"mcp": "2.3.0"})
    fastmcp = hint_for("ModuleNotFoundError: No module named 'mcp.server.fastmcp'", installed)
    assert "the wheel's `mcp>=1.6.0` admits mcp 2.x (mcp 2.3.0 is installed)" in fastmcp
    assert "mcp>=1.6.0,<2" in fastmcp
    assert hint_for("all good", Installed()) is None


def _failed_report() -> Report:
    steps = [
        StepResult("build", Status.PASS, 1.0, "built"),
        StepResult("inspect", Status.FAIL, 0.1, "bad: wheel, really"),
    ]
    steps += [StepResult(name, Status.SKIP, 0.0, "skipped: inspect failed") for name in STEPS[2:]]
    finding = Finding(
        "MV101",
        Severity.ERROR,
        "build",
        "pyproject.toml is not valid TOML: x (at line 3, column 2)",
        "fix it",
        "pyproject.toml",
        3,
    )
    listing = Listing(tools=[{"name": "add", "description": "Add | two.\nMore.", "inputSchema": {}}])
    return Report("demo", tuple(steps), (finding,), listing=listing, version="0.1.0")


def test_json_has_null_for_what_never_ran():
    data = json.loads(FORMATTERS["json"]([_failed_report()]))
    assert data["ok"] is False
    assert data["sdist"] is None
    assert data["wheel"] is None
    assert data["server"] is None
    assert data["findings"][0]["line"] == 3


def test_junit_parses_and_counts():
    root = ET.fromstring(FORMATTERS["junit"]([_failed_report()]))
    suite = root.find("testsuite")
    assert suite.get("tests") == "8"
    assert suite.get("failures") == "2"
    assert suite.get("skipped") == "5"


def test_github_annotations_carry_file_and_line_and_escape():
    out = FORMATTERS["github"]([_failed_report()])
    assert "::error file=demo/pyproject.toml,line=3,title=MV101 build::pyproject.toml is not valid TOML" in out
    assert "%0Ahint: fix it" in out
    markdown = summary([_failed_report()])
    assert "| inspect | fail |" in markdown
    assert "Add \\| two." in markdown


def test_text_report_lists_failure_and_verdict():
    out = FORMATTERS["text"]([_failed_report()])
    assert "✗ inspect" in out
    assert "error   MV101 build: pyproject.toml is not valid TOML" in out
    assert out.rstrip().endswith("FAIL  demo: 1 error (0.0s)")
