"""JSON lines: one report a line, so a run can stream each target's report as it finishes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ._safe import json_safe

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._report import Report


def render(reports: Sequence[Report]) -> str:
    """Each report as one line of JSON (a newline inside a text is written ``\\n``, as JSON does)."""
    return "".join(json_safe(json.dumps(report.to_dict(), ensure_ascii=False)) + "\n" for report in reports)
