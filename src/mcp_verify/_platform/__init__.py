"""Every difference between the platforms, behind one seam: callers never test ``sys.platform``.

One module per platform (``posix``, ``windows``) with the same names: how a child is started in
a group of its own and how its whole family is kept and ended (``Keeper``; a child subreaper on
Linux, a sweep elsewhere on POSIX, a Job Object on Windows), the graceful stop (SIGTERM, or
CTRL_BREAK on Windows) and the hard kill, the signals that interrupt a run, where a virtual
environment keeps its files, and the console's encoding.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from pathlib import Path

if sys.platform == "win32":
    from . import windows as native
else:
    from . import posix as native

EXE, HOST, INTERRUPTS, SCRIPTS, SITE_PACKAGES = (
    native.EXE,
    native.HOST,
    native.INTERRUPTS,
    native.SCRIPTS,
    native.SITE_PACKAGES,
)
Keeper = native.Keeper
end_family, kept, kill_group, kill_process = native.end_family, native.kept, native.kill_group, native.kill_process
new_group, remove_command, terminate_group = native.new_group, native.remove_command, native.terminate_group

__all__ = [
    "EXE",
    "HOST",
    "INTERRUPTS",
    "SCRIPTS",
    "WINDOWS_CONSOLE",
    "Keeper",
    "Layout",
    "end_family",
    "kept",
    "kill_group",
    "kill_process",
    "legible",
    "new_group",
    "remove_command",
    "terminate_group",
]

WINDOWS_CONSOLE = "cp1252"
"""The encoding a Windows console gives a server's stdio (and mcp-verify's own output) in the West."""


def legible(stream: TextIO) -> None:
    """Let mcp-verify's own output survive a console that cannot encode it (cp1252 has no ✓ or →).

    Such a character becomes ``?`` instead of raising ``UnicodeEncodeError`` halfway through a report.
    """
    reconfigure = getattr(stream, "reconfigure", None)
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        "✓→…·".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        if reconfigure is not None:
            reconfigure(errors="replace")


@dataclass(frozen=True)
class Layout:
    """Where a virtual environment keeps its interpreter, scripts and site-packages, on this platform."""

    root: Path

    @property
    def scripts(self) -> Path:
        return self.root / SCRIPTS

    @property
    def python(self) -> Path:
        return self.scripts / f"python{EXE}"

    def script(self, name: str) -> Path:
        return self.scripts / f"{name}{EXE}"

    def python_version(self) -> str:
        """X.Y.Z of the environment's interpreter, from pyvenv.cfg (venv, uv and virtualenv all write it)."""
        for line in (self.root / "pyvenv.cfg").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key.strip() in {"version_info", "version"}:
                return ".".join(value.strip().split(".")[:3])
        return ""

    def site_packages(self) -> list[str]:
        return [str(path) for path in self.root.glob(SITE_PACKAGES)]
