"""Data passed between the pipeline stages and handed to the formatters."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

STEPS: tuple[str, ...] = ("build", "inspect", "install", "launch", "handshake", "list", "shutdown")
"""Every step of a verification, in the order they run."""

JSONDict = dict[str, Any]


class Status(str, enum.Enum):
    """Outcome of one step."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"


class Severity(str, enum.Enum):
    """How much a finding matters: only errors fail a verification (warnings too with --strict)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One thing mcp-verify found, with a stable code documented in the README."""

    code: str
    severity: Severity
    step: str
    message: str
    hint: str | None = None
    file: str | None = None
    """The file the finding is about, relative to the project, where one is known."""
    line: int | None = None


@dataclass
class StepResult:
    """What one step did, how long it took, and in one line why it ended as it did."""

    name: str
    status: Status
    seconds: float = 0.0
    message: str = ""


@dataclass(frozen=True)
class BuildArtifacts:
    """The sdist and the wheel built from it, both still inside the run's temporary directory."""

    sdist: str
    wheel: str


@dataclass(frozen=True)
class LaunchSpec:
    """How to start the server, as a desktop client would."""

    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    """Added to the minimal environment mcp's stdio client passes by default."""
    cwd: str | None = None
    timeout: float = 30.0
    """For launching, handshaking and listing together."""


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
class Wheel(Artifact):
    """A wheel with its parsed entry points and metadata."""

    entry_points: dict[str, dict[str, str]] = field(default_factory=dict)
    metadata: Metadata | None = None

    @property
    def console_scripts(self) -> dict[str, str]:
        return self.entry_points.get("console_scripts", {})


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
    """How the server stopped: ``stdin-eof``, ``sigterm`` or ``sigkill``."""
    startup_seconds: float | None = None
    """From spawn to the initialize response: what a desktop client waits before it can use the server."""
    ready_seconds: float | None = None
    """From spawn to everything listed."""


@dataclass(frozen=True)
class Listing:
    """Everything the server offers, as the MCP wire format spells it."""

    tools: list[JSONDict] = field(default_factory=list)
    resources: list[JSONDict] = field(default_factory=list)
    resource_templates: list[JSONDict] = field(default_factory=list)
    prompts: list[JSONDict] = field(default_factory=list)


@dataclass
class Report:
    """The whole verification of one project: what every formatter renders."""

    project: str
    version: str
    steps: list[StepResult] = field(default_factory=lambda: [StepResult(name, Status.SKIP) for name in STEPS])
    sdist: Artifact | None = None
    wheel: Wheel | None = None
    environment: Environment | None = None
    script: str | None = None
    server: ServerInfo | None = None
    listing: Listing | None = None
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    strict: bool = False
    python: str | None = None
    """The interpreter of the throwaway environment, as asked for (``--python``)."""
    resolution: str | None = None
    """``highest`` or ``lowest`` (``--resolution``)."""
    extras: dict[str, Any] = field(default_factory=dict)
    """Results of optional legs and checks (protocols, snapshot, registry), keyed by name."""

    @property
    def ok(self) -> bool:
        failing = {Severity.ERROR, Severity.WARNING} if self.strict else {Severity.ERROR}
        return all(step.status != Status.FAIL for step in self.steps) and not any(
            finding.severity in failing for finding in self.findings
        )

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == Severity.ERROR]

    def step(self, name: str) -> StepResult:
        return next(step for step in self.steps if step.name == name)
