"""Using the server as a client would: tool calls, [tool.mcp-verify], --exercise, client profiles, HTTP."""

from __future__ import annotations

import json
import shutil
import uuid
from typing import TYPE_CHECKING

import pytest

from mcp_verify._checks.profiles import check_profiles, rules
from mcp_verify._types import Listing

from .conftest import MARK_VARIABLE, PACKAGES, mcp_verify, processes_with
from .rawserver import make_project

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path

OBJECT = {"type": "object"}
STATS = {
    "name": "stats",
    "description": "Mean of numbers.",
    "inputSchema": {
        "type": "object",
        "properties": {"values": {"type": "array", "items": {"type": "number"}}},
        "required": ["values"],
    },
}
TOOLS = [
    STATS,
    {"name": "fails", "description": "Always fails.", "inputSchema": OBJECT},
    {
        "name": "typed",
        "description": "Structured, wrongly.",
        "inputSchema": OBJECT,
        "outputSchema": {"type": "object", "properties": {"count": {"type": "integer"}}, "required": ["count"]},
    },
    {
        "name": "untyped",
        "description": "Declares structure, returns none.",
        "inputSchema": OBJECT,
        "outputSchema": {"type": "object"},
    },
]
BEHAVIOUR = {
    "tools": TOOLS,
    "call_results": {
        "stats": {"content": [{"type": "text", "text": "mean 2.0"}]},
        "fails": {"content": [{"type": "text", "text": "database file data/db.sqlite not found"}], "isError": True},
        "typed": {"content": [{"type": "text", "text": "{}"}], "structuredContent": {"count": "three"}},
        "untyped": {"content": [{"type": "text", "text": "done"}]},
    },
    "resources": [{"name": "all", "uri": "notes://all"}, {"name": "lost", "uri": "notes://lost"}],
    "reads": {
        "notes://all": {"contents": [{"uri": "notes://all", "text": "hello"}]},
        "notes://lost": {"error": {"code": -32002, "message": "notes.json is missing"}},
    },
    "prompts": [{"name": "greet", "arguments": [{"name": "who", "required": True}]}, {"name": "broken"}],
    "prompt_results": {
        "greet": {"messages": [{"role": "user", "content": {"type": "text", "text": "hi"}}]},
        "broken": {"error": {"code": -32603, "message": "template not found"}},
    },
}
SETTINGS = """
[tool.mcp-verify]
timeout = 20

[[tool.mcp-verify.calls]]
tool = "stats"
arguments = { values = [1, 2, 3] }
expect = "2.0"

[[tool.mcp-verify.calls]]
tool = "fails"

[[tool.mcp-verify.calls]]
tool = "typed"

[[tool.mcp-verify.calls]]
tool = "untyped"
"""

GOOD_OVER_HTTP = ("--transport", "http", "--arg=--http", "--arg", "{port}", "--call", 'add={"a": 2, "b": 3}')
"""good-server over streamable HTTP, with a call whose answer is 5."""


def run(tmp_path: Path, *arguments: str) -> tuple[subprocess.CompletedProcess[str], dict | None]:
    tmp = tmp_path / f"tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    report = tmp_path / f"{uuid.uuid4().hex}.json"
    result = mcp_verify(*arguments, "--format", "json", "-o", str(report), "-q", tmp=tmp)
    assert list(tmp.iterdir()) == []
    assert "Traceback" not in result.stderr
    return result, json.loads(report.read_text()) if report.exists() else None


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("exercise")
    make_project(base, "raw-calls", BEHAVIOUR, settings=SETTINGS)
    make_project(base, "raw-dotted", {"tools": [{"name": "notes.search", "description": "d", "inputSchema": OBJECT}]})
    make_project(base, "raw-unknown-key", {"tools": [STATS]}, settings="\n[tool.mcp-verify]\ncals = []\n")
    make_project(base, "raw-needs-env", {"tools": [STATS]}, settings='\n[tool.mcp-verify]\nenv = ["NOTES_TOKEN"]\n')
    return base


@pytest.fixture(scope="module")
def exercised(projects: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    result, report = run(tmp_path_factory.mktemp("runs"), str(projects / "raw-calls"), "--exercise")
    assert result.returncode == 1, result.stderr
    assert report is not None
    return report


def codes(report: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for finding in report["findings"]:
        found.setdefault(finding["code"], []).append(finding)
    return found


@pytest.mark.slow
def test_the_calls_declared_in_the_project_run_with_no_option(exercised):
    calls = {call["tool"]: call for call in exercised["calls"]}
    assert list(calls) == ["stats", "fails", "typed", "untyped"]
    assert calls["stats"]["ok"] is True
    assert calls["stats"]["arguments"] == {"values": [1, 2, 3]}
    assert calls["stats"]["result"] == {"content": [{"type": "text", "text": "mean 2.0"}]}
    assert calls["fails"]["ok"] is False
    assert all(isinstance(call["seconds"], float) for call in calls.values())


@pytest.mark.slow
def test_a_call_whose_result_is_an_error_names_the_tool(exercised):
    [failed] = codes(exercised)["MV430"]
    assert failed["severity"] == "error"
    assert "'fails'" in failed["message"]
    assert "database file data/db.sqlite not found" in failed["message"]


@pytest.mark.slow
def test_structured_output_is_checked_against_its_output_schema(exercised):
    [wrong] = codes(exercised)["MV431"]
    assert "'typed'" in wrong["message"]
    assert "outputSchema count: 'three' is not of type 'integer'" in wrong["message"]
    [missing] = codes(exercised)["MV432"]
    assert "'untyped'" in missing["message"]


@pytest.mark.slow
def test_exercise_names_the_resource_and_the_prompt_that_fail_and_nothing_else(exercised):
    [resource] = codes(exercised)["MV434"]
    assert "'notes://lost'" in resource["message"]
    assert "notes.json is missing" in resource["message"]
    [prompt] = codes(exercised)["MV435"]
    assert "'broken'" in prompt["message"]
    steps = {step["name"]: step["status"] for step in exercised["steps"]}
    assert steps["read notes://all"] == "pass"
    assert steps["read notes://lost"] == "warn"
    assert steps["get greet"] == "pass", "its required argument was filled"
    assert steps["get broken"] == "warn"
    assert steps["shutdown"] == "pass"


@pytest.mark.slow
def test_arguments_the_input_schema_rejects_are_a_usage_error(projects, tmp_path):
    result, _ = run(tmp_path, str(projects / "raw-calls"), "--call", 'stats={"values": "1,2,3"}')
    assert result.returncode == 2
    assert "--call stats: the arguments do not match the tool's inputSchema" in result.stderr
    assert "'1,2,3' is not of type 'array'" in result.stderr
    result, _ = run(tmp_path, str(projects / "raw-calls"), "--call", "nosuch")
    assert result.returncode == 2
    assert "--call nosuch: the server lists no such tool (it lists: fails, stats, typed, untyped)" in result.stderr


@pytest.mark.slow
def test_a_call_given_on_the_command_line_replaces_the_declared_ones(projects, tmp_path):
    result, report = run(tmp_path, str(projects / "raw-calls"), "--call", 'stats={"values": [4]}')
    assert result.returncode == 0, result.stderr
    assert [(call["tool"], call["arguments"]) for call in report["calls"]] == [("stats", {"values": [4]})]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("project", "words"),
    [
        ("raw-unknown-key", "[tool.mcp-verify]: unknown key 'cals'"),
        ("raw-needs-env", "the server needs NOTES_TOKEN: pass --env NOTES_TOKEN=..."),
    ],
)
def test_project_settings_mistakes_are_usage_errors(projects, tmp_path, project, words):
    result, _ = run(tmp_path, str(projects / project))
    assert result.returncode == 2
    assert words in result.stderr


@pytest.mark.slow
def test_a_tool_name_a_client_rejects_is_a_warning_and_an_error_for_that_client(projects, tmp_path):
    result, report = run(tmp_path, str(projects / "raw-dotted"))
    assert result.returncode == 0, result.stderr
    profile = [f for f in report["findings"] if f["code"] == "MV420" and f["message"].startswith("claude-desktop")]
    assert profile[0]["severity"] == "warning"
    assert "'notes.search'" in profile[0]["message"]
    result, report = run(tmp_path, str(projects / "raw-dotted"), "--client", "claude-desktop")
    assert result.returncode == 1
    strict = [f for f in report["findings"] if f["code"] == "MV420" and f["message"].startswith("claude-desktop")]
    assert strict[0]["severity"] == "error"


def test_every_profile_rule_names_its_source():
    assert {rule.client for rule in rules()} >= {"claude-desktop", "claude-code"}
    assert all(rule.references and rule.consequence for rule in rules())


def test_claude_code_names_are_counted_with_the_server_key():
    listing = Listing(tools=[{"name": "t" * 50, "description": "d", "inputSchema": OBJECT}])
    [long] = [f for f in check_profiles(listing, None, "my-server") if f.message.startswith("claude-code")]
    assert long.code == "MV421"
    assert f"'mcp__my-server__{'t' * 50}' (66 characters, at most 64)" in long.message
    assert check_profiles(Listing(tools=[{"name": "ok", "description": "d", "inputSchema": OBJECT}]), None, "s") == []


@pytest.mark.slow
def test_a_server_over_streamable_http_is_listed_exactly_and_stopped(tmp_path):
    marker = uuid.uuid4().hex
    result, report = run(tmp_path, str(PACKAGES / "good-server"), *GOOD_OVER_HTTP, "--env", f"{MARK_VARIABLE}={marker}")
    assert result.returncode == 0, result.stderr
    assert [tool["name"] for tool in report["tools"]] == ["add", "echo"]
    assert [prompt["name"] for prompt in report["prompts"]] == ["greet"]
    assert report["calls"][0]["result"]["content"][0]["text"] == "5"
    assert report["server"]["shutdown"] == "stopped"
    assert processes_with(marker) == []


@pytest.mark.slow
def test_a_server_json_that_declares_streamable_http_gets_that_leg(tmp_path):
    project = tmp_path / "good-http"
    shutil.copytree(PACKAGES / "good-server", project)
    package = {
        "registryType": "pypi",
        "identifier": "mvt-good-server",
        "version": "1.0.0",
        "transport": {"type": "streamable-http", "url": "http://127.0.0.1:{port}/mcp"},
        "packageArguments": [{"type": "named", "name": "--http", "value": "{port}"}],
    }
    server = {"name": "io.github.example/good-http", "description": "d", "version": "1.0.0", "packages": [package]}
    (project / "server.json").write_text(json.dumps(server))
    result, report = run(tmp_path, str(project))
    assert report is not None, result.stderr
    assert report["http"]["status"] == "pass", report["http"]
    assert "2 tools over streamable HTTP at http://127.0.0.1:" in report["http"]["message"]
    assert [tool["name"] for tool in report["tools"]] == ["add", "echo"], "the stdio leg as always"
