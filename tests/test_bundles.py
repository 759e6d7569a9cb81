"""MCP bundles verified as hosts install and start them: hand-made python bundles (raw servers,
one mistake each) in one run of the real command, the example uv bundles, and hostile zips."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from typing import TYPE_CHECKING, Any

import pytest

from mcp_verify._checks.bundle import check_contents
from mcp_verify._types import Bundle, Member

from .bundles import MANIFEST, TOOL, make_bundle, manifest, mcp_config
from .conftest import EXAMPLES, mcp_verify, processes_with, run_batch, tree_digest

if TYPE_CHECKING:
    from pathlib import Path

USER_CONFIG = {
    "api_base": {"type": "string", "title": "API base URL", "description": "Where the API is.", "required": True},
    "api_key": {"type": "string", "title": "API key", "description": "Yours.", "required": True, "sensitive": True},
    "region": {"type": "string", "title": "Region", "description": "Optional.", "required": False},
}
CONFIGURED = {
    # the server lists a tool whose description carries what it was given: a test sees what arrived
    "tools": [{**TOOL, "description": "base={env:API_BASE} key={env:API_KEY} region={env:REGION}"}],
}
CONFIGURED_MANIFEST = manifest(
    user_config=USER_CONFIG,
    server=mcp_config(
        env={
            "API_BASE": "${user_config.api_base}",
            "API_KEY": "${user_config.api_key}",
            "REGION": "${user_config.region}",
        }
    ),
)
BUNDLES: dict[str, dict[str, Any]] = {
    "good": {},
    "directory": {"packed": False},
    "unknown-key": {"written": manifest(homepage_url="https://example.com", skills=["weather"])},
    "missing-tool": {"written": manifest(tools=[*MANIFEST["tools"], {"name": "forecast", "description": "d"}])},
    "extra-tool": {"behaviour": {"tools": [TOOL, {**TOOL, "name": "reverse"}]}},
    "generated-tools": {
        "written": manifest(tools_generated=True),
        "behaviour": {"tools": [{**TOOL, "name": "made_at_run_time"}]},
    },
    "no-entry-point": {"written": manifest(server={**MANIFEST["server"], "entry_point": "server/server.py"})},
    "uv-on-path": {
        "written": manifest(server=mcp_config("uv", ["run", "--no-project", "${__dirname}/server/main.py"]))
    },
    "version-drift": {"files": {"pyproject.toml": '[project]\nname = "raw-bundle"\nversion = "1.1.0"\n'}},
    "user-config": {"written": CONFIGURED_MANIFEST, "behaviour": CONFIGURED},
    "needs-packages": {"files": {"server/main.py": "import httpx\nimport mcp.server\n"}},
}
GIVEN = ["--user-config", "api_base=https://api.example.net/v2", "--user-config", "api_key=sk-live-8f2d1c9b7a"]


class Batch:
    """One run of mcp-verify over every hand-made bundle; its reports by bundle name."""

    def __init__(self, base: Path) -> None:
        made = base / "made"
        self.bundles = {name: make_bundle(made, name, **spec) for name, spec in BUNDLES.items()}
        self.digest = tree_digest(made)
        ran = run_batch(self.bundles.values(), *GIVEN, base=base)
        self.result, self.reports, self.marker, self.tmp = ran.result, ran.reports, ran.marker, ran.tmp
        self.after = tree_digest(made)

    def __call__(self, name: str) -> dict[str, Any]:
        return self.reports[self.bundles[name].name]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    return Batch(tmp_path_factory.mktemp("bundles"))


def codes(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {finding["code"]: finding for finding in report["findings"]}


def tools(report: dict[str, Any]) -> list[str]:
    return [tool["name"] for tool in report["tools"]]


def test_the_run_leaves_nothing_behind(batch: Batch) -> None:
    assert batch.result.returncode == 1, batch.result.stderr
    assert "Traceback" not in batch.result.stderr
    assert list(batch.tmp.iterdir()) == []
    assert processes_with(batch.marker) == []
    assert batch.after == batch.digest, "a bundle was written to"


@pytest.mark.parametrize("name", ["good", "directory"])
def test_a_good_python_bundle_passes_with_exactly_its_tools(batch: Batch, name: str) -> None:
    report = batch(name)
    assert report["ok"] is True, report["findings"]
    assert tools(report) == ["echo"]
    assert [finding for finding in report["findings"] if finding["severity"] != "info"] == []
    summary = report["bundle"]
    assert summary["server_type"] == "python"
    assert summary["manifest_version"] == "0.3"
    assert "mcpb-manifest 0.4" in summary["schema"]
    install = next(step for step in report["steps"] if step["name"] == "install")
    assert "bare Python" in install["message"]


def test_an_unknown_manifest_key_is_named(batch: Batch) -> None:
    report = batch("unknown-key")
    assert report["ok"] is False
    unknown = codes(report)["MV803"]
    assert unknown["severity"] == "error"
    assert "'homepage_url'" in unknown["message"]
    assert "'skills'" in unknown["message"]
    assert tools(report) == ["echo"], "the server is still started and listed"


def test_a_promised_tool_the_server_lacks_is_an_error_and_an_added_one_a_warning(batch: Batch) -> None:
    missing = batch("missing-tool")
    assert missing["ok"] is False
    assert "forecast" in codes(missing)["MV814"]["message"]
    assert "MV815" not in codes(missing)
    extra = batch("extra-tool")
    assert extra["ok"] is True
    assert codes(extra)["MV815"]["severity"] == "warning"
    assert "reverse" in codes(extra)["MV815"]["message"]
    assert tools(extra) == ["echo", "reverse"]


def test_tools_generated_means_there_is_nothing_to_compare(batch: Batch) -> None:
    report = batch("generated-tools")
    assert report["ok"] is True
    assert {"MV814", "MV815"}.isdisjoint(codes(report))
    assert tools(report) == ["made_at_run_time"]


def test_a_missing_entry_point_is_named(batch: Batch) -> None:
    report = batch("no-entry-point")
    assert report["ok"] is False
    assert "'server/server.py'" in codes(report)["MV805"]["message"]


def test_a_bundle_relying_on_uv_from_the_path_is_named(batch: Batch) -> None:
    report = batch("uv-on-path")
    assert report["ok"] is False
    relies = codes(report)["MV806"]
    assert relies["severity"] == "error"
    assert "'uv'" in relies["message"]
    assert "ENOENT" in relies["message"]


def test_a_version_that_disagrees_with_the_bundled_pyproject_is_named(batch: Batch) -> None:
    report = batch("version-drift")
    assert report["ok"] is False
    drift = codes(report)["MV811"]
    assert "'1.0.0'" in drift["message"]
    assert "'1.1.0'" in drift["message"]


def test_user_config_reaches_the_server_as_a_host_passes_it(batch: Batch) -> None:
    report = batch("user-config")
    (tool,) = report["tools"]
    assert "base=https://api.example.net/v2" in tool["description"], "a given value reaches the server"
    assert "key=[redacted]" in tool["description"], "a sensitive value never reaches the report"
    assert "sk-live-8f2d1c9b7a" not in json.dumps(report)
    assert "region=${user_config.region}" in tool["description"], "a blank optional one arrives as literal text"
    literal = codes(report)["MV813"]
    assert literal["severity"] == "warning"
    assert "${user_config.region}" in literal["message"]
    assert report["ok"] is True


def test_imports_a_host_python_does_not_have_are_named(batch: Batch) -> None:
    report = batch("needs-packages")
    assert report["ok"] is False
    assert "httpx, mcp" in codes(report)["MV819"]["message"]
    failed = [finding for finding in report["findings"] if finding["step"] == "launch"]
    assert failed, "started on a bare Python, the server fails to import"
    assert "httpx" in failed[0]["message"]


def test_a_required_user_config_not_given_is_a_usage_error(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path, "configured", CONFIGURED, written=CONFIGURED_MANIFEST)
    result = mcp_verify(str(bundle), "--user-config", "api_key=sk-live-8f2d1c9b7a", tmp=tmp_path / "tmp")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "'api_base'" in result.stderr
    assert "--user-config api_base=" in result.stderr
    assert "Traceback" not in result.stderr
    assert list((tmp_path / "tmp").iterdir()) == []


def test_user_config_for_a_key_the_bundle_does_not_declare_is_a_usage_error(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path, "configured", CONFIGURED, written=CONFIGURED_MANIFEST)
    result = mcp_verify(str(bundle), *GIVEN, "--user-config", "reigon=eu", tmp=tmp_path / "tmp")
    assert result.returncode == 2
    assert "reigon" in result.stderr


def test_user_config_without_a_bundle_is_a_usage_error(tmp_path: Path) -> None:
    result = mcp_verify(str(EXAMPLES / "weather-server"), *GIVEN, tmp=tmp_path / "tmp")
    assert result.returncode == 2
    assert "--user-config" in result.stderr


@pytest.mark.parametrize(
    ("member", "words"),
    [("../escaped.py", "leads out of the bundle"), ("/etc/escaped.py", "leads out of the bundle")],
)
def test_a_member_leading_out_of_the_bundle_is_refused_before_anything_is_written(
    tmp_path: Path, member: str, words: str
) -> None:
    bundle = tmp_path / "hostile.mcpb"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("manifest.json", json.dumps(MANIFEST))
        archive.writestr("server/main.py", "print('never run')\n")
        archive.writestr(member, "print('escaped')\n")
    result = mcp_verify(str(bundle), "--format", "json", tmp=tmp_path / "tmp")
    assert result.returncode == 1
    opened = json.loads(result.stdout)
    assert opened["findings"][0]["code"] == "MV801"
    assert words in opened["findings"][0]["message"]
    assert not (tmp_path / "escaped.py").exists()
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"not a zip at all", "not a readable bundle"), (None, "no manifest.json"), (b"[1, 2]", "not an object")],
)
def test_a_bundle_that_cannot_be_opened_names_why(tmp_path: Path, content: bytes | None, words: str) -> None:
    bundle = tmp_path / "broken.mcpb"
    if content == b"not a zip at all":
        bundle.write_bytes(content)
    else:
        with zipfile.ZipFile(bundle, "w") as archive:
            archive.writestr("server/main.py", "")
            if content is not None:
                archive.writestr("manifest.json", content)
    result = mcp_verify(str(bundle), tmp=tmp_path / "tmp")
    assert result.returncode == 1
    assert "MV801" in result.stdout
    assert words in result.stdout
    assert "Traceback" not in result.stderr


def test_a_bundle_in_dist_is_found_beside_the_wheel_and_sdist(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    make_bundle(tmp_path / "src", "raw-bundle")
    (tmp_path / "src" / "raw-bundle.mcpb").rename(dist / "raw-bundle-1.0.0.mcpb")
    result = mcp_verify("dist", "--format", "json", tmp=tmp_path / "tmp", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["bundle"]["filename"] == "raw-bundle-1.0.0.mcpb"
    assert tools(report) == ["echo"]


@pytest.fixture(scope="module")
def example_bundles(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The uv bundles built from examples/weather-server by its script: installed with uv as Claude Desktop does."""
    out = tmp_path_factory.mktemp("example-bundles")
    script = EXAMPLES / "bundles" / "make_bundles.py"
    subprocess.run([sys.executable, str(script), str(out)], check=True, capture_output=True)
    return out / "weather.mcpb", out / "weather-broken.mcpb"


@pytest.mark.slow
def test_the_example_bundle_passes_with_exactly_its_tools(example_bundles: tuple[Path, Path], tmp_path: Path) -> None:
    result = mcp_verify(str(example_bundles[0]), "--format", "json", tmp=tmp_path / "tmp")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert tools(report) == ["get_forecast", "get_alerts"]
    assert report["bundle"]["server_type"] == "uv"
    assert {finding["code"] for finding in report["findings"] if finding["severity"] != "info"} == {"MV804"}
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.slow
def test_the_broken_example_bundle_fails_naming_each_mistake(
    example_bundles: tuple[Path, Path], tmp_path: Path
) -> None:
    result = mcp_verify(str(example_bundles[1]), tmp=tmp_path / "tmp", env={"NO_COLOR": "1"})
    assert result.returncode == 1
    for code, words in [("MV803", "'homepage_url'"), ("MV814", "get_radar"), ("MV811", "'0.4.0'")]:
        assert code in result.stdout
        assert words in result.stdout
    assert list((tmp_path / "tmp").iterdir()) == []


COMPILED = "server/lib/pydantic_core/_pydantic_core.cpython-311-x86_64-linux-gnu.so"


@pytest.mark.parametrize(
    ("compatibility", "expected"),
    [
        ({"platforms": ["linux"], "runtimes": {"python": ">=3.11 <3.12"}}, []),
        ({"platforms": ["linux", "darwin"], "runtimes": {"python": ">=3.11,<3.12"}}, [("error", "users on darwin")]),
        ({"platforms": ["linux"], "runtimes": {"python": ">=3.10 <4"}}, [("error", "admits 3.10, 3.12")]),
        ({}, [("warning", "users on darwin, win32"), ("warning", "names no Python")]),
    ],
)
def test_compiled_extensions_are_held_to_what_compatibility_claims(
    tmp_path: Path, compatibility: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    """What compatibility claims and the extensions do not cover is an error; where it claims
    nothing, hosts offer the bundle everywhere: a warning."""
    written = {**MANIFEST, "compatibility": compatibility} if compatibility else manifest(compatibility=None)
    bundle = Bundle(tmp_path, written, "", "x.mcpb", "", 1, (Member(COMPILED, 1), Member("server/main.py", 1)))
    found = [(item.severity.value, item.message) for item in check_contents(bundle) if item.code == "MV809"]
    assert len(found) == len(expected), found
    for (severity, message), (wanted, words) in zip(found, expected, strict=True):
        assert severity == wanted
        assert words in message
