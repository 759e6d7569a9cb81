"""Every child process runs through here: in its own process group, output captured, always reaped.

A process group per child lets mcp-verify kill everything a child started (build backends spawn
compilers, servers spawn workers) and nothing else. Children started from worker threads (the
PEP 517 hooks) are remembered in ``_LIVE`` so that an interrupt can kill them too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
import psutil

from ._exceptions import CommandFailed

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

_LIVE: set[int] = set()
_LIVE_LOCK = threading.Lock()
_POSIX = sys.platform != "win32"


def kill_group(pgid: int, sig: int = signal.SIGKILL if _POSIX else signal.SIGTERM) -> None:
    """Send ``sig`` to a whole process group, ignoring one that is already gone."""
    try:
        if _POSIX:
            os.killpg(pgid, sig)
        else:
            os.kill(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def kill_all() -> None:
    """Kill every process group still running from a worker thread (on interrupt or failure)."""
    kill_groups(_LIVE)


@dataclass(frozen=True)
class Family:
    """What a server's processes are recognised by, wherever they moved (group, session, parent)."""

    leader: int
    """The server's pid, which is also its process group and session (it was started in a new session)."""
    since: float
    """When the server was started (seconds since the epoch): its processes are younger."""
    env: Mapping[str, str] = field(default_factory=dict)
    """The server's whole environment: a double-forked daemon keeps it, unchanged."""
    cwd: str | None = None
    """The server's own working directory, made for it alone."""


_REAPERS = frozenset({"systemd", "init", "tini", "dumb-init", "docker-init", "launchd"})
"""Where orphans go: a process whose parent is one of these was orphaned."""


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
    return {pid: _command(table[pid].info["cmdline"]) or f"pid {pid}" for pid in members}


def _command(cmdline: list[str] | None) -> str:
    """A process's command line in one short line: its program's name and arguments."""
    if not cmdline:
        return ""
    return " ".join([Path(cmdline[0]).name, *cmdline[1:]])[:100]


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
    if not _POSIX:
        return set()
    try:
        return {os.getpgid(pid), os.getsid(pid)}
    except OSError:
        return set()


def kill_processes(pids: Iterable[int]) -> None:
    """SIGKILL each process (SIGTERM on Windows), ignoring those already gone."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL if _POSIX else signal.SIGTERM)


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def kill_groups(groups: set[int]) -> None:
    """Kill the process groups of one caller's worker-thread commands (see ``run_sync``'s ``owner``)."""
    with _LIVE_LOCK:
        pending = list(groups)
    for pgid in pending:
        kill_group(pgid)


def run_sync(
    cmd: Sequence[str],
    cwd: str | None = None,
    extra_environ: Mapping[str, str] | None = None,
    *,
    owner: set[int] | None = None,
) -> str:
    """Run a command from a worker thread; return its output (stdout and stderr together).

    Raises ``subprocess.CalledProcessError`` with the output, which is what pyproject-hooks
    expects from a runner; pypa/build turns it into ``BuildBackendException``.
    """
    env = {**os.environ, **(extra_environ or {})}
    with subprocess.Popen(
        list(cmd),
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=_POSIX,
    ) as process:
        groups = [_LIVE] if owner is None else [_LIVE, owner]
        with _LIVE_LOCK:
            for group in groups:
                group.add(process.pid)
        try:
            output, _ = process.communicate()
        finally:
            with _LIVE_LOCK:
                for group in groups:
                    group.discard(process.pid)
            kill_group(process.pid)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, list(cmd), output=_decode(output))
    return _decode(output)


async def run(cmd: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: str | None = None) -> str:
    """Run a command, return its combined output, raise ``CommandFailed`` when it exits non-zero.

    On cancellation (timeout, Ctrl-C) the whole process group is killed before returning.
    """
    process = await anyio.open_process(
        list(cmd),
        env=dict(env) if env is not None else None,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=_POSIX,
    )
    chunks: list[bytes] = []
    try:
        assert process.stdout is not None
        async for chunk in process.stdout:
            chunks.append(chunk)
        returncode = await process.wait()
    finally:
        with anyio.CancelScope(shield=True):
            kill_group(process.pid)
            await process.aclose()
    output = _decode(b"".join(chunks))
    if returncode:
        raise CommandFailed(list(cmd), returncode, output)
    return output
