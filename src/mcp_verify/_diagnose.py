"""Why a server died: the entry point, a known breakage, or its own last words on stderr.

The known breakages are data, one table, so a new one is a row, not a code path. Every hint is
written from what this release really declares and what was really installed: a hint that
quotes a requirement the wheel does not have, or blames a module that is merely too new, sends
the author the wrong way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.requirements import Requirement
from packaging.version import InvalidVersion, Version

from ._exceptions import LaunchError, VerifyError
from ._types import ImportCost, Installed

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._exceptions import ServerExited


def _bound(version: str) -> str:
    """The upper bound that excludes ``version``'s release series: ``<2`` for 2.3.0, ``<0.5`` for 0.5.1."""
    try:
        parsed = Version(version)
    except InvalidVersion:
        return f"<{version}"
    return f"<{parsed.major}" if parsed.major else f"<0.{parsed.minor}"


def _mcp_two(match: re.Match[str], installed: Installed) -> str | None:
    """Code written for mcp 1.x under mcp 2.x: name what the wheel asks for, and both ways out."""
    version = installed.packages.get("mcp")
    if version is None or not version[:1].isdigit() or int(version.split(".")[0]) < 2:
        return None
    declared = installed.requirement("mcp")
    if declared:
        asked = f"the wheel's `{declared}` admits mcp 2.x (mcp {version} is installed)"
        lower = next((spec.version for spec in Requirement(declared).specifier if spec.operator in {">=", "=="}), None)
        pin = f"mcp>={lower},<2" if lower and lower.startswith("1") else "mcp<2"
    else:
        via = " → ".join(installed.chain("mcp")) or "another dependency"
        asked = f"the wheel does not declare mcp: mcp {version} arrives through {via}"
        pin = "mcp<2"
    what = match.group(0).strip()
    return (
        f"{asked}, which removed what the code uses ({what}): pin `{pin}` in [project].dependencies, "
        "or port the server to mcp 2 (`from mcp.server.mcpserver import MCPServer`; the low-level "
        "`Server` takes handlers as constructor arguments instead of decorators)"
    )


_MCP_ONE_BROUGHT = frozenset(
    {"httpx", "httpx_sse", "sse_starlette", "starlette", "uvicorn", "pydantic_settings", "multipart", "typer", "dotenv"}
)
"""Modules mcp 1.x installed with it (``mcp[cli]`` too) that mcp 2.x no longer brings."""


def _module_missing(match: re.Match[str], installed: Installed) -> str | None:
    """A missing module: a distribution not installed, or one installed at a version without that module."""
    module = match["module"]
    top = module.split(".")[0]
    dist = installed.modules.get(top)
    if top == "mcp" and "mcp" not in installed.packages:
        return "the server imports mcp but the wheel does not depend on it: add `mcp` to [project].dependencies"
    if dist is None or "." not in module:
        mcp = installed.packages.get("mcp", "")
        why = (
            f" (mcp 1.x installed {top} with it; mcp {mcp}, installed here, does not)"
            if top in _MCP_ONE_BROUGHT and mcp[:1].isdigit() and int(mcp.split(".")[0]) >= 2
            else " (it worked in your own environment, where it happened to be installed)"
        )
        return (
            f"module '{module}' is imported but not installed: declare the distribution that provides it in "
            f"[project].dependencies{why}"
        )
    version = installed.packages.get(dist, "?")
    declared = installed.requirement(dist)
    asked = f"the wheel asks for `{declared}`" if declared else f"{dist} is not declared, it arrives as a dependency"
    return (
        f"{dist} {version} is installed and has no module '{module}': it was moved or removed in that version "
        f"({asked}); bound it to the versions you developed with, e.g. `{dist}{_bound(version)}`, "
        "or port the import"
    )


@dataclass(frozen=True)
class KnownBreakage:
    """A stderr pattern that always has the same cause, and the hint for it."""

    pattern: re.Pattern[str]
    hint: Callable[[re.Match[str], Installed], str | None]


def _fixed(text: str) -> Callable[[re.Match[str], Installed], str]:
    return lambda match, installed: text.format(**match.groupdict())


KNOWN_BREAKAGES: tuple[KnownBreakage, ...] = (
    KnownBreakage(
        re.compile(
            r"No module named 'mcp\.server\.fastmcp[\w.]*'|cannot import name '\w+' from 'mcp[\w.]*'"
            r"|'(?:Low[Ll]evel)?Server' object has no attribute '\w+'|module 'mcp[\w.]*' has no attribute '\w+'"
        ),
        _mcp_two,
    ),
    KnownBreakage(re.compile(r"No module named '(?P<module>[\w.]+)'"), _module_missing),
    KnownBreakage(
        re.compile(r"\b(?P<variable>[A-Z][A-Z0-9_]{2,})\b[^\n]*\b(?:not set|is required|missing|must be set)"),
        _fixed("clients start servers with a bare environment: pass it with --env {variable}=…, and document it"),
    ),
    KnownBreakage(
        re.compile(r"UnicodeEncodeError: '(?P<codec>[\w-]+)' codec"),
        _fixed(
            "the server prints characters its stream encoding ({codec}) cannot encode: write ASCII or set "
            "the stream's encoding explicitly"
        ),
    ),
)

_TRACEBACK = re.compile(r"^(?:Exception Group )?Traceback \(most recent call last\):")
_GROUP_MARKS = re.compile(r"^[ \t]*(?:[|+][ \t-]*)*(?:-+ \d+ -+|-+)?[ \t]?")
"""The ``  | `` and ``+-+---- 1 ----`` an exception group prints before each line of its members."""
_GROUP_SUMMARY = re.compile(r"^(?:Base)?ExceptionGroup: ")
_ERROR_WORDS = re.compile(
    r"\b(?:error|fatal|exception|failed|failure|missing|not set|required|denied|cannot|can't|could not|unable)\b",
    re.IGNORECASE,
)


def exception_lines(stderr: str) -> list[str]:
    """The line that ends each traceback in ``stderr`` (type and message), members of groups included."""
    found: list[str] = []
    inside = False
    for raw in stderr.splitlines():
        line = _GROUP_MARKS.sub("", raw, count=1) if raw.lstrip().startswith(("|", "+")) else raw
        if _TRACEBACK.match(line):
            inside = True
        elif inside and line.strip() and not line.startswith((" ", "\t")):
            found.append(line.strip())
            inside = False
    return found


def last_words(stderr: str) -> str:
    """What a dying server said went wrong: the exception line of its last traceback (the innermost
    member of an exception group), else its last line that sounds like an error, else its last line."""
    exceptions = [line for line in exception_lines(stderr) if not _GROUP_SUMMARY.match(line)]
    if exceptions:
        return exceptions[-1]
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if _ERROR_WORDS.search(line)]
    return (errors or lines or [""])[-1]


def hint_for(stderr: str, installed: Installed) -> str | None:
    """The hint of the first known breakage in ``stderr`` that has one for this release."""
    for known in KNOWN_BREAKAGES:
        for match in known.pattern.finditer(stderr):
            hint = known.hint(match, installed)
            if hint is not None:
                return hint
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


def explain_exit(error: ServerExited, script: str, entry_point: str, installed: Installed) -> VerifyError:
    """The most specific finding for a server that exited before the probe was done."""
    problem = _entry_point_problem(error.stderr, script, entry_point)
    if problem is not None:
        return problem.at(error.step)
    words = last_words(error.stderr)
    message = f"{error.message}: {words}" if words else f"{error.message} (and wrote nothing on stderr)"
    return LaunchError("MV201", message, hint_for(error.stderr, installed), step=error.step)


_IMPORT_TIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$", re.MULTILINE)


def import_costs(importtime: str) -> list[ImportCost]:
    """Cumulative time per top-level package from ``python -X importtime`` output, slowest first.

    A package's cumulative time is that of its outermost imports (everything it pulled in
    included); its own time is what its modules' bodies took, summed.
    """
    rows = [
        (int(own), int(cumulative), len(indent), name)
        for own, cumulative, indent, name in _IMPORT_TIME.findall(importtime)
    ]
    cumulative: dict[str, int] = {}
    own: dict[str, int] = {}
    # importtime prints a module after the modules it imported, one indent level deeper: walk it backwards
    enclosing: list[tuple[int, str]] = []
    for self_us, total_us, depth, name in reversed(rows):
        top = name.split(".")[0]
        while enclosing and enclosing[-1][0] >= depth:
            enclosing.pop()
        parent = enclosing[-1][1] if enclosing else None
        own[top] = own.get(top, 0) + self_us
        if parent != top:
            cumulative[top] = cumulative.get(top, 0) + total_us
        enclosing.append((depth, top))
    costs = [ImportCost(top, cumulative[top] / 1e6, own.get(top, 0) / 1e6) for top in cumulative]
    return sorted(costs, key=lambda cost: cost.cumulative, reverse=True)
