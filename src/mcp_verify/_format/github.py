"""GitHub Actions workflow commands (annotations) and the Markdown job summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._types import Severity, Status
from . import _overview, text
from ._safe import visible

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._report import Report
    from .._types import Finding

SUMMARY_LIMIT = 1_000_000
"""Bytes of Markdown a step summary may hold: GitHub refuses one over 1 MiB."""
_EMOJI = {"pass": "✅", "fail": "❌", "skip": "⏭️"}
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


def _targets(reports: Sequence[Report]) -> list[str]:
    """A row per target, a column per step: the first thing a reader of several targets wants."""
    names = _overview.columns(reports)
    lines = [
        f"### mcp-verify: {_overview.tally(reports)}",
        "",
        f"| target | result | {' | '.join(names)} | first problem |",
        "|---|---|" + "---|" * len(names) + "---|",
    ]
    for report, label in zip(reports, _overview.labels(reports), strict=True):
        marks = _overview.statuses(report)
        note = _overview.note(report)
        cells = " | ".join(text.MARKS[marks[name]] if name in marks else "" for name in names)
        lines.append(f"| `{_cell(label)}` | {_overview.verdict(report)} | {cells} | {_cell(note)} |")
    return [*lines, ""]


def summary(reports: Sequence[Report]) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``: a table of the targets when there are several, then the
    steps, tools and findings of each, as many as GitHub shows (it refuses a summary over 1 MiB)."""
    parts = _targets(reports) if len(reports) != 1 else []
    size = len("\n".join(parts).encode())
    for shown, report in enumerate(reports):
        section = [
            f"### {_EMOJI[_overview.verdict(report)]} mcp-verify `{report.project}`",
            "",
            "| step | status | seconds | detail |",
            "|---|---|---|---|",
        ]
        section += [
            f"| {step.name} | {step.status.value} | {step.seconds:.1f} | {_cell(step.message)} |"
            for step in report.steps
        ]
        if report.listing and report.listing.tools:
            section += ["", "| tool | description |", "|---|---|"]
            section += [
                f"| `{tool['name']}` | {_cell(text.first_line(tool.get('description')))} |"
                for tool in report.listing.tools
            ]
        if report.findings:
            section += ["", "| code | severity | step | message |", "|---|---|---|---|"]
            section += [f"| {f.code} | {f.severity.value} | {f.step} | {_cell(f.message)} |" for f in report.findings]
        section.append("")
        size += len("\n".join(section).encode()) + 1
        if size > SUMMARY_LIMIT:
            parts.append(f"… and {len(reports) - shown} more targets: see the full report (`--format html`)\n")
            break
        parts += section
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
            f"{_overview.verdict(report).upper()} {report.project}" + (f" ({failed[0]} failed)" if failed else "")
        )
    return visible("\n".join(lines) + "\n")
