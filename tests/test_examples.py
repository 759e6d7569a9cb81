"""The bundled examples through the real pipeline: what a new user sees first."""

from __future__ import annotations

import re

import pytest

from .conftest import EXAMPLES, ROOT, assert_clean, mcp_verify

pytestmark = pytest.mark.slow

STEP_NAMES = ["build", "inspect", "install", "launch", "handshake", "list", "shutdown"]


def test_weather_server_passes_with_exact_listing(verify):
    run = verify(EXAMPLES / "weather-server")
    assert run.returncode == 0, run.stdout + run.stderr
    report = run.report
    assert report["ok"] is True
    assert [tool["name"] for tool in report["tools"]] == ["get_forecast", "get_alerts"]
    assert [resource["uri"] for resource in report["resources"]] == ["weather://stations"]
    assert [prompt["name"] for prompt in report["prompts"]] == ["plan_trip"]
    assert [argument["name"] for argument in report["prompts"][0]["arguments"]] == ["city"]
    assert report["tools"][0]["inputSchema"]["type"] == "object"
    assert report["findings"] == []
    assert_clean(run)


def test_report_matches_the_contract(verify):
    report = verify(EXAMPLES / "weather-server").report
    assert {
        "ok",
        "project",
        "mcp_verify_version",
        "steps",
        "sdist",
        "wheel",
        "server",
        "tools",
        "resources",
        "resource_templates",
        "prompts",
        "findings",
    } <= set(report)
    assert report["project"] == "examples/weather-server"
    assert [step["name"] for step in report["steps"]] == STEP_NAMES
    assert all(step["status"] == "pass" for step in report["steps"])
    assert all(isinstance(step["seconds"], float) and isinstance(step["message"], str) for step in report["steps"])
    sdist, wheel = report["sdist"], report["wheel"]
    assert sdist["filename"] == "weather_server-0.3.0.tar.gz"
    assert wheel["filename"] == "weather_server-0.3.0-py3-none-any.whl"
    for artifact in (sdist, wheel):
        assert re.fullmatch(r"[0-9a-f]{64}", artifact["sha256"])
        assert isinstance(artifact["size"], int)
        assert artifact["size"] > 0
    assert "weather_server-0.3.0/pyproject.toml" in sdist["files"]
    assert {"weather_server/server.py", "weather_server-0.3.0.dist-info/entry_points.txt"} <= set(wheel["files"])
    assert wheel["entry_points"] == {"console_scripts": {"weather-server": "weather_server.server:main"}}
    metadata = wheel["metadata"]
    assert (metadata["name"], metadata["version"], metadata["requires_python"]) == ("weather-server", "0.3.0", ">=3.10")
    assert any(requirement.startswith("mcp") for requirement in metadata["requires_dist"])
    server = report["server"]
    assert server["command"][0].endswith("/bin/weather-server")
    assert (server["name"], server["version"]) == ("weather", "0.3.0")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", server["protocol_version"])
    assert server["shutdown"] == "stdin-eof"


def test_text_report_shows_steps_tools_and_verdict(tmp_path):
    result = mcp_verify("examples/weather-server", tmp=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for step in STEP_NAMES:
        assert re.search(rf"✓ {step}\s+\d+\.\ds", out), step
    for name in ("get_forecast", "get_alerts", "weather://stations", "plan_trip", "weather_server/server.py"):
        assert name in out
    assert out.rstrip().splitlines()[-1].startswith("PASS  weather 0.3.0 is ready to publish")
    assert "build" in result.stderr, "progress goes to stderr"


def test_lowlevel_server_passes(verify):
    run = verify(EXAMPLES / "lowlevel-server")
    assert run.returncode == 0, run.stdout + run.stderr
    assert [tool["name"] for tool in run.report["tools"]] == ["add_note", "list_notes"]
    assert [resource["uri"] for resource in run.report["resources"]] == ["notes://all"]
    assert [prompt["name"] for prompt in run.report["prompts"]] == ["summarize_notes"]
    assert run.report["server"]["name"] == "notes"
    assert_clean(run)


def test_tutorial_server_fails_on_mcp2_with_the_import_error_and_the_way_out(verify):
    run = verify(EXAMPLES / "tutorial-server")
    assert run.returncode == 1
    assert run.report["ok"] is False
    finding = run.finding("MV201")
    assert finding["step"] == "launch"
    assert "ModuleNotFoundError: No module named 'mcp.server.fastmcp'" in finding["message"]
    assert "mcp>=1.6.0,<2" in finding["hint"]
    assert "MCPServer" in finding["hint"]
    assert run.step("launch")["status"] == "fail"
    assert [run.step(name)["status"] for name in ("handshake", "list", "shutdown")] == ["skip"] * 3
    assert run.report["tools"] == []
    assert "fastmcp" in run.report["server"]["stderr_tail"]
    assert_clean(run)


def test_python_dash_m_runs_the_cli(tmp_path):
    result = mcp_verify("--version", tmp=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == "mcp-verify, version 0.1.0"
    assert (ROOT / "src" / "mcp_verify" / "__main__.py").is_file()
