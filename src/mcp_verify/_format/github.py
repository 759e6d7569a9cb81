"""GitHub Actions workflow commands (annotations) and the Markdown job summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._types import Severity, Status
from . import text
from ._safe import visible

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._report import Report
    from .._types import Finding

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(report: Report, finding: Finding) -> str:
    """One ``::error file=…,line=…,title=…::message`` line."""
    properties = [f"title={_escape_property(f'{finding.code} {finding.step}')}"]
    if finding.file:
        project = report.project.rstrip("/")
        properties.insert(0, f"file={_escape_property(f'{project}/{finding.file}')}")
        if finding.line:
            properties.insert(1, f"line={finding.line}")
    message = finding.message + (f"\nhint: {finding.hint}" if finding.hint else "")
    return f"::{_COMMANDS[finding.severity]} {','.join(properties)}::{_escape_data(message)}"


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def summary(reports: Sequence[Report]) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``: steps, tools and findings of each project."""
    parts = []
    for report in reports:
        parts += [
            f"### {'✅' if report.ok else '❌'} mcp-verify `{report.project}`",
            "",
            "| step | status | seconds | detail |",
            "|---|---|---|---|",
        ]
        parts += [
            f"| {step.name} | {step.status.value} | {step.seconds:.1f} | {_cell(step.message)} |"
            for step in report.steps
        ]
        if report.listing and report.listing.tools:
            parts += ["", "| tool | description |", "|---|---|"]
            parts += [
                f"| `{tool['name']}` | {_cell(text.first_line(tool.get('description')))} |"
                for tool in report.listing.tools
            ]
        if report.findings:
            parts += ["", "| code | severity | step | message |", "|---|---|---|---|"]
            parts += [f"| {f.code} | {f.severity.value} | {f.step} | {_cell(f.message)} |" for f in report.findings]
        parts.append("")
    return visible("\n".join(parts))


def render(reports: Sequence[Report]) -> str:
    """A group of plain log lines per project, then one annotation per finding."""
    lines = []
    for report in reports:
        lines.append(f"::group::mcp-verify {report.project}")
        lines += [
            f"{step.status.value:<4} {step.name:<10} {step.seconds:5.1f}s  {step.message}" for step in report.steps
        ]
        lines.append("::endgroup::")
        lines += [annotation(report, finding) for finding in report.findings]
        failed = [step.name for step in report.steps if step.status == Status.FAIL]
        lines.append(
            f"{'PASS' if report.ok else 'FAIL'} {report.project}" + (f" ({failed[0]} failed)" if failed else "")
        )
    return visible("\n".join(lines) + "\n")
