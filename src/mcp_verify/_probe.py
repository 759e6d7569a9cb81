"""Stages 4 to 7, launch, handshake, list and shutdown: the only anyio/MCP code.

Three parts, one per concern:

- ``_Process``, the server's lifetime: its own session and process group, a graceful stop as
  clients do it (stdin EOF, then SIGTERM, then SIGKILL), and afterwards a search for what it
  started, wherever that moved (another session, reparented to init), to report and kill it.
- ``_Pump``, the server's pipes. mcp's stdio client drops what is not JSON-RPC on stdout, so every
  line is read here, in linear time, with a cap on its size, and to EOF: a ``print()`` before
  serving is block-buffered on a pipe and arrives only when the server exits. JSON-RPC messages
  go on to the session; anything else is kept, with the step it arrived in. Every raw result is
  kept too, so that a listing the client library rejects can still be read and checked.
- ``Client``, the protocol: each operation over the mcp ``ClientSession`` runs under a watchdog
  that ends it when the server exits or misbehaves or time runs out, with an error that names the
  request. The list calls stand alone: one that fails is recorded and the others go on.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import signal
import socket
import subprocess
from collections import deque
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import httpx2
import mcp_types as types
from mcp.client.session import ClientSession
from mcp.client.stdio import get_default_environment
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import MCP_DEFAULT_SSE_READ_TIMEOUT, MCP_DEFAULT_TIMEOUT
from mcp.shared.exceptions import MCPError
from mcp.shared.message import SessionMessage
from mcp_types import CONNECTION_CLOSED, METHOD_NOT_FOUND
from mcp_types.methods import validate_server_result
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS
from pydantic import ValidationError

from ._compat import unwrapped
from ._diagnose import last_words
from ._exceptions import HandshakeError, LaunchError, ListError, ServerExited, VerifyError
from ._platform import Keeper, kill_group, terminate_group
from ._types import CallResult, Exercised, Listing, ListProblem, Shutdown, StrayLine
from ._version import __version__

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from anyio.abc import Process, TaskGroup
    from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
    from mcp.shared._stream_protocols import ReadStream, WriteStream

    from ._types import Call, JSONDict, LaunchSpec

T = TypeVar("T")

EOF_GRACE = 2.0
"""Seconds a server gets to exit after its stdin closes (the MCP SDK's own grace period)."""
TERM_GRACE = 2.0
"""Seconds between SIGTERM and SIGKILL."""
DRAIN_GRACE = 2.0
"""Seconds to read what is left on stdout after the server exited (a child may hold the pipe)."""
MAX_LINE = 32 * 1024 * 1024
"""The longest stdout line read; the rest of a longer one is skipped (MV206)."""
PING_LIMIT = 5.0
"""Seconds a server gets to answer ping; an unanswered ping is a warning, not a failure."""
LIST_ALLOWANCE = 5.0
"""Seconds each list call gets even when the start-up time is used up, so one cannot starve the others."""
GARBAGE_GRACE = 1.0
"""After JSON that is not JSON-RPC, how long the real answer may still take."""
_STDERR_KEEP = 64 * 1024
_SHOWN_LINE = 200
_MAX_PAGES = 1000
_CLIENT = types.Implementation(name="mcp-verify", version=__version__)
_ERRORS: dict[str, type[VerifyError]] = {"launch": LaunchError, "handshake": HandshakeError, "list": ListError}
_WHEN = {"launch": "at start", "handshake": "during the handshake", "list": "while listing"}
LISTS = (
    ("tools", "tools/list", "tools"),
    ("prompts", "prompts/list", "prompts"),
    ("resources", "resources/list", "resources"),
    ("resources", "resources/templates/list", "resourceTemplates"),
)
"""(capability, method, result key) of each list call, in the order they are made."""

# with no handler anywhere, the session's warnings would reach mcp-verify's stderr through logging's last resort
logging.getLogger("mcp").addHandler(logging.NullHandler())


def shorten(line: str, limit: int = _SHOWN_LINE) -> str:
    """A line cut to a length fit for a one-line message."""
    return line if len(line) <= limit else line[:limit] + "…"


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


@dataclass(frozen=True)
class Handshake:
    """What the server said about itself in its initialize result."""

    name: str
    version: str
    protocol_version: str
    capabilities: dict[str, Any]
    instructions: str | None


@dataclass
class Session:
    """What one conversation with a server found, whatever happened later."""

    handshake: Handshake | None = None
    listing: Listing | None = None
    list_problems: list[ListProblem] = field(default_factory=list)
    ping: str | None = None
    """Why ping was not answered; None when it was."""
    startup_seconds: float | None = None
    ready_seconds: float | None = None


# the process ---------------------------------------------------------------------------------------


class _Process:
    """The server's process and everything it starts, held by the platform's keeper."""

    def __init__(self, process: Process, keeper: Keeper) -> None:
        self.process = process
        self.keeper = keeper
        self.spawned = anyio.current_time()

    @property
    def pid(self) -> int:
        """The server's own pid (which also names its process group)."""
        return self.keeper.pid

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    async def _terminate(self, how: str) -> str:
        """Stop the group as a client does, then kill it after the grace: ``how``, or ``sigkill``."""
        terminate_group(self.pid)
        if await self.exited_within(TERM_GRACE):
            return how
        kill_group(self.pid)
        await self.exited_within(TERM_GRACE)
        return "sigkill"

    async def exited_within(self, seconds: float) -> bool:
        with anyio.move_on_after(seconds):
            while self.process.returncode is None:
                await anyio.sleep(0.01)
        return self.process.returncode is not None

    async def stop(
        self, close_stdin: Callable[[], Awaitable[None]], *, http: bool = False
    ) -> tuple[str, float, list[str]]:
        """Close stdin, wait, then stop the group, wait, then kill it; kill what outlived the server.

        An HTTP server is not stopped by its stdin: it is stopped at once (``stopped``).
        Returns how it stopped, the seconds it took, and the processes (``pid command``) that were
        still running after the server itself had exited.
        """
        started = anyio.current_time()
        how = "exited" if self.returncode is not None else "stdin-eof"
        self.keeper.look()
        await close_stdin()
        if http and how != "exited":
            how = await self._terminate("stopped")
        elif not await self.exited_within(EOF_GRACE):
            how = await self._terminate("sigterm")
        seconds = anyio.current_time() - started
        survivors = [f"{pid} {command}" for pid, command in sorted(self.keeper.left().items())]
        self.kill()
        return how, seconds, survivors

    def kill(self) -> None:
        """The hard stop: the server and every process of its family."""
        self.keeper.end(self.process)


# the pipes -------------------------------------------------------------------------------------------


class _Pump:
    """The server's stdio: stdout read to EOF and sorted, stderr kept, stdin written from the session."""

    def __init__(self, process: Process, *, protocol: bool = True) -> None:
        self.process = process
        self.protocol = protocol
        """stdio: stdout is the protocol; streamable HTTP: stdout is only the server's log."""
        self.phase = "launch"
        """The step under way, for the stray lines that arrive in it."""
        self.strays: list[StrayLine] = []
        self.oversized: list[str] = []
        """The step of each line that was too long to read."""
        self.received: deque[str] = deque(maxlen=5)
        self.results: dict[Any, Any] = {}
        """The raw ``result`` of each response, by request id."""
        self.sent: list[tuple[Any, str]] = []
        """(request id, method) of each request the session sent, in order."""
        self.answered = anyio.Event()
        """The first JSON-RPC message arrived: the server is up and speaks the protocol."""
        self.eof = anyio.Event()
        self.troubles = 0
        self._trouble = anyio.Event()
        self._stderr = bytearray()
        self.stderr_total = 0
        """Bytes read from stderr so far, to tell what it wrote after a point."""

    @property
    def stderr(self) -> str:
        return self._stderr.decode("utf-8", errors="replace")

    def stderr_since(self, mark: int) -> str:
        kept = len(self._stderr) - (self.stderr_total - mark)
        return self._stderr[max(kept, 0) :].decode("utf-8", errors="replace")

    def _alarm(self) -> None:
        """Something the operation under way should react to: the server gone, or an answer unreadable."""
        self.troubles += 1
        self._trouble.set()
        self._trouble = anyio.Event()

    async def trouble_after(self, count: int) -> None:
        while self.troubles <= count:
            await self._trouble.wait()

    async def read_stdout(self, to_session: MemoryObjectSendStream[SessionMessage | Exception]) -> None:
        """Split stdout into lines in linear time: each chunk is searched once, a line copied once."""
        assert self.process.stdout is not None
        buffer = bytearray()
        searched = 0
        skipping = False
        async with to_session:
            try:
                async for chunk in self.process.stdout:
                    start = 0
                    if skipping:
                        start = chunk.find(b"\n") + 1
                        if not start:
                            continue
                        skipping = False
                    buffer += chunk[start:]
                    while (end := buffer.find(b"\n", searched)) >= 0:
                        line = bytes(buffer[:end])
                        del buffer[: end + 1]
                        searched = 0
                        await self._take(line, to_session)
                    searched = len(buffer)
                    if searched > MAX_LINE:
                        self.oversized.append(self.phase)
                        buffer.clear()
                        searched, skipping = 0, True
                        self._alarm()
                if buffer and not skipping:
                    await self._take(bytes(buffer), to_session)
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                pass
            finally:
                self.eof.set()
                self._alarm()

    async def _take(self, raw: bytes, to_session: MemoryObjectSendStream[SessionMessage | Exception]) -> None:
        line = raw.decode("utf-8", errors="replace").rstrip("\r")
        if not line.strip():
            return
        self.received.append(shorten(line))
        if not self.protocol:
            return
        try:
            message = types.jsonrpc_message_adapter.validate_json(line, by_name=False)
        except ValidationError:
            stray = StrayLine(line, self.phase, _is_json(line))
            self.strays.append(stray)
            if stray.is_json:
                self._alarm()
            return
        self.received_message(message)
        with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
            await to_session.send(SessionMessage(message))  # after the session, stdout is still read to its end

    def received_message(self, message: types.JSONRPCMessage) -> None:
        """A protocol message from the server: the server is up, and a response's raw result is kept."""
        if isinstance(message, types.JSONRPCResponse):
            self.results[message.id] = message.result
        self.answered.set()

    def sent_message(self, message: types.JSONRPCMessage) -> None:
        if isinstance(message, types.JSONRPCRequest):
            self.sent.append((message.id, message.method))

    async def relay(
        self, source: ReadStream[SessionMessage | Exception], sink: MemoryObjectSendStream[SessionMessage | Exception]
    ) -> None:
        """Streamable HTTP: hand the transport's messages to the session, keeping what ``_take`` keeps for stdio."""
        async with sink:
            async for item in source:
                if isinstance(item, SessionMessage):
                    self.received_message(item.message)
                with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
                    await sink.send(item)

    async def forward(
        self, source: MemoryObjectReceiveStream[SessionMessage], sink: WriteStream[SessionMessage]
    ) -> None:
        """Streamable HTTP: hand the session's messages to the transport, noting each request sent."""
        async for item in source:
            self.sent_message(item.message)
            await sink.send(item)

    async def watch_exit(self) -> None:
        """Streamable HTTP: the server's exit, not the end of its stdout, is what ends a request."""
        await self.process.wait()
        self.eof.set()
        self._alarm()

    async def read_stderr(self) -> None:
        assert self.process.stderr is not None
        async for chunk in self.process.stderr:
            self._stderr += chunk
            self.stderr_total += len(chunk)
            del self._stderr[:-_STDERR_KEEP]

    async def write_stdin(self, from_session: MemoryObjectReceiveStream[SessionMessage]) -> None:
        assert self.process.stdin is not None
        async with from_session:
            async for message in from_session:
                root = message.message
                self.sent_message(root)
                data = root.model_dump_json(by_alias=True, exclude_unset=True) + "\n"
                try:
                    await self.process.stdin.send(data.encode())
                except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
                    return

    def raw_result(self, method: str, after: int) -> Any:
        """The raw result of the first ``method`` request sent after the ``after``-th request."""
        for request_id, sent in self.sent[after:]:
            if sent == method:
                return self.results.get(request_id)
        return None

    async def drain(self) -> None:
        """Wait (bounded) for stdout to reach EOF after the server exited."""
        with anyio.move_on_after(DRAIN_GRACE):
            await self.eof.wait()


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


# the protocol ------------------------------------------------------------------------------------


class _Answered(Exception):
    """The server answered the request, with an error or a result the client library rejects."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


class Client:
    """Protocol operations on one server, each under a watchdog."""

    def __init__(
        self, session: ClientSession, pump: _Pump, process: _Process, spec: LaunchSpec, group: TaskGroup
    ) -> None:
        self.session = session
        self.pump = pump
        self.process = process
        self.spec = spec
        self.deadline = process.spawned + spec.timeout
        self.found = Session()
        self._group = group
        self._initialize: anyio.Event | None = None
        self._init_result: types.InitializeResult | None = None
        self._init_error: Exception | None = None

    async def _watch(
        self, step: str, what: str, operation: Callable[[], Awaitable[T]], deadline: float, *, silence_ok: bool = False
    ) -> T | None:
        """Run one request until it is answered, the server exits or misbehaves, or ``deadline`` passes.

        ``silence_ok``: a server still running and silent at the deadline is no failure of this step (None).
        """
        pump = self.pump
        pump.phase = step
        if pump.eof.is_set():
            raise await self._exited(step)
        strays, oversized, troubles = len(pump.strays), len(pump.oversized), pump.troubles
        outcome: list[T] = []
        failure: list[Exception] = []

        async def attempt() -> None:
            try:
                outcome.append(await operation())
            except (MCPError, ValidationError, RuntimeError) as error:
                failure.append(error)
            scope.cancel()

        async def watch() -> None:
            seen = troubles
            while True:
                await pump.trouble_after(seen)
                seen = pump.troubles
                if pump.eof.is_set() or len(pump.oversized) > oversized:
                    break
                if any(stray.is_json for stray in pump.strays[strays:]):
                    await anyio.sleep(GARBAGE_GRACE)
                    break
            scope.cancel()

        with anyio.move_on_after(max(deadline - anyio.current_time(), 0)):
            async with anyio.create_task_group() as group:
                scope = group.cancel_scope
                group.start_soon(attempt)
                group.start_soon(watch)
        if outcome:
            return outcome[0]
        if failure and not (isinstance(failure[0], MCPError) and failure[0].code == CONNECTION_CLOSED):
            raise _Answered(failure[0])
        error_type = _ERRORS.get(step, VerifyError)
        if len(pump.oversized) > oversized:
            raise error_type(
                "MV206",
                f"the server wrote a line of more than {MAX_LINE // (1024 * 1024)} MiB on stdout while {what} "
                "was awaited; it was not read",
                step=step,
            )
        if pump.eof.is_set() or failure:
            raise await self._exited(step)
        garbage = [stray for stray in pump.strays[strays:] if stray.is_json]
        if garbage:
            raise error_type(
                "MV302",
                f"the server answered {what} with JSON that is not a JSON-RPC message: {shorten(garbage[0].text)}",
                step=step,
            )
        text = pump.strays[strays:]
        if silence_ok and not text:
            return None
        if text:
            raise error_type(
                "MV204",
                f"the server wrote non-JSON-RPC text to stdout ({shorten(text[0].text)!r}) and never answered "
                f"{what} within {self.spec.timeout:g} s; stdout is reserved for the MCP protocol",
                step=step,
            )
        seen = f"; it wrote on stdout: {' | '.join(pump.received)}" if pump.received else "; it wrote nothing on stdout"
        raise error_type(
            "MV301",
            f"timed out after {self.spec.timeout:g} s in the {step} step: {what} went unanswered{seen}",
            step=step,
        )

    async def _exited(self, step: str) -> ServerExited:
        await self.process.exited_within(1.0)
        await anyio.sleep(0.05)  # let the stderr reader take the last words
        ended = describe_exit(self.process.returncode)
        return ServerExited(
            step, f"{ended} {_WHEN.get(step, 'while ' + step)}", self.process.returncode, self.pump.stderr
        )

    # the handshake

    async def started(self) -> None:
        """The launch step: send initialize at once, as a client does, and wait for the server's first
        JSON-RPC message (normally its answer); ``handshake`` then takes the answer."""
        done = self._initialize = anyio.Event()

        async def initialize() -> None:
            try:
                self._init_result = await self.session.initialize()
                self.found.startup_seconds = round(anyio.current_time() - self.process.spawned, 3)
            except (
                MCPError,
                ValidationError,
                RuntimeError,
            ) as error:  # reported by handshake(), with the server's side
                self._init_error = error
            finally:
                done.set()

        if self.spec.port is not None:
            port = self.spec.port
            await self._watch(
                "launch", f"a connection on port {port}", partial(_accepting, port, self.spec.socket), self.deadline
            )
        self._group.start_soon(initialize)
        await self._watch("launch", "initialize", self.pump.answered.wait, self.deadline, silence_ok=True)

    async def handshake(self) -> Handshake:
        """The handshake step: the initialize result, and the initialized notification (sent by the session)."""
        assert self._initialize is not None
        await self._watch("handshake", "initialize", self._initialize.wait, self.deadline)
        error, result = self._init_error, self._init_result
        if isinstance(error, MCPError) and error.code == CONNECTION_CLOSED:
            raise await self._exited("handshake")
        if error is not None or result is None:
            problem = _problem(error) if error is not None else "no result"
            raise HandshakeError("MV303", f"the initialize handshake failed: {problem}")
        self.found.handshake = handshake = Handshake(
            name=result.server_info.name,
            version=result.server_info.version,
            protocol_version=result.protocol_version,
            capabilities=result.capabilities.model_dump(by_alias=True, mode="json", exclude_none=True),
            instructions=result.instructions,
        )
        return handshake

    async def offer(self, version: str) -> str:
        """Initialize offering one protocol version; return the version the server answers with."""
        params = types.InitializeRequestParams(
            protocol_version=version, capabilities=types.ClientCapabilities(), client_info=_CLIENT
        )
        request = partial(self.session.send_request, types.InitializeRequest(params=params), types.InitializeResult)
        try:
            result = await self._watch("handshake", "initialize", request, self.deadline)
        except _Answered as answered:
            raise HandshakeError("MV303", f"initialize failed: {_problem(answered.cause)}") from None
        assert result is not None
        return result.protocol_version

    async def ping(self) -> None:
        """Ping once everything is listed: a server that does not answer gets a warning, and the run goes on."""
        limit = anyio.current_time() + min(PING_LIMIT, self.spec.timeout)
        try:
            await self._watch("handshake", "ping", self.session.send_ping, limit)
        except _Answered as answered:
            self.found.ping = f"ping was answered with an error: {_problem(answered.cause)}"
        except VerifyError as error:
            self.found.ping = f"ping went unanswered: {error.message}"

    # the listing

    async def list_all(self) -> Listing:
        """Every list the server advertises; a call that fails is recorded and the others still run."""
        assert self.found.handshake is not None
        capabilities = self.found.handshake.capabilities
        listing = Listing()
        items = {"tools": listing.tools, "prompts": listing.prompts, "resources": listing.resources}
        items["resourceTemplates"] = listing.resource_templates
        for capability, method, key in LISTS:
            if capability in capabilities:
                items[key].extend(await self._list(method, key))
        self.found.listing = listing
        self.found.ready_seconds = round(anyio.current_time() - self.process.spawned, 3)
        return listing

    async def _list(self, method: str, key: str) -> list[JSONDict]:
        """Follow pagination to the end (a cursor seen twice would loop forever: stop there)."""
        found: list[JSONDict] = []
        cursor: str | None = None
        seen: set[str] = set()
        limit = max(self.deadline, anyio.current_time() + min(LIST_ALLOWANCE, self.spec.timeout))
        for _ in range(_MAX_PAGES):
            params = types.PaginatedRequestParams(cursor=cursor) if cursor else None
            sent = len(self.pump.sent)
            operation = partial(self.session.send_request, _REQUESTS[method](params=params), types.Result)
            try:
                await self._watch("list", method, operation, limit)
            except _Answered as answered:
                if isinstance(answered.cause, ValidationError):
                    page = self.pump.raw_result(method, sent)
                    found += _items(page, key)
                    self.found.list_problems.append(_rejected(method, key, page, answered.cause))
                    cursor = page.get("nextCursor") if isinstance(page, dict) else None
                elif method == "resources/templates/list" and _not_found(answered.cause):
                    return found  # a server with resources but no templates may not implement it: clients cope
                else:
                    self.found.list_problems.append(ListProblem(method, _problem(answered.cause)))
                    return found
            except ListError as error:
                if error.code != "MV301":
                    raise
                self.found.list_problems.append(ListProblem(method, error.message))
                return found
            else:
                page = self.pump.raw_result(method, sent)
                found += _items(page, key)
                cursor = page.get("nextCursor") if isinstance(page, dict) else None
            if not isinstance(cursor, str) or not cursor or cursor in seen:
                break
            seen.add(cursor)
        return found

    # using the server

    async def _request(self, step: str, what: str, request: Any) -> tuple[Any, str | None]:
        """Send one request under the watchdog with ``--timeout`` of its own: (raw result, or why none)."""
        sent = len(self.pump.sent)
        operation = partial(self.session.send_request, request, types.Result)
        try:
            await self._watch(step, what, operation, anyio.current_time() + self.spec.timeout)
        except _Answered as answered:
            rejected = isinstance(answered.cause, ValidationError)
            return (self.pump.raw_result(request.method, sent) if rejected else None), _problem(answered.cause)
        return self.pump.raw_result(request.method, sent), None

    async def call(self, call: Call) -> CallResult:
        """Call a tool as a client does; ``ok`` only for a result that is no error."""
        started = anyio.current_time()
        params = types.CallToolRequestParams(name=call.tool, arguments=call.arguments)
        raw, problem = await self._request("calls", f"tools/call {call.tool}", types.CallToolRequest(params=params))
        result = raw if isinstance(raw, dict) else None
        ok = problem is None and result is not None and result.get("isError") is not True
        seconds = round(anyio.current_time() - started, 3)
        return CallResult(call.tool, call.arguments, ok, seconds, result, problem)

    async def read(self, uri: str) -> Exercised:
        """``resources/read`` of a listed static resource."""
        started = anyio.current_time()
        params = types.ReadResourceRequestParams(uri=uri)
        _, problem = await self._request(
            f"read {uri}", f"resources/read {uri}", types.ReadResourceRequest(params=params)
        )
        return Exercised("resource", uri, round(anyio.current_time() - started, 3), problem)

    async def get(self, prompt: JSONDict) -> Exercised:
        """``prompts/get``, every required argument filled with a placeholder, as a user fills a form."""
        started = anyio.current_time()
        name = str(prompt.get("name"))
        arguments = {
            str(argument["name"]): "example"
            for argument in prompt.get("arguments") or []
            if isinstance(argument, dict) and argument.get("required") and isinstance(argument.get("name"), str)
        }
        params = types.GetPromptRequestParams(name=name, arguments=arguments or None)
        _, problem = await self._request(f"get {name}", f"prompts/get {name}", types.GetPromptRequest(params=params))
        return Exercised("prompt", name, round(anyio.current_time() - started, 3), problem)


_REQUESTS: dict[str, Any] = {
    "tools/list": types.ListToolsRequest,
    "prompts/list": types.ListPromptsRequest,
    "resources/list": types.ListResourcesRequest,
    "resources/templates/list": types.ListResourceTemplatesRequest,
}


async def _accepting(port: int, socket: str | None = None) -> None:
    """Until something accepts connections on the local port (the server is listening), or on the
    UNIX socket that leads to it."""
    while True:
        try:
            connecting = anyio.connect_unix(socket) if socket is not None else anyio.connect_tcp("127.0.0.1", port)
            stream = await connecting
        except OSError:
            await anyio.sleep(0.1)
            continue
        await stream.aclose()
        return


def _http_client(socket: str) -> httpx2.AsyncClient:
    """An HTTP client with the mcp transports' timeouts that reaches the server through a UNIX socket."""
    timeout = httpx2.Timeout(MCP_DEFAULT_TIMEOUT, read=MCP_DEFAULT_SSE_READ_TIMEOUT)
    return httpx2.AsyncClient(transport=httpx2.AsyncHTTPTransport(uds=socket), timeout=timeout)


def free_port() -> int:
    """A local port nothing listens on now, for a streamable HTTP server to take."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _items(page: Any, key: str) -> list[JSONDict]:
    values = page.get(key) if isinstance(page, dict) else None
    return [item for item in values if isinstance(item, dict)] if isinstance(values, list) else []


def _not_found(error: Exception) -> bool:
    return isinstance(error, MCPError) and error.code == METHOD_NOT_FOUND


def _problem(error: Exception) -> str:
    """An error of the server's answer in one line: its code and message, or why the client rejects it."""
    if isinstance(error, MCPError):
        return f"{error.message} (JSON-RPC error {error.code})"
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"the mcp client library rejects the result: {where}: {first['msg']}"
    return str(error)


def _rejected(method: str, key: str, page: Any, error: ValidationError) -> ListProblem:
    """Which items of a page the client library rejects, each named, with the first reason."""
    version = "2025-11-25"
    named: list[str] = []
    for item in _items(page, key):
        try:
            validate_server_result(method, version, {key: [item]})
        except ValidationError as problem:
            first = problem.errors()[0]
            where = ".".join(str(part) for part in first["loc"][2:])
            label = item.get("name") or item.get("uri") or item.get("uriTemplate") or "an item without a name"
            named.append(f"{label!r}: {where}: {first['msg']}")
    return ListProblem(method, _problem(error), tuple(named))


# launching ---------------------------------------------------------------------------------------


@dataclass
class Server:
    """A launched server: its process, its pipes and the client talking to it."""

    process: _Process
    pump: _Pump
    client: Client
    shutdown: Shutdown | None = None

    @property
    def found(self) -> Session:
        return self.client.found

    @property
    def stderr(self) -> str:
        return self.pump.stderr


@asynccontextmanager
async def launch(spec: LaunchSpec) -> AsyncIterator[Server]:
    """Start the server in a session of its own with an MCP session over its pipes.

    Leaving the block normally stops the server as a client does (``server.shutdown`` says how)
    and reads its stdout to the end; leaving it with an error or a cancellation kills it and
    every process it started.
    """
    process, keeper = await _start(spec)
    owner = _Process(process, keeper)
    pump = _Pump(process, protocol=spec.endpoint is None)
    to_session, from_server = anyio.create_memory_object_stream[SessionMessage | Exception](math.inf)
    to_server, from_session = anyio.create_memory_object_stream[SessionMessage](math.inf)
    clean = False
    try:
        with unwrapped():
            async with anyio.create_task_group() as tg, contextlib.AsyncExitStack() as transport:
                tg.start_soon(pump.read_stdout, to_session)
                tg.start_soon(pump.read_stderr)
                if spec.endpoint is None:
                    tg.start_soon(pump.write_stdin, from_session)
                else:
                    client = _http_client(spec.socket) if spec.socket is not None else None
                    if client is not None:
                        await transport.enter_async_context(client)
                    read, write = await transport.enter_async_context(
                        streamable_http_client(spec.endpoint, http_client=client)
                    )
                    tg.start_soon(pump.relay, read, to_session)
                    tg.start_soon(pump.forward, from_session, write)
                    tg.start_soon(pump.watch_exit)
                async with (
                    from_server,
                    to_server,
                    ClientSession(from_server, to_server, client_info=_CLIENT) as session,
                ):
                    server = Server(owner, pump, Client(session, pump, owner, spec, tg))
                    yield server
                await transport.aclose()
                with anyio.CancelScope(shield=True):
                    server.shutdown = await _stop(owner, pump, http=spec.endpoint is not None)
                clean = True
                tg.cancel_scope.cancel()
    finally:
        with anyio.CancelScope(shield=True):
            if not clean:
                owner.kill()
                await owner.exited_within(TERM_GRACE)
            await process.aclose()
            keeper.close()


async def _start(spec: LaunchSpec) -> tuple[Process, Keeper]:
    """The server started with a client's environment, its family held by the platform's keeper."""
    env = get_default_environment() | spec.env
    keeper = Keeper()
    process: Process | None = None
    try:
        process = await anyio.open_process(
            keeper.command([*spec.wrapper, *spec.command]),
            env=env,
            cwd=spec.cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            **keeper.options(),
        )
        await keeper.started(process, env, spec.cwd)
    except BaseException as error:  # a cancellation too: nothing started may outlive this
        with anyio.CancelScope(shield=True):
            if process is not None:
                keeper.end(process)
                await process.aclose()
            keeper.close()
        if isinstance(error, OSError):
            raise LaunchError("MV205", f"cannot start {spec.command[0]}: {error.strerror or error}") from None
        raise
    return process, keeper


async def _stop(owner: _Process, pump: _Pump, *, http: bool = False) -> Shutdown:
    """Stop the server as a client does, then read stdout to its end: a buffered print() arrives now."""
    pump.phase = "shutdown"
    mark = pump.stderr_total

    async def close_stdin() -> None:
        assert owner.process.stdin is not None
        await owner.process.stdin.aclose()

    how, seconds, survivors = await owner.stop(close_stdin, http=http)
    await pump.drain()
    return Shutdown(
        how=how,
        seconds=round(seconds, 3),
        returncode=owner.returncode,
        survivors=tuple(survivors),
        last_words=last_words(pump.stderr_since(mark)),
    )


async def protocol_matrix(spec: LaunchSpec) -> list[dict[str, str | bool]]:
    """Start the server once per protocol version the client library can handshake with, and offer it.

    A server may answer with another version it supports (the spec's counter-offer): that is
    recorded, not judged. A server that fails on an offered version is recorded with the reason.
    """
    rows: list[dict[str, str | bool]] = []
    for version in HANDSHAKE_PROTOCOL_VERSIONS:
        try:
            async with launch(spec) as server:
                answered = await server.client.offer(version)
            rows.append({"offered": version, "answered": answered, "accepted": answered == version})
        except VerifyError as error:
            rows.append({"offered": version, "answered": "", "accepted": False, "error": error.message})
    return rows
