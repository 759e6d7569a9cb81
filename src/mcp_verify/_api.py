"""The Python API: ``verify(*paths, **options) -> list[Report]``, with exactly the CLI's semantics.

The CLI is a thin layer over ``averify``: the rules that turn options into legs (``strict`` adds
the cp1252 encoding leg, ``resolution="both"`` makes two), the private temporary directory and the
kept environments all live here, so a script gets what the command line gets.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

from ._build import BuildEnvironments
from ._compat import unwrapped
from ._exceptions import UsageError
from ._files import private_tmpdir, remove_tree
from ._pipeline import Shared, legs, verify_target
from ._sandbox import sandbox
from ._steps import silent
from ._subprocess import kill_all
from ._targets import Target, resolve_targets
from ._venv import find_python, resolve_installer

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from ._report import Report
    from ._sandbox import Sandbox
    from ._steps import Progress

RESOLUTIONS = {"highest": ("highest",), "lowest": ("lowest",), "both": ("highest", "lowest")}


@dataclass(frozen=True)
class Options:
    """Everything a verification can be asked: the keyword arguments of ``verify`` and the CLI's options."""

    timeout: float = 30.0
    """Seconds for launching, handshaking and listing together."""
    script: str | None = None
    """The console script to launch when the wheel has several."""
    args: Sequence[str] = ()
    """Arguments for the server."""
    env: Mapping[str, str] = field(default_factory=dict)
    """Environment for the server, beside the minimal one clients pass; never shown in a report."""
    installer: str = "auto"
    """``auto`` (uv when available), ``uv`` or ``pip``."""
    pythons: Sequence[str] = ()
    """Interpreters (paths or versions such as ``3.12``); one report each. None: this one, unless the
    release's Requires-Python rules it out."""
    resolution: str = "highest"
    """``highest``, ``lowest`` (the lowest allowed direct dependencies, needs uv) or ``both``."""
    strict: bool = False
    """Warnings fail too, and the server is also started with the cp1252 encoding of a Windows console."""
    encoding: str | None = None
    """Also start the server with this stdio encoding (``cp1252`` by default under ``strict``)."""
    protocols: bool = False
    """Also offer every protocol version the mcp client supports, one server start each."""
    build_timeout: float = 900.0
    """Seconds the build may take, and (apart) the installation."""
    startup_budget: float = 10.0
    """Seconds to answer initialize before a warning."""
    keep_env: bool = False
    """Keep each environment (in the system's temporary directory) and say where."""
    install_dir: Path | None = None
    """Install into this directory and keep it (``--client-config`` uses this)."""
    dist_dir: Path | None = None
    """Keep the built sdist and wheel here, for the upload step."""
    server_json: Path | None = None
    """The MCP Registry's server.json to check (default: the release's own, if it has one)."""
    snapshot: Path | None = None
    """A committed JSON snapshot of the tools, prompts and resources to compare with."""
    update_snapshot: bool = False
    """Write ``snapshot`` from what the server lists instead of comparing."""
    sandbox: bool = False
    """Run build hooks and servers under bubblewrap: no network, nothing writable outside the run's directory."""
    from_index: Sequence[str] = ()
    """Releases (``NAME`` or ``NAME==VERSION``) to download from the index and verify."""
    index_url: str | None = None
    """The index for ``from_index`` (default: uv's and pip's settings, else PyPI)."""

    @property
    def env_dir(self) -> Path | None:
        return self.install_dir


def options(**given: Any) -> Options:
    """Options from keyword arguments, a usage error naming any that does not exist."""
    known = {item.name for item in fields(Options)}
    unknown = sorted(set(given) - known)
    if unknown:
        raise UsageError(f"unknown option{'s' * (len(unknown) > 1)}: {', '.join(unknown)}")
    if given.get("resolution", "highest") not in RESOLUTIONS:
        raise UsageError(f"resolution {given['resolution']!r}: expected highest, lowest or both")
    return Options(**given)


def verify(*paths: str | os.PathLike[str], progress: Progress | None = None, **settings: Any) -> list[Report]:
    """Verify each PATH (a project, a directory of built artifacts, a .whl or .tar.gz): one report per
    project and leg, in the order given.

    Keyword arguments are the fields of ``Options``. Raises ``UsageError`` for what the command
    line answers with exit 2; a release that fails verification is a report with ``ok`` false.
    """
    return anyio.run(partial(averify, *paths, progress=progress, **settings))


async def averify(*paths: str | os.PathLike[str], progress: Progress | None = None, **settings: Any) -> list[Report]:
    """``verify`` for callers that already run an event loop (asyncio or trio, through anyio)."""
    chosen = options(**settings)
    targets = resolve_targets([os.fspath(path) for path in paths])
    targets += [Target(label=spec, index_spec=spec) for spec in chosen.from_index]
    if not targets:
        raise UsageError("nothing to verify: give a PATH or --from-index NAME==VERSION")
    for python in chosen.pythons:
        find_python(python)
    installer = resolve_installer(chosen.installer)
    resolutions = RESOLUTIONS[chosen.resolution]
    if "lowest" in resolutions and installer != "uv":
        raise UsageError("--resolution lowest needs uv (pip cannot resolve to the lowest versions)")
    kept = Path(tempfile.gettempdir()) if chosen.keep_env else None  # before the run's own, removed at its end
    with private_tmpdir() as root, _killing_leftovers():
        jail = sandbox(root) if chosen.sandbox else None
        return await _verify_all(targets, chosen, progress or silent, installer, kept, resolutions, jail)


async def _verify_all(
    targets: list[Target],
    chosen: Options,
    progress: Progress,
    installer: Any,
    kept: Path | None,
    resolutions: Sequence[str],
    jail: Sandbox | None,
) -> list[Report]:
    """Verify the targets concurrently (bounded by the CPU count); reports keep the given order."""
    results: dict[int, list[Report]] = {}
    slots = max(1, min(len(targets), os.cpu_count() or 1))
    directory = Path(tempfile.mkdtemp(prefix="mcp-verify-builds-"))

    async def one(index: int, target: Target, shared: Shared) -> None:
        results[index] = await verify_target(target, chosen, progress, shared)

    try:
        with unwrapped(), BuildEnvironments(directory, installer, jail) as builds:
            shared = Shared(
                builds,
                anyio.CapacityLimiter(slots),
                anyio.CapacityLimiter(slots),
                legs(chosen.pythons, resolutions),
                chosen.encoding or ("cp1252" if chosen.strict else None),
                kept_in=kept,
                sandbox=jail,
            )
            async with anyio.create_task_group() as group:
                # the MCP client is slow to import: let that happen while the builds run
                group.start_soon(partial(anyio.to_thread.run_sync, import_module, "mcp_verify._probe"))
                for index, target in enumerate(targets):
                    group.start_soon(one, index, target, shared)
    finally:
        with anyio.CancelScope(shield=True):
            await remove_tree(directory)
    return [report for index in range(len(targets)) for report in results[index]]


@contextmanager
def _killing_leftovers() -> Iterator[None]:
    """On any way out, kill what build threads may still run (their groups are not ours to await)."""
    try:
        yield
    finally:
        kill_all()
