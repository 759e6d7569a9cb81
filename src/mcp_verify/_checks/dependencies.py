"""How mcp reaches the installed server: declared, or only through another dependency (MV141).

A server whose code imports mcp while its wheel does not require it works as long as another
dependency (often ``fastmcp``) brings mcp in: a warning that names the chain, since any release of
that dependency may change it. Without mcp installed at all the server fails at start, and the
launch says so (MV201, with a hint).
"""

from __future__ import annotations

import ast
import warnings
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .._catalogue import finding

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .._types import Finding, Installed, Wheel


def declared(requirements: Iterable[str], name: str) -> str:
    """``always``, ``extra`` (only behind an extra's marker) or ``no``."""
    found = "no"
    for text in requirements:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) != name:
            continue
        if requirement.marker is None or "extra" not in str(requirement.marker):
            return "always"
        found = "extra"
    return found


def check_dependencies(
    wheel: Wheel, installed: Installed | None, packages: dict[str, str] | None = None
) -> list[Finding]:
    """The shipped code imports mcp but Requires-Dist does not declare it (MV141), with the chain it came by.

    ``packages`` maps the wheel's top-level packages to the project directories they were built
    from, so the finding can point at the file in the project.
    """
    metadata = wheel.metadata
    if metadata is None or declared(metadata.requires_dist, "mcp") == "always":
        return []
    if any(name.startswith("mcp/") for name in wheel.files):
        return []  # the wheel vendors mcp itself
    imported = _first_import(wheel)
    if imported is None:
        return []
    name, line = imported
    top, _, rest = name.partition("/")
    file = f"{(packages or {}).get(top, top)}/{rest}" if rest else name
    how = "declares mcp only under an optional extra" if declared(metadata.requires_dist, "mcp") == "extra" else ""
    how = how or "does not declare mcp"
    if installed is None:
        arrives = ""
    elif "mcp" in installed.packages:
        chain = installed.chain("mcp")
        version = installed.packages["mcp"]
        arrives = (
            f"; mcp {version} arrives only through " + " → ".join(chain)
            if chain
            else f"; mcp {version} is installed all the same"
        )
    else:
        arrives = "; mcp is not installed at all"
    return [
        finding(
            "MV141",
            f"{file} imports mcp (line {line}), but {metadata.name}'s Requires-Dist {how}{arrives}",
            'add "mcp" with the versions you support (e.g. "mcp>=2,<3") to [project].dependencies: a dependency '
            "of a dependency may drop or change it in any release",
            file=file,
            line=line,
        )
    ]


def _first_import(wheel: Wheel) -> tuple[str, int] | None:
    """The first Python file of the wheel that imports mcp, and the line."""
    for name in sorted(wheel.sources):
        line = _imports_mcp(wheel.sources[name])
        if line is not None:
            return name, line
    return None


def _imports_mcp(text: str) -> int | None:
    """The line of the first ``import mcp...`` or ``from mcp... import`` in a file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the author's invalid escapes are not ours to report
            tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    lines = [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "mcp" for alias in node.names))
        or (isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "mcp")
    ]
    return min(lines, default=None)
