"""A registry sweep: a server list in the MCP Registry's format, the PyPI releases it names served by a
local index, verified twice with ``--resume`` (the second run verifies only what the first did not
finish, and a report cut short does not count as finished).
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from mcp_verify._lists import OFFICIAL, read_server_list
from mcp_verify._merge import read_reports

from . import rawserver
from .conftest import MARK_VARIABLE, mcp_verify, processes_with

if TYPE_CHECKING:
    from pathlib import Path

TOOL = {"name": "echo", "description": "Echo the text back.", "inputSchema": {"type": "object"}}
SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
GOOD = "io.github.mvt/good@1.0.0 (mvt-r-good==1.0.0)"
CRASH = "io.github.mvt/crash@1.0.0 (mvt-r-crash==1.0.0)"
RENAMED = "io.github.mvt/renamed@2.0.0 (mvt-r-good==1.0.0)"
NODE = "io.github.mvt/node@2.0.0"
DELETED = "io.github.mvt/old@0.1.0"
UNVERSIONED = "io.github.mvt/unversioned@1.0.0 (mvt-r-good)"


def server_json(name: str, version: str, *packages: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "name": name,
        "description": "A raw JSON-RPC server for mcp-verify's registry sweep.",
        "version": version,
        "packages": list(packages),
    }


def pypi(identifier: str, version: str | None) -> dict[str, Any]:
    package = {"registryType": "pypi", "identifier": identifier, "transport": {"type": "stdio"}}
    return {**package, "version": version} if version else package


def listed(status: str = "active") -> dict[str, Any]:
    return {OFFICIAL: {"status": status, "publishedAt": "2026-11-02T10:00:00Z", "isLatest": True}}


SERVERS = {
    "servers": [
        {"server": server_json("io.github.mvt/good", "1.0.0", pypi("mvt-r-good", "1.0.0")), "_meta": listed()},
        # as the registry listed servers before October 2025: the server.json itself, its metadata inside
        {**server_json("io.github.mvt/crash", "1.0.0", pypi("mvt-r-crash", "1.0.0")), "_meta": listed()},
        {
            "server": server_json(
                "io.github.mvt/node",
                "2.0.0",
                {"registryType": "npm", "identifier": "@mvt/node", "version": "2.0.0", "transport": {"type": "stdio"}},
            ),
            "_meta": listed(),
        },
        {"server": server_json("io.github.mvt/old", "0.1.0", pypi("mvt-r-good", "0.1.0")), "_meta": listed("deleted")},
        {"server": server_json("io.github.mvt/renamed", "2.0.0", pypi("mvt-r-good", "1.0.0")), "_meta": listed()},
        {"server": server_json("io.github.mvt/unversioned", "1.0.0", pypi("mvt-r-good", None)), "_meta": listed()},
    ],
    "metadata": {"count": 6},
}


@dataclass
class Sweep:
    base: Path
    index: str


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Sweep:
    """The two releases built for real and laid out as a ``file://`` index, and the server list."""
    base = tmp_path_factory.mktemp("sweep")
    good = rawserver.make_project(base / "src", "mvt-r-good", {"tools": [TOOL]})
    (good / "README.md").write_text("# mvt-r-good\n\nmcp-name: io.github.mvt/good\n")
    crash = rawserver.make_project(base / "src", "mvt-r-crash", {"crash_at_start": "fatal: no REGISTRY_TOKEN"})
    (crash / "README.md").write_text("# mvt-r-crash\n\nmcp-name: io.github.mvt/crash\n")
    builds = []
    for project in (good, crash):
        out = base / "index" / project.name
        builds.append(
            subprocess.Popen(
                [sys.executable, "-m", "build", "--installer", "uv", "--outdir", str(out), str(project)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
        )
    assert [build.wait(timeout=300) for build in builds] == [0, 0]
    (base / "servers.json").write_text(json.dumps(SERVERS, indent=2))
    return Sweep(base, (base / "index").as_uri())


@dataclass
class Swept:
    returncode: int
    reports: dict[str, dict[str, Any]]
    stderr: str


def swept(sweep: Sweep, name: str) -> Swept:
    marker = uuid.uuid4().hex
    tmp = sweep.base / f"tmp-{name}"
    result = mcp_verify(
        "--from-registry", "servers.json", "--index-url", sweep.index, "--resume", "reports", "--jobs", "2",
        "--format", "json", "-o", f"{name}.json", "--timeout", "15", "--env", f"{MARK_VARIABLE}={marker}",
        tmp=tmp,
        cwd=sweep.base,
        timeout=300,
    )  # fmt: skip
    assert list(tmp.iterdir()) == [], "temporary files left behind"
    assert processes_with(marker) == []
    assert "Traceback" not in result.stderr
    reports = {report.project: report.to_dict() for report in read_reports(sweep.base / f"{name}.json")}
    return Swept(result.returncode, reports, result.stderr)


def codes(report: dict[str, Any]) -> list[str]:
    return [finding["code"] for finding in report["findings"]]


@pytest.mark.slow
def test_a_registry_list_is_swept_then_resumed(sweep: Sweep) -> None:
    first = swept(sweep, "first")
    assert first.returncode == 1, first.stderr
    assert sorted(first.reports) == sorted([GOOD, CRASH, RENAMED, NODE, DELETED, UNVERSIONED])

    good = first.reports[GOOD]
    assert good["ok"], good["findings"]
    assert good["steps"][0]["message"].startswith(f"downloaded from {sweep.index}:")
    assert good["registry"] == {
        "status": "pass",
        "message": "registry entry io.github.mvt/good agrees with the release",
    }
    assert "MV201" in codes(first.reports[CRASH])
    assert first.reports[CRASH]["registry"]["status"] == "pass"  # the registry's own _meta is not the author's
    renamed = first.reports[RENAMED]
    assert renamed["ok"]  # the server.json checks are warnings
    assert {"MV605", "MV610"} <= set(codes(renamed))
    assert codes(first.reports[UNVERSIONED]) == ["MV901"]
    for skipped, why in ((NODE, "names no PyPI package (it lists: npm @mvt/node)"), (DELETED, "deleted")):
        report = first.reports[skipped]
        assert (report["ok"], codes(report)) == (True, ["MV902"])
        assert why in report["skipped"]
        assert {step["status"] for step in report["steps"]} == {"skip"}

    files = sorted(path.name for path in (sweep.base / "reports").iterdir())
    assert len(files) == 6
    [good_file] = [name for name in files if name.startswith("io.github.mvt-good-1.0.0-mvt-r-good-1.0.0-")]
    stored = sweep.base / "reports" / good_file
    stored.write_text(stored.read_text()[: stored.stat().st_size // 2])  # a run killed while writing it
    (sweep.base / "reports" / f".{good_file}.x1y2.tmp").write_text("{")  # and its temporary file

    second = swept(sweep, "second")
    assert second.returncode == 1, second.stderr
    assert sorted(path.name for path in (sweep.base / "reports").iterdir() if not path.name.startswith(".")) == files
    for project in (CRASH, RENAMED, NODE, DELETED, UNVERSIONED):
        assert second.reports[project] == first.reports[project], f"{project} was verified again"
        assert f"{project}: " not in second.stderr
    assert second.reports[GOOD]["ok"]
    assert second.reports[GOOD]["server"]["pid"] != good["server"]["pid"]  # verified again: it was cut short
    assert f"{GOOD}: ✓ build" in second.stderr
    assert [report.project for report in read_reports(stored)] == [GOOD]  # whole again

    merged = mcp_verify("merge", "reports", "--format", "json", tmp=sweep.base / "tmp-merge", cwd=sweep.base)
    assert merged.returncode == 1
    assert sorted(report["project"] for report in json.loads(merged.stdout)["projects"]) == sorted(second.reports)


def test_a_server_list_in_both_of_the_registrys_shapes(tmp_path: Path) -> None:
    path = tmp_path / "servers.json"
    path.write_text(json.dumps(SERVERS))
    targets = {target.label: target for target in read_server_list(path)}
    assert list(targets) == [GOOD, CRASH, NODE, DELETED, RENAMED, UNVERSIONED]
    crash = targets[CRASH].server_json
    assert crash is not None
    assert "_meta" not in crash.data  # only the registry's own metadata was there
    assert crash.label == "registry entry io.github.mvt/crash"
    assert targets[GOOD].index_spec == "mvt-r-good==1.0.0"
    assert targets[GOOD].key == "io.github.mvt/good@1.0.0 mvt-r-good==1.0.0"
    path.write_text(json.dumps(SERVERS["servers"]))  # the array alone
    assert [target.label for target in read_server_list(path)] == list(targets)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"servers": {}}', 'expected the registry\'s server list, {"servers": [...]}'),
        ("{not json", "not valid JSON (Expecting property name enclosed in double quotes at line 1)"),
        ("[" * 100_000, "nested too deeply to be a server list"),
    ],
)
def test_a_file_that_is_no_server_list_is_a_usage_error(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "servers.json"
    path.write_text(text)
    result = mcp_verify("--from-registry", str(path), tmp=tmp_path / "tmp")
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr
