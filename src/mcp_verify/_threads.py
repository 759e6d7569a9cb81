"""Blocking work off the event loop that a cancelled run never waits for."""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, TypeVar

import anyio.from_thread
import anyio.lowlevel

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")


async def in_daemon_thread(function: Callable[[], T]) -> T:
    """Run blocking work (a download, a slow import) in a daemon thread of its own.

    A cancelled run (Ctrl-C, SIGTERM) stops waiting at once; the thread can never hold the process
    open at exit, as anyio's worker threads would (the interpreter joins them, so a run cancelled
    during a ten-second import under load would take those ten seconds to end).
    """
    finished = anyio.Event()
    token = anyio.lowlevel.current_token()
    outcome: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(function())
        except BaseException as error:  # handed to the waiting task, which raises it
            failure.append(error)
        finally:
            with contextlib.suppress(RuntimeError):  # the event loop may be gone
                anyio.from_thread.run_sync(finished.set, token=token)

    threading.Thread(target=target, name="mcp-verify worker", daemon=True).start()
    await finished.wait()
    if failure:
        raise failure[0]
    return outcome[0]
