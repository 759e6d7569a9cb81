"""The environments real clients start servers in: other Pythons, cp1252 consoles, slow starts, .env files."""

from __future__ import annotations

import pytest

from mcp_verify._exceptions import UsageError
from mcp_verify._venv import find_python

from .conftest import PACKAGES, assert_clean

pytestmark = pytest.mark.slow


def _python(version: str) -> str | None:
    try:
        return find_python(version)
    except UsageError:
        return None


@pytest.mark.skipif(_python("3.12") is None, reason="no CPython 3.12 on this machine")
def test_other_pythons_are_reported_side_by_side(verify, tmp_path):
    run = verify(PACKAGES / "good-server", "--python", "3.12", "--python", "3.10")
    assert run.returncode == 0, run.stdout + run.stderr
    projects = run.report["projects"]
    assert [project["python"] for project in projects] == ["3.12", "3.10"]
    for project, version in zip(projects, ("3.12", "3.10"), strict=True):
        assert project["environment"]["python_version"].startswith(version + ".")
        assert [tool["name"] for tool in project["tools"]] == ["add", "echo"]
    assert projects[0]["wheel"]["sha256"] == projects[1]["wheel"]["sha256"], "built once, installed per Python"


def test_a_crash_under_cp1252_is_named(verify):
    run = verify(PACKAGES / "encoding-crash", "--encoding", "cp1252")
    assert run.returncode == 1
    finding = run.finding("MV220")
    assert finding["step"] == "encoding"
    assert "PYTHONIOENCODING=cp1252" in finding["message"]
    assert "UnicodeEncodeError" in finding["message"]
    assert run.report["encoding"]["status"] == "fail"
    assert "'✓ ready'" in run.finding("MV204")["message"], "under UTF-8 the same line is stray stdout"
    assert_clean(run)


def test_strict_adds_the_encoding_leg_and_a_good_server_passes_it(verify):
    run = verify(PACKAGES / "good-server", "--strict")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.report["encoding"] == {
        "encoding": "cp1252",
        "status": "pass",
        "message": "starts and lists with PYTHONIOENCODING=cp1252 (as in a Windows console)",
    }
    assert run.report["findings"] == []


def test_slow_start_is_measured_and_flagged_with_its_imports(verify):
    run = verify(PACKAGES / "slow-start", "--env", "MVT_SLEEP=2", "--startup-budget", "1")
    assert run.returncode == 0, run.stdout + run.stderr
    server = run.report["server"]
    assert server["startup_seconds"] >= 2
    assert server["ready_seconds"] >= server["startup_seconds"]
    finding = run.finding("MV210")
    assert finding["severity"] == "warning"
    assert "over the budget of 1 s" in finding["message"]
    assert "slowest imports: mcp" in finding["message"]
    assert "the rest went into starting the server" in finding["message"], "it sleeps in main(), not at import"


def test_slow_start_fails_under_strict(verify):
    run = verify(PACKAGES / "slow-start", "--env", "MVT_SLEEP=2", "--startup-budget", "1", "--strict")
    assert run.returncode == 1
    assert run.report["ok"] is False


def test_env_file_reaches_the_server_and_env_wins(verify, tmp_path_factory):
    env_file = tmp_path_factory.mktemp("env") / "server.env"
    # values this short are settings, not secrets: the report may show them (longer ones it redacts)
    env_file.write_text("# settings\nexport MVT_TOOL_NAME='file'  # a comment\nOTHER=1\n")
    run = verify(PACKAGES / "env-args-server", "--env-file", str(env_file))
    assert sorted(tool["name"] for tool in run.report["tools"]) == ["file", "no_arg"]
    run = verify(PACKAGES / "env-args-server", "--env-file", str(env_file), "--env", "MVT_TOOL_NAME=flag")
    assert sorted(tool["name"] for tool in run.report["tools"]) == ["flag", "no_arg"]


def test_lowest_resolution_installs_the_lowest_allowed_mcp(verify):
    run = verify(PACKAGES / "good-server", "--resolution", "both")
    projects = run.report["projects"]
    assert [project["resolution"] for project in projects] == ["highest", "lowest"]
    highest, lowest = (project["environment"]["packages"]["mcp"] for project in projects)
    assert lowest.startswith("2.0")
    assert highest != lowest


def test_registry_preflight_names_version_identifier_and_marker(verify):
    """A stale server.json does not break the PyPI release: warnings, in the steps and at the top level."""
    run = verify(PACKAGES / "registry-mismatch")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.report["registry"]["status"] == "warn"
    assert {"name": "registry", "status": "warn"}.items() <= run.step("registry").items()
    assert all(finding["severity"] == "warning" for finding in run.findings if finding["step"] == "registry")
    assert "'0.9.0'" in run.finding("MV605")["message"]
    assert "mvt-registry-old-name" in run.finding("MV607")["message"]
    marker = run.finding("MV610")["message"]
    assert "mcp-name: io.github.example/registry-mismatch." in marker
    assert "MVT_REGISTRY_API_KEY" in run.finding("MV612")["message"]
    others = [step["status"] for step in run.report["steps"] if step["name"] != "registry"]
    assert others == ["pass"] * len(others), "the server itself is fine"
    assert_clean(run)


def test_registry_preflight_passes_a_matching_server_json(verify):
    run = verify(PACKAGES / "registry-good")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.report["registry"]["status"] == "pass"
    assert run.finding("MV136")["severity"] == "info", "no __main__.py: python -m will not start it"


def test_protocol_matrix_offers_every_version_of_both_eras(verify):
    run = verify(PACKAGES / "good-server", "--protocols")
    assert run.returncode == 0, run.stdout + run.stderr
    versions = run.report["protocols"]["versions"]
    offered = [(row["era"], row["offered"]) for row in versions]
    legacy = [("legacy", version) for version in ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")]
    assert offered == [*legacy, ("modern", "2026-07-28")]
    assert all(row["accepted"] for row in versions)
