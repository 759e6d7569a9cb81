"""``--sandbox``: the release's own code runs with no network and nothing writable outside the run."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from mcp_verify._exceptions import UsageError
from mcp_verify._sandbox import denials, sandbox

from .conftest import mcp_verify
from .rawserver import make_project

pytestmark = pytest.mark.slow


def _sandbox_works(tmp_path: Path) -> None:
    try:
        sandbox(tmp_path)
    except UsageError as error:
        pytest.skip(f"no sandbox on this machine: {error}")


def test_denials_are_read_from_the_servers_own_errors():
    stderr = "cannot reach pypi.org:443: [Errno -3] Temporary failure in name resolution\n"
    stderr += "cannot write: [Errno 30] Read-only file system: '/root/probe'\n"
    assert denials(stderr) == [
        "a write outside its working directory (/root/probe)",
        "the network (Temporary failure in name resolution)",
    ]
    assert denials("all fine\n") == []


def test_a_server_is_denied_the_network_and_home_and_the_report_says_so(tmp_path):
    _sandbox_works(tmp_path)
    target = Path.home() / f"mcp-verify-sandbox-{uuid.uuid4().hex}"
    project = make_project(
        tmp_path,
        "raw-trespasser",
        {
            "tools": [{"name": "echo", "description": "Echo.", "inputSchema": {"type": "object"}}],
            "try_connect": ["pypi.org", 443],
            "try_write": str(target),
        },
    )
    result = mcp_verify(str(project), "--sandbox", "--format", "json", "-q", tmp=tmp_path / "tmp")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["sandboxed"] is True
    assert [tool["name"] for tool in report["tools"]] == ["echo"]
    denied = next(finding for finding in report["findings"] if finding["code"] == "MV211")
    assert "the network" in denied["message"]
    assert str(target) in denied["message"]
    assert not target.exists()
    assert list((tmp_path / "tmp").iterdir()) == []
