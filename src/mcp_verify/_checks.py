"""Deep checks: what still lets a server start but will hurt its users, each a finding with a stable code.

Two entry points, called by the pipeline: ``check_artifacts`` once the sdist and wheel are built
and inspected, ``check_listing`` once the server has listed what it offers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ._types import Finding, Severity

if TYPE_CHECKING:
    from pathlib import Path

    from ._types import Listing, Report

_TOOL_NAME = re.compile(r"[A-Za-z0-9_.-]{1,128}")


def check_artifacts(project: Path, report: Report) -> list[Finding]:
    """Packaging checks on the project tree, the sdist and the wheel (before anything is installed)."""
    wheel = report.wheel
    if wheel is None:
        return []
    findings = []
    if not any(".dist-info/" not in name for name in wheel.files):
        findings.append(
            Finding(
                "MV130",
                Severity.ERROR,
                "inspect",
                f"{wheel.filename} contains no files besides its .dist-info",
                "tell the build backend where the package is (e.g. [tool.hatch.build.targets.wheel] packages)",
            )
        )
    return findings


def check_listing(listing: Listing) -> list[Finding]:
    """Protocol checks on what the server listed: tool names and schemas, prompts, resources."""
    findings = []
    for tool in listing.tools:
        name = tool.get("name", "")
        if not _TOOL_NAME.fullmatch(name):
            findings.append(
                Finding(
                    "MV410",
                    Severity.ERROR,
                    "list",
                    f"tool name {name!r} is not 1-128 letters, digits, '_', '-' or '.'",
                    "rename the tool: clients reject names outside the MCP specification's character set",
                )
            )
    return findings
