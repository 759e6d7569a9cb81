"""Registry pre-flight: server.json against the registry's rules and the built artifacts."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from mcp_verify._checks.registry import check_server_json, declares_mcp_name
from mcp_verify._files import read_json_object
from mcp_verify._inspect import inspect_sdist, inspect_wheel
from mcp_verify._project import read_project
from mcp_verify._types import Metadata, Severity, Wheel

from .conftest import PACKAGES

if TYPE_CHECKING:
    from pathlib import Path

NAME = "io.github.example/demo"
GOOD_README = f"# demo\n\n<!-- mcp-name: {NAME} -->\n"


def _server_json(**changes: object) -> dict:
    package = {
        "registryType": "pypi",
        "identifier": "mvt-demo",
        "version": "1.0.0",
        "transport": {"type": "stdio"},
        "environmentVariables": [{"name": "API_KEY", "isRequired": True, "isSecret": True}],
    }
    document = {
        "name": NAME,
        "description": "A demo server.",
        "version": "1.0.0",
        "packages": [package],
        "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
    }
    for key, value in changes.items():
        target = package if key.startswith("package_") else document
        target[key.removeprefix("package_")] = value
    return document


def _wheel(description: str | None = GOOD_README, version: str = "1.0.0") -> Wheel:
    metadata = Metadata("mvt-demo", version, "A demo.", ">=3.10", [], description)
    return Wheel("mvt_demo-1.0.0-py3-none-any.whl", "0" * 64, 1, ["mvt_demo/__init__.py"], metadata=metadata)


NO_WHEEL = object()


def _check(tmp_path: Path, document: object, wheel: object = None, env: dict | None = None, **kwargs):
    path = tmp_path / "server.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document, indent=2))
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "mvt-demo"\nreadme = "README.md"\n')
    chosen = None if wheel is NO_WHEEL else wheel or _wheel()
    project = read_project(tmp_path)
    document = read_json_object(path, "MV601", "registry", tmp_path)
    return check_server_json(document, chosen, {"API_KEY": "s3cret"} if env is None else env, project=project, **kwargs)


def _codes(findings) -> list[str]:
    return [finding.code for finding in findings]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"<!-- mcp-name: {NAME} -->", True),
        (f"mcp-name: {NAME}\nmore", True),
        (f"see mcp-name: {NAME}", True),
        (f"mcp-name: {NAME}<br>", True),
        (f"mcp-name: {NAME}.", False),  # the registry reads "io.github.example/demo."
        (f"<!-- mcp-name: {NAME}-->", False),  # ... and "io.github.example/demo--"
        (f"mcp-name: {NAME}-evil", False),
        (f"mcp-name: {NAME.upper()}", False),
        (f"mcp-name:  {NAME}", False),
        (f"MCP-Name: {NAME}", False),
        (f"mcp-name: {NAME}x then mcp-name: {NAME} ", True),
        (f"install {NAME}", False),
    ],
)
def test_marker_is_matched_as_the_registry_matches_it(text, expected):
    assert declares_mcp_name(text, NAME) is expected


def test_a_matching_server_json_has_no_findings(tmp_path):
    assert _check(tmp_path, _server_json()) == []


def test_invalid_json_names_line_and_column(tmp_path):
    [finding] = _check(tmp_path, '{\n  "name": "x",\n  "version": 1.0.0\n}\n')
    assert (finding.code, finding.severity, finding.step) == ("MV601", Severity.WARNING, "registry")
    assert "line 3, column" in finding.message
    assert (finding.file, finding.line) == ("server.json", 3)


def test_name_and_description_rules(tmp_path):
    findings = _check(tmp_path, _server_json(name="demo", description="x" * 101))
    assert _codes(findings) == ["MV603", "MV604", "MV610"]
    assert "'demo'" in findings[0].message
    assert "101 characters" in findings[1].message
    assert findings[0].line == 2


@pytest.mark.parametrize("name", ["io.github.example/a/b", "io.github.example", "example/demo", "io.github.x/-demo"])
def test_names_that_are_not_reverse_dns_with_one_slash(tmp_path, name):
    assert "MV603" in _codes(_check(tmp_path, _server_json(name=name)))


def test_missing_required_keys(tmp_path):
    document = _server_json()
    del document["description"]
    assert _codes(_check(tmp_path, document)) == ["MV602"]


def test_version_and_identifier_must_match_the_wheel(tmp_path):
    findings = _check(tmp_path, _server_json(version="0.9.0", package_version="0.9.0", package_identifier="other"))
    assert _codes(findings) == ["MV605", "MV607", "MV608"]
    assert "'0.9.0'" in findings[0].message
    assert "1.0.0" in findings[0].message
    assert "'other'" in findings[1].message
    assert "'mvt-demo'" in findings[1].message
    assert [finding.line for finding in findings] == [4, 8, 9]


def test_equal_versions_and_names_in_other_spellings_match(tmp_path):
    document = _server_json(version="1.0.0-alpha.1", package_version="1.0.0a1", package_identifier="MVT_Demo")
    assert _check(tmp_path, document, _wheel(version="1.0.0a1")) == []


def test_no_pypi_package_is_a_warning_and_skips_the_marker(tmp_path):
    document = _server_json(package_registryType="oci")
    [finding] = _check(tmp_path, document, _wheel(description=None))
    assert (finding.code, finding.severity) == ("MV606", Severity.WARNING)
    assert "oci mvt-demo" in finding.message
    assert '"identifier": "mvt-demo", "version": "1.0.0"' in finding.hint


def test_transport_other_than_stdio(tmp_path):
    findings = _check(tmp_path, _server_json(package_transport={"type": "streamable-http", "url": "http://x"}))
    assert [(f.code, f.severity) for f in findings] == [("MV609", Severity.WARNING)]
    assert "'streamable-http'" in findings[0].message


def test_required_variables_are_named_never_valued(tmp_path):
    variables = [
        {"name": "API_KEY", "isRequired": True},
        {"name": "REGION", "isRequired": True, "default": "eu"},
        {"name": "DEBUG", "isRequired": False},
        {"name": "TOKEN", "isRequired": True, "isSecret": True},
    ]
    findings = _check(tmp_path, _server_json(package_environmentVariables=variables), env={"TOKEN": "s3cret"})
    [finding] = findings
    assert (finding.code, finding.severity) == ("MV612", Severity.WARNING)
    assert "API_KEY" in finding.message
    assert "REGION" not in finding.message
    assert "--env API_KEY=" in finding.hint
    assert "s3cret" not in finding.message + finding.hint


def test_marker_missing_says_where_it_was_expected(tmp_path):
    (tmp_path / "README.md").write_text("# demo\n")
    [finding] = _check(tmp_path, _server_json(), _wheel(description="# demo\n"))
    assert finding.code == "MV610"
    assert "README.md" in finding.message
    assert f"<!-- mcp-name: {NAME} -->" in finding.hint
    assert (finding.file, finding.line) == ("README.md", None)


def test_a_near_miss_marker_is_quoted_with_its_line(tmp_path):
    readme = f"# demo\n\nmcp-name: {NAME}.\n"
    (tmp_path / "README.md").write_text(readme)
    [finding] = _check(tmp_path, _server_json(), _wheel(description=readme))
    assert f"`mcp-name: {NAME}.`" in finding.message
    assert "'.'" in finding.message
    assert (finding.file, finding.line) == ("README.md", 3)


def test_an_sdist_that_differs_from_the_wheel_is_checked_too(tmp_path):
    findings = _check(tmp_path, _server_json(), sdist_description="# demo\n")
    assert _codes(findings) == ["MV610"]
    assert "sdist PKG-INFO" in findings[0].message
    assert _check(tmp_path, _server_json(), sdist_description=GOOD_README) == []


def test_without_a_wheel_only_the_file_itself_is_checked(tmp_path):
    assert _codes(_check(tmp_path, _server_json(description=""), NO_WHEEL, env={})) == ["MV602", "MV612"]


# The fixtures, built as a release is built: the sdist, then the wheel from it.


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    def build(name: str) -> tuple[Path, Wheel, str | None]:
        work = tmp_path_factory.mktemp(name)
        source = shutil.copytree(PACKAGES / name, work / name)
        command = [sys.executable, "-m", "build", "--installer", "uv", "--outdir", str(work / "dist"), str(source)]
        subprocess.run(command, check=True, capture_output=True, timeout=300)
        sdist, wheel = next((work / "dist").glob("*.tar.gz")), next((work / "dist").glob("*.whl"))
        return source, inspect_wheel(wheel), inspect_sdist(sdist).description

    return build


def _check_built(built, name: str, env: dict[str, str]):
    source, wheel, sdist_description = built(name)
    project = read_project(source)
    document = read_json_object(source / "server.json", "MV601", "registry", source)
    return check_server_json(document, wheel, env, project=project, sdist_description=sdist_description)


@pytest.mark.slow
def test_registry_good_fixture_passes(built):
    assert _check_built(built, "registry-good", {}) == []


@pytest.mark.slow
def test_registry_mismatch_fixture_names_every_disagreement(built):
    findings = {finding.code: finding for finding in _check_built(built, "registry-mismatch", {})}
    assert sorted(findings) == ["MV605", "MV607", "MV608", "MV610", "MV612"]
    assert all(finding.severity == Severity.WARNING for finding in findings.values())
    assert "'0.9.0'" in findings["MV605"].message
    assert "'mvt-registry-old-name'" in findings["MV607"].message
    assert "'mvt-registry-mismatch'" in findings["MV607"].message
    marker = findings["MV610"]
    assert "`mcp-name: io.github.example/registry-mismatch.`" in marker.message
    assert "wheel METADATA and sdist PKG-INFO" in marker.message
    assert (marker.file, marker.line) == ("README.md", 7)
    assert "MVT_REGISTRY_API_KEY" in findings["MV612"].message
    given = _check_built(built, "registry-mismatch", {"MVT_REGISTRY_API_KEY": "x"})
    assert "MV612" not in _codes(given)


@pytest.mark.slow
def test_registry_no_readme_fixture_says_the_readme_is_missing(built):
    [finding] = _check_built(built, "registry-no-readme", {})
    assert finding.code == "MV611"
    assert "has no readme" in finding.message
    assert 'readme = "README.md"' in finding.hint
    assert (finding.file, finding.line) == ("pyproject.toml", 5)
