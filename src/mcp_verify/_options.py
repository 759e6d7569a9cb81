"""The options of a verification: the keyword arguments of ``verify`` and the CLI's options, as one
frozen value checked once, before anything runs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from ._checks.profiles import clients as profile_clients
from ._exceptions import UsageError
from ._types import Call

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

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
    targets: Path | None = None
    """A file of targets, one a line: a path relative to the file, or ``NAME[==VERSION]`` on the index."""
    from_registry: Path | None = None
    """An MCP Registry server list (``GET /v0/servers``): the PyPI release each entry names, with its server.json."""
    shard: str | None = None
    """``K/N``: only the K-th of N stable shares of the targets (by a hash of each one's canonical spelling)."""
    jobs: int | None = None
    """Targets verified at once (default: two per CPU, at most one per 512 MB of available memory)."""
    resume: Path | None = None
    """A directory: each target's report is written there as it finishes; targets reported there are skipped."""

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
    jobs = given.get("jobs")
    if jobs is not None and (not isinstance(jobs, int) or jobs < 1):
        raise UsageError(f"--jobs {jobs}: expected a whole number of at least 1")
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
