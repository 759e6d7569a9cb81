"""The report of one verification: assembled at the end from the stages' values, then only read.

``Report.to_dict()`` is the JSON report of ``../shared/report-contract.md``: stable keys, ``null``
for what never ran. Values given with ``--env`` never reach a report: ``redacted`` replaces them
in every string before anything is shown or written.
"""

from __future__ import annotations

import dataclasses
import enum
import sys
from dataclasses import dataclass, field
from platform import python_version
from typing import TYPE_CHECKING, Any, TypeVar

from ._types import (
    CallResult,
    Environment,
    Finding,
    Listing,
    Metadata,
    Sdist,
    ServerInfo,
    Severity,
    Status,
    StepResult,
    Wheel,
)
from ._version import __version__

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ._types import HttpDoors, JSONDict, Protocol

REPORT_VERSION = "1.0"
REDACTED = "[redacted]"
SHORTEST_SECRET = 5
"""Shorter ``--env`` values (``1``, ``true``, ``dev``) are settings, not secrets: redacting them would
blank out every digit of a report."""
T = TypeVar("T")


@dataclass(frozen=True)
class Report:
    """The verification of one project, under one interpreter and resolution: what every format renders."""

    project: str
    """The path (or ``--from-index`` spec) as the user gave it."""
    steps: tuple[StepResult, ...]
    findings: tuple[Finding, ...] = ()
    sdist: Sdist | None = None
    wheel: Wheel | None = None
    script: str | None = None
    environment: Environment | None = None
    server: ServerInfo | None = None
    listing: Listing | None = None
    seconds: float = 0.0
    strict: bool = False
    python: str | None = None
    """The interpreter of the throwaway environment, as asked for (``--python``)."""
    resolution: str | None = None
    """``highest`` or ``lowest`` (``--resolution``)."""
    calls: tuple[CallResult, ...] = ()
    """The tool calls made, in order (``--call``, ``[[tool.mcp-verify.calls]]``)."""
    legs: dict[str, JSONDict] = field(default_factory=dict)
    """Extra server starts beside the pipeline (``encoding``, ``protocols``), each with its status and message."""
    bundle: JSONDict | None = None
    """An MCP bundle's file, manifest version and server type (``None`` for a project or a release)."""
    sandboxed: bool = False
    protocol: Protocol | None = None
    """The protocol eras the server speaks and how a current client connected (None: it never got that far)."""
    version: str = __version__
    """mcp-verify's version."""
    skipped: str | None = None
    """Why the target was not verified at all (a registry entry without a PyPI package)."""
    platform: JSONDict = field(default_factory=lambda: {"os": sys.platform, "python": python_version()})
    """Where it was verified: the operating system (``linux``, ``darwin``, ``win32``) and the Python that
    ran mcp-verify, so that the reports of one target from the runners of a CI matrix are not duplicates."""
    read_from: JSONDict | None = None
    """The JSON report this one was read back from (``merge``, ``--resume``), written out again as it
    was: keys a newer mcp-verify added are kept."""

    @property
    def ok(self) -> bool:
        """Nothing failed: no failed step and no error (no warning either, in strict mode)."""
        failing = {Severity.ERROR, Severity.WARNING} if self.strict else {Severity.ERROR}
        return all(step.status != Status.FAIL for step in self.steps) and not any(
            finding.severity in failing for finding in self.findings
        )

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == Severity.ERROR]

    def step(self, name: str) -> StepResult:
        return next(step for step in self.steps if step.name == name)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report."""
        if self.read_from is not None:
            return dict(self.read_from)
        listing = self.listing or Listing()
        return {
            "ok": self.ok,
            "project": self.project,
            "mcp_verify_version": self.version,
            "report_version": REPORT_VERSION,
            "seconds": self.seconds,
            "steps": [
                {"name": step.name, "status": step.status.value, "seconds": step.seconds, "message": step.message}
                for step in self.steps
            ],
            "sdist": _artifact(self.sdist),
            "wheel": _artifact(self.wheel),
            "bundle": self.bundle,
            "script": self.script,
            "python": self.python,
            "resolution": self.resolution,
            "sandboxed": self.sandboxed,
            "strict": self.strict,
            "platform": self.platform,
            "skipped": self.skipped,
            "environment": dataclasses.asdict(self.environment) if self.environment else None,
            "server": dataclasses.asdict(self.server) if self.server else None,
            "tools": listing.tools,
            "resources": listing.resources,
            "resource_templates": listing.resource_templates,
            "prompts": listing.prompts,
            "protocol": protocol_json(self.protocol),
            "calls": [
                {
                    "tool": call.tool,
                    "arguments": call.arguments,
                    "ok": call.ok,
                    "seconds": call.seconds,
                    "result": call.result,
                    "error": call.error,
                }
                for call in self.calls
            ],
            **self.legs,
            **{
                step.name: {"status": step.status.value, "message": step.message}
                for step in self.steps
                if step.name in _CHECKS
            },
            "findings": [{**dataclasses.asdict(f), "severity": f.severity.value} for f in self.findings],
        }

    @classmethod
    def from_dict(cls, document: JSONDict) -> Report:
        """A report read back from its JSON (``to_dict``), for formats that render it again.

        Raises ``KeyError``, ``TypeError`` or ``ValueError`` when ``document`` is no report.
        """
        listing = Listing(
            *(list(document.get(key) or []) for key in ("tools", "resources", "resource_templates", "prompts"))
        )
        return cls(
            project=str(document["project"]),
            steps=tuple(
                StepResult(step["name"], Status(step["status"]), float(step["seconds"]), str(step["message"]))
                for step in document["steps"]
            ),
            findings=tuple(
                _known(Finding, {**item, "severity": Severity(item["severity"])}) for item in document["findings"]
            ),
            sdist=_known(Sdist, document["sdist"]) if document.get("sdist") else None,
            wheel=_wheel(document["wheel"]) if document.get("wheel") else None,
            script=document.get("script"),
            environment=_known(Environment, document["environment"]) if document.get("environment") else None,
            server=_known(ServerInfo, document["server"]) if document.get("server") else None,
            listing=listing,
            seconds=float(document.get("seconds") or 0.0),
            strict=bool(document.get("strict")),
            python=document.get("python"),
            resolution=document.get("resolution"),
            calls=tuple(_known(CallResult, call) for call in document.get("calls") or []),
            legs={
                key: value
                for key, value in document.items()
                if key not in _CHECKS and isinstance(value, dict) and {"status", "message"} <= value.keys()
            },
            bundle=document.get("bundle"),
            sandboxed=bool(document.get("sandboxed")),
            version=str(document.get("mcp_verify_version", "")),
            skipped=document.get("skipped"),
            platform=dict(document.get("platform") or {}),
            read_from=document,
        )

    def redacted(self, secrets: Iterable[str]) -> Report:
        """This report with every occurrence of each secret (an ``--env`` value) replaced in every string."""
        return redact(self, secrets)


def redact(value: T, secrets: Iterable[str]) -> T:
    """``value`` (a report, a step, a text) with every secret long enough to be one replaced, however deep."""
    values = sorted({secret for secret in secrets if len(secret) >= SHORTEST_SECRET}, key=len, reverse=True)
    return _scrub(value, values) if values else value


_PUBLIC_ARTIFACT = ("filename", "sha256", "size", "files")
_CHECKS = ("registry", "snapshot")
"""Steps that only check: also at the top level, as the first JSON reports had them."""


def protocol_json(protocol: Protocol | None) -> JSONDict | None:
    """The ``protocol`` key: the eras, the versions, the discover result or error, what fell back and why."""
    if protocol is None:
        return None
    discovery = protocol.discovery
    result = discovery.result if discovery is not None and isinstance(discovery.result, dict) else {}
    capabilities = result.get("capabilities")
    meta = result.get("_meta")
    return {
        "mode": protocol.mode,
        "eras": list(protocol.eras),
        "connected": protocol.connected,
        "version": protocol.version,
        "discover": None
        if discovery is None
        else {
            "outcome": discovery.outcome,
            "message": discovery.message,
            "version": discovery.version,
            "supported_versions": discovery.supported_versions,
            "capabilities": capabilities if isinstance(capabilities, dict) else None,
            "extensions": capabilities.get("extensions") if isinstance(capabilities, dict) else None,
            "server_info": meta.get("io.modelcontextprotocol/serverInfo") if isinstance(meta, dict) else None,
            "instructions": result.get("instructions"),
            "result_type": result.get("resultType"),
            "ttl_ms": result.get("ttlMs"),
            "cache_scope": result.get("cacheScope"),
            "error": discovery.error,
        },
        "fallback": protocol.fallback,
        "legs": [
            {
                "era": leg.era,
                "ok": leg.ok,
                "version": leg.version,
                "message": leg.message,
                "same_process": leg.same_process,
                "tools": [tool.get("name") for tool in leg.listing.tools] if leg.listing is not None else None,
            }
            for leg in protocol.legs
        ],
        "version_check": protocol.version_check,
        "http": None if protocol.doors is None else _doors(protocol.doors),
    }


def _doors(doors: HttpDoors) -> JSONDict:
    door = doors.authorization
    return {
        "listening": list(doors.listening),
        "foreign_host": doors.foreign_host,
        "redirects": list(doors.redirects),
        "authorization": None
        if door is None
        else {
            "url": door.url,
            "challenge": door.challenge,
            "resource_metadata": door.metadata_url,
            "tried": [{"url": url, "outcome": said} for url, said in door.tried],
            "document": door.document,
            "resource_allowed": door.resource_allowed,
        },
    }


def _known(kind: type[T], data: JSONDict) -> T:
    """``kind`` made from the keys of ``data`` it has fields for (a report of another version has others)."""
    names = {item.name for item in dataclasses.fields(kind)}  # type: ignore[arg-type]
    return kind(**{key: value for key, value in data.items() if key in names})


def _wheel(data: JSONDict) -> Wheel:
    metadata = data.get("metadata")
    return _known(Wheel, {**data, "metadata": _known(Metadata, metadata) if metadata else None})


def _artifact(artifact: Sdist | Wheel | None) -> dict[str, Any] | None:
    if artifact is None:
        return None
    data = {key: getattr(artifact, key) for key in _PUBLIC_ARTIFACT}
    entry_points = getattr(artifact, "entry_points", None)
    if entry_points is not None:
        metadata = getattr(artifact, "metadata", None)
        data["entry_points"] = entry_points
        # the long description is the README: not worth repeating in a report
        data["metadata"] = (
            {key: value for key, value in dataclasses.asdict(metadata).items() if key != "description"}
            if metadata
            else None
        )
    return data


def _scrub(value: T, secrets: list[str]) -> T:
    """``value`` with the secrets replaced in every string it holds, however deep."""
    result: Any
    if isinstance(value, enum.Enum):
        result = value
    elif isinstance(value, str):
        result = value
        for secret in secrets:
            result = result.replace(secret, REDACTED)
    elif isinstance(value, dict):
        result = {_scrub(key, secrets): _scrub(item, secrets) for key, item in value.items()}
    elif isinstance(value, (list, tuple)):
        result = type(value)(_scrub(item, secrets) for item in value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {item.name: _scrub(getattr(value, item.name), secrets) for item in dataclasses.fields(value)}
        result = dataclasses.replace(value, **changes)
    else:
        result = value
    return result  # type: ignore[no-any-return]
