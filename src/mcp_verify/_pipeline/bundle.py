"""The verification of an MCP bundle: opened and checked, installed as its host installs it, then
launched with its resolved mcp_config and probed as a project is."""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING

import anyio

from .._bundle import (
    GUI_PATH,
    entry_point,
    locate,
    missing_imports,
    open_bundle,
    package_version,
    resolve,
    sensitive,
    user_config,
)
from .._catalogue import finding
from .._checks.bundle import check_contents as check_contents_of_bundle
from .._checks.bundle import (
    check_icons,
    check_manifest,
    check_paths,
    check_promises,
    check_signature,
    check_versions,
)
from .._exceptions import BuildError, CommandFailed, InstallError, LaunchError, UsageError, VerifyError
from .._project import read_project
from .._steps import StepLog
from .._subprocess import run
from .._types import Installed, LaunchSpec
from .._venv import (
    environ_for_installs,
    environment_at,
    find_python,
    find_uv,
    installer_errors,
    prepare_environment,
)
from .plan import Record, plural, size_text
from .project import Verification

if TYPE_CHECKING:
    from .._report import Report
    from .._steps import Step
    from .._types import Bundle, Environment, Project

HOST_START_TIMEOUT = 60.0
"""Seconds a desktop host waits for a server's first start (a bundle's cold install counts against it)."""


class BundleVerification(Verification):
    """An MCP bundle: opened and checked, installed as its host installs it, launched with its mcp_config."""

    async def run(self) -> list[Report]:
        record = Record(StepLog(self.target.label, self.progress))
        started = time.perf_counter()
        try:
            async with self.shared.build_slots:
                bundle = await self._open(record)
            async with self.shared.probe_slots:
                await self._install_and_probe(record, bundle)
        except (VerifyError, UsageError) as error:
            self.failed(record, error)
        return [self._report(record, started, None)]

    async def _open(self, record: Record) -> Bundle:
        """The build and inspect steps of a bundle: unpacked, its manifest and files checked."""
        assert self.target.bundle is not None
        with record.steps.run("build") as step:
            bundle = await anyio.to_thread.run_sync(open_bundle, self.target.bundle, self.work)
            record.bundle = bundle
            self.secrets[:] = [*self.options.env.values(), *sensitive(bundle, self.options.user_config)]
            what = (
                f"unpacked {bundle.filename} ({size_text(bundle.size)})"
                if bundle.packed
                else f"copied {bundle.filename}/"
            )
            step.message = f"{what} · server type {bundle.type or '?'}"
        with record.steps.run("inspect") as step:
            outside = check_paths(bundle)
            if outside:  # nothing outside the bundle is read or run
                record.findings += outside[1:]
                raise BuildError(outside[0].code, outside[0].message, step="inspect")
            project = read_project(bundle.root)
            found = check_manifest(bundle, missing_imports(bundle)) + check_contents_of_bundle(bundle)
            found += check_versions(bundle, _static_version(project), package_version(bundle))
            record.add(found + check_icons(bundle) + check_signature(bundle), "inspect")
            entry = entry_point(bundle)
            step.message = f"manifest_version {bundle.manifest_version or '?'} · {plural(len(bundle.members), 'file')}"
            step.message += f" · entry point {entry}" if entry else ""
            if bundle.packed:
                signer = bundle.signature.subject if bundle.signature else None
                held = " · unsigned" if bundle.signature is None else " · signature unreadable"
                step.message += f" · signed by {signer}" if signer else held
        return bundle

    async def _install_and_probe(self, record: Record, bundle: Bundle) -> None:
        python = find_python(self.options.pythons[0]) if self.options.pythons else sys.executable
        values = user_config(bundle.manifest, self.options.user_config, self.target.label)
        command = resolve(bundle, values)
        with record.steps.run("install") as step:
            record.environment = environment = await self._install(record, bundle, python, step)
        executable, on_path = locate(command.command, bundle, environment.python, find_uv())
        if executable is None or on_path:
            relies = (
                f"the bundle runs {command.command!r} from the PATH: hosts supply only their Python, their Node and, "
                f"for server.type uv, their own uv; a desktop app's PATH ({':'.join(GUI_PATH)}) has no ~/.local/bin "
                f"or pyenv shims, so users without it installed system-wide get spawn {command.command} ENOENT"
            )
            if executable is None:
                raise LaunchError("MV806", f"{relies} (it is not found here either)")
            record.findings.append(finding("MV806", f"{relies} (found here at {executable})"))
        args = command.args
        if bundle.type == "uv" and not command.command:  # no mcp_config: the host runs the entry point itself
            args = ["run", "--directory", str(bundle.root), entry_point(bundle) or ""]
        if command.literal:
            record.findings.append(
                finding(
                    "MV813", f"the server is started with the literal text {', '.join(sorted(set(command.literal)))}"
                )
            )
        cwd = self.work / "cwd-0"
        cwd.mkdir()
        jail = self.shared.sandbox
        launched = [executable, *args]
        spec = LaunchSpec(
            command=launched,
            env={"PATH": os.pathsep.join(GUI_PATH), **command.env, **self.options.env},
            cwd=str(cwd),
            timeout=self.plan.timeout,
            wrapper=tuple(jail.wrap([], str(cwd), runs=launched)) if jail is not None else (),
            era=self.options.era,
        )
        failure = await self._probe(record, spec, (bundle.filename, ""), Installed)
        if record.listing is not None:
            promised = check_promises(bundle, record.listing)
            record.findings += promised
            if promised:
                record.steps.warn("list")
        if failure is not None:
            raise failure

    async def _install(self, record: Record, bundle: Bundle, python: str, step: Step) -> Environment:
        """What the host does before the first start: for uv, install the bundled pyproject (timed);
        otherwise nothing, and the bundle runs on a bare Python, as a user's system Python is."""
        if bundle.type != "uv":
            root = self.work / "host-python"
            await prepare_environment(root, python=python, installer=self.installer, cwd=self.work)
            environment = environment_at(root, self.installer)
            step.message = (
                f"nothing to install: a {bundle.type or '?'} bundle runs as it is, here on a bare "
                f"Python {environment.python_version} (as a host's, with nothing installed)"
            )
            return environment
        uv = find_uv()
        if uv is None:
            raise UsageError("verifying a uv bundle needs uv: pip install 'mcp-verify[uv]'")
        started = time.perf_counter()
        with anyio.move_on_after(self.options.build_timeout) as limit:
            try:
                await run(
                    [uv, "sync", "--quiet", "--no-dev", "--directory", str(bundle.root), "--python", python],
                    env=environ_for_installs(self.work),
                    cwd=str(self.work),
                )
            except CommandFailed as error:
                raise InstallError(
                    "MV122",
                    f"installing the bundle's pyproject.toml failed (uv sync):\n{installer_errors(error.output)}",
                    "check [project].dependencies of the bundled pyproject.toml",
                ) from None
        if limit.cancelled_caught:
            raise InstallError("MV123", f"installing the bundle did not finish within {self.options.build_timeout:g} s")
        seconds = time.perf_counter() - started
        if seconds > HOST_START_TIMEOUT:
            record.findings.append(
                finding(
                    "MV812",
                    f"installing the bundle's dependencies took {seconds:.0f} s here (with a warm cache), longer than "
                    f"a host waits for a server to start ({HOST_START_TIMEOUT:g} s)",
                )
            )
        environment = environment_at(bundle.root / ".venv", "uv")
        step.message = (
            f"uv sync of the bundled pyproject.toml in {seconds:.1f} s, {plural(len(environment.packages), 'package')}"
        )
        return environment


def _static_version(project: Project) -> str | None:
    version = project.table.get("version")
    return version if isinstance(version, str) else None
