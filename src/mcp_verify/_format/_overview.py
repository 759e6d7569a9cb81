"""What every format's overview of several targets shows: a row per report, a column per step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._steps import ORDER
from .._types import Severity, Status

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._report import Report


def columns(reports: Sequence[Report]) -> list[str]:
    """The steps any report has, in pipeline order (a step of a name of its own, ``read x``, is left to
    the report's details)."""
    present = {step.name for report in reports for step in report.steps}
    return [name for name in ORDER if name in present]


def labels(reports: Sequence[Report]) -> list[str]:
    """A row's name: the target, its leg (``--python``, ``--resolution``), and the runner's system and
    Python when the reports come from several (the jobs of a CI matrix, merged)."""
    runners = {(report.platform.get("os"), report.platform.get("python")) for report in reports}
    names = []
    for report in reports:
        parts = [str(part) for part in (report.python, report.resolution) if part]
        if len(runners) > 1:
            parts.append(f"{report.platform.get('os')}, Python {report.platform.get('python')}")
        names.append(report.project + (f" [{'; '.join(parts)}]" if parts else ""))
    return names


def verdict(report: Report) -> str:
    """``pass``, ``fail``, or ``skip`` for a target there was nothing to verify of."""
    if report.skipped is not None:
        return Status.SKIP.value
    return Status.PASS.value if report.ok else Status.FAIL.value


def note(report: Report) -> str:
    """What a row says after its marks: why it was skipped, or its first error (under ``--strict``,
    its first warning too), code first."""
    if report.skipped is not None:
        return report.skipped
    failing = {Severity.ERROR, Severity.WARNING} if report.strict else {Severity.ERROR}
    problem = next((finding for finding in report.findings if finding.severity in failing), None)
    if problem is None:
        return ""
    lines = problem.message.strip().splitlines()
    return f"{problem.code} {lines[0] if lines else ''}".rstrip()


def statuses(report: Report) -> dict[str, Status]:
    return {step.name: step.status for step in report.steps}


def tally(reports: Sequence[Report]) -> str:
    """``3 of 5 projects verified · 1 failed · 1 skipped``."""
    counts = {kind: sum(verdict(report) == kind for report in reports) for kind in ("pass", "fail", "skip")}
    text = f"{counts['pass']} of {len(reports)} projects verified"
    text += f" · {counts['fail']} failed" if counts["fail"] else ""
    return text + (f" · {counts['skip']} skipped" if counts["skip"] else "")
