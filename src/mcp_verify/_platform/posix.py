"""Linux, macOS and the other POSIX systems: process groups and sessions, signals, ``bin/``.

A child runs in a session of its own, so that its process group can be signalled without touching
mcp-verify. What keeps a child's whole family, wherever it moves, differs: on Linux a keeper
process (``_reaper.py``, a child subreaper) adopts every orphan the family makes, and ends and names
what outlives the child; elsewhere a sweep finds the family by group, session, descent and the
traits a double-forked daemon usually keeps (its working directory, its exact environment).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import psutil

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from anyio.abc import Process

assert sys.platform != "win32"  # for mypy: what follows is POSIX only

HOST = "darwin" if sys.platform == "darwin" else "linux"
"""The platform as MCP bundles name it (``compatibility.platforms``)."""
SCRIPTS = "bin"
EXE = ""
SITE_PACKAGES = "lib/python*/site-packages"
INTERRUPTS = (signal.SIGINT, signal.SIGTERM)
"""The signals that interrupt a run (it cleans up first)."""
REAPER = Path(__file__).with_name("_reaper.py") if sys.platform.startswith("linux") else None
"""The keeper script, where the kernel has child subreapers."""


def kept(command: Sequence[str]) -> list[str]:
    """``command`` as it is started so that its whole family ends with it (under the keeper on Linux)."""
    return [*_keeper("-"), *command] if REAPER is not None else list(command)


def new_group() -> dict[str, Any]:
    """Popen arguments for a child in a session and process group of its own."""
    return {"start_new_session": True}


def end_family(pid: int) -> None:
    """Kill a child started with ``kept`` and everything it started; a child that is gone is ignored."""
    if REAPER is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)  # the keeper kills the family and names no one
    else:
        kill_group(pid)


def terminate_group(pid: int) -> None:
    """Ask a process group to stop, as a client does: SIGTERM."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)


def kill_group(pid: int) -> None:
    """Kill a process group outright."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def kill_process(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


def remove_command(path: Path) -> list[str] | None:
    """The system's fast way to remove a tree (``rm -rf``), or None where there is none."""
    return ["rm", "-rf", "--", str(path)]


def _keeper(status: str) -> list[str]:
    assert REAPER is not None
    return [sys.executable, "-I", "-S", str(REAPER), status, "--"]


class Keeper:
    """One server's family: started so that nothing it starts can escape, and named when it outlives it.

    On Linux the keeper process holds the family (see ``_reaper.py``) and reports on a pipe; the
    server's own pid, for its signals, is the first thing it says. Elsewhere the sweep.
    """

    def __init__(self) -> None:
        self._status: list[int] | None = list(os.pipe()) if REAPER is not None else None
        """The keeper's pipe (read end, write end); an end is -1 once closed: its number may be reused."""
        self._said = bytearray()
        self._sweep: Sweep | None = None
        self.pid = 0
        """The server's own pid (its process group and session)."""

    def command(self, command: Sequence[str]) -> list[str]:
        return [*_keeper(str(self._status[1])), *command] if self._status is not None else list(command)

    def options(self) -> dict[str, Any]:
        return {**new_group(), "pass_fds": (self._status[1],) if self._status is not None else ()}

    async def started(self, process: Process, env: Mapping[str, str], cwd: str | None) -> None:
        """After the start: learn the server's pid, or raise the ``OSError`` that kept it from starting."""
        if self._status is None:
            self.pid = process.pid
            self._sweep = Sweep(Family(process.pid, time.time() - 1, dict(env), cwd))
            return
        os.close(self._status[1])
        self._status[1] = -1
        while b"\n" not in self._said:
            await anyio.wait_readable(self._status[0])
            chunk = os.read(self._status[0], 4096)
            if not chunk:
                raise OSError(0, "the keeper process ended before the server started")
            self._said += chunk
        first = self._said.split(b"\n", 1)[0].decode("utf-8", "replace").split(" ", 2)
        if first[0] == "error":
            raise OSError(int(first[1]), first[2])
        self.pid = int(first[1])

    def look(self) -> None:
        """Note the family as it is now, so that a sweep still finds a member that moves later."""
        if self._sweep is not None:
            self._sweep.look()

    def left(self) -> dict[int, str]:
        """Once the server has exited: what it started that outlived it (killed by now), pid to command line."""
        if self._sweep is not None:
            found = {pid: command for pid, command in self._sweep.look().items() if pid != self.pid}
            self._sweep.kill()
            return found
        assert self._status is not None
        with contextlib.suppress(OSError):
            os.set_blocking(self._status[0], False)
            while chunk := os.read(self._status[0], 65536):
                self._said += chunk
        found = {}
        for line in self._said.decode("utf-8", "replace").splitlines()[1:]:
            kind, _, rest = line.partition(" ")
            pid, _, command = rest.partition(" ")
            if kind == "left" and pid.isdigit():
                found[int(pid)] = _short(command) or f"pid {pid}"
        return found

    def end(self, process: Process) -> None:
        """The hard stop: the server and every process of its family."""
        if self._sweep is not None:
            self._sweep.kill()
        elif process.returncode is None:
            end_family(process.pid)

    def close(self) -> None:
        if self._status is not None:
            for fd in self._status:
                if fd >= 0:
                    os.close(fd)
            self._status = [-1, -1]


def _short(command: str) -> str:
    """A command line in one short line: its program's name and arguments."""
    program, _, arguments = command.partition(" ")
    program = Path(program).name if program.startswith("/") else program
    return f"{program} {arguments}".strip()[:100]


# the sweep, where there is no subreaper ---------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """What a server's processes are recognised by, wherever they moved (group, session, parent)."""

    leader: int
    """The server's pid, which is also its process group and session (it was started in a new session)."""
    since: float
    """When the server was started (seconds since the epoch): its processes are younger."""
    env: Mapping[str, str] = field(default_factory=dict)
    """The server's whole environment: a double-forked daemon keeps it, unless it clears it."""
    cwd: str | None = None
    """The server's own working directory, made for it alone."""


_REAPERS = frozenset({"systemd", "init", "tini", "dumb-init", "docker-init", "launchd"})
"""Where orphans go: a process whose parent is one of these was orphaned."""


class Sweep:
    """A family found by what it usually keeps: every member seen once is remembered."""

    def __init__(self, family: Family) -> None:
        self.family = family
        self.known: dict[int, str] = {}

    def look(self) -> dict[int, str]:
        found = census(self.family)
        self.known.update(found)
        return found

    def kill(self) -> None:
        kill_group(self.family.leader)
        for pid in {self.family.leader, *self.known, *self.look()}:
            kill_process(pid)


def _stray(process: psutil.Process, family: Family, table: dict[int, psutil.Process]) -> bool:
    """A process that left the tree but is the server's: in its working directory, or an orphan with its environment."""
    try:
        if family.cwd and Path(process.cwd()).is_relative_to(family.cwd):
            return True
        parent = table.get(process.info["ppid"])
        orphan = process.info["ppid"] <= 1 or (parent is not None and parent.info["name"] in _REAPERS)
        return orphan and bool(family.env) and process.environ() == dict(family.env)
    except (psutil.Error, OSError, ValueError):
        return False


def census(family: Family) -> dict[int, str]:
    """Every live process of a server (the server too), pid to command line.

    Its process group and session, their descendants, and the processes started since the server
    that left mcp-verify's tree but are the server's: in its working directory, or orphans with
    its exact environment (a double-forked daemon in a session of its own, reparented to init).
    """
    try:
        processes = list(psutil.process_iter(["pid", "ppid", "name", "create_time", "status", "cmdline"]))
    except psutil.Error:
        return {}
    table = {process.info["pid"]: process for process in processes if process.info["status"] != psutil.STATUS_ZOMBIE}
    children: dict[int, list[int]] = {}
    for pid, process in table.items():
        children.setdefault(process.info["ppid"], []).append(pid)
    ours = _descendants({os.getpid()}, children)  # mcp-verify's own tree: never a stray
    members = {pid for pid in table if pid == family.leader or family.leader in _group_and_session(pid)}
    members |= {
        pid
        for pid, process in table.items()
        if pid not in ours and process.info["create_time"] >= family.since - 1 and _stray(process, family, table)
    }
    members = _descendants(members, children) - {os.getpid()}
    return {pid: _short(" ".join(table[pid].info["cmdline"] or [])) or f"pid {pid}" for pid in members}


def _descendants(roots: set[int], children: dict[int, list[int]]) -> set[int]:
    """``roots`` and every process below them."""
    found, pending = set(roots), list(roots)
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def _group_and_session(pid: int) -> set[int]:
    """The process group and the session of ``pid`` (a server started in a new session leads both)."""
    try:
        return {os.getpgid(pid), os.getsid(pid)}
    except OSError:
        return set()
