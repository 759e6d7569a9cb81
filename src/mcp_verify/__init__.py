"""mcp-verify: prove an MCP server project is releasable before it is published."""

from __future__ import annotations

from ._api import VerifyOptions, verify, verify_many
from ._types import Finding, Report, Severity, Status, StepResult
from ._version import __version__

__all__ = [
    "Finding",
    "Report",
    "Severity",
    "Status",
    "StepResult",
    "VerifyOptions",
    "__version__",
    "verify",
    "verify_many",
]
