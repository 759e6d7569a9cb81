"""The keeper of one command's family on Linux: a child subreaper between mcp-verify and the command.

``python -I -S _reaper.py STATUS_FD|- -- COMMAND...`` starts COMMAND in a session of its own and
makes itself a child subreaper (``prctl(PR_SET_CHILD_SUBREAPER)``): whatever the command starts
and orphans (a double fork, ``setsid``, an empty environment, ``chdir("/")``, a new name) is
reparented here, never to init, so the family is always this process's descendants. When the
command exits, every descendant still alive is stopped (so none can fork while they are counted),
named on STATUS_FD (``left PID COMMAND``), killed and reaped; then this process exits as the
command did. SIGTERM, SIGINT or SIGHUP, or the death of mcp-verify, ends the whole family at once.

STATUS_FD gets ``pid N`` once the command runs (``error ERRNO MESSAGE`` when it cannot start),
then the ``left`` lines. Standard library only: it runs before anything is imported.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import FrameType

assert sys.platform != "win32"  # for mypy: Linux only

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
SETTLE = 1.0
"""Seconds what is left may still take to end by itself (a sandbox's init and its server after SIGTERM)."""
MAX_NAMED = 100
"""Survivors named on STATUS_FD at most (the rest are counted): a pipe's buffer holds them all."""


class End(Exception):
    """Told to end everything, or mcp-verify is gone."""


def end(signum: int, frame: FrameType | None) -> None:
    raise End


def descendants(me: int) -> set[int]:
    """The live processes below ``me`` (zombies are dead already), from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(f"/proc/{entry}/stat", "rb") as file:
                fields = file.read().rsplit(b")", 1)[1].split()
            if fields[0] != b"Z":
                parents[int(entry)] = int(fields[1])
    found: set[int] = set()
    pending = [me]
    while pending:
        parent = pending.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                found.add(pid)
                pending.append(pid)
    return found


def command_line(pid: int) -> str:
    """What a process runs, as ``ps`` shows it; its short name when it cleared its arguments."""
    with contextlib.suppress(OSError):
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            words = file.read().rstrip(b"\0").split(b"\0")
        text = " ".join(word.decode("utf-8", "replace") for word in words).strip()
        if text:
            return text[:200]
    with contextlib.suppress(OSError), open(f"/proc/{pid}/comm", "rb") as file:
        return file.read().decode("utf-8", "replace").strip()
    return ""


def freeze(me: int) -> dict[int, str]:
    """Stop every descendant until no new one appears: a stopped process cannot fork."""
    frozen: dict[int, str] = {}
    while True:
        new = descendants(me) - frozen.keys()
        if not new:
            return frozen
        for pid in new:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGSTOP)
            frozen[pid] = command_line(pid)


def settle(me: int) -> None:
    """Give what is left a moment to end on its own (reaping what ends), as a family shutting down does."""
    deadline = time.monotonic() + SETTLE
    while descendants(me) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        time.sleep(0.02)


def reap_all() -> None:
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return
        except InterruptedError:
            continue


def report(status: int | None, line: str) -> None:
    if status is not None:
        with contextlib.suppress(OSError):
            os.write(status, (line + "\n").encode("utf-8", "replace"))


def main() -> None:
    status = None if sys.argv[1] == "-" else int(sys.argv[1])
    command = sys.argv[3:]
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1):
        signal.signal(signum, end)  # a handler, not SIG_IGN: the command starts with the defaults
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGUSR1, 0, 0, 0)
    ended = False
    try:
        if os.getppid() != parent:
            raise End
        if status is not None:
            os.set_inheritable(status, False)
        try:
            child = os.posix_spawnp(command[0], command, os.environ, setsid=True)
        except OSError as error:
            report(status, f"error {error.errno or 0} {error.strerror or error}")
            os._exit(127)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # the command alone holds its pipes: their ends tell when it is done
            os.dup2(null, fd)
        report(status, f"pid {child}")
        while True:
            pid, wait_status = os.waitpid(-1, 0)
            if pid == child:
                code = os.waitstatus_to_exitcode(wait_status)
                break
    except End:
        with contextlib.suppress(OSError, NameError):
            os.killpg(child, signal.SIGKILL)
        code = -signal.SIGKILL
        ended = True
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1):
        signal.signal(signum, signal.SIG_IGN)  # the family is being ended: nothing stops that now
    if not ended:
        settle(os.getpid())
    left = freeze(os.getpid())
    for pid in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    for pid, name in sorted(left.items())[:MAX_NAMED]:
        report(status, f"left {pid} {name}")
    if len(left) > MAX_NAMED:
        report(status, f"more {len(left) - MAX_NAMED}")
    reap_all()
    if code < 0:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
