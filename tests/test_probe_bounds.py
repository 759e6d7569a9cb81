"""What a server says is what the report shows (its own error, whatever its code), and nothing it writes
is kept whole: the memory of mcp-verify stays bounded however much it writes on stdout."""

from __future__ import annotations

import json
import subprocess
import time
from typing import TYPE_CHECKING

import psutil
import pytest

from .conftest import ROOT, command, environment
from .rawserver import make_project

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.slow

TOOL = {"name": "echo", "description": "Echo the arguments.", "inputSchema": {"type": "object"}}
MIB = 1024 * 1024


def run_watched(args: list[str], tmp: Path) -> tuple[subprocess.CompletedProcess[str], int]:
    """``mcp-verify ARGS`` with its own resident memory sampled as it runs: (the result, the peak in bytes)."""
    argv = command(*args)
    pipe = subprocess.PIPE
    process = subprocess.Popen(argv, cwd=ROOT, stdout=pipe, stderr=pipe, text=True, env=environment(tmp))
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            peak = max(peak, watched.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.02)
    stdout, stderr = process.communicate(timeout=300)
    return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr), peak


def test_a_tool_call_answered_with_minus_32000_shows_the_servers_own_error(tmp_path):
    """-32000 is the usual "server error", and also what the mcp client calls a closed connection."""
    error = {"code": -32000, "message": "database is locked"}
    project = make_project(tmp_path, "raw-server-error", {"tools": [TOOL], "errors": {"tools/call": error}})
    result, _ = run_watched([str(project), "--call", "echo", "--format", "json", "-q"], tmp_path / "tmp")
    report = json.loads(result.stdout)
    codes = {finding["code"]: finding for finding in report["findings"]}
    assert "MV201" not in codes, "the server did not close anything: it answered"
    assert "database is locked (JSON-RPC error -32000)" in codes["MV430"]["message"]
    assert report["calls"][0]["error"] == "database is locked (JSON-RPC error -32000)"
    assert report["server"]["shutdown"] == "stdin-eof"


def test_huge_stray_lines_are_kept_as_bounded_prefixes(tmp_path):
    """Twelve lines of 30 MiB on stdout before serving: each read, only its start kept, and mcp-verify's peak
    memory that of a quiet server's run (measured beside it)."""
    quiet = make_project(tmp_path, "raw-quiet", {"tools": [TOOL]})
    loud = make_project(tmp_path, "raw-flood", {"tools": [TOOL], "flood": [12, 30 * MIB]})
    _, baseline = run_watched([str(quiet), "--format", "json", "-q"], tmp_path / "tmp-quiet")
    result, peak = run_watched([str(loud), "--format", "json", "-q"], tmp_path / "tmp")
    report = json.loads(result.stdout)
    stray = next(finding for finding in report["findings"] if finding["code"] == "MV204")
    assert len(stray["message"]) < 1000
    assert [tool["name"] for tool in report["tools"]] == ["echo"]
    assert peak < baseline + 32 * MIB, f"{peak // MIB} MiB at the peak for 360 MiB written, {baseline // MIB} MiB quiet"
    assert list((tmp_path / "tmp").iterdir()) == []
