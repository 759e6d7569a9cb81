"""Stages 4 to 7, launch, handshake, list and shutdown: the only anyio/MCP code.

mcp's own stdio client drops what is not JSON-RPC on stdout with a log line, so a server that
prints a banner looks fine to it and one that answers garbage ends in a bare timeout. This module
therefore owns the server's pipes: every stdout line is parsed here, protocol messages go on to
the ``mcp`` ``ClientSession`` and anything else is kept to be named in the report. It also owns
shutdown, to record whether closing stdin was enough or SIGTERM / SIGKILL were needed.
"""

from __future__ import annotations

import math
import signal
import subprocess
import sys
from collections import deque
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import mcp_types as types
from mcp.client.session import ClientSession
from mcp.client.stdio import get_default_environment
from mcp.shared.exceptions import MCPError
from mcp.shared.message import SessionMessage
from mcp_types import METHOD_NOT_FOUND
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS
from pydantic import BaseModel, ValidationError

from ._compat import unwrapped
from ._exceptions import HandshakeError, LaunchError, ListError, ServerExited, VerifyError
from ._subprocess import family, kill_family, kill_group
from ._types import LaunchSpec, Listing
from ._version import __version__

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from anyio.abc import Process, TaskGroup
    from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

T = TypeVar("T")

EOF_GRACE = 2.0
"""Seconds a server gets to exit after its stdin closes (the MCP SDK's own grace period)."""
TERM_GRACE = 2.0
"""Seconds between SIGTERM and SIGKILL."""
_STDERR_KEEP = 64 * 1024
_SHOWN_LINE = 200
_MAX_PAGES = 1000
_CLIENT = types.Implementation(name="mcp-verify", version=__version__)
_ERRORS: dict[str, type[VerifyError]] = {"launch": LaunchError, "handshake": HandshakeError, "list": ListError}
_WAITING_FOR = {
    "launch": "the server to start and answer initialize",
    "handshake": "the server's answer to initialize",
    "list": "the server to list its tools, resources and prompts",
}


@dataclass(frozen=True)
class Handshake:
    """What the server said about itself in its initialize result."""

    name: str
    version: str
    protocol_version: str
    capabilities: dict[str, Any]
    instructions: str | None


@dataclass(frozen=True)
class Shutdown:
    """How the server stopped after its stdin was closed."""

    how: str
    """``stdin-eof``, ``sigterm`` or ``sigkill``."""
    seconds: float
    survivors: int
    """Processes of the server's group still alive after the server itself had exited (then killed)."""


def _shorten(line: str) -> str:
    return line if len(line) <= _SHOWN_LINE else line[:_SHOWN_LINE] + "…"


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(by_alias=True, mode="json", exclude_none=True)


def describe_exit(returncode: int | None) -> str:
    """How a process ended, in words."""
    if returncode is None:
        return "server closed its stdout but kept running"
    if returncode < 0:
        try:
            return f"server was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"server was killed by signal {-returncode}"
    return f"server exited with code {returncode}"


class Server:
    """A running server process, its pipes, and the MCP session over them."""

    def __init__(self, process: Process, spec: LaunchSpec) -> None:
        self.process = process
        self.spec = spec
        self.spawned = anyio.current_time()
        self.deadline = self.spawned + spec.timeout
        self.startup_seconds: float | None = None
        """Spawn to initialize response."""
        self.ready_seconds: float | None = None
        """Spawn to everything listed."""
        self.stray: list[str] = []
        """Lines on stdout that are not JSON-RPC messages."""
        self.shutdown: Shutdown | None = None
        self.handshake_result: Handshake | None = None
        self._stderr = bytearray()
        self._received: deque[str] = deque(maxlen=5)
        self._first_line = anyio.Event()
        self._trouble = anyio.Event()
        self._eof = anyio.Event()
        self._init_done = anyio.Event()
        self._init_result: types.InitializeResult | None = None
        self._init_error: Exception | None = None
        self._to_session: MemoryObjectSendStream[SessionMessage | Exception]
        self._from_session: MemoryObjectReceiveStream[SessionMessage]
        self._session: ClientSession
        self._tg: TaskGroup

    @property
    def stderr(self) -> str:
        return self._stderr.decode("utf-8", errors="replace")

    # pipes ------------------------------------------------------------------------------------------
    async def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        pending = b""
        async with self._to_session:
            try:
                async for chunk in self.process.stdout:
                    *lines, pending = (pending + chunk).split(b"\n")
                    for line in lines:
                        await self._take_line(line)
                if pending:
                    await self._take_line(pending)
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                pass
            finally:
                self._eof.set()
                self._trouble.set()

    async def _take_line(self, raw: bytes) -> None:
        line = raw.decode("utf-8", errors="replace").rstrip("\r")
        if not line.strip():
            return
        self._first_line.set()
        self._received.append(_shorten(line))
        try:
            message = types.jsonrpc_message_adapter.validate_json(line, by_name=False)
        except ValidationError:
            self.stray.append(line)
            self._trouble.set()
            return
        await self._to_session.send(SessionMessage(message))

    async def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        async for chunk in self.process.stderr:
            self._stderr += chunk
            del self._stderr[:-_STDERR_KEEP]

    async def _write_stdin(self) -> None:
        assert self.process.stdin is not None
        async with self._from_session:
            async for message in self._from_session:
                data = message.message.model_dump_json(by_alias=True, exclude_unset=True) + "\n"
                try:
                    await self.process.stdin.send(data.encode())
                except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
                    return

    # steps ------------------------------------------------------------------------------------------
    async def _watch(
        self, step: str, operation: Callable[[], Awaitable[T]], *, what: str | None = None, may_time_out: bool = False
    ) -> T | None:
        """Run one protocol operation until it ends, the server misbehaves, or the deadline passes."""
        outcome: list[T] = []
        failure: list[Exception] = []

        async def attempt() -> None:
            try:
                outcome.append(await operation())
            except Exception as error:  # the session's errors are reported below, with the server's side
                failure.append(error)
            scope.cancel()

        async def watch() -> None:
            await self._trouble.wait()
            scope.cancel()

        with anyio.move_on_after(max(self.deadline - anyio.current_time(), 0)) as timer:
            async with anyio.create_task_group() as group:
                scope = group.cancel_scope
                group.start_soon(attempt)
                group.start_soon(watch)
        if self.stray:
            raise self._stray_error(step)
        if outcome:
            return outcome[0]
        if self._eof.is_set():
            raise await self._exit_error(step)
        if failure:
            code = "MV303" if step != "list" else "MV401"
            raise _ERRORS[step](code, f"{what or step} failed: {failure[0]}") from failure[0]
        if timer.cancelled_caught and may_time_out:
            return None
        raise self._timeout_error(step)

    def _stray_error(self, step: str) -> VerifyError:
        line = _shorten(self.stray[0])
        more = f" (and {len(self.stray) - 1} more)" if len(self.stray) > 1 else ""
        if _is_json(self.stray[0]):
            return _ERRORS[step](
                "MV302",
                f"the server answered with JSON that is not a valid JSON-RPC message: {line}{more}",
                "every line on stdout must be a JSON-RPC 2.0 message; let the MCP library write stdout",
            )
        return _ERRORS[step](
            "MV204",
            f"the server wrote non-JSON-RPC text to stdout: {line!r}{more}; stdout is reserved for the MCP protocol",
            "print diagnostics to stderr (print(..., file=sys.stderr) or logging), never to stdout",
        )

    async def _exit_error(self, step: str) -> ServerExited:
        await self._exited_within(1.0)
        await anyio.sleep(0.05)  # let the stderr reader take the last words
        ended = describe_exit(self.process.returncode)
        when = {"launch": "at start", "handshake": "during the handshake", "list": "while listing"}[step]
        return ServerExited(step, f"{ended} {when}", self.process.returncode, self.stderr)

    def _timeout_error(self, step: str) -> VerifyError:
        seen = (
            f"; it wrote on stdout: {' | '.join(self._received)}" if self._received else "; it wrote nothing on stdout"
        )
        return _ERRORS[step](
            "MV301",
            f"timed out after {self.spec.timeout:g} s in the {step} step, waiting for {_WAITING_FOR[step]}{seen}",
            "a slow start? raise --timeout; a server waiting for something (input, a network, a lock) never answers",
        )

    async def offer(self, version: str) -> str:
        """Initialize offering one protocol version; return the version the server answers with."""
        params = types.InitializeRequestParams(
            protocol_version=version, capabilities=types.ClientCapabilities(), client_info=_CLIENT
        )
        request = partial(self._session.send_request, types.InitializeRequest(params=params), types.InitializeResult)
        result = await self._watch("handshake", request)
        assert result is not None
        return result.protocol_version

    async def wait_started(self) -> None:
        """Send initialize and wait for the first line on stdout: the server is up (or dead, or silent)."""

        async def initialize() -> None:
            try:
                self._init_result = await self._session.initialize()
                self.startup_seconds = round(anyio.current_time() - self.spawned, 3)
            except Exception as error:  # reported by handshake(), with the server's side of the story
                self._init_error = error
            finally:
                self._init_done.set()

        self._tg.start_soon(initialize)
        await self._watch("launch", self._first_line.wait, may_time_out=True)

    async def handshake(self) -> Handshake:
        """Complete initialize (the result, the initialized notification) and check the session with a ping."""
        await self._watch("handshake", self._init_done.wait)
        if self._init_error is not None or self._init_result is None:
            raise HandshakeError("MV303", f"the initialize handshake failed: {self._init_error}")
        await self._watch("handshake", self._session.send_ping)
        result = self._init_result
        self.handshake_result = Handshake(
            name=result.server_info.name,
            version=result.server_info.version,
            protocol_version=result.protocol_version,
            capabilities=_dump(result.capabilities),
            instructions=result.instructions,
        )
        return self.handshake_result

    async def list_all(self) -> Listing:
        """Tools, resources, resource templates and prompts, each only where the capability is advertised."""
        assert self._init_result is not None
        capabilities = self._init_result.capabilities
        session = self._session
        listing = Listing()
        if capabilities.tools is not None:
            listing.tools.extend(await self._pages(session.list_tools, "tools", "tools/list"))
        if capabilities.resources is not None:
            listing.resources.extend(await self._pages(session.list_resources, "resources", "resources/list"))
            try:
                templates = await self._pages(
                    session.list_resource_templates, "resource_templates", "resources/templates/list"
                )
            except ListError as error:
                # a server with resources but no templates may not implement the method; clients cope
                if not (isinstance(error.__cause__, MCPError) and error.__cause__.error.code == METHOD_NOT_FOUND):
                    raise
                templates = []
            listing.resource_templates.extend(templates)
        if capabilities.prompts is not None:
            listing.prompts.extend(await self._pages(session.list_prompts, "prompts", "prompts/list"))
        self.ready_seconds = round(anyio.current_time() - self.spawned, 3)
        return listing

    async def _pages(self, fetch: Callable[..., Awaitable[Any]], attribute: str, method: str) -> list[dict[str, Any]]:
        """Follow pagination cursors to the end (a cursor seen twice would loop forever: stop there)."""
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(_MAX_PAGES):
            params = types.PaginatedRequestParams(cursor=cursor) if cursor else None
            page = await self._watch("list", partial(fetch, params=params), what=method)
            assert page is not None
            items.extend(_dump(item) for item in getattr(page, attribute))
            cursor = page.next_cursor
            if not cursor or cursor in seen:
                break
            seen.add(cursor)
        return items

    # shutdown ---------------------------------------------------------------------------------------
    async def _exited_within(self, seconds: float) -> bool:
        with anyio.move_on_after(seconds):
            while self.process.returncode is None:
                await anyio.sleep(0.01)
        return self.process.returncode is not None

    async def stop(self) -> Shutdown:
        """Close stdin, wait, then SIGTERM, wait, then SIGKILL the group; kill anything left after it."""
        started = anyio.current_time()
        known = family(self.process.pid)
        assert self.process.stdin is not None
        await self.process.stdin.aclose()
        how = "stdin-eof"
        if not await self._exited_within(EOF_GRACE):
            how = "sigterm"
            kill_group(self.process.pid, signal.SIGTERM)
            if not await self._exited_within(TERM_GRACE):
                how = "sigkill"
                kill_group(self.process.pid)
                await self._exited_within(TERM_GRACE)
        seconds = anyio.current_time() - started
        survivors = kill_family(self.process.pid, known - {self.process.pid})
        self.shutdown = Shutdown(how=how, seconds=seconds, survivors=survivors)
        return self.shutdown

    async def kill(self) -> None:
        """The hard stop, for errors and interrupts: the whole family, at once."""
        kill_family(self.process.pid, family(self.process.pid))
        await self._exited_within(TERM_GRACE)


def _is_json(line: str) -> bool:
    import json  # noqa: PLC0415 - only on the error path

    try:
        json.loads(line)
    except ValueError:
        return False
    return True


@asynccontextmanager
async def launch(spec: LaunchSpec) -> AsyncIterator[Server]:
    """Start the server in its own process group with an MCP session over its pipes.

    Leaving the block normally stops the server gracefully (``server.shutdown`` says how);
    leaving it with an error or a cancellation kills its whole process group.
    """
    env = get_default_environment() | spec.env
    try:
        process = await anyio.open_process(
            spec.command,
            env=env,
            cwd=spec.cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=sys.platform != "win32",
        )
    except OSError as error:
        raise LaunchError("MV205", f"cannot start {spec.command[0]}: {error.strerror or error}") from None
    server = Server(process, spec)
    to_session, from_server = anyio.create_memory_object_stream[SessionMessage | Exception](math.inf)
    to_server, from_session = anyio.create_memory_object_stream[SessionMessage](math.inf)
    server._to_session, server._from_session = to_session, from_session
    clean = False
    try:
        with unwrapped():
            async with anyio.create_task_group() as tg:
                server._tg = tg
                tg.start_soon(server._read_stdout)
                tg.start_soon(server._read_stderr)
                tg.start_soon(server._write_stdin)
                async with (
                    from_server,
                    to_server,
                    ClientSession(from_server, to_server, client_info=_CLIENT) as session,
                ):
                    server._session = session
                    yield server
                with anyio.CancelScope(shield=True):
                    await server.stop()
                clean = True
                tg.cancel_scope.cancel()
    finally:
        with anyio.CancelScope(shield=True):
            if not clean:
                await server.kill()
            await process.aclose()


async def protocol_matrix(spec: LaunchSpec) -> list[dict[str, str | bool]]:
    """Start the server once per protocol version the client library can handshake with, and offer it.

    A server may answer with another version it supports (the spec's counter-offer): that is
    recorded, not judged. A server that fails on an offered version is recorded with the reason.
    """
    rows: list[dict[str, str | bool]] = []
    for version in HANDSHAKE_PROTOCOL_VERSIONS:
        try:
            async with launch(spec) as server:
                answered = await server.offer(version)
            rows.append({"offered": version, "answered": answered, "accepted": answered == version})
        except VerifyError as error:
            rows.append({"offered": version, "answered": "", "accepted": False, "error": error.message})
    return rows
