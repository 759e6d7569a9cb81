"""The values the stages hand on, and the pieces of a report: small, frozen, typed.

Each stage takes values and returns one: build → ``Artifacts``, inspect → ``Sdist`` and ``Wheel``,
install → ``Environment``, probe → ``ServerInfo``, ``Listing``, ``Shutdown``. Checks are pure
functions of these values; the ``Report`` is assembled from them at the end.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

JSONDict = dict[str, Any]

STEPS: tuple[str, ...] = ("build", "inspect", "install", "launch", "handshake", "list", "shutdown")
"""The pipeline's steps, in the order they run; checks beside them (``registry``, ``snapshot``) are
steps too, placed where they run."""


class Status(str, enum.Enum):
    """How a step ended: ``fail`` stops the pipeline, ``warn`` means its work was done but a check found a problem."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"


class Severity(str, enum.Enum):
    """How much a finding matters: errors fail a verification, warnings too with ``strict``."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One thing mcp-verify found; ``code`` is an entry of the catalogue (``mcp-verify --explain CODE``)."""

    code: str
    severity: Severity
    step: str
    message: str
    hint: str | None = None
    file: str | None = None
    """The file the finding is about, relative to the project, where one is known."""
    line: int | None = None


@dataclass(frozen=True)
class StepResult:
    """What one step did, how long it took, and in one line why it ended as it did."""

    name: str
    status: Status
    seconds: float = 0.0
    message: str = ""


# build -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Artifacts:
    """The sdist and the wheel to verify, and how they were had."""

    wheel: Path
    sdist: Path | None = None
    detail: str = ""
    """How they were had, in words, for the build step's line: built, downloaded, or given."""
    chatter: tuple[str, ...] = ()
    """Warnings the build backend printed (its output is captured, not shown)."""


# inspect -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metadata:
    """The core metadata fields a release engineer reads in METADATA."""

    name: str
    version: str
    summary: str | None
    requires_python: str | None
    requires_dist: list[str]
    description: str | None = None


@dataclass(frozen=True)
class Artifact:
    """A built distribution as it would be uploaded."""

    filename: str
    sha256: str
    size: int
    files: list[str]


@dataclass(frozen=True)
class Member:
    """One file of an archive: its name as stored, its size, and what else a check needs to know."""

    name: str
    size: int
    sha256: str | None = None
    """Of the content (wheels only: for the RECORD check)."""
    link: str | None = None
    """The target of a symbolic or hard link (sdists only)."""
    note: str | None = None
    """What its content shows, for files whose name alone cannot tell: ``private key``, ``local paths``."""


@dataclass(frozen=True)
class Sdist(Artifact):
    """An sdist: its files, and each member as stored (for the safety checks)."""

    members: tuple[Member, ...] = ()


@dataclass(frozen=True)
class Wheel(Artifact):
    """A wheel with its parsed entry points and metadata."""

    entry_points: dict[str, dict[str, str]] = field(default_factory=dict)
    metadata: Metadata | None = None
    members: tuple[Member, ...] = ()
    record: tuple[tuple[str, str, str], ...] | None = None
    """RECORD's rows (path, hash, size) as written; None when the wheel has no RECORD."""
    sources: dict[str, str] = field(default_factory=dict)
    """The text of each ``.py`` file of the wheel that imports mcp (for the dependency check)."""

    @property
    def console_scripts(self) -> dict[str, str]:
        return self.entry_points.get("console_scripts", {})


# install -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Environment:
    """The throwaway virtual environment the wheel was installed into."""

    path: str
    python: str
    python_version: str
    scripts_dir: str
    installer: str
    packages: dict[str, str]
    """Installed distributions, canonical name to version."""


# probe -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LaunchSpec:
    """How to start the server, as a desktop client would."""

    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    """Added to the minimal environment mcp's stdio client passes by default."""
    cwd: str | None = None
    timeout: float = 30.0
    """For launching, handshaking and listing together."""
    wrapper: tuple[str, ...] = ()
    """A command the server runs under (``--sandbox``: bubblewrap), not part of what a client runs."""
    endpoint: str | None = None
    """Streamable HTTP: the URL the server serves MCP at (the port is in it); None: stdio."""
    port: int | None = None
    """Streamable HTTP: the port it was told to listen on, waited for before connecting."""


@dataclass(frozen=True)
class StrayLine:
    """A line on the server's stdout that is not a JSON-RPC message."""

    text: str
    step: str
    """The step during which it arrived (``shutdown``: after stdin closed, e.g. a buffered ``print()``)."""
    is_json: bool = False


@dataclass(frozen=True)
class Shutdown:
    """How the server stopped after its stdin was closed."""

    how: str
    """``stdin-eof``, ``sigterm``, ``sigkill``, or ``exited`` (it had ended before stdin closed)."""
    seconds: float
    returncode: int | None = None
    survivors: tuple[str, ...] = ()
    """Processes the server started that were still running after it exited (then killed), as ``pid command``."""
    last_words: str = ""
    """The exception line of what the server wrote on stderr while it stopped, if anything."""


@dataclass(frozen=True)
class ServerInfo:
    """The running server as the handshake described it."""

    command: list[str]
    pid: int
    name: str | None = None
    version: str | None = None
    protocol_version: str | None = None
    capabilities: JSONDict = field(default_factory=dict)
    instructions: str | None = None
    stderr_tail: str = ""
    shutdown: str | None = None
    """How the server stopped: ``stdin-eof``, ``sigterm``, ``sigkill`` or ``exited``."""
    exit_code: int | None = None
    startup_seconds: float | None = None
    """From spawn to the initialize response: what a desktop client waits before it can use the server."""
    ready_seconds: float | None = None
    """From spawn to everything listed."""


@dataclass(frozen=True)
class Listing:
    """Everything the server offers, as the MCP wire format spells it (raw, even where a client rejects it)."""

    tools: list[JSONDict] = field(default_factory=list)
    resources: list[JSONDict] = field(default_factory=list)
    resource_templates: list[JSONDict] = field(default_factory=list)
    prompts: list[JSONDict] = field(default_factory=list)


# using the server ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """A tool call to make once the server is listed (``--call``, or ``[[tool.mcp-verify.calls]]``)."""

    tool: str
    arguments: JSONDict = field(default_factory=dict)
    expect: str | None = None
    """A text the result's text content must contain."""


@dataclass(frozen=True)
class CallResult:
    """What a call gave: the result as the wire format spells it, or why there is none."""

    tool: str
    arguments: JSONDict
    ok: bool
    seconds: float
    result: JSONDict | None = None
    error: str | None = None
    """The request's failure (an error response, no answer), when there is no result."""


@dataclass(frozen=True)
class Exercised:
    """One resource read or prompt get of ``--exercise``: what was asked, and the error if it failed."""

    kind: str
    """``resource`` or ``prompt``."""
    name: str
    """The resource's URI or the prompt's name."""
    seconds: float
    error: str | None = None
