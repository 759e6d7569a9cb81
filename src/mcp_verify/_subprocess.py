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
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from ._exceptions import CommandFailed

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

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


def _processes() -> list[tuple[int, int, int]]:
    """(pid, parent pid, process group) of every live, non-zombie process; empty where /proc cannot tell."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    table = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name in parentheses may itself contain spaces or parentheses
        fields = stat[stat.rfind(")") + 2 :].split()
        if fields[0] != "Z":
            table.append((int(entry.name), int(fields[1]), int(fields[2])))
    return table


def family(leader: int) -> set[int]:
    """A server's processes: its process group, and its descendants that left the group (setsid)."""
    table = _processes()
    found = {pid for pid, _, group in table if group == leader}
    if any(pid == leader for pid, _, _ in table):
        found.add(leader)
    grew = True
    while grew:
        grew = False
        for pid, parent, _ in table:
            if parent in found and pid not in found:
                found.add(pid)
                grew = True
    return found


def kill_family(leader: int, known: set[int]) -> int:
    """SIGKILL the group and every process of ``known`` or of the family now; return how many were alive."""
    alive = (known | family(leader)) & {pid for pid, _, _ in _processes()}
    kill_group(leader)
    for pid in alive:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL if _POSIX else signal.SIGTERM)
    return len(alive)


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
) -> None:
    """Run a command from a worker thread, its output (stdout and stderr together) kept for errors.

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
