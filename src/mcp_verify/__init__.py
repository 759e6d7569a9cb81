"""mcp-verify: prove an MCP server release works before it is published.

The Python API is ``verify(*paths, **options) -> list[Report]`` (``averify`` for async callers),
with exactly the command line's semantics; see ``Options`` for the keyword arguments.
"""

from __future__ import annotations

from ._api import averify, verify
from ._catalogue import CATALOGUE, Entry
from ._exceptions import (
    BuildError,
    HandshakeError,
    InstallError,
    LaunchError,
    ListError,
    UsageError,
    VerifyError,
    WheelError,
)
from ._options import Options
from ._report import Report
from ._steps import Progress
from ._types import (
    Environment,
    Finding,
    Listing,
    Member,
    Metadata,
    Sdist,
    ServerInfo,
    Severity,
    Status,
    StepResult,
    Wheel,
)
from ._version import __version__

__all__ = [
    "CATALOGUE",
    "BuildError",
    "Entry",
    "Environment",
    "Finding",
    "HandshakeError",
    "InstallError",
    "LaunchError",
    "ListError",
    "Listing",
    "Member",
    "Metadata",
    "Options",
    "Progress",
    "Report",
    "Sdist",
    "ServerInfo",
    "Severity",
    "Status",
    "StepResult",
    "UsageError",
    "VerifyError",
    "Wheel",
    "WheelError",
    "__version__",
    "averify",
    "verify",
]
