"""The Python API: ``verify(*paths, **options) -> list[Report]``, with exactly the CLI's semantics.

The CLI is a thin layer over ``averify``: the rules that turn options into legs (``strict`` adds
the cp1252 encoding leg, ``resolution="both"`` makes two), the private temporary directory and the
kept environments all live here, so a script gets what the command line gets.
"""

from __future__ import annotations

import json
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
from ._bundle import declared_options, peek_manifest, user_config
from ._checks.profiles import clients as profile_clients
from ._compat import unwrapped
from ._exceptions import UsageError
from ._files import private_tmpdir, remove_tree
from ._pipeline import Shared, legs, verify_target
from ._sandbox import sandbox
from ._steps import silent
from ._subprocess import kill_all
from ._targets import Target, resolve_targets
from ._threads import in_daemon_thread
from ._types import Call
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

    timeout: float | None = None
    """Seconds for launching, handshaking and listing together, and for each call (default 30, or the
    project's ``[tool.mcp-verify] timeout``)."""
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
    strict: bool | None = None
    """Warnings fail too, and the server is also started with the cp1252 encoding of a Windows console
    (default: the project's ``[tool.mcp-verify] strict``, else off)."""
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
    calls: Sequence[str | Call] = ()
    """Tool calls to make once the server is listed: ``TOOL`` or ``TOOL={"arg": 1}`` (default: the
    project's ``[[tool.mcp-verify.calls]]``)."""
    transport: str = "stdio"
    """``stdio``, or ``http``: streamable HTTP on a free local port (``{port}`` in args and env values)."""
    url: str = "/mcp"
    """For ``http``: the path the server serves MCP at, or a whole URL with ``{port}``."""
    user_config: Mapping[str, str] = field(default_factory=dict)
    """For an MCP bundle: values of its manifest's user_config, as a user types them in the host."""
    exercise: bool = False
    """Read every listed static resource and get every prompt."""
    clients: Sequence[str] = ()
    """Clients whose profile's rules are errors, not warnings (``claude-desktop``, ``claude-code``...)."""
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
    if given.get("transport", "stdio") not in {"stdio", "http"}:
        raise UsageError(f"transport {given['transport']!r}: expected stdio or http")
    if given.get("resolution", "highest") not in RESOLUTIONS:
        raise UsageError(f"resolution {given['resolution']!r}: expected highest, lowest or both")
    unknown_clients = sorted(set(given.get("clients", ())) - set(profile_clients()))
    if unknown_clients:
        raise UsageError(
            f"--client {unknown_clients[0]}: no such client profile (they are: {', '.join(profile_clients())})"
        )
    calls = tuple(call if isinstance(call, Call) else parse_call(call) for call in given.get("calls", ()))
    return Options(**{**given, "calls": calls})


def parse_call(text: str) -> Call:
    """``TOOL`` or ``TOOL={"arg": 1}``, as ``--call`` takes it."""
    tool, equals, arguments = text.partition("=")
    tool = tool.strip()
    if not tool:
        raise UsageError(f"--call {text!r}: give TOOL, or TOOL={{...}} with the arguments as a JSON object")
    if not equals:
        return Call(tool)
    try:
        value = json.loads(arguments)
    except ValueError as error:
        raise UsageError(f"--call {tool}: the arguments are not valid JSON ({error})") from None
    if not isinstance(value, dict):
        raise UsageError(f"--call {tool}: the arguments must be a JSON object, not {type(value).__name__}")
    return Call(tool, value)


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
    _check_user_config(targets, chosen.user_config)
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


def _check_user_config(targets: Sequence[Target], given: Mapping[str, str]) -> None:
    """Before anything runs: each ``--user-config`` key is some bundle's, and each bundle has its required ones."""
    manifests = {target.label: peek_manifest(target.bundle) for target in targets if target.bundle is not None}
    if given and not manifests:
        raise UsageError("--user-config gives values to an MCP bundle's user_config, and no PATH is a bundle")
    declared = {key for manifest in manifests.values() for key in declared_options(manifest)}
    for key in given:
        if key not in declared:
            raise UsageError(f"--user-config {key}: no bundle declares such a user_config key")
    for label, manifest in manifests.items():
        user_config(manifest, given, label)


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
                kept_in=kept,
                sandbox=jail,
            )
            async with anyio.create_task_group() as group:
                # the MCP client is slow to import: let that happen while the builds run
                group.start_soon(in_daemon_thread, partial(import_module, "mcp_verify._probe"))
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
