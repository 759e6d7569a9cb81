"""The pipeline: one target in, one report per leg out. The CLI and nox sessions are thin layers over this.

A target is built and inspected once; each leg (an interpreter and a dependency resolution) then
gets its own environment, server and report, so ``--python 3.10 --python 3.13`` reads side by side.
"""

from __future__ import annotations

import copy
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import anyio

from ._build import BuildEnvironments, build_from_sdist, build_project, read_pyproject
from ._checks import check_artifacts, check_listing
from ._compat import unwrapped
from ._diagnose import explain_exit, hint_for, last_words, slowest_imports
from ._exceptions import CommandFailed, InstallError, ServerExited, UsageError, VerifyError
from ._files import remove_tree
from ._inspect import choose_script, inspect_sdist, inspect_wheel
from ._registry import check_server_json, read_sdist_description
from ._snapshot import compare_snapshot, write_snapshot
from ._subprocess import kill_all, run
from ._targets import Target, resolve_targets
from ._types import Finding, LaunchSpec, Report, ServerInfo, Severity, Status, StepResult
from ._venv import find_python, install_wheel, prepare_environment, resolve_installer, same_requirements, script_path
from ._version import __version__

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from ._probe import Server
    from ._types import Environment, Listing
    from ._venv import Installer

_STDERR_TAIL = 4000
_SHUTDOWN_WORDS = {"stdin-eof": "exited on stdin EOF", "sigterm": "needed SIGTERM", "sigkill": "needed SIGKILL"}


@dataclass(frozen=True)
class VerifyOptions:
    """Everything a user can ask of a verification."""

    timeout: float = 30.0
    script: str | None = None
    args: Sequence[str] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    installer: str = "auto"
    pythons: Sequence[str] = ()
    """Interpreters for the throwaway environments (paths or versions); none means this one."""
    resolutions: Sequence[str] = ("highest",)
    keep_env: bool = False
    strict: bool = False
    dist_dir: Path | None = None
    """Where to keep the built sdist and wheel (for the upload step)."""
    build_timeout: float = 900.0
    """Seconds the build may take, and (apart) the installation: generous, but a hang ends."""
    startup_budget: float = 10.0
    encoding: str | None = None
    """Start the server a second time with this stdio encoding (``cp1252``: a Windows console)."""
    protocols: bool = False
    """Handshake once per protocol version the client library supports (a server process each)."""
    server_json: Path | None = None
    """The MCP Registry's server.json to check against the artifacts (default: the project's, if any)."""
    snapshot: Path | None = None
    """A committed JSON snapshot of the tools, prompts and resources to compare with."""
    update_snapshot: bool = False
    env_dir: Path | None = None
    """Where to create the (kept) environment instead of a temporary directory."""
    from_index: Sequence[str] = ()
    """Releases (``NAME`` or ``NAME==VERSION``) to download from the index and verify."""
    index_url: str | None = None


@dataclass(frozen=True)
class _Leg:
    python: str
    resolution: str


class Progress(Protocol):
    """Told when each step starts (``done`` false) and ends, so long runs never look stuck."""

    def __call__(self, project: str, step: StepResult, done: bool) -> None: ...


def _silent(project: str, step: StepResult, done: bool) -> None:
    """The default progress: nothing."""


def _size(size: int) -> str:
    return f"{size / 1000:.1f} kB" if size < 1_000_000 else f"{size / 1_000_000:.1f} MB"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class _Run:
    """One report in progress: its steps, its progress lines, its findings."""

    def __init__(self, report: Report, label: str, progress: Progress) -> None:
        self.report = report
        self.label = label
        self.progress = progress

    @contextmanager
    def step(self, name: str) -> Iterator[StepResult]:
        """Time a step and tell the progress; the step passes unless something marked it otherwise."""
        result = self.report.step(name)
        self.progress(self.label, result, False)
        started = time.perf_counter()
        try:
            yield result
            result.status = Status.PASS if result.status == Status.SKIP else result.status
        except VerifyError as error:  # shown failed at once; ``fail`` records the finding
            result.status = Status.FAIL
            result.message = error.message.splitlines()[0]
            raise
        finally:
            result.seconds = round(time.perf_counter() - started, 3)
            self.progress(self.label, result, True)

    def check(self, findings: list[Finding], step: StepResult) -> None:
        """Record deep-check findings: the step's own work succeeded, so it is marked, not failed.

        Errors among them still fail the verification (``Report.ok``); later steps go on running,
        because what they find (a crash from a lost data file) explains the finding.
        """
        self.report.findings.extend(findings)
        if any(finding.severity != Severity.INFO for finding in findings):
            step.status = Status.WARN

    def add(self, code: str, severity: Severity, step: str, message: str, hint: str | None = None) -> None:
        self.report.findings.append(Finding(code, severity, step, message, hint))

    def extra(self, name: str, findings: list[Finding], passed: str) -> None:
        """A check beside the steps (registry, snapshot): its findings, and a line for the report."""
        self.report.findings.extend(findings)
        errors = [finding for finding in findings if finding.severity == Severity.ERROR]
        warnings = [finding for finding in findings if finding.severity == Severity.WARNING]
        worst = next(iter(errors or warnings), None)
        status = Status.FAIL if errors else Status.WARN if warnings else Status.PASS
        message = worst.message.splitlines()[0] if worst else passed
        if worst and len(findings) > 1:
            message += f" (and {len(findings) - 1} more)"
        self.report.extras[name] = {"status": status.value, "message": message}

    def fail(self, error: VerifyError) -> None:
        step = self.report.step(error.step)
        step.status = Status.FAIL
        step.message = error.message.splitlines()[0]
        self.report.findings.append(error.finding())

    def finish(self, started: float) -> Report:
        failed = next((step.name for step in self.report.steps if step.status == Status.FAIL), None)
        for step in self.report.steps:
            if step.status == Status.SKIP and not step.message:
                step.message = f"skipped: {failed} failed" if failed else "skipped"
        self.report.seconds = round(time.perf_counter() - started, 3)
        return self.report


class _Verification:
    """One target: built and inspected once, then installed and probed once per leg."""

    def __init__(self, target: Target, options: VerifyOptions, progress: Progress, work: Path, shared: _Shared) -> None:
        self.target = target
        self.options = options
        self.progress = progress
        self.work = work
        self.shared = shared
        self.installer: Installer = shared.builds.installer
        self.base = _Run(Report(target.label, __version__, strict=options.strict), target.label, progress)
        self.wheel: Path | None = None
        self.entry_point = ""
        self.roots: dict[int, Path] = {}
        self.prefetched = anyio.Event()
        self.prepared: dict[int, Path] = {}
        """Environments made while the build ran, by leg."""
        self.declared: list[str] = []
        """The dependencies installed into them: ``[project].dependencies``."""

    async def build_and_inspect(self) -> None:
        target, report = self.target, self.base.report
        with self.base.step("build") as step:
            sdist, wheel, how = await self._artifacts(target)
            shown = [f"{path.name} ({_size(path.stat().st_size)})" for path in (sdist, wheel) if path is not None]
            step.message = f"{how} {' → '.join(shown)}"
        with self.base.step("inspect") as step:
            report.sdist = inspect_sdist(sdist) if sdist is not None else None
            report.wheel = inspect_wheel(wheel)
            report.script = script = choose_script(report.wheel, self.options.script)
            self.entry_point = report.wheel.console_scripts[script]
            self.wheel = wheel
            step.message = f"{_plural(len(report.wheel.files), 'file')} · console script {script} = {self.entry_point}"
            if target.project is not None:
                self.base.check(check_artifacts(target.project, report), step)
        self._registry(sdist)

    def _registry(self, sdist: Path | None) -> None:
        """The MCP Registry pre-flight, when there is a server.json: offline, on the built artifacts."""
        project = self.target.project
        server_json = self.options.server_json or (project / "server.json" if project is not None else None)
        if server_json is None or not server_json.is_file():
            return
        findings = check_server_json(
            server_json,
            self.base.report,
            self.options.env,
            project=project,
            sdist_description=read_sdist_description(sdist) if sdist is not None else None,
        )
        self.base.extra("registry", findings, f"{server_json.name} agrees with the built artifacts")

    async def _artifacts(self, target: Target) -> tuple[Path | None, Path, str]:
        """The sdist and wheel to verify, and how they were had: built, downloaded or given."""
        how = "prebuilt, not rebuilt:"
        sdist, wheel = target.sdist, target.wheel
        if target.index_spec is not None:
            from ._index import download_release, index_url, redact_url  # noqa: PLC0415 - only for --from-index

            index = index_url(self.options.index_url)
            files = await download_release(target.index_spec, self.work / "download", index=index)
            sdist = next((path for path in files if path.name.endswith(".tar.gz")), None)
            wheel = next((path for path in files if path.name.endswith(".whl")), None)
            how = f"downloaded from {redact_url(index)}:"
        if target.project is not None:
            artifacts = await build_project(target.project, self.work, self.shared.builds, self.options.build_timeout)
            sdist, wheel = Path(artifacts.sdist), Path(artifacts.wheel)
            self._keep_dists(sdist, wheel)
            how = "built"
        elif wheel is None:
            assert sdist is not None
            built = await build_from_sdist(sdist, self.work, self.shared.builds, self.options.build_timeout)
            wheel = Path(built.wheel)
            how += " (wheel built from the sdist)"
        return sdist, wheel, how

    def _keep_dists(self, *paths: Path) -> None:
        if self.options.dist_dir is None:
            return
        self.options.dist_dir.mkdir(parents=True, exist_ok=True)
        for path in paths:
            shutil.copy2(path, self.options.dist_dir / path.name)

    def _venv_root(self, index: int) -> Path:
        """A leg's environment: temporary, or kept where asked (``env_dir``) or in a temporary directory."""
        if index not in self.roots:
            self.roots[index] = self._new_venv_root(index)
        return self.roots[index]

    def _new_venv_root(self, index: int) -> Path:
        if self.options.env_dir is not None:
            root = self.options.env_dir
            root = root if index == 0 else root.with_name(f"{root.name}-{index}")
            if root.exists() and any(root.iterdir()):
                if not (root / "pyvenv.cfg").is_file():
                    raise UsageError(f"{root} exists and is not a virtual environment: give another directory")
                shutil.rmtree(root)
            root.parent.mkdir(parents=True, exist_ok=True)
            return root
        if self.options.keep_env:
            return Path(tempfile.mkdtemp(prefix="mcp-verify-env-"))
        return self.work / f"venv-{index}"

    async def prepare(self, leg: _Leg, index: int, requirements: Sequence[str] = ()) -> Path:
        """Create a leg's environment (and install ``requirements`` into it)."""
        root = self._venv_root(index)
        python = find_python(leg.python) if self.options.pythons else sys.executable
        key = (python, frozenset(requirements))
        await prepare_environment(
            root,
            python=python,
            installer=self.installer,
            cwd=self.work,
            requirements=requirements,
            resolved=key in self.shared.resolved,
        )
        if requirements:
            self.shared.resolved.add(key)
        return root

    async def prefetch(self, leg: _Leg) -> None:
        """While the build runs: the first leg's environment with the project's declared dependencies.

        Only an optimisation: if it fails, the install step starts afresh and reports the error.
        """
        try:
            project = self.target.project
            table = read_pyproject(project).get("project") if project is not None else None
            if leg.resolution != "highest" or not isinstance(table, dict) or "dependencies" in table.get("dynamic", []):
                return
            self.declared = [str(item) for item in table.get("dependencies", [])]
            self.prepared[0] = await self.prepare(leg, 0, self.declared)
        except (VerifyError, CommandFailed):
            await remove_tree(self._venv_root(0))
        finally:
            self.prefetched.set()

    def legs(self) -> list[_Leg]:
        pythons = self.options.pythons or [sys.executable]
        return [_Leg(python, resolution) for python in pythons for resolution in self.options.resolutions]

    def fork(self, leg: _Leg, several: bool) -> _Run:
        report = copy.deepcopy(self.base.report)
        report.python = leg.python if self.options.pythons else None
        report.resolution = leg.resolution if len(self.options.resolutions) > 1 or leg.resolution != "highest" else None
        label = self.target.label
        if several:
            label += f" [{', '.join(part for part in (report.python, report.resolution) if part)}]"
        return _Run(report, label, self.progress)

    async def install_and_probe(self, run: _Run, leg: _Leg, index: int) -> None:
        report, options = run.report, self.options
        assert report.script is not None
        assert self.wheel is not None
        requires_dist = report.wheel.metadata.requires_dist if report.wheel and report.wheel.metadata else []
        with run.step("install") as step:
            if index == 0:
                await self.prefetched.wait()
            early = "; dependencies installed while building" if index in self.prepared else ""
            with anyio.move_on_after(options.build_timeout) as limit:
                venv = self.prepared[index] if index in self.prepared else await self.prepare(leg, index)
                report.environment = await install_wheel(
                    venv,
                    self.wheel,
                    installer=self.installer,
                    cwd=self.work,
                    lowest=requires_dist if leg.resolution == "lowest" else None,
                    resolved=index in self.prepared and same_requirements(self.declared, requires_dist),
                )
            if limit.cancelled_caught or report.environment is None:
                raise InstallError(
                    "MV123",
                    f"the installation did not finish within {options.build_timeout:g} s, so it was stopped",
                    "an index that does not answer, or a dependency whose build hangs? install the wheel by hand",
                )
            environment = report.environment
            mcp = environment.packages.get("mcp")
            step.message = (
                f"fresh venv ({self.installer}), {_plural(len(environment.packages), 'package')}"
                + (f" (mcp {mcp})" if mcp else "")
                + early
            )
        if options.keep_env or options.env_dir is not None:
            run.add(
                "MV002",
                Severity.INFO,
                "install",
                f"kept the environment at {venv}",
                f"run the server by hand: {script_path(environment, report.script)}",
            )
        cwd = self.work / f"cwd-{index}"
        cwd.mkdir()
        spec = LaunchSpec(
            command=[str(script_path(environment, report.script)), *options.args],
            env=dict(options.env),
            cwd=str(cwd),
            timeout=options.timeout,
        )
        failure: VerifyError | None = None
        try:
            await _Probe(run, spec).run()
            await self._startup(run, environment)
            self._snapshot(run)
        except ServerExited as exited:
            failure = explain_exit(exited, report.script, self.entry_point, environment.packages)
        except VerifyError as error:
            failure = error
        if options.encoding:
            await _Probe(run, spec).encoding_leg(options.encoding, already_failed=failure is not None)
        if options.protocols and failure is None:
            await _protocols(run, spec)
        if failure is not None:
            raise failure

    def _snapshot(self, run: _Run) -> None:
        """Compare what the server lists with the committed snapshot, or write the snapshot."""
        path, listing = self.options.snapshot, run.report.listing
        if path is None or listing is None:
            return
        if self.options.update_snapshot:
            write_snapshot(path, listing)
            run.extra("snapshot", [], f"wrote {path}")
            return
        run.extra("snapshot", compare_snapshot(path, listing, project=self.target.project), f"matches {path}")

    async def _startup(self, run: _Run, environment: Environment) -> None:
        """Over the start-up budget, name the slowest imports of the entry point's module."""
        server = run.report.server
        if server is None or server.startup_seconds is None or server.startup_seconds <= self.options.startup_budget:
            return
        module = self.entry_point.partition(":")[0].strip()
        try:
            output = await run_importtime(environment.python, module, self.work)
        except CommandFailed:
            output = ""
        slowest = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in slowest_imports(output, module))
        run.add(
            "MV210",
            Severity.WARNING,
            "launch",
            f"the server took {server.startup_seconds:.1f} s to answer initialize, over the budget of "
            f"{self.options.startup_budget:g} s" + (f"; slowest imports: {slowest}" if slowest else ""),
            "desktop clients give up on slow servers: import heavy modules lazily, inside the tools that need them",
        )


async def run_importtime(python: str, module: str, cwd: Path) -> str:
    """``python -X importtime -c 'import module'``: where a slow start goes."""
    return await run([python, "-X", "importtime", "-c", f"import {module}"], cwd=str(cwd))


class _Probe:
    """Launch, handshake, list and shutdown of one server process, recorded into a run."""

    def __init__(self, run: _Run, spec: LaunchSpec) -> None:
        self.record = run
        self.spec = spec

    async def run(self) -> None:
        run, report = self.record, self.record.report
        from ._probe import launch  # noqa: PLC0415 - mcp is heavy: imported while the build runs

        server: Server | None = None
        try:
            async with launch(self.spec) as server:
                with run.step("launch") as step:
                    await server.wait_started()
                    step.message = f"{Path(self.spec.command[0]).name} (pid {server.process.pid}), stdout clean"
                with run.step("handshake") as step:
                    handshake = await server.handshake()
                    step.message = f"{handshake.name} {handshake.version} · protocol {handshake.protocol_version}"
                with run.step("list") as step:
                    report.listing = listing = await server.list_all()
                    step.message = (
                        f"{_plural(len(listing.tools), 'tool')} · "
                        f"{_plural(len(listing.resources) + len(listing.resource_templates), 'resource')} · "
                        f"{_plural(len(listing.prompts), 'prompt')}"
                    )
                    run.check(check_listing(listing), step)
        finally:
            if server is not None:
                report.server = _server_info(server)
        self._record_shutdown(server)

    def _record_shutdown(self, server: Server | None) -> None:
        if server is None or server.shutdown is None:
            return
        run, shutdown = self.record, server.shutdown
        step = run.report.step("shutdown")
        step.seconds = round(shutdown.seconds, 3)
        step.message = f"{_SHUTDOWN_WORDS[shutdown.how]} after {shutdown.seconds:.1f} s"
        step.status = Status.PASS if shutdown.how == "stdin-eof" and not shutdown.survivors else Status.WARN
        if shutdown.how == "sigterm":
            run.add(
                "MV501",
                Severity.WARNING,
                "shutdown",
                "the server did not exit when its stdin closed; it needed SIGTERM",
                "exit when stdin reaches EOF: that is how clients stop a stdio server",
            )
        elif shutdown.how == "sigkill":
            run.add(
                "MV502",
                Severity.WARNING,
                "shutdown",
                "the server ignored stdin EOF and SIGTERM; it had to be killed with SIGKILL",
                "exit when stdin reaches EOF and do not ignore SIGTERM",
            )
        if shutdown.survivors:
            run.add(
                "MV503",
                Severity.WARNING,
                "shutdown",
                f"{shutdown.survivors} process(es) started by the server outlived it (killed by mcp-verify)",
                "stop the processes the server starts when it exits",
            )
        run.progress(run.label, step, True)

    async def encoding_leg(self, encoding: str, *, already_failed: bool) -> None:
        """Start the server again as a Windows console would, where stdio cannot encode every character.

        A second, separate launch: it runs even when the first failed (a banner on stdout that
        is merely noise under UTF-8 is a crash under cp1252), and is kept in ``extras``.
        """
        setting = f"PYTHONIOENCODING={encoding} (as in a Windows console)"
        env = {**self.spec.env, "PYTHONIOENCODING": encoding, "PYTHONUTF8": "0"}
        from ._probe import launch  # noqa: PLC0415 - see run()

        server: Server | None = None
        outcome = {"encoding": encoding, "status": Status.PASS.value, "message": f"starts and lists with {setting}"}
        try:
            async with launch(replace(self.spec, env=env)) as server:
                await server.wait_started()
                await server.handshake()
                listing = await server.list_all()
            self._non_ascii(listing, server)
        except VerifyError as error:
            stderr = error.stderr if isinstance(error, ServerExited) else server.stderr if server else ""
            words = last_words(stderr)
            message = f"with {setting} the {error.message.removeprefix('the ')}"
            message += f": {words}" if words and words not in message else ""
            outcome = {"encoding": encoding, "status": Status.FAIL.value, "message": message}
            if isinstance(error, ServerExited) or not already_failed:
                self.record.add(
                    "MV220",
                    Severity.ERROR,
                    "encoding",
                    message,
                    hint_for(stderr, {}) or "write only ASCII to stdout, or reconfigure the stream as UTF-8",
                )
        self.record.report.extras["encoding"] = outcome

    def _non_ascii(self, listing: Listing, server: Server) -> None:
        handshake = server.handshake_result
        texts = {"instructions": handshake.instructions if handshake else None}
        texts |= {f"tool {tool['name']}": f"{tool['name']} {tool.get('description') or ''}" for tool in listing.tools}
        where = [name for name, text in texts.items() if text and not text.isascii()]
        if where:
            self.record.add(
                "MV221",
                Severity.INFO,
                "encoding",
                f"non-ASCII text in {', '.join(where)}",
                "fine for MCP (JSON is UTF-8), but a server that also prints it to a console may crash",
            )


async def _protocols(run: _Run, spec: LaunchSpec) -> None:
    """The protocol matrix: each version offered to a fresh server process, what it answered."""
    from ._probe import protocol_matrix  # noqa: PLC0415 - see _Probe.run()

    rows = await protocol_matrix(spec)
    failed = [row for row in rows if "error" in row]
    for row in failed:
        run.add(
            "MV304",
            Severity.WARNING,
            "handshake",
            f"offered protocol {row['offered']}, the server failed: {row['error']}",
            "a server should answer initialize with a version it supports, whatever the client offers",
        )
    accepted = [str(row["offered"]) for row in rows if row["accepted"]]
    run.report.extras["protocols"] = {
        "status": (Status.WARN if failed else Status.PASS).value,
        "message": f"accepts {len(accepted)} of {len(rows)} versions offered: {', '.join(accepted) or 'none'}",
        "versions": rows,
    }


def _server_info(server: Server) -> ServerInfo:
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
        startup_seconds=server.startup_seconds,
        ready_seconds=server.ready_seconds,
    )


@dataclass(frozen=True)
class _Shared:
    """What the targets of one run share: build environments, and slots for the CPU-heavy stages.

    A target holds a build slot while it builds and a probe slot while its server runs, so the
    next target builds while this one's server is probed, and neither stage outnumbers the CPUs.
    Requirements resolved online once in a run are not asked of the index again by the next
    project that declares the very same ones.
    """

    builds: BuildEnvironments
    build_slots: anyio.CapacityLimiter
    probe_slots: anyio.CapacityLimiter
    resolved: set[tuple[str, frozenset[str]]] = field(default_factory=set)
    """(interpreter, requirements) installed online in this run: another project's may go offline."""


async def verify_target(target: Target, options: VerifyOptions, progress: Progress, shared: _Shared) -> list[Report]:
    """Verify one target: one report per leg (a single one when the build already failed)."""
    work = Path(tempfile.mkdtemp(prefix="mcp-verify-"))
    try:
        verification = _Verification(target, options, progress, work, shared)
        legs = verification.legs()
        reports = []
        async with anyio.create_task_group() as group:
            async with shared.build_slots:
                started = time.perf_counter()  # a target waiting for its turn is not yet being verified
                group.start_soon(verification.prefetch, legs[0])
                try:
                    await verification.build_and_inspect()
                except VerifyError as error:
                    group.cancel_scope.cancel()
                    verification.base.fail(error)
                    return [verification.base.finish(started)]
            for index, leg in enumerate(legs):
                run = verification.fork(leg, len(legs) > 1)
                try:
                    async with shared.probe_slots:
                        await verification.install_and_probe(run, leg, index)
                except VerifyError as error:
                    run.fail(error)
                reports.append(run.finish(started))
        return reports
    finally:
        with anyio.CancelScope(shield=True):
            await remove_tree(work)


async def verify(project: str, options: VerifyOptions | None = None, progress: Progress = _silent) -> list[Report]:
    """Verify a project directory, a directory of built artifacts, or one artifact file."""
    return await verify_many([project], options, progress)


@contextmanager
def _killing_leftovers() -> Iterator[None]:
    """On an interrupt, kill what build threads still run (their groups are not ours to await)."""
    try:
        yield
    finally:
        kill_all()


async def verify_many(
    paths: Sequence[str], options: VerifyOptions | None = None, progress: Progress = _silent
) -> list[Report]:
    """Verify several targets concurrently (bounded by the CPU count); reports keep the given order."""
    options = options or VerifyOptions()
    targets = resolve_targets(paths) + [Target(label=spec, index_spec=spec) for spec in options.from_index]
    if not targets:
        raise UsageError("nothing to verify: give a PATH or --from-index NAME==VERSION")
    if options.pythons:
        for python in options.pythons:
            find_python(python)
    installer = resolve_installer(options.installer)
    if "lowest" in options.resolutions and installer != "uv":
        raise UsageError("--resolution lowest needs uv (pip cannot resolve to the lowest versions)")
    results: dict[int, list[Report]] = {}
    slots = max(1, min(len(targets), os.cpu_count() or 1))
    directory = Path(tempfile.mkdtemp(prefix="mcp-verify-builds-"))

    async def one(index: int, target: Target, shared: _Shared) -> None:
        results[index] = await verify_target(target, options, progress, shared)

    try:
        with unwrapped(), _killing_leftovers(), BuildEnvironments(directory, installer) as builds:
            shared = _Shared(builds, anyio.CapacityLimiter(slots), anyio.CapacityLimiter(slots))
            async with anyio.create_task_group() as group:
                # the MCP client is slow to import: let that happen while the builds run
                group.start_soon(partial(anyio.to_thread.run_sync, import_module, "mcp_verify._probe"))
                for index, target in enumerate(targets):
                    group.start_soon(one, index, target, shared)
    finally:
        with anyio.CancelScope(shield=True):
            await remove_tree(directory)
    return [report for index in range(len(targets)) for report in results[index]]


__all__ = ["Progress", "VerifyOptions", "verify", "verify_many", "verify_target"]
