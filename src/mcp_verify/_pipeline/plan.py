"""The values one target's pipeline carries: its legs, what its verifications share, the source
built once, the record a report is assembled from, and the options that apply to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._exceptions import UsageError
from .._platform import WINDOWS_CONSOLE
from .._report import redact
from .._types import Artifacts, Call, ServerInfo, Settings, Severity

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    import anyio

    from .._build import BuildEnvironments
    from .._options import Options
    from .._sandbox import Sandbox
    from .._steps import Progress, StepLog
    from .._types import (
        Bundle,
        CallResult,
        Environment,
        Finding,
        JSONDict,
        Listing,
        Project,
        Protocol,
        Sdist,
        StepResult,
        Wheel,
    )


@dataclass(frozen=True)
class Leg:
    """One environment for a target: an interpreter (``None``: this one) and a dependency resolution."""

    python: str | None
    resolution: str


@dataclass
class Shared:
    """What the targets of one run share: build environments, and slots for the CPU-heavy stages.

    A target holds a build slot while it builds and a probe slot while its server runs, so the
    next target builds while this one's server is probed, and neither stage outnumbers the CPUs.
    Requirements resolved online once in a run are not asked of the index again by the next
    project that declares the very same ones.
    """

    builds: BuildEnvironments
    build_slots: anyio.CapacityLimiter
    probe_slots: anyio.CapacityLimiter
    legs: Sequence[Leg]
    kept_in: Path | None = None
    """Where ``keep_env`` keeps environments: outside the run's temporary directory, which goes at its end."""
    sandbox: Sandbox | None = None
    resolved: set[tuple[str, frozenset[str]]] = field(default_factory=set)
    tolerant: bool = False
    """The run has several targets: a target's own usage problem fails that target (MV901), not the run."""


@dataclass(frozen=True)
class Source:
    """What the build and inspect steps hand on: the artifacts, what they hold, and the tree they came from."""

    artifacts: Artifacts
    wheel: Wheel
    sdist: Sdist | None
    project: Project | None
    """The project (or the unpacked sdist) the checks read pyproject.toml and server.json from."""
    script: str
    entry_point: str
    http: tuple[list[str], dict[str, str], str] | None = None
    """How server.json says to start the server over streamable HTTP, when it declares that transport."""


@dataclass
class Record:
    """What one report is assembled from, filled as the stages run."""

    steps: StepLog
    findings: list[Finding] = field(default_factory=list)
    source: Source | None = None
    environment: Environment | None = None
    server: ServerInfo | None = None
    listing: Listing | None = None
    legs: dict[str, JSONDict] = field(default_factory=dict)
    calls: list[CallResult] = field(default_factory=list)
    bundle: Bundle | None = None
    protocol: Protocol | None = None

    def add(self, found: Sequence[Finding], step: str) -> None:
        """The findings of a step whose work is done: it warns when any of them is more than advice."""
        self.findings += found
        if any(item.severity != Severity.INFO for item in found):
            self.steps.warn(step)


@dataclass(frozen=True)
class Plan:
    """The options of one target: the command line's, and what its ``[tool.mcp-verify]`` adds."""

    timeout: float = 30.0
    strict: bool = False
    script: str | None = None
    args: tuple[str, ...] = ()
    calls: tuple[Call, ...] = ()
    encoding: str | None = None

    @classmethod
    def of(cls, chosen: Options, project: Settings | None = None) -> Plan:
        """The command line wins; the project's settings fill what it left out."""
        settings = project or Settings()
        missing = [name for name in settings.env if name not in chosen.env]
        if missing:
            raise UsageError(
                f"[tool.mcp-verify] env: the server needs {', '.join(missing)}: pass "
                + " ".join(f"--env {name}=..." for name in missing)
            )
        strict = chosen.strict if chosen.strict is not None else bool(settings.strict)
        given_calls = tuple(call for call in chosen.calls if isinstance(call, Call))
        return cls(
            timeout=chosen.timeout or settings.timeout or 30.0,
            strict=strict,
            script=chosen.script or settings.script,
            args=tuple(chosen.args) or settings.args,
            calls=given_calls or settings.calls,
            encoding=chosen.encoding or (WINDOWS_CONSOLE if strict else None),
        )


class Redacting:
    """Progress that never shows an ``--env`` value."""

    def __init__(self, progress: Progress, secrets: Sequence[str]) -> None:
        self.progress = progress
        self.secrets = secrets

    def __call__(self, project: str, step: StepResult, done: bool) -> None:
        shown = redact(step, self.secrets)
        self.progress(project, shown, done)


def size_text(size: int) -> str:
    return f"{size / 1000:.1f} kB" if size < 1_000_000 else f"{size / 1_000_000:.1f} MB"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def legs(pythons: Sequence[str], resolutions: Sequence[str]) -> list[Leg]:
    """Every interpreter with every resolution, in the order asked."""
    asked: Sequence[str | None] = pythons or [None]
    return [Leg(python, resolution) for python in asked for resolution in resolutions]
