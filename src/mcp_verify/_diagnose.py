"""Why a server died: the entry point, a known breakage, or its own last words on stderr.

The known breakages are data, kept in one table, so a new one is a line, not a code path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._exceptions import LaunchError, VerifyError

if TYPE_CHECKING:
    from ._exceptions import ServerExited


@dataclass(frozen=True)
class KnownBreakage:
    """A stderr pattern that always has the same cause and the same way out."""

    pattern: re.Pattern[str]
    hint: str


KNOWN_BREAKAGES: tuple[KnownBreakage, ...] = (
    KnownBreakage(
        re.compile(r"No module named 'mcp\.server\.fastmcp'|cannot import name 'FastMCP' from 'mcp"),
        "`mcp>=1.6.0` admits mcp 2.x ({mcp} is installed), which removed `mcp.server.fastmcp`: pin "
        "`mcp>=1.6,<2` in [project].dependencies, or port the server to mcp 2 "
        "(`from mcp.server.mcpserver import MCPServer`)",
    ),
    KnownBreakage(
        re.compile(r"No module named 'mcp'"),
        "the server imports mcp but the wheel does not depend on it: add `mcp` to [project].dependencies",
    ),
    KnownBreakage(
        re.compile(r"No module named '(?P<module>[\w.]+)'"),
        "module '{module}' is imported but not installed: declare the distribution that provides it in "
        "[project].dependencies (it worked in your own environment, where it happened to be installed)",
    ),
    KnownBreakage(
        re.compile(r"\b(?P<variable>[A-Z][A-Z0-9_]{2,})\b[^\n]*\b(?:not set|is required|missing)"),
        "clients start servers with a bare environment: pass it with --env {variable}=…, and document it",
    ),
    KnownBreakage(
        re.compile(r"UnicodeEncodeError: '(?P<codec>[\w-]+)' codec"),
        "the server prints characters its stream encoding ({codec}) cannot encode: write ASCII or set "
        "the stream's encoding explicitly",
    ),
)

_EXCEPTION_LINE = re.compile(r"^[\w.]*(?:Error|Exception|Exit|Interrupt|Warning)\b.*", re.MULTILINE)


def last_words(stderr: str) -> str:
    """The line of stderr that says what went wrong: the exception line of a traceback, else the last line."""
    exceptions = _EXCEPTION_LINE.findall(stderr)
    if exceptions:
        return str(exceptions[-1]).strip()
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def hint_for(stderr: str, packages: dict[str, str]) -> str | None:
    """The hint of the first known breakage whose pattern is in ``stderr``."""
    for known in KNOWN_BREAKAGES:
        match = known.pattern.search(stderr)
        if match:
            mcp = f"mcp {packages['mcp']}" if "mcp" in packages else "mcp 2.x"
            return known.hint.format(mcp=mcp, **match.groupdict())
    return None


def _entry_point_problem(stderr: str, script: str, value: str) -> VerifyError | None:
    """The entry point's own module or attribute missing, told apart from an import error deeper down."""
    module, _, rest = value.partition(":")
    module, attribute = module.strip(), rest.split("[")[0].strip().split(".")[0]
    where = f"entry point {script} = {value}"
    missing = re.findall(r"No module named '([\w.]+)'", stderr)
    if missing and (module == missing[-1] or module.startswith(missing[-1] + ".")):
        return LaunchError(
            "MV202",
            f"{where}: module '{missing[-1]}' is not in the installed wheel",
            "check the module path in [project.scripts] and that the package is shipped in the wheel",
        )
    absent = re.findall(
        r"cannot import name '(\w+)' from '([\w.]+)'|module '([\w.]+)' has no attribute '(\w+)'", stderr
    )
    for name, source, other_source, other_name in absent:
        if (name or other_name) == attribute and (source or other_source) == module:
            return LaunchError(
                "MV203",
                f"{where}: module '{module}' has no attribute '{attribute}'",
                f"define {attribute}() in {module}, or point [project.scripts] at the function that starts the server",
            )
    return None


def explain_exit(error: ServerExited, script: str, entry_point: str, packages: dict[str, str]) -> VerifyError:
    """The most specific finding for a server that exited before the probe was done."""
    problem = _entry_point_problem(error.stderr, script, entry_point)
    if problem is not None:
        problem.step = error.step
        return problem
    words = last_words(error.stderr)
    message = f"{error.message}: {words}" if words else f"{error.message} (and wrote nothing on stderr)"
    explained = LaunchError("MV201", message, hint_for(error.stderr, packages))
    explained.step = error.step
    return explained


_IMPORT_TIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( +)(\S+)$", re.MULTILINE)


def slowest_imports(importtime: str, module: str, count: int = 5) -> list[tuple[str, float]]:
    """The imports of ``module`` that cost the most, in seconds, from ``python -X importtime`` output.

    Only the first two levels count (``mcp``, ``mcp.server``): deeper ones are inside those.
    """
    top_level = [
        (name, int(cumulative) / 1e6)
        for _, cumulative, indent, name in _IMPORT_TIME.findall(importtime)
        if len(indent) <= 3 and not (module == name or module.startswith(name + "."))
    ]
    return sorted(top_level, key=lambda item: item[1], reverse=True)[:count]
