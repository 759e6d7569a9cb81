"""The JSON report of ``../shared/report-contract.md``: stable keys, ``null`` for what never ran."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._types import Artifact, Report

SCHEMA_VERSION = "1.0"


def _artifact(artifact: Artifact | None) -> dict[str, Any] | None:
    if artifact is None:
        return None
    data = dataclasses.asdict(artifact)
    if data.get("metadata"):  # the long description is the README: not worth repeating in a report
        data["metadata"].pop("description", None)
    return data


def report_dict(report: Report) -> dict[str, Any]:
    """One project's report as plain JSON data."""
    listing = report.listing
    server = dataclasses.asdict(report.server) if report.server else None
    environment = dataclasses.asdict(report.environment) if report.environment else None
    return {
        "ok": report.ok,
        "project": report.project,
        "mcp_verify_version": report.version,
        "report_version": SCHEMA_VERSION,
        "seconds": report.seconds,
        "steps": [
            {"name": step.name, "status": step.status.value, "seconds": step.seconds, "message": step.message}
            for step in report.steps
        ],
        "sdist": _artifact(report.sdist),
        "wheel": _artifact(report.wheel),
        "script": report.script,
        "python": report.python,
        "resolution": report.resolution,
        "environment": environment,
        "server": server,
        "tools": listing.tools if listing else [],
        "resources": listing.resources if listing else [],
        "resource_templates": listing.resource_templates if listing else [],
        "prompts": listing.prompts if listing else [],
        **report.extras,
        "findings": [{**dataclasses.asdict(f), "severity": f.severity.value} for f in report.findings],
    }


def render(reports: Sequence[Report]) -> str:
    """One project: its report; several: ``{"ok": ..., "projects": [...]}``."""
    if len(reports) == 1:
        document: dict[str, Any] = report_dict(reports[0])
    else:
        document = {"ok": all(report.ok for report in reports), "projects": [report_dict(r) for r in reports]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
