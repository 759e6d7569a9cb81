"""Every child process runs through here: in its own process group, output captured, always reaped.

A command runs kept (``_platform.kept``): in a group of its own, and on Linux under a keeper that
adopts whatever it starts, so that mcp-verify ends everything a command started (build backends
spawn compilers, hooks may fork daemons) and nothing else. Commands started from worker threads
(the PEP 517 hooks) are remembered in ``_LIVE`` so that an interrupt can end them too.
"""

from __future__ import annotations

import os
import subprocess
import threading
from typing import TYPE_CHECKING

import anyio

from ._exceptions import CommandFailed
from ._platform import end_family, kept, kill_group, new_group

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

_LIVE: set[int] = set()
_LIVE_LOCK = threading.Lock()


def kill_all() -> None:
    """Kill every command still running from a worker thread, and its family (on interrupt or failure)."""
    kill_groups(_LIVE)


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def kill_groups(groups: set[int]) -> None:
    """Kill the commands of one caller's worker threads and their families (see ``run_sync``'s ``owner``)."""
    with _LIVE_LOCK:
        pending = list(groups)
    for pid in pending:
        end_family(pid)


def run_sync(
    cmd: Sequence[str],
    cwd: str | None = None,
    extra_environ: Mapping[str, str] | None = None,
    *,
    owner: set[int] | None = None,
    trusted: bool = False,
) -> str:
    """Run a command from a worker thread; return its output (stdout and stderr together).

    ``trusted``: mcp-verify's own helper, started without the keeper (which costs an interpreter's start).

    Raises ``subprocess.CalledProcessError`` with the output, which is what pyproject-hooks
    expects from a runner; pypa/build turns it into ``BuildBackendException``.
    """
    env = {**os.environ, **(extra_environ or {})}
    with subprocess.Popen(
        list(cmd) if trusted else kept(cmd),
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        **new_group(),
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
            (kill_group if trusted else end_family)(process.pid)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, list(cmd), output=_decode(output))
    return _decode(output)


async def run(
    cmd: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: str | None = None, trusted: bool = False
) -> str:
    """Run a command, return its combined output, raise ``CommandFailed`` when it exits non-zero.

    ``trusted`` as for ``run_sync``: a tool such as ``rm`` or mcp-verify's own script, which starts nothing.

    On cancellation (timeout, Ctrl-C) the whole process group is killed before returning.
    """
    process = await anyio.open_process(
        list(cmd) if trusted else kept(cmd),
        env=dict(env) if env is not None else None,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **new_group(),
    )
    chunks: list[bytes] = []
    try:
        assert process.stdout is not None
        async for chunk in process.stdout:
            chunks.append(chunk)
        returncode = await process.wait()
    finally:
        with anyio.CancelScope(shield=True):
            (kill_group if trusted else end_family)(process.pid)
            await process.aclose()
    output = _decode(b"".join(chunks))
    if returncode:
        raise CommandFailed(list(cmd), returncode, output)
    return output
