"""The command line: usage errors, script choice, server arguments, outputs and interrupts."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET

import pytest

from .conftest import (
    MARK_VARIABLE,
    PACKAGES,
    POSIX_ONLY,
    ROOT,
    assert_clean,
    command,
    drain_terminal,
    environment,
    mcp_verify,
    processes_with,
)


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["does/not/exist"], "does/not/exist: no such file or directory"),
        (["README.md"], "README.md: not a project directory, a wheel (.whl), an sdist (.tar.gz) or a bundle (.mcpb)"),
        (["tests"], "tests: no pyproject.toml or setup.py in this directory and no built .whl, .tar.gz or .mcpb"),
        (
            ["examples/weather-server", "--env", "NOEQUALS"],
            "--env: entry 1 of 1 is not KEY=VALUE (its text is not shown)",
        ),
        (["examples/weather-server", "--format", "yaml"], "'yaml' is not one of"),
        ([], "nothing to verify: give a PATH, --targets FILE, --from-registry FILE or --from-index NAME==VERSION"),
        (["examples/weather-server", "--jobs", "0"], "Invalid value for '--jobs'"),
        (["examples/weather-server", "--shard", "3/2"], "--shard '3/2': expected K/N with 1 <= K <= N"),
        (["--targets", "no/such/list.txt"], "--targets no/such/list.txt: no such file"),
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path, arguments, words):
    result = mcp_verify(*arguments, tmp=tmp_path)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.slow
def test_several_scripts_need_script(tmp_path):
    result = mcp_verify("tests/packages/several-scripts", tmp=tmp_path / "tmp")
    assert result.returncode == 2
    assert "mvt-alpha, mvt-beta" in result.stderr
    assert "--script" in result.stderr
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize(("script", "server_name"), [("mvt-alpha", "alpha"), ("mvt-beta", "beta")])
def test_script_chooses_the_console_script(verify, script, server_name):
    run = verify(PACKAGES / "several-scripts", "--script", script)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.report["server"]["name"] == server_name
    assert run.report["server"]["command"][0].endswith(f"/bin/{script}")


@pytest.mark.slow
def test_unknown_script_is_a_usage_error(tmp_path):
    result = mcp_verify("tests/packages/several-scripts", "--script", "nope", tmp=tmp_path)
    assert result.returncode == 2
    assert "no such console script (it has: mvt-alpha, mvt-beta)" in result.stderr


@pytest.mark.slow
def test_env_and_arg_reach_the_server(verify):
    run = verify(PACKAGES / "env-args-server", "--env", "MVT_TOOL_NAME=from_env", "--arg", "from_arg")
    assert run.returncode == 0, run.stdout + run.stderr
    # the server names a tool after the variable's value: it arrived, and the report never shows it
    assert sorted(tool["name"] for tool in run.report["tools"]) == ["[redacted]", "from_arg"]
    assert "from_env" not in json.dumps(run.report) + run.stdout + run.stderr
    assert run.report["server"]["command"][1:] == ["from_arg"]
    assert_clean(run)


@pytest.mark.slow
def test_server_gets_a_minimal_environment(verify, monkeypatch):
    monkeypatch.setenv("MVT_TOOL_NAME", "leaked_from_parent")
    run = verify(PACKAGES / "env-args-server")
    assert sorted(tool["name"] for tool in run.report["tools"]) == ["no_arg", "no_env"]


@pytest.mark.slow
@pytest.mark.parametrize("output_format", ["junit", "github", "text"])
def test_every_format_writes_to_output_file(tmp_path, output_format):
    out = tmp_path / f"report.{output_format}"
    result = mcp_verify(
        "tests/packages/crash-on-start", "--format", output_format, "-o", str(out), tmp=tmp_path / "tmp"
    )
    assert result.returncode == 1
    assert result.stdout == ""
    document = out.read_text()
    if output_format == "junit":
        suite = ET.fromstring(document).find("testsuite")
        assert suite is not None
        assert suite.get("name") == "tests/packages/crash-on-start"
        failures = [case for case in suite.iter("testcase") if case.find("failure") is not None]
        assert {case.get("name") for case in failures} >= {"launch", "MV201 launch"}
        assert "DATABASE_URL is not set" in "".join(case.find("failure").text or "" for case in failures)
    elif output_format == "github":
        assert "::error title=MV201 launch::server exited with code 3" in document
    else:
        assert "FAIL  tests/packages/crash-on-start: 1 error" in document


@pytest.mark.slow
def test_several_projects_give_one_document_in_order(tmp_path):
    result = mcp_verify("tests/packages/good-server", "tests/packages/crash-on-start", "--format", "json", tmp=tmp_path)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert [p["project"] for p in document["projects"]] == [
        "tests/packages/good-server",
        "tests/packages/crash-on-start",
    ]
    assert [p["ok"] for p in document["projects"]] == [True, False]


def run_in_terminal(*arguments: str) -> str:
    """Run mcp-verify with its stderr on a pseudo-terminal; return what it wrote there."""
    import pty  # noqa: PLC0415 - POSIX only

    controller, terminal = pty.openpty()
    process = subprocess.Popen(command(*arguments), cwd=ROOT, stdout=subprocess.PIPE, stderr=terminal)
    os.close(terminal)
    chunks: list[bytes] = []
    drain_terminal(controller, chunks)
    process.communicate(timeout=300)
    os.close(controller)
    return b"".join(chunks).decode()


def final_screen(written: str) -> list[str]:
    """The lines a terminal shows at the end, for what the progress writes (new lines, ESC[nF, ESC[J)."""
    screen, row = [""], 0
    for token in re.split(r"(\x1b\[\d*F|\x1b\[J|\r\n)", written):
        if token == "\r\n":
            row += 1
            screen += [""] * (row + 1 - len(screen))
        elif moved := re.fullmatch(r"\x1b\[(\d*)F", token):
            row -= int(moved[1] or 1)
        elif token == "\x1b[J":
            del screen[row + 1 :]
            screen[row] = ""
        elif token:
            screen[row] += token
    return [line for line in screen if line]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
@POSIX_ONLY
def test_a_terminal_gets_a_live_line_per_project_and_keeps_only_finished_steps():
    projects = ["tests/packages/good-server", "tests/packages/crash-on-start"]
    written = run_in_terminal("--format", "json", *projects)
    for project in projects:
        assert f"{project}: build …" in written  # its live line while it builds
    assert "\x1b[J" in written
    screen = final_screen(written)
    assert not [line for line in screen if line.endswith("…")], screen
    assert f"{projects[0]}: ✓ shutdown" in "\n".join(screen)
    assert f"{projects[1]}: ✗ launch" in "\n".join(screen)


@pytest.mark.slow
@pytest.mark.pip
def test_pip_installer_path(verify):
    run = verify(PACKAGES / "good-server", "--installer", "pip")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.report["environment"]["installer"] == "pip"
    assert "pip" in run.report["environment"]["packages"]
    assert [tool["name"] for tool in run.report["tools"]] == ["add", "echo"]
    assert_clean(run)


def interrupt_when(ready, sig: int, tmp, *arguments: str) -> str:
    """Start mcp-verify, send ``sig`` once ``ready()`` is true, return its stderr once it has ended."""
    process = subprocess.Popen(
        command(*arguments),
        cwd=ROOT,
        env=environment(tmp),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while not ready():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 128 + sig
    assert "Traceback" not in stderr
    return stderr


@POSIX_ONLY
@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_kills_the_server_and_removes_temp_dirs(tmp_path, sig):
    marker = uuid.uuid4().hex
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    # the server and its two children are up
    interrupt_when(
        lambda: len(processes_with(marker)) >= 3,
        sig,
        tmp,
        "tests/packages/orphan",
        "--timeout",
        "120",
        "--env",
        f"{MARK_VARIABLE}={marker}",
    )
    time.sleep(0.2)
    assert processes_with(marker) == []
    assert list(tmp.iterdir()) == []


@POSIX_ONLY
@pytest.mark.slow
def test_interrupt_during_the_build_leaves_no_temporary_directory(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    building = "mcp-verify-run-*/mcp-verify-builds-*/build-env-*/*"  # the isolated build environment is being made
    interrupt_when(lambda: bool(list(tmp.glob(building))), signal.SIGTERM, tmp, "tests/packages/good-server")
    assert list(tmp.iterdir()) == []
