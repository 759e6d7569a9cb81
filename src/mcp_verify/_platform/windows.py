"""Windows: process groups and Job Objects, CTRL_BREAK instead of SIGTERM, ``Scripts\\*.exe``.

A server starts suspended in a process group of its own, is put in a Job Object that kills every
process in it when its last handle closes (``JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE``), and only then
resumes: nothing it starts can be born outside the job, so its whole family always ends with it.
The job's process list names what outlived it. The calls are those of the mcp SDK's
``mcp/os/win32/utilities.py``, through ctypes (no pywin32 needed to import or type-check this).

This module has not run on Windows here: the CI workflow runs the suite on a Windows runner.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from ctypes import wintypes
from typing import TYPE_CHECKING, Any

import psutil

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from anyio.abc import Process

assert sys.platform == "win32"  # for mypy: what follows is Windows only

HOST = "win32"
SCRIPTS = "Scripts"
EXE = ".exe"
SITE_PACKAGES = "Lib/site-packages"
INTERRUPTS: tuple[signal.Signals, ...] = ()
"""No POSIX signals to receive: Ctrl-C arrives as KeyboardInterrupt."""

_CREATE_SUSPENDED = 0x00000004
_JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x00002000
_JOB_OBJECT_BASIC_PROCESS_ID_LIST = 3
_JOB_OBJECT_EXTENDED_LIMIT_INFORMATION = 9
_PROCESS_SET_QUOTA = 0x0100
_PROCESS_TERMINATE = 0x0001
_PROCESS_SUSPEND_RESUME = 0x0800
_MAX_LISTED = 1024

_kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
_ntdll = ctypes.WinDLL("ntdll")


class _IoCounters(ctypes.Structure):
    _fields_ = [(name, ctypes.c_ulonglong) for name in ("r", "w", "o", "rb", "wb", "ob")]


class _BasicLimits(ctypes.Structure):
    _fields_ = [
        ("PerProcessUserTimeLimit", ctypes.c_int64),
        ("PerJobUserTimeLimit", ctypes.c_int64),
        ("LimitFlags", wintypes.DWORD),
        ("MinimumWorkingSetSize", ctypes.c_size_t),
        ("MaximumWorkingSetSize", ctypes.c_size_t),
        ("ActiveProcessLimit", wintypes.DWORD),
        ("Affinity", ctypes.c_size_t),
        ("PriorityClass", wintypes.DWORD),
        ("SchedulingClass", wintypes.DWORD),
    ]


class _ExtendedLimits(ctypes.Structure):
    _fields_ = [
        ("BasicLimitInformation", _BasicLimits),
        ("IoInfo", _IoCounters),
        ("ProcessMemoryLimit", ctypes.c_size_t),
        ("JobMemoryLimit", ctypes.c_size_t),
        ("PeakProcessMemoryUsed", ctypes.c_size_t),
        ("PeakJobMemoryUsed", ctypes.c_size_t),
    ]


class _ProcessIds(ctypes.Structure):
    _fields_ = [
        ("NumberOfAssignedProcesses", wintypes.DWORD),
        ("NumberOfProcessIdsInList", wintypes.DWORD),
        ("ProcessIdList", ctypes.c_size_t * _MAX_LISTED),
    ]


def kept(command: Sequence[str]) -> list[str]:
    """A command as it is started (``end_family`` kills its tree)."""
    return list(command)


def new_group() -> dict[str, Any]:
    return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}


def end_family(pid: int) -> None:
    kill_group(pid)


def terminate_group(pid: int) -> None:
    """Ask a process group to stop, as a console's Ctrl-Break does (the nearest thing to SIGTERM)."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.CTRL_BREAK_EVENT)


def kill_group(pid: int) -> None:
    """Kill a process and every descendant it still has."""
    try:
        root = psutil.Process(pid)
        family = [*root.children(recursive=True), root]
    except psutil.Error:
        return
    for process in family:
        with contextlib.suppress(psutil.Error):
            process.kill()


def kill_process(pid: int) -> None:
    with contextlib.suppress(psutil.Error):
        psutil.Process(pid).kill()


def remove_command(path: Path) -> list[str] | None:
    """No fast external remover: ``shutil.rmtree`` does it."""
    return None


def _check(result: int) -> int:
    if not result:
        raise ctypes.WinError(ctypes.get_last_error())
    return result


class Keeper:
    """One server's family, held in a Job Object that kills it whole when closed."""

    def __init__(self) -> None:
        self._job = _check(_kernel32.CreateJobObjectW(None, None))
        limits = _ExtendedLimits()
        limits.BasicLimitInformation.LimitFlags = _JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
        _check(
            _kernel32.SetInformationJobObject(
                self._job, _JOB_OBJECT_EXTENDED_LIMIT_INFORMATION, ctypes.byref(limits), ctypes.sizeof(limits)
            )
        )
        self.pid = 0

    def command(self, command: Sequence[str]) -> list[str]:
        return list(command)

    def options(self) -> dict[str, Any]:
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP | _CREATE_SUSPENDED}

    async def started(self, process: Process, env: Mapping[str, str], cwd: str | None) -> None:
        """Put the suspended server in the job, then let it run."""
        self.pid = process.pid
        handle = _check(
            _kernel32.OpenProcess(_PROCESS_SET_QUOTA | _PROCESS_TERMINATE | _PROCESS_SUSPEND_RESUME, False, process.pid)
        )
        try:
            _check(_kernel32.AssignProcessToJobObject(self._job, handle))
            _ntdll.NtResumeProcess(handle)
        finally:
            _kernel32.CloseHandle(handle)

    def look(self) -> None:
        """The job holds the family: nothing to note."""

    def members(self) -> list[int]:
        listed = _ProcessIds()
        if not _kernel32.QueryInformationJobObject(
            self._job, _JOB_OBJECT_BASIC_PROCESS_ID_LIST, ctypes.byref(listed), ctypes.sizeof(listed), None
        ):
            return []
        return [int(listed.ProcessIdList[index]) for index in range(listed.NumberOfProcessIdsInList)]

    def left(self) -> dict[int, str]:
        """What is still in the job beside the server, named, then killed."""
        found: dict[int, str] = {}
        for pid in self.members():
            if pid == self.pid:
                continue
            try:
                words = psutil.Process(pid).cmdline()
            except psutil.Error:
                continue
            found[pid] = " ".join(words)[:100] or f"pid {pid}"
        _kernel32.TerminateJobObject(self._job, 1)
        return found

    def end(self, process: Process) -> None:
        _kernel32.TerminateJobObject(self._job, 1)

    def close(self) -> None:
        _kernel32.CloseHandle(self._job)
