"""The pipeline of one target: the stages in order, each handing its value to the next, and the
report assembled from those values at the end.

- ``plan``: the values a verification carries (legs, shared resources, the record of a report).
- ``project``: a project, or built artifacts: build, inspect, then per leg install and probe.
- ``bundle``: an MCP bundle: open, check, install and launch as its host does, then probe.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from .._catalogue import finding
from .._files import remove_tree
from .._report import Report
from .._types import STEPS, Status, StepResult
from .bundle import BundleVerification
from .plan import Shared, legs
from .project import Verification

if TYPE_CHECKING:
    from .._options import Options
    from .._steps import Progress
    from .._targets import Target

__all__ = ["Shared", "legs", "verify_target"]


async def verify_target(target: Target, options: Options, progress: Progress, shared: Shared) -> list[Report]:
    """Verify one target in a work directory of its own, removed at the end whatever happens."""
    if target.skipped is not None:
        return [_skipped(target.label, target.skipped)]
    work = Path(tempfile.mkdtemp(prefix="mcp-verify-"))
    kind = BundleVerification if target.bundle is not None else Verification
    try:
        return await kind(target, options, progress, work, shared).run()
    finally:
        with anyio.CancelScope(shield=True):
            await remove_tree(work)


def _skipped(label: str, reason: str) -> Report:
    """The report of a target there is nothing to verify of: every step skipped, and why (MV902)."""
    steps = tuple(StepResult(name, Status.SKIP, 0.0, f"skipped: {reason}") for name in STEPS)
    return Report(project=label, steps=steps, findings=(finding("MV902", reason),), skipped=reason)
