"""Many targets: a generated monorepo of good and broken servers verified in one run with ``--jobs``,
then again by shards on three "runners", merged, and the merged page read in a real browser.

The servers are raw JSON-RPC servers (``tests/rawserver.py``): no dependencies, so a target costs
a build and a start, and the whole monorepo verifies in a few seconds.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from mcp_verify._batch import default_jobs, matrix, parse_shard, shard_of
from mcp_verify._exceptions import UsageError
from mcp_verify._lists import read_targets
from mcp_verify._merge import read_reports
from mcp_verify._report import Report
from mcp_verify._targets import Target
from mcp_verify._types import Finding, Severity, Status, StepResult
from mcp_verify.cli import main

from . import rawserver
from .conftest import MARK_VARIABLE, ROOT, command, environment, mcp_verify, processes_with, tree_digest

TOOL = {"name": "echo", "description": "Echo the text back.", "inputSchema": {"type": "object"}}
GOOD = ["servers/mvt-m-alpha", "servers/mvt-m-beta", "servers/mvt-m-slow"]
BROKEN = {
    "servers/mvt-m-crash": ("MV201", "fatal: MONO_TOKEN is not set"),
    "servers/mvt-m-badconf": ("MV901", "[tool.mcp-verify]: unknown key 'scrpt'"),
    "servers/docs": ("MV901", "no pyproject.toml or setup.py in this directory"),
    "servers/gone": ("MV901", "servers/gone: no such file or directory"),
}
TARGETS = """\
# every server of the monorepo, one a line
servers/mvt-m-alpha
servers/mvt-m-beta   # the second one
servers/mvt-m-crash

servers/mvt-m-badconf
servers/docs
servers/gone
./servers/mvt-m-alpha/
servers/mvt-m-slow
"""
SLOW_START = 4.0
"""Seconds the slow server waits before it answers: the run is still going when the others are reported."""


@dataclass
class Monorepo:
    root: Path
    digest: str


@pytest.fixture(scope="module")
def monorepo(tmp_path_factory: pytest.TempPathFactory) -> Monorepo:
    root = tmp_path_factory.mktemp("monorepo")
    servers = root / "servers"
    for name in ("mvt-m-alpha", "mvt-m-beta"):
        rawserver.make_project(servers, name, {"tools": [TOOL]})
    rawserver.make_project(servers, "mvt-m-slow", {"tools": [TOOL], "delay": SLOW_START})
    rawserver.make_project(servers, "mvt-m-crash", {"crash_at_start": "fatal: MONO_TOKEN is not set"})
    rawserver.make_project(servers, "mvt-m-badconf", {"tools": [TOOL]}, settings='\n[tool.mcp-verify]\nscrpt = "x"\n')
    (servers / "docs").mkdir()
    (servers / "docs" / "index.md").write_text("# the servers\n")
    (root / "servers.txt").write_text(TARGETS)
    return Monorepo(root, tree_digest(root))


@dataclass
class Finished:
    """One run over the monorepo: its exit code, its reports by project, and what it must leave clean."""

    returncode: int
    reports: dict[str, dict[str, Any]]
    stderr: str
    marker: str
    tmp: Path


def assert_clean(monorepo: Monorepo, run: Finished) -> None:
    assert tree_digest(monorepo.root) == monorepo.digest, "the monorepo changed"
    assert list(run.tmp.iterdir()) == [], f"left behind: {list(run.tmp.iterdir())}"
    assert processes_with(run.marker) == []
    assert "Traceback" not in run.stderr


@dataclass
class Streamed:
    run: Finished
    lines_while_running: int


@pytest.fixture(scope="module")
def unsharded(monorepo: Monorepo, tmp_path_factory: pytest.TempPathFactory) -> Streamed:
    """The whole monorepo in one run, ``--jobs 2``, streamed as JSON lines; the file is read while the
    slow server still keeps the run going."""
    base = tmp_path_factory.mktemp("unsharded")
    marker = uuid.uuid4().hex
    output = base / "all.jsonl"
    process = subprocess.Popen(
        command(
            "--targets", "servers.txt", "--jobs", "2", "--format", "jsonl", "-o", str(output), "--timeout", "15",
            "--env", f"{MARK_VARIABLE}={marker}",
        ),
        cwd=monorepo.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(base / "tmp"),
    )  # fmt: skip
    seen = 0
    while process.poll() is None:
        if output.exists():
            seen = max(seen, len([line for line in output.read_text().splitlines() if line.strip()]))
        time.sleep(0.05)
    _, stderr = process.communicate(timeout=300)
    lines = output.read_text().splitlines()
    reports = {report.project: report.to_dict() for report in read_reports(output)}
    assert len(lines) == len(reports), "one line a report"
    return Streamed(Finished(process.returncode, reports, stderr, marker, base / "tmp"), seen)


@pytest.mark.slow
def test_a_monorepo_in_one_run_reports_every_target_once(monorepo: Monorepo, unsharded: Streamed) -> None:
    run = unsharded.run
    assert run.returncode == 1, run.stderr
    assert sorted(run.reports) == sorted([*GOOD, *BROKEN])  # ./servers/mvt-m-alpha/ is servers/mvt-m-alpha
    for project in GOOD:
        assert run.reports[project]["ok"], project
        assert [tool["name"] for tool in run.reports[project]["tools"]] == ["echo"]
    for project, (code, words) in BROKEN.items():
        report = run.reports[project]
        assert not report["ok"]
        finding = next(finding for finding in report["findings"] if finding["code"] == code)
        assert words in finding["message"], finding
    # a problem of the target itself fails the step where it is found, not the run
    assert run.reports["servers/mvt-m-badconf"]["steps"][0] == {
        "name": "build",
        "status": "fail",
        "seconds": run.reports["servers/mvt-m-badconf"]["steps"][0]["seconds"],
        "message": "[tool.mcp-verify]: unknown key 'scrpt' (known: args, calls, env, script, strict, timeout)",
    }
    assert_clean(monorepo, run)


@pytest.mark.slow
def test_jsonl_is_written_as_each_target_finishes(unsharded: Streamed) -> None:
    """Every report but the slow server's was in the file while the run still waited for that server."""
    assert unsharded.lines_while_running >= len(GOOD) + len(BROKEN) - 1


@pytest.fixture(scope="module")
def shards(monorepo: Monorepo, tmp_path_factory: pytest.TempPathFactory) -> dict[int, Finished]:
    """The same list on three runners at once, each verifying its own shard."""
    base = tmp_path_factory.mktemp("shards")
    processes: dict[int, tuple[subprocess.Popen[str], str]] = {}
    runs = {}
    try:
        for number in (1, 2, 3):
            marker = uuid.uuid4().hex
            processes[number] = (
                subprocess.Popen(
                    command(
                        "--targets", "servers.txt", "--shard", f"{number}/3", "--format", "json",
                        "-o", str(base / f"shard{number}.json"), "--timeout", "15",
                        "--env", f"{MARK_VARIABLE}={marker}",
                    ),
                    cwd=monorepo.root,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=environment(base / f"tmp{number}"),
                ),
                marker,
            )  # fmt: skip
        for number, (process, marker) in processes.items():
            _, stderr = process.communicate(timeout=300)
            reports = {report.project: report.to_dict() for report in read_reports(base / f"shard{number}.json")}
            runs[number] = Finished(process.returncode, reports, stderr, marker, base / f"tmp{number}")
    finally:
        for process, _ in processes.values():
            if process.poll() is None:
                process.kill()
                process.communicate()
    return runs


def base_of(shards: dict[int, Finished]) -> Path:
    """Where the shards wrote their reports."""
    return shards[1].tmp.parent


@pytest.mark.slow
def test_every_target_is_in_exactly_one_shard_and_the_union_is_the_whole_run(
    monorepo: Monorepo, unsharded: Streamed, shards: dict[int, Finished]
) -> None:
    for number in shards:  # the shape of a run of several targets, whatever number a shard got
        assert "projects" in json.loads((base_of(shards) / f"shard{number}.json").read_text())
    projects = [project for run in shards.values() for project in run.reports]
    assert sorted(projects) == sorted(unsharded.run.reports)  # all of them, none twice
    for run in shards.values():
        assert run.returncode == (0 if all(report["ok"] for report in run.reports.values()) else 1), run.stderr
        for project, report in run.reports.items():
            assert report["ok"] == unsharded.run.reports[project]["ok"]
            assert [f["code"] for f in report["findings"]] == [
                f["code"] for f in unsharded.run.reports[project]["findings"]
            ]
        assert_clean(monorepo, run)
    planned = mcp_verify(
        "matrix", "--targets", "servers.txt", "--shards", "3", tmp=base_of(shards) / "tmp-matrix", cwd=monorepo.root
    )
    assert planned.returncode == 0, planned.stderr
    holding = [f"{number}/3" for number, run in shards.items() if run.reports]
    assert json.loads(planned.stdout)["shard"] == holding


def merge(base: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``mcp-verify merge ARGS`` as a user runs it."""
    return mcp_verify("merge", *args, tmp=base / "tmp-merge", cwd=base, timeout=120)


def merged(*args: str, env: dict[str, str] | None = None) -> Result:
    """The same command in this process (the interpreter's start is the most of what it costs)."""
    return CliRunner().invoke(main, ["merge", *args], env=env, catch_exceptions=False)


@pytest.mark.slow
def test_merge_joins_the_shards_into_one_report_in_every_format(
    unsharded: Streamed, shards: dict[int, Finished], tmp_path: Path
) -> None:
    files = [str(base_of(shards) / f"shard{number}.json") for number in shards]
    again = files[0]  # a shard reported twice: kept once
    result = merge(tmp_path, *files, again, "--format", "json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert sorted(report["project"] for report in document["projects"]) == sorted(unsharded.run.reports)
    by_project = {report["project"]: report for run in shards.values() for project, report in run.reports.items()}
    assert {report["project"]: report for report in document["projects"]} == by_project  # as written, every key

    text = merged(*files, "--format", "text")
    assert text.exit_code == 1
    assert "3 of 7 projects verified · 4 failed" in text.stdout
    row = next(line for line in text.stdout.splitlines() if "servers/mvt-m-crash " in line and "MV201" in line)
    assert row.split()[:6] == ["FAIL", "servers/mvt-m-crash", "✓", "✓", "✓", "✗"]

    junit = merged(*files, "--format", "junit")
    suites = ET.fromstring(junit.stdout).findall("testsuite")
    assert sorted(suite.get("name") for suite in suites) == sorted(unsharded.run.reports)

    summary = tmp_path / "summary.md"
    github = merged(*files, "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert github.exit_code == 1
    assert "::error title=MV201 launch::server exited with code 1 at start" in github.stdout
    markdown = summary.read_text()
    assert markdown.startswith("### mcp-verify: 3 of 7 projects verified · 4 failed\n")
    assert "| `servers/gone` | fail | ✗ |" in markdown

    lines = tmp_path / "merged.jsonl"
    assert merged(*files, "--format", "jsonl", "-o", str(lines)).exit_code == 1
    assert sorted(report.project for report in read_reports(lines)) == sorted(unsharded.run.reports)

    passing = tmp_path / "alpha.json"
    passing.write_text(json.dumps(by_project["servers/mvt-m-alpha"]))
    assert merged(str(passing)).exit_code == 0  # the exit code is the merged verdict


@pytest.mark.slow
def test_a_report_cut_short_is_named_not_merged(unsharded: Streamed, tmp_path: Path) -> None:
    lines = [json.dumps(report) for report in unsharded.run.reports.values()]
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join([*lines[:2], lines[2][: len(lines[2]) // 2]]) + "\n")
    result = merge(tmp_path, str(cut))
    assert result.returncode == 2
    assert f"{cut}, line 3: not a complete JSON report" in result.stderr
    (tmp_path / "other.json").write_text('{"name": "not a report"}')
    assert merged(str(tmp_path / "missing.json")).exit_code == 2
    result = merged(str(tmp_path / "other.json"))
    assert result.exit_code == 2
    assert "other.json: not a report of mcp-verify (KeyError: 'project')" in result.stderr


# -- the merged page in a real browser --------------------------------------------------------------


def chromium() -> str:
    """Debian's headless Chromium, installed if it is missing (skipped where there is no apt-get)."""
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    if not shutil.which("apt-get") or os.geteuid() != 0:
        pytest.skip("no chromium, and no apt-get as root to install Debian's")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}

    def apt(*args: str) -> int:
        return subprocess.run(["apt-get", *args], env=env, capture_output=True, timeout=900, check=False).returncode

    if apt("install", "-y", "-q", "chromium") != 0:
        apt("update", "-q")
        apt("install", "-y", "-q", "chromium")
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("apt-get could not install chromium")
    return "/usr/bin/chromium"


def browse(page: Path, base: Path, *how: str) -> subprocess.CompletedProcess[str]:
    profile = base / f"profile-{uuid.uuid4().hex}"
    profile.mkdir()
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}",
    ]  # fmt: skip
    return subprocess.run(
        [chromium(), *flags, *how, page.as_uri()], capture_output=True, text=True, timeout=120, check=True
    )


class Table(HTMLParser):
    """The overview table as the browser's DOM has it: the column headers, and per row its header and cells."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.head: list[str] = []
        self.rows: list[list[tuple[str, str | None]]] = []
        self.cell: list[str] | None = None
        self.status: str | None = None
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id") == "targets":
            self.inside = True
        elif self.inside and tag == "thead":
            self.in_head = True
        elif self.inside and tag == "tr" and not self.in_head:
            self.rows.append([])
        elif self.inside and tag in {"td", "th"}:
            self.cell, self.status = [], attributes.get("data-status")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.inside:
            self.inside = False
        elif tag == "thead":
            self.in_head = False
        elif self.inside and tag in {"td", "th"} and self.cell is not None:
            text = "".join(self.cell).strip()
            if self.in_head:
                self.head.append(text)
            else:
                self.rows[-1].append((text, self.status))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def png_colours(data: bytes) -> tuple[int, int, set[tuple[int, ...]]]:
    """Width, height and the set of colours of an 8-bit RGB(A) PNG (the five filters undone)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, compressed = 8, b""
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind, body = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour = (
                int.from_bytes(body[:4], "big"),
                int.from_bytes(body[4:8], "big"),
                body[8],
                body[9],
            )
        elif kind == b"IDAT":
            compressed += body
    assert (depth, colour) in {(8, 2), (8, 6)}
    channels = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(compressed), width * channels
    previous, colours, offset = bytearray(stride), set(), 0
    for _ in range(height):
        kind, line = raw[offset], bytearray(raw[offset + 1 : offset + 1 + stride])
        offset += 1 + stride
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner))
                line[x] = (line[x] + near[2]) & 255
        colours.update(tuple(line[x : x + 3]) for x in range(0, stride, channels))
        previous = line
    return width, height, colours


@pytest.mark.slow
def test_the_merged_page_reads_in_a_browser(unsharded: Streamed, shards: dict[int, Finished], tmp_path: Path) -> None:
    files = [str(base_of(shards) / f"shard{number}.json") for number in shards]
    page = tmp_path / "report.html"
    assert merge(tmp_path, *files, "--format", "html", "-o", str(page)).returncode == 1
    html = page.read_text()
    assert [tag for tag in ("<script", "<link", " src=", "<iframe") if tag in html] == [], "nothing run or fetched"
    assert all(link.startswith("#") for link in html.split('href="')[1:]), "links only within the page"
    dom = browse(page, tmp_path, "--dump-dom").stdout
    table = Table()
    table.feed(dom)
    assert table.head == [
        "target", "result", "build", "inspect", "install", "launch", "handshake", "list", "shutdown", "seconds",
        "first problem",
    ]  # fmt: skip
    rows = {row[0][0]: row for row in table.rows}
    assert sorted(rows) == sorted(unsharded.run.reports)
    crash = rows["servers/mvt-m-crash"]
    assert [status for _, status in crash[1:9]] == ["fail", "pass", "pass", "pass", "fail", "skip", "skip", "skip"]
    assert crash[-1][0].startswith("MV201 server exited with code 1 at start")
    assert all(status == "pass" for _, status in rows["servers/mvt-m-alpha"][1:9])
    assert '<details class="finding error"><summary>error <strong>MV901</strong>' in dom  # findings, expandable

    shot = tmp_path / "report.png"
    browse(page, tmp_path, f"--screenshot={shot}", "--window-size=1000,700")
    width, height, colours = png_colours(shot.read_bytes())
    assert (width, height) == (1000, 700)
    assert {(0xDA, 0xFB, 0xE1), (0xFF, 0xEB, 0xE9)} <= colours  # the pass and fail cells were painted
    assert len(colours) > 50  # text, not a blank page


# -- the pieces, without a run ----------------------------------------------------------------------


@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=40, unique=True), st.integers(1, 9))
def test_shards_partition_the_targets_whatever_their_order(keys: list[str], shards: int) -> None:
    first = {key: shard_of(key, shards) for key in keys}
    assert {key: shard_of(key, shards) for key in reversed(keys)} == first
    assert all(1 <= number <= shards for number in first.values())


def test_the_shard_of_a_target_does_not_depend_on_the_interpreter_run(tmp_path: Path) -> None:
    """PYTHONHASHSEED and the process change nothing: every runner computes the same shares."""
    keys = [f"servers/server-{index}" for index in range(30)]
    probe = "import sys; from mcp_verify._batch import shard_of; print([shard_of(k, 4) for k in sys.argv[1:]])"
    seen = {
        subprocess.run(
            [sys.executable, "-c", probe, *keys],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        ).stdout
        for seed in ("0", "1", "random")
    }
    assert seen == {f"{[shard_of(key, 4) for key in keys]}\n"}


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "2", "a/b", "1/3/5"])
def test_a_shard_is_k_of_n(text: str) -> None:
    with pytest.raises(UsageError, match="expected K/N"):
        parse_shard(text)
    assert parse_shard(" 2 / 3 ") == (2, 3)


def test_a_targets_file_is_read_line_by_line_relative_to_itself(tmp_path: Path) -> None:
    (tmp_path / "servers" / "alpha").mkdir(parents=True)
    (tmp_path / "servers" / "alpha" / "pyproject.toml").write_text("[project]\nname = 'alpha'\n")
    (tmp_path / "servers" / "requests").mkdir()  # no project, but there: a path, not a release
    listing = tmp_path / "servers" / "list.txt"
    listing.write_text("# comment\nalpha   # trailing\n\nmy-server==1.0.0\nbare-name\nrequests\nnope/\n")
    targets = read_targets(listing)
    base = str(tmp_path / "servers")
    assert [(t.label, t.key, t.project is not None, t.index_spec, bool(t.problem)) for t in targets] == [
        (f"{base}/alpha", "alpha", True, None, False),
        ("my-server==1.0.0", "my-server==1.0.0", False, "my-server==1.0.0", False),
        ("bare-name", "bare-name", False, "bare-name", False),
        (f"{base}/requests", "requests", False, None, True),
        (f"{base}/nope", "nope", False, None, True),
    ]


def test_the_matrix_stays_within_what_github_runs(tmp_path: Path) -> None:
    targets = [Target(label=f"servers/s{index}") for index in range(30)]
    include = json.loads(matrix(targets[:2], ["3.10", "3.14"], ["ubuntu-latest"], None))["include"]
    assert include[0] == {"target": "servers/s0", "args": "servers/s0", "python": "3.10", "os": "ubuntu-latest"}
    assert len(include) == 4
    spec = json.loads(matrix([Target(label="x==1", index_spec="x==1")], ["3.12"], ["macos-latest"], None))
    assert spec["include"][0]["args"] == "--from-index x==1"
    with pytest.raises(UsageError, match=r"the matrix would have 270 jobs.*use --shards N"):
        matrix(targets, ["3.10", "3.12", "3.14"], ["ubuntu-latest", "macos-latest", "windows-latest"], None)
    sharded = json.loads(matrix(targets, ["3.10"], ["ubuntu-latest", "windows-latest"], 4))
    assert sharded["shard"] == sorted({f"{shard_of(t.key, 4)}/4" for t in targets})


def test_jobs_are_two_per_cpu_bounded_by_memory() -> None:
    gib = 1024**3
    assert default_jobs(cpus=2, available=16 * gib) == 4
    assert default_jobs(cpus=8, available=2 * gib) == 4
    assert default_jobs(cpus=4, available=100 * 1024**2) == 1


def test_a_report_reads_back_as_it_was_written() -> None:
    report = Report(
        project="servers/x",
        steps=(StepResult("build", Status.PASS, 1.5, "built"), StepResult("inspect", Status.FAIL, 0.1, "bad")),
        findings=(Finding("MV114", Severity.WARNING, "inspect", "two scripts", "pick one", "pyproject.toml", 3),),
        strict=True,
        legs={"encoding": {"encoding": "cp1252", "status": "pass", "message": "starts"}},
    )
    back = Report.from_dict(report.to_dict())
    assert back.to_dict() == report.to_dict()
    assert (back.ok, back.strict, back.findings, back.steps, back.legs) == (
        report.ok,
        True,
        report.findings,
        report.steps,
        report.legs,
    )


# -- the workflow the README shows ------------------------------------------------------------------


def test_the_readme_shows_the_example_workflow_and_its_plan_runs(monorepo: Monorepo, tmp_path: Path) -> None:
    example = ROOT / "examples" / "github-workflow" / "mcp-verify-matrix.yml"
    assert f"```yaml\n{example.read_text()}```" in (ROOT / "README.md").read_text()
    workflow = yaml.safe_load(example.read_text())
    jobs = workflow["jobs"]
    plan = next(step for step in jobs["plan"]["steps"] if step.get("id") == "plan")["run"]
    arguments = shlex.split(plan.split("$(", 1)[1].split(")", 1)[0])
    assert arguments[:2] == ["mcp-verify", "matrix"]
    planned = mcp_verify(*arguments[1:], tmp=tmp_path, cwd=monorepo.root)
    assert planned.returncode == 0, planned.stderr
    dimensions = json.loads(planned.stdout)
    used = set(re.findall(r"matrix\.(\w+)", yaml.safe_dump(jobs["verify"])))
    assert used <= set(dimensions), f"the verify job reads {used}, the plan gives {set(dimensions)}"
    assert jobs["verify"]["strategy"]["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    inputs = yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]
    actions = [step for job in jobs.values() for step in job["steps"] if step.get("uses", "").startswith("mcp-verify/")]
    assert [set(step["with"]) <= set(inputs) for step in actions] == [True, True]
    assert "--resume reports" in actions[0]["with"]["args"]
    assert actions[1]["with"]["merge"] == "reports"


def test_merge_keeps_one_report_per_verification_and_tells_runners_apart(tmp_path: Path) -> None:
    """The same target from two runners (a matrix over systems) is two rows; from one runner twice
    (a job run again), one: the later, with a note when they differ."""
    steps = (StepResult("build", Status.PASS, 1.0, "built"),)
    linux = Report(project="servers/x", steps=steps, platform={"os": "linux", "python": "3.12.7"})
    mac = Report(project="servers/x", steps=steps, platform={"os": "darwin", "python": "3.12.7"})
    again = Report(project="servers/x", steps=steps, seconds=2.0, platform={"os": "linux", "python": "3.12.7"})
    for name, report in (("linux.json", linux), ("mac.json", mac), ("again.json", again)):
        (tmp_path / "reports" / name.removesuffix(".json")).mkdir(parents=True)
        (tmp_path / "reports" / name.removesuffix(".json") / name).write_text(json.dumps(report.to_dict()))
    result = merged(str(tmp_path / "reports"), "--format", "json")  # read in order: again/, linux/, mac/
    assert result.exit_code == 0
    assert [(r["platform"]["os"], r["seconds"]) for r in json.loads(result.stdout)["projects"]] == [
        ("linux", 0.0),
        ("darwin", 0.0),
    ]
    first, later = tmp_path / "reports" / "again" / "again.json", tmp_path / "reports" / "linux" / "linux.json"
    assert f"servers/x: reported by {first} and {later}, differently: kept {later}" in result.stderr
    text = merged(str(tmp_path / "reports")).stdout
    assert "servers/x [linux, Python 3.12.7]" in text
    assert "servers/x [darwin, Python 3.12.7]" in text


def test_a_shard_that_gets_no_target_verifies_nothing_and_passes(tmp_path: Path) -> None:
    (tmp_path / "list.txt").write_text("servers/gone\n")
    mine = shard_of("servers/gone", 2)
    other = 3 - mine
    empty = mcp_verify(
        "--targets", "list.txt", "--shard", f"{other}/2", "--format", "json", tmp=tmp_path / "tmp", cwd=tmp_path
    )
    assert (empty.returncode, json.loads(empty.stdout)) == (0, {"ok": True, "projects": []})
    assert "no target falls in this shard" in empty.stderr
    gone = mcp_verify("--targets", "list.txt", "--shard", f"{mine}/2", tmp=tmp_path / "tmp", cwd=tmp_path)
    assert gone.returncode == 1  # a list: the target's own problem is its failure, not a usage error
    assert "MV901 build: servers/gone: no such file or directory" in gone.stdout
