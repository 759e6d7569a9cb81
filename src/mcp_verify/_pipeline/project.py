"""The verification of a project or built artifacts: built and inspected once, then installed and
probed once per leg (an interpreter and a dependency resolution), each leg with its own report, so
``--python 3.10 --python 3.13`` reads side by side."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from .._build import build_project, build_wheel, unpack_sdist
from .._bundle import bundle_summary
from .._catalogue import finding
from .._checks.apps import check_apps, linked, to_read
from .._checks.archive import check_archive
from .._checks.calls import bad_call, check_calls, check_exercise
from .._checks.contents import check_contents, package_sources
from .._checks.dependencies import check_dependencies, declared
from .._checks.hidden import check_hidden
from .._checks.http import check_doors
from .._checks.listing import check_listing
from .._checks.metadata import check_metadata
from .._checks.profiles import check_profiles, check_results
from .._checks.protocol import check_protocol
from .._checks.registry import check_server_json, http_launch
from .._checks.server import (
    check_identity,
    check_lists,
    check_ping,
    check_shutdown,
    check_startup,
    check_stdout,
)
from .._checks.snapshot import compare_snapshot, missing_snapshot, snapshot_text
from .._compat import unwrapped
from .._diagnose import explain_exit, hint_for, import_costs, last_words
from .._exceptions import (
    CommandFailed,
    HandshakeError,
    InstallError,
    ServerExited,
    UsageError,
    VerifyError,
    WheelError,
)
from .._files import read_json_object, remove_tree, write_text_atomically
from .._inspect import choose_script, file_sha256, inspect_sdist, inspect_wheel
from .._project import read_project
from .._report import Report, redact
from .._sandbox import denials
from .._steps import StepLog
from .._subprocess import run
from .._types import (
    LEGACY,
    MODERN,
    Artifacts,
    EraLeg,
    Installed,
    JsonDocument,
    LaunchSpec,
    Protocol,
    ServerInfo,
    Severity,
    Status,
)
from .._venv import (
    dependency_graph,
    find_python,
    install_wheel,
    prepare_environment,
    python_for,
    same_requirements,
    script_path,
)
from .plan import Leg, Plan, Record, Redacting, Shared, Source, plural, size_text

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from .._options import Options
    from .._probe import Handshake, Server
    from .._sandbox import Sandbox
    from .._steps import Progress
    from .._targets import Target
    from .._types import Copied, Environment, Finding, Installer, JSONDict, Listing, Project, Wheel

_STDERR_TAIL = 4000
_SHUTDOWN_WORDS = {
    "stdin-eof": "exited on stdin EOF",
    "sigterm": "needed SIGTERM",
    "sigkill": "needed SIGKILL",
    "exited": "had already exited",
    "stopped": "stopped on SIGTERM (an HTTP server)",
}


class Verification:
    """One target: built and inspected once, then installed and probed once per leg."""

    def __init__(self, target: Target, options: Options, progress: Progress, work: Path, shared: Shared) -> None:
        self.target = target
        self.options = options
        self.plan = Plan.of(options)
        """The options of this target: the command line's, and its [tool.mcp-verify] once it is read."""
        self.work = work
        self.shared = shared
        self.installer: Installer = shared.builds.installer
        self.secrets = [*options.env.values(), *options.user_config.values()]
        self.progress: Progress = Redacting(progress, self.secrets)
        self.prefetched = anyio.Event()
        self.prepared: Path | None = None
        """The first leg's environment, made while the build ran."""
        self.prepared_with = ""
        """Its interpreter."""
        self.declared: list[str] = []
        """The dependencies installed into it: ``[project].dependencies``."""

    # the whole target ----------------------------------------------------------------------------

    async def run(self) -> list[Report]:
        """Verify the target: one report per leg (a single one when the build already failed)."""
        extra = ["snapshot"] if self.options.snapshot is not None else []
        base = Record(StepLog(self.target.label, self.progress, extra))
        async with anyio.create_task_group() as group:
            async with self.shared.build_slots:
                started = time.perf_counter()  # a target waiting for its turn is not yet being verified
                project = self._project_before_build(base)
                if project is not None:
                    group.start_soon(self.prefetch, project)
                else:
                    self.prefetched.set()
                try:
                    base.source = await self.build_and_inspect(base, project)
                except (VerifyError, UsageError) as error:
                    group.cancel_scope.cancel()
                    self.failed(base, error)
                    return [self._report(base, started, None)]
            reports = []
            for index, leg in enumerate(self.shared.legs):
                record = Record(base.steps.fork(self._label(leg)), list(base.findings), base.source)
                try:
                    async with self.shared.probe_slots:
                        await self.install_and_probe(record, leg, index)
                except (VerifyError, UsageError) as error:
                    self.failed(record, error)
                reports.append(self._report(record, started, leg))
        return reports

    def failed(self, record: Record, error: VerifyError | UsageError) -> None:
        """Record what stopped the target. Its own usage problem (a path that is no project, its
        ``[tool.mcp-verify]``, an ambiguous script) stops the whole run when it is the only target,
        and only this target (MV901) when the run has several."""
        if isinstance(error, UsageError):
            if not self.shared.tolerant:
                raise error
            error = VerifyError("MV901", str(error), step=record.steps.stopped())
        record.steps.failed(error)
        record.findings.append(error.finding)

    def _label(self, leg: Leg) -> str:
        parts = [part for part in (leg.python, leg.resolution if self._resolutions() else None) if part]
        return f"{self.target.label} [{', '.join(parts)}]" if len(self.shared.legs) > 1 and parts else self.target.label

    def _resolutions(self) -> bool:
        return len({leg.resolution for leg in self.shared.legs}) > 1 or self.shared.legs[0].resolution != "highest"

    def _report(self, record: Record, started: float, leg: Leg | None) -> Report:
        source = record.source
        report = Report(
            project=self.target.label,
            steps=record.steps.results(),
            findings=tuple(record.findings),
            sdist=source.sdist if source else None,
            wheel=source.wheel if source else None,
            script=source.script if source else None,
            environment=record.environment,
            server=record.server,
            listing=record.listing,
            seconds=round(time.perf_counter() - started, 3),
            strict=self.plan.strict,
            python=leg.python if leg else None,
            resolution=leg.resolution if leg and self._resolutions() else None,
            legs=record.legs,
            calls=tuple(record.calls),
            bundle=bundle_summary(record.bundle) if record.bundle is not None else None,
            protocol=record.protocol,
            sandboxed=self.shared.sandbox is not None,
        )
        return report.redacted(self.secrets)

    # build and inspect ---------------------------------------------------------------------------

    def _project_before_build(self, record: Record) -> Project | None:
        """A project directory is read before it is built: its declared dependencies install meanwhile."""
        if self.target.project is None:
            return None
        try:
            return read_project(self.target.project)
        except (VerifyError, UsageError):
            return None  # the build step reads it again and reports it

    async def build_and_inspect(self, record: Record, project: Project | None) -> Source:
        steps = record.steps
        copied: Copied | None = None
        with steps.run("build") as step:
            if self.target.problem is not None:
                raise UsageError(self.target.problem)
            if self.target.project is not None:
                project = read_project(self.target.project)
                self.plan = Plan.of(self.options, project.settings)
                artifacts, copied = await build_project(
                    project, self.work, self.shared.builds, self.options.build_timeout
                )
                self._keep_dists(artifacts, project)
            else:
                artifacts, project = await self._prebuilt()
            shown = [
                f"{path.name} ({size_text(path.stat().st_size)})" for path in (artifacts.sdist, artifacts.wheel) if path
            ]
            step.message = f"{artifacts.detail} {' → '.join(shown)}".strip()
            record.add([_deprecation(line) for line in artifacts.chatter], "build")
        with steps.run("inspect") as step:
            sdist = inspect_sdist(artifacts.sdist) if artifacts.sdist is not None else None
            wheel = inspect_wheel(artifacts.wheel)
            unsafe = check_archive(wheel)
            if unsafe:
                record.findings += unsafe[1:]
                first = unsafe[0]
                raise WheelError(first.code, first.message, first.hint)
            script = choose_script(wheel, self.plan.script)
            entry_point = wheel.console_scripts[script]
            if self.plan.script is None and len(wheel.console_scripts) > 1:
                record.findings.append(_script_chosen(script, wheel))
            step.message = f"{plural(len(wheel.files), 'file')} · console script {script} = {entry_point}"
            record.add(
                check_contents(wheel, sdist, project, script, copied) + check_metadata(project, wheel), "inspect"
            )
        source = Source(artifacts, wheel, sdist, project, script, entry_point)
        return self._registry(record, source)

    async def _prebuilt(self) -> tuple[Artifacts, Project | None]:
        """The artifacts of a release given as files or downloaded; its sdist unpacked, read, and built
        into the wheel when there is none."""
        target, options = self.target, self.options
        sdist, wheel = target.sdist, target.wheel
        detail = "prebuilt, not rebuilt:"
        if target.index_spec is not None:
            from .._index import download_release, index_url, redact_url  # noqa: PLC0415 - only for --from-index

            index = index_url(options.index_url)
            files = await download_release(
                target.index_spec, self.work / "download", index=index, timeout=options.build_timeout
            )
            sdist = next((path for path in files if path.name.endswith(".tar.gz")), None)
            wheel = next((path for path in files if path.name.endswith(".whl")), None)
            detail = f"downloaded from {redact_url(index)}:"
        project = None
        if sdist is not None:
            tree = await anyio.to_thread.run_sync(unpack_sdist, sdist, self.work / "sdist")
            project = read_project(tree)
            self.plan = Plan.of(self.options, project.settings)
            if wheel is None:
                built = await build_wheel(tree, self.work, self.shared.builds, options.build_timeout)
                return replace(built, sdist=sdist, detail=detail + " (wheel built from the sdist)"), project
        assert wheel is not None
        return Artifacts(wheel=wheel, sdist=sdist, detail=detail), project

    def _keep_dists(self, artifacts: Artifacts, project: Project) -> None:
        """The built artifacts, for the upload step (not the sdist an unpacked one was packed into)."""
        if self.options.dist_dir is None:
            return
        self.options.dist_dir.mkdir(parents=True, exist_ok=True)
        for path in (None if project.unpacked_sdist else artifacts.sdist, artifacts.wheel):
            if path is not None:
                shutil.copy2(path, self.options.dist_dir / path.name)

    def _registry(self, record: Record, source: Source) -> Source:
        """The MCP Registry pre-flight, when there is a server.json: offline, on the artifacts."""
        project = source.project
        path = self.options.server_json or (project.server_json if project is not None else None)
        document: JsonDocument | Finding
        if self.target.server_json is not None:  # a registry entry (--from-registry)
            document, named = self.target.server_json, self.target.server_json.label
        elif path is not None:
            root = project.path if project is not None else path.parent
            document, named = read_json_object(path, "MV601", "registry", root), path.name
        else:
            return source
        record.steps.expect("registry")
        findings = check_server_json(
            document,
            source.wheel,
            self.options.env,
            project=project,
            sdist_description=source.sdist.description if source.sdist is not None else None,
            bundles=self._bundles(path.parent) if path is not None else {},
        )
        record.findings += findings
        record.steps.record("registry", findings, f"{named} agrees with the release")
        if not isinstance(document, JsonDocument):
            return source
        dist = source.wheel.metadata.name if source.wheel.metadata else None
        return replace(source, http=http_launch(document, dist))

    def _bundles(self, root: Path) -> dict[str, str]:
        """The .mcpb bundles built or given beside the project (in it, its dist/ or --dist-dir), name to
        sha256, for the fileSha256 of server.json's mcpb entries."""
        places = [root, root / "dist", *([self.options.dist_dir] if self.options.dist_dir else [])]
        found: dict[str, str] = {}
        for place in places:
            if place.is_dir():
                found |= {path.name: file_sha256(path) for path in sorted(place.glob("*.mcpb")) if path.is_file()}
        return found

    # install -------------------------------------------------------------------------------------

    async def prefetch(self, project: Project) -> None:
        """While the build runs: the first leg's environment with the project's declared dependencies.

        Only an optimisation: if it fails, the install step starts afresh and reports the error.
        """
        leg = self.shared.legs[0]
        root = self._venv_root(0)
        try:
            dependencies = project.declared_dependencies
            if leg.resolution != "highest" or dependencies is None:
                return
            self.declared = dependencies
            requires_python = project.table.get("requires-python")
            python = self._python(leg, requires_python if isinstance(requires_python, str) else None)
            await self._prepare(python, root, dependencies)
            self.prepared, self.prepared_with = root, python
        except (VerifyError, CommandFailed):
            await remove_tree(root)
        finally:
            self.prefetched.set()

    def _python(self, leg: Leg, requires_python: str | None) -> str:
        """The leg's interpreter: as asked, else this one, unless Requires-Python rules it out (as uvx picks)."""
        if leg.python:
            return find_python(leg.python)
        if requires_python:
            return python_for(requires_python) or sys.executable
        return sys.executable

    async def _prepare(self, python: str, root: Path, requirements: Sequence[str] = ()) -> None:
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

    def _venv_root(self, index: int) -> Path:
        """A leg's environment: temporary, or kept where asked (``env_dir``) or in a temporary directory."""
        if self.options.env_dir is not None:
            root = self.options.env_dir
            root = root if index == 0 else root.with_name(f"{root.name}-{index}")
            if root.exists() and any(root.iterdir()):
                if not (root / "pyvenv.cfg").is_file():
                    raise UsageError(f"{root} exists and is not a virtual environment: give another directory")
                shutil.rmtree(root)
            root.parent.mkdir(parents=True, exist_ok=True)
            return root
        if self.shared.kept_in is not None:
            return Path(tempfile.mkdtemp(prefix="mcp-verify-env-", dir=self.shared.kept_in))
        return self.work / f"venv-{index}"

    async def install_and_probe(self, record: Record, leg: Leg, index: int) -> None:
        source = record.source
        assert source is not None
        options, steps = self.options, record.steps
        metadata = source.wheel.metadata
        requires_dist = metadata.requires_dist if metadata else []
        requires_python = metadata.requires_python if metadata else None
        python = self._python(leg, requires_python)
        with steps.run("install") as step:
            if index == 0:
                await self.prefetched.wait()
            early = index == 0 and self.prepared is not None and self.prepared_with == python
            if index == 0 and self.prepared is not None and not early:
                await remove_tree(self.prepared)
            environment = None
            with anyio.move_on_after(options.build_timeout):
                root = self.prepared if early and self.prepared else self._venv_root(index)
                if not early:
                    await self._prepare(python, root)
                environment = await install_wheel(
                    root,
                    source.artifacts.wheel,
                    installer=self.installer,
                    cwd=self.work,
                    lowest=requires_dist if leg.resolution == "lowest" else None,
                    resolved=early and same_requirements(self.declared, requires_dist),
                    requires_python=requires_python,
                )
            if environment is None:
                raise InstallError(
                    "MV123",
                    f"the installation did not finish within {options.build_timeout:g} s, so it was stopped",
                    "an index that does not answer, or a dependency whose build hangs? install the wheel by hand",
                )
            record.environment = environment
            mcp = environment.packages.get("mcp")
            step.message = (
                f"fresh venv ({self.installer}), {plural(len(environment.packages), 'package')}"
                + (f" (mcp {mcp})" if mcp else "")
                + ("; dependencies installed while building" if early else "")
            )
        if python != sys.executable and not leg.python:
            record.findings.append(_interpreter_chosen(requires_python, environment))
        installed = _Lazy(requires_dist, environment)
        self._dependencies(record, source, installed)
        if options.keep_env or options.env_dir is not None:
            record.findings.append(_finding_kept(environment, source.script))
        cwd = self.work / f"cwd-{index}"
        cwd.mkdir()
        jail = self.shared.sandbox
        command = [str(script_path(environment, source.script)), *self.plan.args]
        spec = LaunchSpec(
            command=command,
            env=dict(options.env),
            cwd=str(cwd),
            timeout=self.plan.timeout,
            wrapper=tuple(jail.wrap([], str(cwd), runs=command)) if jail is not None else (),
            era=options.era,
        )
        if options.transport == "http":
            spec = _over_http(spec, options.url, jail)
        failure = await self._probe(record, spec, (source.script, source.entry_point), installed.get)
        if failure is None:
            await self._startup(record, source, environment)
            self._snapshot(record)
        if self.plan.encoding:
            await self._encoding(record, spec, self.plan.encoding, installed, failed=failure is not None)
        if options.protocols and failure is None:
            await self._protocols(record, spec)
        if source.http is not None and options.transport == "stdio":
            await self._http(record, spec, source.http)
        if failure is not None:
            raise failure

    def _dependencies(self, record: Record, source: Source, installed: _Lazy) -> None:
        """mcp imported but not declared (MV141): known once the environment is installed."""
        metadata = source.wheel.metadata
        if metadata is None or declared(metadata.requires_dist, "mcp") == "always":
            return
        packages = package_sources(source.project, source.wheel) if source.project is not None else {}
        record.add(check_dependencies(source.wheel, installed.get(), packages), "install")

    # the server ----------------------------------------------------------------------------------

    async def _probe(
        self, record: Record, spec: LaunchSpec, entry: tuple[str, str], installed: Callable[[], Installed]
    ) -> VerifyError | None:
        """Launch, handshake, list and shut down; every finding of the server's behaviour recorded."""
        from .._probe import launch  # noqa: PLC0415 - mcp is heavy: imported while the build runs

        server: Server | None = None
        failure: VerifyError | None = None
        other = _Leg()
        try:
            with unwrapped():
                async with anyio.create_task_group() as legs, launch(spec) as server:
                    handshake = await self._connect(record, server, spec, other)
                    if handshake is not None:
                        await self._use(record, server, handshake)
                        if spec.era == "auto" and handshake.era == MODERN and spec.endpoint is None:
                            # the handshake on a server of its own, started once this one is connected and listed
                            legs.start_soon(other.run, self._era_leg(record, self._beside(spec), LEGACY))
        except ServerExited as exited:
            failure = explain_exit(exited, *entry, installed())
            self._denied(record, exited.stderr)
        except VerifyError as error:
            failure = error
        if server is not None:
            self._server_findings(record, server, failure)
            if spec.era == "auto" and server.client.era == MODERN and spec.endpoint is not None:
                other.leg = await self._era_leg(record, spec, LEGACY)  # after the first: the same port
            self._eras(record, spec.era, server, other.leg)
        return failure

    async def _connect(self, record: Record, server: Server, spec: LaunchSpec, other: _Leg) -> Handshake | None:
        """The launch and handshake steps: the connection, or None when the server needs authorization (which
        mcp-verify never gives). A server the probe killed leaves its handshake leg in ``other``."""
        steps = record.steps
        with steps.run("launch") as step:
            try:
                await server.client.started()
            except ServerExited as exited:
                other.leg = await self._killed_by_probe(record, server, spec, exited)
            step.message = f"{Path(spec.command[0]).name} (pid {server.process.pid})"
        with steps.run("handshake") as step:
            try:
                if other.leg is not None:
                    raise await server.client.exited("handshake")
                handshake = await server.client.connect()
            except ServerExited as exited:
                other.leg = other.leg or await self._killed_by_probe(record, server, spec, exited)
                raise HandshakeError("MV307", _died_on_probe(exited)) from None
            except HandshakeError:
                if not server.pump.challenges:
                    raise
                server.found.door = await server.client.authorization_door()
                step.message = "needs authorization (HTTP 401); mcp-verify does not log in"
                steps["list"].message = "skipped: the server needs authorization"
                return None
            step.message = _connected(handshake)
        return handshake

    async def _use(self, record: Record, server: Server, handshake: Handshake) -> None:
        """List, call and exercise the server in the era of its connection; over HTTP, knock on its doors."""
        with record.steps.run("list") as step:
            listing = await server.client.list_all()
            step.message = _counted(listing)
        await self._calls(record, server, listing)
        await self._apps(record, server, listing)
        if self.options.exercise:
            await self._exercise(record, server, listing)
        await server.client.ping()
        if handshake.era == MODERN:
            await server.client.check_version()
        if server.client.spec.endpoint is not None:
            await server.client.foreign_host()

    def _beside(self, spec: LaunchSpec) -> LaunchSpec:
        """The same server, to start beside the first one: a working directory (and sandbox) of its own."""
        cwd = Path(spec.cwd or self.work).with_name(f"{Path(spec.cwd or 'cwd').name}-beside")
        cwd.mkdir(exist_ok=True)
        jail = self.shared.sandbox
        wrapper = tuple(jail.wrap([], str(cwd), runs=spec.command)) if jail is not None else ()
        return replace(spec, cwd=str(cwd), wrapper=wrapper)

    async def _killed_by_probe(self, record: Record, server: Server, spec: LaunchSpec, exited: ServerExited) -> EraLeg:
        """The server died before it answered the probe: if it lives when ``initialize`` comes first, the probe
        killed it (what every current client sends first); else it dies whatever comes, and ``exited`` is
        reported as it is."""
        discovery = server.found.discovery
        if spec.era != "auto" or discovery is None or discovery.outcome != "exited":
            raise exited
        leg = await self._era_leg(record, spec, LEGACY)
        if not leg.ok:
            raise exited
        return leg

    async def _era_leg(self, record: Record, spec: LaunchSpec, era: str) -> EraLeg:
        """One era alone, on a server started for it: what a client of that era sees (its ping judged there,
        and with ``--exercise`` what only that era has)."""
        from .._probe import launch  # noqa: PLC0415 - see _probe

        try:
            async with launch(replace(spec, era=era)) as server:
                handshake, listing = await server.client.listed()
                await server.client.ping()
                plan = server.client.handshake_era_plan(listing) if self.options.exercise else []
                exercised = tuple([await request() for _, request in plan])
        except VerifyError as error:
            return EraLeg(era, ok=False, message=error.message)
        record.findings += check_ping(server.found.ping)
        message = f"{_connected(handshake)}: {_counted(listing)}"
        complete = listing if not server.found.list_problems else None
        return EraLeg(era, True, message, handshake.protocol_version, complete, exercised=exercised)

    def _eras(self, record: Record, mode: str, server: Server, other: EraLeg | None) -> None:
        """The eras the server speaks: the connection's own, and ``other``, the handshake on a server started for
        it (as a client of that era starts it); then the protocol checks. A server that dies at start whatever
        it is sent speaks no era anyone saw."""
        found = server.found
        connected = found.handshake.era if found.handshake is not None else None
        legs: list[EraLeg] = []
        discovery = found.discovery
        if discovery is not None and connected != MODERN and (discovery.outcome != "exited" or other is not None):
            legs.append(EraLeg(MODERN, False, f"server/discover: {discovery.message}"))
        if found.handshake is not None:
            handshake = found.handshake
            listing = found.listing if not found.list_problems else None  # a list that failed compares with nothing
            legs.append(EraLeg(handshake.era, True, _connected(handshake), handshake.protocol_version, listing, True))
        if other is not None:
            legs.append(other)
            for item in other.exercised:
                record.steps.expect(item.step)
                said = item.error or "answered (by the server started beside)"
                record.steps.record(item.step, check_exercise([item]), said)
        protocol = Protocol(
            mode=mode,
            connected=connected,
            version=found.handshake.protocol_version if found.handshake else None,
            discovery=found.discovery,
            fallback=found.fallback,
            legs=tuple(legs),
            results=tuple(found.results),
            version_check=found.version_check,
            http=tuple(server.client.refusals),
            doors=server.client.doors,
        )
        record.protocol = protocol
        record.add(check_protocol(protocol) + check_doors(protocol.doors), "handshake")

    async def _calls(self, record: Record, server: Server, listing: Listing) -> None:
        """The calls asked for, each checked against the tool's inputSchema before it is sent."""
        calls = self.plan.calls
        if not calls:
            return
        record.steps.expect("calls")
        with record.steps.run("calls") as step:
            for call in calls:
                problem = bad_call(call, listing.tools)
                if problem is not None:
                    raise UsageError(problem)
            for call in calls:
                record.calls.append(await server.client.call(call))
            done = sum(result.ok for result in record.calls)
            step.message = f"{done} of {plural(len(calls), 'call')} answered without error"
        found = check_calls(record.calls, calls, listing.tools)
        record.add(found + check_results(record.calls, listing.tools, self.options.clients), "calls")

    async def _apps(self, record: Record, server: Server, listing: Listing) -> None:
        """MCP Apps: each ui:// resource a tool names, read as a host reads it before rendering, and checked
        with the listing against the files shipped (a step of its own, when a tool names one)."""
        if not linked(listing):
            return
        uris = to_read(listing)
        source, bundle = record.source, record.bundle
        shipped = source.wheel.files if source else bundle.files if bundle else []
        project_files = source.project.files if source and source.project else ()
        reads = []
        record.steps.expect("apps")
        with record.steps.run("apps") as step:
            for uri in uris:
                reads.append(await server.client.read(uri))
            step.message = f"{plural(len(uris), 'UI resource')} read" if uris else "no ui:// resource to read"
        record.add(check_apps(listing, reads, shipped, project_files), "apps")

    async def _exercise(self, record: Record, server: Server, listing: Listing) -> None:
        """Everything the server advertises, each request its own step (the probe's plan)."""
        plan = server.client.exercise_plan(listing)
        for name, _ in plan:
            record.steps.expect(name)
        for name, request in plan:
            with record.steps.run(name) as step:
                item = await request()
                step.message = item.error or "answered"
            record.add(check_exercise([item]), name)

    def _denied(self, record: Record, stderr: str) -> None:
        """Under ``--sandbox``, what the server's own errors say was refused to it (MV211)."""
        denied = denials(stderr) if self.shared.sandbox is not None else []
        if denied and not any(item.code == "MV211" for item in record.findings):
            record.findings.append(finding("MV211", f"under --sandbox the server was denied {', and '.join(denied)}"))

    def _server_name(self, record: Record) -> str:
        """The name a client's configuration gives the server: its script, or the bundle's name."""
        if record.source is not None:
            return record.source.script
        name = record.bundle.manifest.get("name") if record.bundle is not None else None
        return name if isinstance(name, str) and name else self.target.label

    def _server_findings(self, record: Record, server: Server, failure: VerifyError | None) -> None:
        self._denied(record, server.stderr)
        steps, found = record.steps, server.found
        record.server = _server_info(server)
        record.listing = found.listing
        checks: list[Finding] = []
        if found.listing is not None:
            checks += check_listing(found.listing) + check_lists(found.list_problems)
            instructions = found.handshake.instructions if found.handshake else None
            checks += check_profiles(found.listing, instructions, self._server_name(record), self.options.clients)
            checks += check_hidden(found.listing, instructions)
        if found.handshake is not None and record.source is not None and record.source.wheel.metadata is not None:
            checks += check_identity(found.handshake.version, record.source.wheel.metadata.version)
        checks += check_ping(found.ping)
        stdout = check_stdout(server.pump.strays, server.pump.oversized)
        if found.discovery is not None and found.discovery.outcome == "garbage":  # MV307 names what it wrote
            stdout = [item for item in stdout if item.step not in {"launch", "handshake"}]
        checks += [item for item in stdout if failure is None or item.code != failure.code]
        for item in checks:
            if item.severity != Severity.INFO and item.step in steps:
                steps.warn(item.step)
        record.findings += checks
        shutdown = server.shutdown
        if shutdown is not None and failure is None:
            ended = check_shutdown(shutdown)
            record.findings += ended
            message = f"{_SHUTDOWN_WORDS[shutdown.how]} after {shutdown.seconds:.1f} s"
            if shutdown.returncode and shutdown.how in {"stdin-eof", "exited"}:
                message += f", exit code {shutdown.returncode}"
            clean = server.pump.protocol and not server.pump.strays and not server.pump.oversized
            message += ", stdout clean" if clean else ""
            stray = [item for item in stdout if item.step == "shutdown"]
            steps.record("shutdown", [*ended, *stray], message, seconds=shutdown.seconds)

    async def _startup(self, record: Record, source: Source, environment: Environment) -> None:
        """Over the start-up budget, say where the time went: the import of each top-level package."""
        server = record.server
        budget = self.options.startup_budget
        if server is None or server.startup_seconds is None or server.startup_seconds <= budget:
            return
        module = source.entry_point.partition(":")[0].strip()
        command = [environment.python, "-X", "importtime", "-c", f"import {module}"]
        if self.shared.sandbox is not None:
            command = self.shared.sandbox.wrap(command, str(self.work), bare={})
        try:
            output = await run(command, cwd=str(self.work))
        except CommandFailed as error:
            output = error.output
        record.add(check_startup(server.startup_seconds, budget, import_costs(output), module.split(".")[0]), "launch")

    def _snapshot(self, record: Record) -> None:
        """Compare what the server lists with the committed snapshot, or write the snapshot."""
        path, listing = self.options.snapshot, record.listing
        if path is None or listing is None:
            return
        if self.options.update_snapshot:
            # the listing is redacted with the report; the file is written from it now, so redact it here
            write_text_atomically(path, redact(snapshot_text(listing), self.secrets))
            record.steps.record("snapshot", [], f"wrote {path}")
            return
        exists = path.exists()
        snapshot = (
            read_json_object(path, "MV702", "snapshot", self.target.project) if exists else missing_snapshot(path)
        )
        found = compare_snapshot(snapshot, listing)
        record.findings += found
        record.steps.record("snapshot", found, f"matches {path}")

    async def _encoding(
        self, record: Record, spec: LaunchSpec, encoding: str, installed: _Lazy, *, failed: bool
    ) -> None:
        """Start the server again as a Windows console would, where stdio cannot encode every character.

        A second, separate launch: it runs even when the first failed (a banner on stdout that is
        merely noise under UTF-8 is a crash under cp1252), and is kept beside the steps.
        """
        from .._probe import launch  # noqa: PLC0415 - see _probe

        setting = f"PYTHONIOENCODING={encoding} (as in a Windows console)"
        env = {**spec.env, "PYTHONIOENCODING": encoding, "PYTHONUTF8": "0"}
        outcome: JSONDict = {
            "encoding": encoding,
            "status": Status.PASS.value,
            "message": f"starts and lists with {setting}",
        }
        server: Server | None = None
        try:
            async with launch(replace(spec, env=env)) as server:
                handshake, listing = await server.client.listed()
            texts = {"instructions": handshake.instructions}
            texts |= {
                f"tool {tool.get('name')}": f"{tool.get('name')} {tool.get('description') or ''}"
                for tool in listing.tools
            }
            where = [name for name, text in texts.items() if text and not text.isascii()]
            if where:
                record.findings.append(_non_ascii(where))
        except VerifyError as error:
            stderr = error.stderr if isinstance(error, ServerExited) else server.stderr if server else ""
            words = last_words(stderr)
            message = f"with {setting} the {error.message.removeprefix('the ')}"
            message += f": {words}" if words and words not in message else ""
            outcome = {"encoding": encoding, "status": Status.FAIL.value, "message": message}
            if isinstance(error, ServerExited) or not failed:
                hint = (
                    hint_for(stderr, installed.get())
                    or "write only ASCII to stdout, or reconfigure the stream as UTF-8"
                )
                record.findings.append(finding("MV220", message, hint))
        record.legs["encoding"] = outcome

    async def _http(self, record: Record, spec: LaunchSpec, http: tuple[list[str], dict[str, str], str]) -> None:
        """server.json declares streamable HTTP: start the server as it says, talk HTTP, and list (a leg of its own)."""
        from .._probe import launch  # noqa: PLC0415 - see _probe

        arguments, env, url = http
        over = _over_http(
            replace(spec, command=[*spec.command, *arguments], env={**spec.env, **env}), url, self.shared.sandbox
        )
        outcome: JSONDict
        try:
            async with launch(over) as server:
                _, listing = await server.client.listed()
            message = f"{plural(len(listing.tools), 'tool')} over streamable HTTP at {over.endpoint}"
            outcome = {"status": Status.PASS.value, "message": message, "url": over.endpoint}
        except VerifyError as error:
            message = f"over streamable HTTP, as server.json declares, {error.message.removeprefix('the ')}"
            outcome = {"status": Status.FAIL.value, "message": message, "url": over.endpoint}
            record.findings.append(finding("MV440", message))
        record.legs["http"] = outcome

    async def _protocols(self, record: Record, spec: LaunchSpec) -> None:
        """The protocol matrix: each version offered to a fresh server process, what it answered."""
        from .._probe import protocol_matrix  # noqa: PLC0415 - see _probe

        rows = await protocol_matrix(spec)
        failed = [row for row in rows if "error" in row]
        record.findings += [
            finding("MV304", f"offered protocol {row['offered']}, the server failed: {row['error']}") for row in failed
        ]
        accepted = [str(row["offered"]) for row in rows if row["accepted"]]
        record.legs["protocols"] = {
            "status": (Status.WARN if failed else Status.PASS).value,
            "message": f"accepts {len(accepted)} of {len(rows)} versions offered: {', '.join(accepted) or 'none'}",
            "versions": rows,
        }


class _Leg:
    """The other era's leg, run beside the connection (its own server, cwd and, for HTTP, port)."""

    def __init__(self) -> None:
        self.leg: EraLeg | None = None

    async def run(self, leg: Awaitable[EraLeg]) -> None:
        self.leg = await leg


class _Lazy:
    """What a hint may cite about the environment, read from disk only when a hint is needed."""

    def __init__(self, requires_dist: Sequence[str], environment: Environment) -> None:
        self.requires_dist = requires_dist
        self.environment = environment
        self._installed: Installed | None = None

    def get(self) -> Installed:
        if self._installed is None:
            requires, modules = dependency_graph(self.environment)
            self._installed = Installed(self.requires_dist, self.environment.packages, modules, requires)
        return self._installed


def _over_http(spec: LaunchSpec, url: str, jail: Sandbox | None) -> LaunchSpec:
    """The server on streamable HTTP: a free local port, put where ``{port}`` stands in its arguments and
    environment, and the URL a client connects to. Under ``--sandbox`` the port is the sandbox's
    own (its network is private): the client reaches it through a relay's UNIX socket in the run."""
    from .._probe import free_port  # noqa: PLC0415 - see Verification._probe

    port = free_port()
    endpoint = url if "://" in url else f"http://127.0.0.1:{{port}}{url if url.startswith('/') else '/' + url}"
    relay, reached = jail.relay(port) if jail is not None else ([], None)
    return replace(
        spec,
        command=[part.replace("{port}", str(port)) for part in spec.command],
        env={key: value.replace("{port}", str(port)) for key, value in spec.env.items()},
        endpoint=endpoint.replace("{port}", str(port)),
        port=port,
        wrapper=(*spec.wrapper, *relay),
        socket=reached,
    )


def _counted(listing: Listing) -> str:
    return (
        f"{plural(len(listing.tools), 'tool')} · "
        f"{plural(len(listing.resources) + len(listing.resource_templates), 'resource')} · "
        f"{plural(len(listing.prompts), 'prompt')}"
    )


def _connected(handshake: Handshake) -> str:
    """The handshake step's line: who the server is, and the protocol of the connection."""
    who = " ".join(part for part in (handshake.name, handshake.version) if part) or "a server that did not name itself"
    return f"{who} · protocol {handshake.protocol_version}"


def _died_on_probe(exited: ServerExited) -> str:
    words = last_words(exited.stderr)
    return (
        f"{exited.message.removesuffix(' during the handshake').removesuffix(' at start')} when it received "
        "server/discover, the request current clients open with"
        + (f" ({words})" if words else "")
        + "; started again and sent initialize first, as legacy clients do, it answers"
    )


def _server_info(server: Server) -> ServerInfo:
    handshake = server.found.handshake
    shutdown = server.shutdown
    return ServerInfo(
        command=list(server.client.spec.command),
        pid=server.process.pid,
        name=handshake.name if handshake else None,
        version=handshake.version if handshake else None,
        protocol_version=handshake.protocol_version if handshake else None,
        capabilities=handshake.capabilities if handshake else {},
        instructions=handshake.instructions if handshake else None,
        stderr_tail=server.stderr[-_STDERR_TAIL:],
        shutdown=shutdown.how if shutdown else None,
        exit_code=server.process.returncode,
        startup_seconds=server.found.startup_seconds,
        ready_seconds=server.found.ready_seconds,
    )


def _deprecation(line: str) -> Finding:
    return finding("MV108", f"the build backend warns: {line}")


def _non_ascii(where: list[str]) -> Finding:
    return finding("MV221", f"non-ASCII text in {', '.join(where)}")


def _finding_kept(environment: Environment, script: str) -> Finding:
    return finding(
        "MV002",
        f"kept the environment at {environment.path}",
        f"run the server by hand: {script_path(environment, script)}",
    )


def _script_chosen(script: str, wheel: Wheel) -> Finding:
    others = ", ".join(sorted(set(wheel.console_scripts) - {script}))
    return finding("MV114", f"{wheel.filename} has several console scripts: launched {script} (not {others})")


def _interpreter_chosen(requires_python: str | None, environment: Environment) -> Finding:
    return finding(
        "MV003",
        f"Requires-Python {requires_python} rules out this Python ({sys.version.split()[0]}): verified with "
        f"Python {environment.python_version} instead, as uvx picks one",
    )
