"""Verdicts on servers written without the SDK: raw JSON-RPC servers that misbehave as real ones do.

All of them are verified in one run of the real command (several PATHs at once), so the suite
pays for one start of mcp-verify; each test reads its own project's report.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from typing import TYPE_CHECKING

import pytest

from .conftest import RawServers, mcp_verify, processes_with
from .rawserver import make_project

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.slow

TOOL = {"name": "echo", "description": "Echo the arguments.", "inputSchema": {"type": "object"}}
LISTS = {"tools": [TOOL], "resources": [{"name": "all", "uri": "notes://all"}], "prompts": [{"name": "greet"}]}
SERVERS = {
    "raw-good": {"tools": [TOOL]},
    "raw-no-ping": {"tools": [TOOL], "errors": {"ping": {"code": -32601, "message": "Method not found"}}},
    "raw-silent-ping": {"tools": [TOOL], "ignore": ["ping"]},
    "raw-print-at-exit": {"tools": [TOOL], "print_at_start": ["Starting the raw server..."]},
    "raw-list-error": {**LISTS, "errors": {"resources/list": {"code": -32603, "message": "notes database is locked"}}},
    "raw-exit-error": {"tools": [TOOL], "raise_at_exit": "could not flush the cache", "stderr_at_exit": "bye\n"},
    "raw-crash-then-log": {"crash_at_start": "no config file at ~/.raw/config.toml", "stderr_at_exit": "INFO done\n"},
    "raw-rejected-tools": {
        "tools": [
            {"name": "wrong_type", "description": "d", "inputSchema": {"type": "string"}},
            {"name": "wrong_required", "description": "d", "inputSchema": {"type": "object", "required": "x"}},
            TOOL,
        ]
    },
    "raw-daemon": {"tools": [TOOL], "daemon": True},
    "raw-paged": {"tools": [{**TOOL, "name": f"tool_{index}"} for index in range(5)], "page_size": 2},
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> RawServers:
    return RawServers(tmp_path_factory.mktemp("raw"), SERVERS)


def codes(report: dict) -> dict[str, dict]:
    return {finding["code"]: finding for finding in report["findings"]}


def statuses(report: dict) -> dict[str, str]:
    return {step["name"]: step["status"] for step in report["steps"]}


def test_the_run_leaves_nothing_behind(batch):
    assert batch.result.returncode == 1, batch.result.stderr
    batch.assert_clean()


def test_a_good_raw_server_passes_with_its_tools(batch):
    report = batch("raw-good")
    assert report["ok"] is True
    assert [tool["name"] for tool in report["tools"]] == ["echo"]
    advice = {finding["code"]: finding["severity"] for finding in report["findings"]}
    assert advice == {"MV136": "info", "MV308": "info"}, "advice only: no __main__.py, the handshake era only"
    assert "stdout clean" in report["steps"][-1]["message"]


@pytest.mark.parametrize(("name", "words"), [("raw-no-ping", "Method not found"), ("raw-silent-ping", "unanswered")])
def test_an_unanswered_ping_is_a_warning_that_names_ping(batch, name, words):
    report = batch(name)
    assert report["ok"] is True
    ping = codes(report)["MV305"]
    assert ping["severity"] == "warning"
    assert "ping" in ping["message"]
    assert words in ping["message"]
    assert [tool["name"] for tool in report["tools"]] == ["echo"]
    assert statuses(report)["shutdown"] == "pass"


def test_a_print_that_reaches_stdout_only_at_exit_fails(batch):
    report = batch("raw-print-at-exit")
    assert report["ok"] is False
    stray = codes(report)["MV204"]
    assert stray["severity"] == "error"
    assert stray["step"] == "shutdown"
    assert "'Starting the raw server...'" in stray["message"]
    assert [tool["name"] for tool in report["tools"]] == ["echo"]
    assert statuses(report) == {**{name: "pass" for name in statuses(report)}, "shutdown": "warn"}


def test_one_failed_list_call_does_not_hide_the_others(batch):
    report = batch("raw-list-error")
    assert report["ok"] is False
    failed = codes(report)["MV401"]
    assert "resources/list" in failed["message"]
    assert "notes database is locked" in failed["message"]
    assert [tool["name"] for tool in report["tools"]] == ["echo"]
    assert [prompt["name"] for prompt in report["prompts"]] == ["greet"]
    assert report["resources"] == []
    assert statuses(report)["list"] == "warn"
    assert statuses(report)["shutdown"] == "pass"


def test_an_error_at_exit_is_recorded_with_its_cause(batch):
    report = batch("raw-exit-error")
    assert report["ok"] is True
    ended = codes(report)["MV504"]
    assert ended["severity"] == "warning"
    assert "exited with code 1 after its stdin closed" in ended["message"]
    assert "RuntimeError: could not flush the cache" in ended["message"]
    assert report["server"]["exit_code"] == 1


def test_a_crash_quotes_the_exception_not_what_was_logged_after_it(batch):
    report = batch("raw-crash-then-log")
    crash = codes(report)["MV201"]
    assert "RuntimeError: no config file at ~/.raw/config.toml" in crash["message"]
    assert "INFO done" not in crash["message"]


def test_a_listing_the_client_library_rejects_is_still_listed_and_checked(batch):
    report = batch("raw-rejected-tools")
    assert report["ok"] is False
    assert [tool["name"] for tool in report["tools"]] == ["wrong_type", "wrong_required", "echo"]
    found = codes(report)
    rejected = found["MV418"]["message"]
    assert "'wrong_type': inputSchema.type" in rejected
    assert "'wrong_required': inputSchema.required" in rejected
    assert "tools.0" not in rejected
    assert "tool 'wrong_type'" in found["MV414"]["message"]
    assert "tool 'wrong_required'" in found["MV413"]["message"]


def test_a_daemon_that_left_the_session_is_found_killed_and_reported(batch):
    report = batch("raw-daemon")
    survivors = codes(report)["MV503"]
    assert "1 process started by the server was still running after it exited" in survivors["message"]
    assert processes_with(batch.marker) == []


def test_pagination_is_followed(batch):
    report = batch("raw-paged")
    assert [tool["name"] for tool in report["tools"]] == [f"tool_{index}" for index in range(5)]


# built artifacts given by a relative path, as a release gate gives them --------------------------


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A raw server's sdist and wheel in ``<tmp>/dist``, built as a release workflow builds them."""
    base = tmp_path_factory.mktemp("gate")
    project = make_project(base, "raw-gated", {"tools": [TOOL]})
    uv = shutil.which("uv") or "uv"
    subprocess.run([uv, "build", "--quiet", "--out-dir", str(base / "dist"), str(project)], check=True, timeout=300)
    return base


@pytest.mark.parametrize("given", ["dist", "dist/", "dist/raw_gated-1.0.0-py3-none-any.whl"])
def test_artifacts_by_a_relative_path(dist, given):
    tmp = dist / f"tmp-{uuid.uuid4().hex}"
    result = mcp_verify(given, "--format", "json", "-q", tmp=tmp, cwd=dist)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["project"] == given
    assert [tool["name"] for tool in report["tools"]] == ["echo"]
    assert list(tmp.iterdir()) == []
