"""What every format's overview of several targets shows: a row per report, a column per step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._steps import ORDER
from .._types import Severity, Status

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._report import Report
    from .._types import Finding


def columns(reports: Sequence[Report]) -> list[str]:
    """The steps any report has, in pipeline order (a step of a name of its own, ``read x``, is left to
    the report's details)."""
    present = {step.name for report in reports for step in report.steps}
    return [name for name in ORDER if name in present]


def verdict(report: Report) -> str:
    """``pass``, ``fail``, or ``skip`` for a target there was nothing to verify of."""
    if report.skipped is not None:
        return Status.SKIP.value
    return Status.PASS.value if report.ok else Status.FAIL.value


def first_problem(report: Report) -> Finding | None:
    """The finding a row names: the first error, else (under ``--strict``) the first warning."""
    failing = {Severity.ERROR, Severity.WARNING} if report.strict else {Severity.ERROR}
    return next((finding for finding in report.findings if finding.severity in failing), None)


def statuses(report: Report) -> dict[str, Status]:
    return {step.name: step.status for step in report.steps}


def tally(reports: Sequence[Report]) -> str:
    """``3 of 5 projects verified · 1 failed · 1 skipped``."""
    counts = {kind: sum(verdict(report) == kind for report in reports) for kind in ("pass", "fail", "skip")}
    text = f"{counts['pass']} of {len(reports)} projects verified"
    text += f" · {counts['fail']} failed" if counts["fail"] else ""
    return text + (f" · {counts['skip']} skipped" if counts["skip"] else "")
