"""Run the real ``mcp-verify`` command on real projects, once per set of arguments per test session.

Every run gets its own TMPDIR (so a test can see that nothing was left behind) and a unique marker
in the server's environment (so a test can see that no server process was left behind).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil
import pytest

from .rawserver import make_project

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ROOT / "tests" / "packages"
EXAMPLES = ROOT / "examples"
MARK_VARIABLE = "MVT_PROCESS_MARK"


def tree_digest(path: Path) -> str:
    """A hash of every file's path, mode and bytes under ``path``: equal means byte-identical."""
    digest = hashlib.sha256()
    for file in sorted(path.rglob("*")):
        digest.update(os.fsencode(file.relative_to(path)))  # a name need not be UTF-8
        if file.is_file() and not file.is_symlink():
            digest.update(oct(file.stat().st_mode).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


LINUX_ONLY = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc, or needs Linux namespaces, prctl or setpriv"
)
POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals, terminals, file modes or fork")


def processes_with(marker: str) -> list[int]:
    """Live processes whose environment carries ``marker`` (a server or anything it started)."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.status() != psutil.STATUS_ZOMBIE and any(
                marker in value for value in process.environ().values()
            ):
                found.append(process.pid)
        except (psutil.Error, OSError):
            continue
    return found


def drain_terminal(controller: int, into: list[bytes]) -> None:
    """Read a pseudo-terminal until its other side closes (Linux then says EIO)."""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            return
        if not chunk:
            return
        into.append(chunk)


@dataclass
class Run:
    """One finished ``mcp-verify`` invocation."""

    returncode: int
    stdout: str
    stderr: str
    report: Any
    marker: str
    tmpdir: Path
    digest_before: str
    digest_after: str

    @property
    def findings(self) -> list[dict[str, Any]]:
        return self.report["findings"]

    def finding(self, code: str) -> dict[str, Any]:
        matching = [finding for finding in self.findings if finding["code"] == code]
        assert matching, f"no {code} among {[f['code'] for f in self.findings]}: {self.stdout}{self.stderr}"
        return matching[0]

    def step(self, name: str) -> dict[str, Any]:
        return next(step for step in self.report["steps"] if step["name"] == name)


def command(*args: str) -> list[str]:
    """``mcp-verify ARGS`` as a user runs it: a fresh interpreter on this checkout's package."""
    return [sys.executable, "-m", "mcp_verify", *args]


def environment(tmp: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment with a TMPDIR of its own (made here), to see what a run leaves in it."""
    tmp.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "TMPDIR": str(tmp), **(env or {})}


def mcp_verify(
    *args: str,
    tmp: Path,
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    wrapper: Sequence[str] = (),
    timeout: float = 600,
    **popen: Any,
) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it, in a fresh process (under ``wrapper``, strace say, if given)."""
    return subprocess.run(
        [*wrapper, *command(*args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment(tmp, env),
        timeout=timeout,
        check=False,
        **popen,
    )


@dataclass
class Batch:
    """One run of mcp-verify over several PATHs: one start of the command, a report for each."""

    result: subprocess.CompletedProcess[str]
    reports: dict[str, Any]
    """Each report, by the base name of its PATH."""
    marker: str
    tmp: Path


def run_batch(paths: Iterable[Path], *args: str, base: Path, **popen: Any) -> Batch:
    """``mcp-verify PATH... --format json`` with the process marker and a TMPDIR of its own under ``base``
    (``popen``: as ``mcp_verify`` takes them)."""
    marker = uuid.uuid4().hex
    tmp = base / "tmp"
    tmp.mkdir()
    report = base / "report.json"
    result = mcp_verify(
        *map(str, paths),
        *args,
        "--format",
        "json",
        "-o",
        str(report),
        "--timeout",
        "15",
        "--env",
        f"{MARK_VARIABLE}={marker}",
        tmp=tmp,
        **popen,
    )
    assert report.exists(), result.stdout + result.stderr
    reports = {Path(item["project"]).name: item for item in json.loads(report.read_text())["projects"]}
    return Batch(result, reports, marker, tmp)


class RawServers:
    """Raw servers made from a behaviour table (``rawserver.make_project``) and verified in one run of the
    command: the reports by project name, and what the run owes."""

    def __init__(self, base: Path, servers: dict[str, dict[str, Any]], *args: str) -> None:
        self.projects = {name: make_project(base, name, behaviour) for name, behaviour in servers.items()}
        self.digests = {name: tree_digest(path) for name, path in self.projects.items()}
        ran = run_batch(self.projects.values(), *args, base=base)
        self.result, self.reports, self.marker, self.tmp = ran.result, ran.reports, ran.marker, ran.tmp

    def __call__(self, name: str) -> dict[str, Any]:
        return self.reports[name]

    def assert_clean(self) -> None:
        """No traceback, no temporary file, no process left, every project untouched."""
        assert "Traceback" not in self.result.stderr
        assert list(self.tmp.iterdir()) == []
        assert processes_with(self.marker) == []
        assert all(tree_digest(path) == self.digests[name] for name, path in self.projects.items())


class Verifier:
    """Runs ``mcp-verify PROJECT --format json`` and caches the result for the whole session."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.cache: dict[tuple[str, ...], Run] = {}

    def __call__(self, project: Path, *args: str) -> Run:
        key = (str(project), *args)
        if key not in self.cache:
            self.cache[key] = self._run(project, *args)
        return self.cache[key]

    def _run(self, project: Path, *args: str) -> Run:
        marker = uuid.uuid4().hex
        tmp = self.base / marker
        report_file = self.base / f"{marker}.json"
        before = tree_digest(project)
        result = mcp_verify(
            str(project.relative_to(ROOT) if project.is_relative_to(ROOT) else project),
            "--format",
            "json",
            "-o",
            str(report_file),
            "--env",
            f"{MARK_VARIABLE}={marker}",
            *args,
            tmp=tmp,
        )
        report = json.loads(report_file.read_text()) if report_file.exists() else None
        return Run(result.returncode, result.stdout, result.stderr, report, marker, tmp, before, tree_digest(project))


@pytest.fixture(scope="session")
def verify(tmp_path_factory: pytest.TempPathFactory) -> Verifier:
    return Verifier(tmp_path_factory.mktemp("runs"))


def assert_clean(run: Run) -> None:
    """What every run owes: the project untouched, no temp dir and no server process left."""
    assert run.digest_before == run.digest_after, "the project tree changed"
    assert list(run.tmpdir.iterdir()) == [], f"left behind: {list(run.tmpdir.iterdir())}"
    assert processes_with(run.marker) == []
    assert "Traceback (most recent call last)" not in run.stderr


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--field",
        action="store_true",
        help="also verify each field-corpus release both ways (tests/test_field.py: PyPI, long); or MCP_VERIFY_FIELD=1",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Fast tests first, so a broken unit shows in seconds; the slow ones build and install from
    the index, so they are the network tests too (``-m "not network"`` runs offline). The field
    corpus runs only when asked: it takes long, and CI does not ask."""
    field = config.getoption("--field") or os.environ.get("MCP_VERIFY_FIELD") == "1"
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(pytest.mark.network)
        if item.get_closest_marker("field") is not None and not field:
            item.add_marker(pytest.mark.skip(reason="the field corpus runs with --field or MCP_VERIFY_FIELD=1"))
    items.sort(key=lambda item: item.get_closest_marker("slow") is not None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The field corpus's agreement table, from the rows its tests recorded (xdist carries them here)."""
    rows = sorted(
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if isinstance(report, pytest.TestReport) and report.when == "call"
        for name, value in report.user_properties
        if name == "field_row"
    )
    if rows:
        terminalreporter.section("field corpus")
        terminalreporter.write_line("| release | truth | eras | unpacked sdist | --from-index | codes | agree |")
        terminalreporter.write_line("|---|---|---|---|---|---|---|")
        for row in rows:
            terminalreporter.write_line(row)
        agreed = sum(row.endswith("| yes |") for row in rows)
        terminalreporter.write_line(f"\n{agreed} of {len(rows)} releases agree both ways")
