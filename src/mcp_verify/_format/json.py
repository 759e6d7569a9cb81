"""The JSON report of ``../shared/report-contract.md``: one project's report, or all of them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ._safe import json_safe

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._report import Report


def render(reports: Sequence[Report], *, several: bool | None = None) -> str:
    """One project: its report; several: ``{"ok": ..., "projects": [...]}`` (``several``: that shape,
    for a run of several targets whatever number of reports it has, a shard that got one)."""
    if len(reports) == 1 and not several:
        document: dict[str, Any] = reports[0].to_dict()
    else:
        document = {"ok": all(report.ok for report in reports), "projects": [report.to_dict() for report in reports]}
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
