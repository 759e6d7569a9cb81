"""The pipeline: one project in, one report out. The CLI and nox sessions are thin layers over this."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import anyio

from ._build import build_project
from ._checks import check_artifacts, check_listing
from ._compat import unwrapped
from ._diagnose import explain_exit
from ._exceptions import UsageError, VerifyError
from ._inspect import choose_script, inspect_sdist, inspect_wheel
from ._probe import LaunchSpec, Server, ServerExited, launch
from ._subprocess import kill_all
from ._types import STEPS, Finding, Report, ServerInfo, Severity, Status, StepResult
from ._venv import create_environment, resolve_installer, script_path
from ._version import __version__

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from ._venv import Installer

_STDERR_TAIL = 4000
_SHUTDOWN_WORDS = {"stdin-eof": "exited on stdin EOF", "sigterm": "needed SIGTERM", "sigkill": "needed SIGKILL"}


@dataclass(frozen=True)
class VerifyOptions:
    """Everything a user can ask of one verification."""

    timeout: float = 30.0
    script: str | None = None
    args: Sequence[str] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    installer: str = "auto"
    python: str = sys.executable
    keep_env: bool = False
    strict: bool = False


class Progress(Protocol):
    """Told when each step starts (``done`` false) and ends, so long runs never look stuck."""

    def __call__(self, project: str, step: StepResult, done: bool) -> None: ...


def _silent(project: str, step: StepResult, done: bool) -> None:
    """The default progress: nothing."""


def check_project(project: Path) -> None:
    """Reject what is not a project directory before any work starts (a usage error, exit 2)."""
    if not project.exists():
        raise UsageError(f"{project}: no such file or directory")
    if not project.is_dir():
        raise UsageError(f"{project}: not a directory (give the project directory that holds pyproject.toml)")
    if not (project / "pyproject.toml").is_file():
        raise UsageError(f"{project}: no pyproject.toml in this directory, so it is not a Python project")


def _size(size: int) -> str:
    return f"{size / 1000:.1f} kB" if size < 1_000_000 else f"{size / 1_000_000:.1f} MB"


class _Run:
    """One project's verification in progress: its report, its temporary directory, its progress."""

    def __init__(self, project: str, options: VerifyOptions, progress: Progress, work: Path) -> None:
        self.path = Path(project)
        self.options = options
        self.progress = progress
        self.work = work
        self.report = Report(project=project, version=__version__, strict=options.strict)
        self.server: Server | None = None

    @contextmanager
    def step(self, name: str) -> Iterator[StepResult]:
        result = self.report.step(name)
        self.progress(self.report.project, result, False)
        started = time.perf_counter()
        try:
            yield result
            result.status = Status.PASS if result.status == Status.SKIP else result.status
        finally:
            result.seconds = round(time.perf_counter() - started, 3)
            self.progress(self.report.project, result, True)

    def check(self, findings: list[Finding], step: StepResult) -> None:
        """Record deep-check findings: the step's own work succeeded, so it is marked, not failed.

        Errors among them still fail the verification (``Report.ok``); later steps go on running,
        because what they find (a crash from a lost data file) explains the finding.
        """
        self.report.findings.extend(findings)
        if any(finding.severity != Severity.INFO for finding in findings):
            step.status = Status.WARN

    def warn(self, code: str, step: str, message: str, hint: str | None = None) -> None:
        self.report.findings.append(Finding(code, Severity.WARNING, step, message, hint))

    async def run(self, installer: Installer, venv_root: Path) -> None:
        report = self.report
        with self.step("build") as step:
            artifacts = await build_project(self.path, self.work, installer)
            sdist, wheel = Path(artifacts.sdist), Path(artifacts.wheel)
            step.message = (
                f"{sdist.name} ({_size(sdist.stat().st_size)}) → {wheel.name} ({_size(wheel.stat().st_size)})"
            )
        with self.step("inspect") as step:
            report.sdist = inspect_sdist(sdist)
            report.wheel = inspect_wheel(wheel)
            report.script = script = choose_script(report.wheel, self.options.script)
            entry_point = report.wheel.console_scripts[script]
            step.message = f"{len(report.wheel.files)} files · console script {script} = {entry_point}"
            self.check(check_artifacts(self.path, report), step)
        with self.step("install") as step:
            report.environment = environment = await create_environment(
                venv_root, wheel, python=self.options.python, installer=installer, cwd=self.work
            )
            mcp = environment.packages.get("mcp")
            step.message = f"fresh venv ({installer}), {len(environment.packages)} packages" + (
                f" (mcp {mcp})" if mcp else ""
            )
        cwd = self.work / "cwd"
        cwd.mkdir()
        spec = LaunchSpec(
            command=[str(script_path(environment, script)), *self.options.args],
            env=dict(self.options.env),
            cwd=str(cwd),
            timeout=self.options.timeout,
        )
        try:
            await self._probe(spec)
        except ServerExited as exited:
            raise explain_exit(exited, script, entry_point, environment.packages) from None

    async def _probe(self, spec: LaunchSpec) -> None:
        report = self.report
        try:
            async with launch(spec) as server:
                self.server = server
                with self.step("launch") as step:
                    await server.wait_started()
                    step.message = f"{Path(spec.command[0]).name} (pid {server.process.pid}), stdout clean"
                with self.step("handshake") as step:
                    handshake = await server.handshake()
                    step.message = f"{handshake.name} {handshake.version} · protocol {handshake.protocol_version}"
                with self.step("list") as step:
                    report.listing = listing = await server.list_all()
                    step.message = (
                        f"{len(listing.tools)} tools · {len(listing.resources) + len(listing.resource_templates)}"
                        f" resources · {len(listing.prompts)} prompts"
                    )
                    self.check(check_listing(listing), step)
        finally:
            if self.server is not None:
                report.server = self._server_info(self.server)
        self._record_shutdown(self.server)

    def _server_info(self, server: Server) -> ServerInfo:
        handshake = server.handshake_result
        return ServerInfo(
            command=server.spec.command,
            pid=server.process.pid,
            name=handshake.name if handshake else None,
            version=handshake.version if handshake else None,
            protocol_version=handshake.protocol_version if handshake else None,
            capabilities=handshake.capabilities if handshake else {},
            instructions=handshake.instructions if handshake else None,
            stderr_tail=server.stderr[-_STDERR_TAIL:],
            shutdown=server.shutdown.how if server.shutdown else None,
        )

    def _record_shutdown(self, server: Server | None) -> None:
        if server is None or server.shutdown is None:
            return
        shutdown = server.shutdown
        step = self.report.step("shutdown")
        step.seconds = round(shutdown.seconds, 3)
        step.message = f"{_SHUTDOWN_WORDS[shutdown.how]} after {shutdown.seconds:.1f} s"
        step.status = Status.PASS if shutdown.how == "stdin-eof" and not shutdown.survivors else Status.WARN
        if shutdown.how == "sigterm":
            self.warn(
                "MV501",
                "shutdown",
                "the server did not exit when its stdin closed; it needed SIGTERM",
                "exit when stdin reaches EOF: that is how clients stop a stdio server",
            )
        elif shutdown.how == "sigkill":
            self.warn(
                "MV502",
                "shutdown",
                "the server ignored stdin EOF and SIGTERM; it had to be killed with SIGKILL",
                "exit when stdin reaches EOF and do not ignore SIGTERM",
            )
        if shutdown.survivors:
            self.warn(
                "MV503",
                "shutdown",
                f"{shutdown.survivors} process(es) started by the server outlived it (killed by mcp-verify)",
                "stop the processes the server starts when it exits",
            )
        self.progress(self.report.project, step, True)

    def fail(self, error: VerifyError) -> None:
        step = self.report.step(error.step)
        step.status = Status.FAIL
        step.message = error.message.splitlines()[0]
        self.report.findings.append(error.finding())

    def finish(self) -> Report:
        failed = next((step.name for step in self.report.steps if step.status == Status.FAIL), None)
        for step in self.report.steps:
            if step.status == Status.SKIP and not step.message:
                step.message = f"skipped: {failed} failed" if failed else "skipped"
        return self.report


async def verify(project: str, options: VerifyOptions | None = None, progress: Progress = _silent) -> Report:
    """Verify one project directory; raises ``UsageError`` for what is not a project."""
    options = options or VerifyOptions()
    check_project(Path(project))
    installer = resolve_installer(options.installer)
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="mcp-verify-"))
    venv_root = Path(tempfile.mkdtemp(prefix="mcp-verify-env-")) if options.keep_env else work / "venv"
    run = _Run(project, options, progress, work)
    try:
        await run.run(installer, venv_root)
    except VerifyError as error:
        run.fail(error)
    finally:
        kill_all()
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(shutil.rmtree, work, True)
    if options.keep_env:
        run.report.findings.append(
            Finding(
                "MV001",
                Severity.INFO,
                "install",
                f"kept the environment at {venv_root}",
                f"run the server by hand: {venv_root}/bin/{run.report.script or '<script>'}",
            )
        )
    run.report.seconds = round(time.perf_counter() - started, 3)
    return run.finish()


async def verify_many(
    projects: Sequence[str], options: VerifyOptions | None = None, progress: Progress = _silent
) -> list[Report]:
    """Verify several projects concurrently (bounded by the CPU count); reports keep the given order."""
    for project in projects:
        check_project(Path(project))
    reports: dict[int, Report] = {}
    limiter = anyio.CapacityLimiter(max(1, min(len(projects), os.cpu_count() or 1)))

    async def one(index: int, project: str) -> None:
        async with limiter:
            reports[index] = await verify(project, options, progress)

    with unwrapped():
        async with anyio.create_task_group() as group:
            for index, project in enumerate(projects):
                group.start_soon(one, index, project)
    return [reports[index] for index in range(len(projects))]


__all__ = ["STEPS", "Progress", "VerifyOptions", "check_project", "verify", "verify_many"]
