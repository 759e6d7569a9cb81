"""The release-gate uses: built artifacts verified as they are, snapshots, client config, CI formats."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import anyio
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from .conftest import ROOT, assert_clean, mcp_verify

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """good-server's sdist and wheel as mcp-verify built them (``--dist-dir``), and that report."""
    base = tmp_path_factory.mktemp("gate")
    out = base / "source.json"
    result = mcp_verify(
        "tests/packages/good-server",
        "--dist-dir",
        str(base / "dist"),
        "--format",
        "json",
        "-o",
        str(out),
        tmp=base / "tmp",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return base / "dist", json.loads(out.read_text())


def test_dist_dir_keeps_the_verified_artifacts(dist):
    directory, report = dist
    assert sorted(path.name for path in directory.iterdir()) == sorted(
        [report["sdist"]["filename"], report["wheel"]["filename"]]
    )


def test_a_dist_directory_is_verified_without_rebuilding(verify, dist):
    directory, source = dist
    run = verify(directory)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.step("build")["message"].startswith("prebuilt, not rebuilt")
    assert run.report["wheel"]["sha256"] == source["wheel"]["sha256"], "the exact bytes that will be uploaded"
    assert run.report["sdist"]["sha256"] == source["sdist"]["sha256"]
    assert run.report["tools"] == source["tools"]
    assert run.report["prompts"] == source["prompts"]
    assert run.report["resources"] == source["resources"]
    assert_clean(run)


def test_artifact_files_and_a_lone_sdist(tmp_path, dist):
    directory, source = dist
    sdist = directory / source["sdist"]["filename"]
    result = mcp_verify(str(sdist), "--format", "json", tmp=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert "wheel built from the sdist" in report["steps"][0]["message"]
    assert [tool["name"] for tool in report["tools"]] == ["add", "echo"]


def test_snapshot_round_trip_then_breaking_changes_fail(tmp_path):
    snapshot = tmp_path / "tools.json"
    written = mcp_verify(
        "tests/packages/good-server", "--snapshot", str(snapshot), "--update-snapshot", tmp=tmp_path / "a"
    )
    assert written.returncode == 0, written.stdout + written.stderr
    assert mcp_verify("tests/packages/good-server", "--snapshot", str(snapshot), tmp=tmp_path / "b").returncode == 0
    # the committed snapshot knew a tool the server no longer has, and an optional parameter now required
    data = json.loads(snapshot.read_text())
    tools = data["tools"]
    removed = {**tools[0], "name": "subtract"}
    echo = next(tool for tool in tools if tool["name"] == "echo")
    echo["inputSchema"]["required"] = []
    tools.append(removed)
    snapshot.write_text(json.dumps(data))
    result = mcp_verify(
        "tests/packages/good-server", "--snapshot", str(snapshot), "--format", "json", tmp=tmp_path / "c"
    )
    assert result.returncode == 1
    report = json.loads(result.stdout)
    codes = {finding["code"]: finding for finding in report["findings"]}
    assert "subtract" in codes["MV703"]["message"]
    assert "text" in codes["MV704"]["message"]
    assert report["snapshot"]["status"] == "warn", "a check beside the pipeline: the verdict fails, not a step"
    assert report["ok"] is False


@pytest.mark.parametrize("mode", ["--client-config", "config"])
def test_config_prints_json_whose_command_runs_the_server(tmp_path, mode):
    home = tmp_path / "servers" / "good"
    result = mcp_verify(mode, "tests/packages/good-server", "--install-dir", str(home), tmp=tmp_path / "tmp")
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["config_file"]["macos"] == "~/Library/Application Support/Claude/claude_desktop_config.json"
    assert config["config_file"]["windows"] == "%APPDATA%\\Claude\\claude_desktop_config.json"
    published = config["published"]["mcpServers"]["mvt-good-server"]
    assert published == {"command": "uvx", "args": ["--from", "mvt-good-server==1.0.0", "mvt-good-server"]}
    local = config["local"]["mcpServers"]["mvt-good-server"]
    assert local["command"] == str(home / "bin" / "mvt-good-server")

    async def handshake() -> list[str]:
        params = StdioServerParameters(command=local["command"], args=local["args"], cwd=str(tmp_path))
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            return [tool.name for tool in (await session.list_tools()).tools]

    assert anyio.run(handshake) == ["add", "echo"]


def test_junit_for_a_passing_project(verify, tmp_path):
    out = tmp_path / "junit.xml"
    result = mcp_verify("tests/packages/good-server", "--format", "junit", "-o", str(out), tmp=tmp_path / "tmp")
    assert result.returncode == 0
    suite = ET.parse(out).getroot().find("testsuite")
    assert suite.get("failures") == "0"
    assert [case.get("name") for case in suite.iter("testcase")][:3] == ["build", "inspect", "install"]


def test_github_format_annotates_and_writes_the_step_summary(tmp_path):
    summary = tmp_path / "summary.md"
    result = mcp_verify(
        "tests/packages/crash-on-start",
        "--format",
        "github",
        tmp=tmp_path / "tmp",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.returncode == 1
    assert "::error title=MV201 launch::server exited with code 3" in result.stdout
    markdown = summary.read_text()
    assert "| launch | fail |" in markdown
    assert "MV201" in markdown


def test_bad_toml_annotation_points_at_the_line(tmp_path):
    result = mcp_verify("tests/packages/bad-toml", "--format", "github", tmp=tmp_path)
    assert "::error file=tests/packages/bad-toml/pyproject.toml,line=3,title=MV101 build::" in result.stdout


def test_action_runs_mcp_verify_with_github_format():
    action = (ROOT / "action.yml").read_text()
    assert "using: composite" in action
    assert "--format github" in action
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
