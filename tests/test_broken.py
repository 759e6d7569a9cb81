"""Broken and hostile projects: each failure named, bounded in time, nothing left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import LINUX_ONLY, PACKAGES, assert_clean

pytestmark = pytest.mark.slow

TIMEOUT = ("--timeout", "8")


def assert_failed_at(run, step: str, code: str) -> dict:
    """Exit 1, the step failed, every later step skipped, a finding with the code."""
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.report["ok"] is False
    statuses = [s["status"] for s in run.report["steps"]]
    failed = [s["name"] for s in run.report["steps"]].index(step)
    assert statuses[failed] == "fail", statuses
    assert all(status == "pass" for status in statuses[:failed]), statuses
    assert all(status == "skip" for status in statuses[failed + 1 :]), statuses
    finding = run.finding(code)
    assert finding["severity"] == "error"
    assert finding["step"] == step
    assert_clean(run)
    return finding


def test_invalid_toml_names_the_file_and_line(verify):
    run = verify(PACKAGES / "bad-toml")
    finding = assert_failed_at(run, "build", "MV101")
    assert "pyproject.toml" in finding["message"]
    assert "line 3, column" in finding["message"]
    assert (finding["file"], finding["line"]) == ("pyproject.toml", 3)
    assert run.report["sdist"] is None
    assert run.report["wheel"] is None
    assert run.report["server"] is None


def test_backend_failure_quotes_the_backend(verify):
    run = verify(PACKAGES / "backend-fails")
    finding = assert_failed_at(run, "build", "MV102")
    assert "the build backend failed while building the wheel (from the sdist)" in finding["message"]
    assert "Unable to determine which files to ship inside the wheel" in finding["message"], "the backend's own words"


def test_no_console_script(verify):
    finding = assert_failed_at(verify(PACKAGES / "no-console-script"), "inspect", "MV111")
    assert "[project.scripts] is missing or empty" in finding["message"]


def test_entry_point_attribute_missing(verify):
    finding = assert_failed_at(verify(PACKAGES / "bad-entry-attr"), "launch", "MV203")
    assert "mvt_bad_entry_attr.server:start_server" in finding["message"]
    assert "has no attribute 'start_server'" in finding["message"]


def test_entry_point_module_missing(verify):
    finding = assert_failed_at(verify(PACKAGES / "bad-entry-module"), "launch", "MV202")
    assert "module 'mvt_bad_entry_module.missing_module' is not in the installed wheel" in finding["message"]


def test_unsatisfiable_dependency_names_the_requirement(verify):
    finding = assert_failed_at(verify(PACKAGES / "unsatisfiable-dep"), "install", "MV122")
    assert "mcp-verify-test-no-such-package-xyz" in finding["message"]


def test_crash_on_start_gives_exit_code_and_stderr(verify):
    run = verify(PACKAGES / "crash-on-start")
    finding = assert_failed_at(run, "launch", "MV201")
    assert "server exited with code 3" in finding["message"]
    assert "fatal: DATABASE_URL is not set" in finding["message"]
    assert "--env DATABASE_URL=" in finding["hint"]
    assert "DATABASE_URL is not set" in run.report["server"]["stderr_tail"]


def test_crash_on_start_passes_once_the_variable_is_given(verify):
    run = verify(PACKAGES / "crash-on-start", "--env", "DATABASE_URL=sqlite://")
    assert run.returncode == 0, run.stdout + run.stderr
    assert [tool["name"] for tool in run.report["tools"]] == ["query"]


def test_stdout_banner_is_named_and_the_server_still_listed(verify):
    """A client skips the banner and goes on, so the server is listed; the banner is still an error."""
    run = verify(PACKAGES / "stdout-banner")
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.report["ok"] is False
    finding = run.finding("MV204")
    assert (finding["severity"], finding["step"]) == ("error", "launch")
    assert "'Starting MCP server...'" in finding["message"]
    assert "stdout is reserved" in finding["message"]
    assert run.step("launch")["status"] == "warn"
    assert [step["status"] for step in run.report["steps"][4:]] == ["pass", "pass", "pass"]
    assert [tool["name"] for tool in run.report["tools"]] == ["ping"]
    assert_clean(run)


def test_server_that_never_answers_times_out(verify):
    run = verify(PACKAGES / "hang", *TIMEOUT)
    finding = assert_failed_at(run, "handshake", "MV301")
    assert "timed out after 8 s" in finding["message"]
    assert "handshake" in finding["message"]
    assert run.step("handshake")["seconds"] < 8 + 2


@pytest.mark.parametrize(
    ("package", "code", "received"),
    [
        ("garbage-reply", "MV302", '{"hello": "this is not json-rpc"}'),
        ("non-json-reply", "MV204", "OK ready"),
    ],
)
def test_garbage_replies_are_quoted(verify, package, code, received):
    finding = assert_failed_at(verify(PACKAGES / package, *TIMEOUT), "launch", code)
    assert received in finding["message"]


def test_server_ignoring_eof_and_sigterm_with_children_is_reaped(verify):
    run = verify(PACKAGES / "orphan")
    assert run.returncode == 0, run.stdout + run.stderr
    assert [tool["name"] for tool in run.report["tools"]] == ["ping"]
    assert run.step("shutdown")["status"] == "warn"
    assert run.report["server"]["shutdown"] == "sigkill"
    assert run.finding("MV502")["severity"] == "warning"
    assert_clean(run)


def test_a_helper_that_left_the_process_group_is_found_and_killed(verify):
    run = verify(PACKAGES / "escaping-child")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.report["server"]["shutdown"] == "stdin-eof"
    survivors = run.finding("MV503")["message"]
    assert "1 process started by the server was still running after it exited" in survivors
    assert "python -c import time; time.sleep(3600)" in survivors
    assert run.step("shutdown")["status"] == "warn"
    assert_clean(run)


@LINUX_ONLY
def test_a_hanging_build_backend_is_stopped_after_the_build_timeout(verify):
    run = verify(PACKAGES / "backend-hangs", "--build-timeout", "5")
    finding = assert_failed_at(run, "build", "MV107")
    assert "did not finish within 5 s" in finding["message"]
    assert not [
        pid
        for pid in Path("/proc").iterdir()
        if pid.name.isdigit() and b"hang_backend" in _read(pid / "cmdline") + _read(pid / "environ")
    ]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""
