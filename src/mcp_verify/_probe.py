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
import re
import signal
import socket
import subprocess
from collections import deque
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import httpx2
import mcp_types as types
import psutil
from mcp.client.auth.utils import (
    build_protected_resource_metadata_discovery_urls,
    extract_resource_metadata_from_www_auth,
)
from mcp.client.session import DISCOVER_TIMEOUT_SECONDS, ClientSession
from mcp.client.stdio import get_default_environment
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import MCP_DEFAULT_SSE_READ_TIMEOUT, MCP_DEFAULT_TIMEOUT
from mcp.shared.auth_utils import check_resource_allowed
from mcp.shared.exceptions import MCPError
from mcp.shared.message import SessionMessage
from mcp_types import (
    CLIENT_CAPABILITIES_META_KEY,
    CLIENT_INFO_META_KEY,
    CONNECTION_CLOSED,
    METHOD_NOT_FOUND,
    PROTOCOL_VERSION_META_KEY,
    REQUEST_TIMEOUT,
    UNSUPPORTED_PROTOCOL_VERSION,
)
from mcp_types.methods import validate_server_result
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, LATEST_MODERN_VERSION, MODERN_PROTOCOL_VERSIONS
from pydantic import ValidationError

from ._compat import unwrapped
from ._diagnose import last_words
from ._eras import choose, supported
from ._exceptions import HandshakeError, LaunchError, ListError, ServerExited, VerifyError
from ._platform import Keeper, kill_group, terminate_group
from ._types import (
    EXERCISE_VERBS,
    LEGACY,
    MODERN,
    AuthDoor,
    CallResult,
    Discovery,
    Exercised,
    HttpDoors,
    Listing,
    ListProblem,
    Shutdown,
    StrayLine,
)
from ._version import __version__

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence

    from anyio.abc import Process, TaskGroup
    from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
    from mcp.shared._stream_protocols import ReadStream, WriteStream

    from ._types import Call, JSONDict, LaunchSpec

    Exercise = Callable[[], Awaitable[Exercised]]

T = TypeVar("T")

BUSY_GRACES = 2
"""How many more graces a server still busy exiting gets before SIGTERM."""
BUSY_CPU = 0.05
"""CPU seconds within a grace that show a server at work (exiting), not waiting."""
EOF_GRACE = 2.0
"""Seconds a server gets to exit after its stdin closes (the MCP SDK's own grace period)."""
TERM_GRACE = 2.0
"""Seconds between SIGTERM and SIGKILL."""
DRAIN_GRACE = 2.0
"""Seconds to read what is left on stdout after the server exited (a child may hold the pipe)."""
MAX_LINE = 32 * 1024 * 1024
"""The longest stdout line read; the rest of a longer one is skipped (MV206)."""
KEPT_STRAY = 4096
"""How much of a stray stdout line is kept (the report quotes far less)."""
MAX_STRAYS = 100
"""How many stray stdout lines are kept; the rest are only counted."""
_PARSED_STRAY = 64 * 1024
_BUFFERED_TEXT = 1024 * 1024
"""A line that cannot be a message is read no further than this: its start is all that is kept of it."""
_HTTP_BODY_KEPT = 64 * 1024
PING_LIMIT = 5.0
"""Seconds a server gets to answer ping; an unanswered ping is a warning, not a failure."""
LIST_ALLOWANCE = 5.0
"""Seconds each list call gets even when the start-up time is used up, so one cannot starve the others."""
GARBAGE_GRACE = 1.0
"""After JSON that is not JSON-RPC, how long the real answer may still take."""
EXIT_GRACE = 1.0
"""How long a server whose connection dropped gets to be seen exiting."""
DISCOVER_LIMIT = DISCOVER_TIMEOUT_SECONDS
"""How long a current client waits for the answer to ``server/discover`` before it falls back (the mcp client's)."""
UNKNOWN_VERSION = "2099-01-01"
"""A protocol version no server supports, to see whether a modern server reads the version in ``_meta``."""
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
    """What the server said about itself when the connection was made: its initialize result, or (modern) its
    discover result, where name and version are optional."""

    era: str
    name: str | None
    version: str | None
    protocol_version: str
    capabilities: dict[str, Any]
    instructions: str | None


@dataclass
class Session:
    """What one conversation with a server found, whatever happened later."""

    handshake: Handshake | None = None
    discovery: Discovery | None = None
    """What ``server/discover`` got, when the connection opened with it."""
    fallback: str | None = None
    """Why the connection fell back to the handshake, when it did."""
    listing: Listing | None = None
    list_problems: list[ListProblem] = field(default_factory=list)
    results: list[tuple[str, JSONDict]] = field(default_factory=list)
    """(method, result as sent) of each result of a modern connection."""
    version_check: str | None = None
    """What a request naming an unsupported version in its ``_meta`` got (modern connections)."""
    listening: tuple[str, ...] = ()
    """Streamable HTTP: the addresses the server listens on, for its port."""
    foreign_host: str | None = None
    """Streamable HTTP: what a request with a proxy's Host header got."""
    door: AuthDoor | None = None
    """Streamable HTTP: the authorization door of a server that answered 401."""
    ping: str | None = None
    """Why ping was not answered; None when it was (or when it was not sent: modern connections have none)."""
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
        elif not await self._exited_on_eof():
            how = await self._terminate("sigterm")
        seconds = anyio.current_time() - started
        survivors = [f"{pid} {command}" for pid, command in sorted(self.keeper.left().items())]
        self.kill()
        return how, seconds, survivors

    async def _exited_on_eof(self) -> bool:
        """Whether it exits within the grace clients give after stdin EOF. A server still using the CPU when the
        grace ends is exiting, only slowly on a loaded machine: it gets the grace again, twice at most (a
        server that ignores EOF sits idle, and gets SIGTERM when the first grace ends)."""
        used = _cpu_seconds(self.pid)
        for _ in range(1 + BUSY_GRACES):
            if await self.exited_within(EOF_GRACE):
                return True
            now = _cpu_seconds(self.pid)
            if used is None or now is None or now - used < BUSY_CPU:
                return False
            used = now
        return False

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
        self.errors: dict[Any, types.ErrorData] = {}
        """The error of each error response, by request id: the server's own, whatever its code."""
        self.stray_count = 0
        """Lines that are not JSON-RPC messages, kept or not."""
        self.garbage = 0
        """Of those, the ones that are JSON (an answer the server meant, unreadable to a client)."""
        self.last_stray: StrayLine | None = None
        self.http_errors: list[str] = []
        """Streamable HTTP: each refusal (status 400 and up) of a request, in words."""
        self.challenges: list[str] = []
        """Streamable HTTP: the WWW-Authenticate header of each 401 ("" when there was none)."""
        self.redirects: list[str] = []
        """Streamable HTTP: each redirect answered to a request, in words (the mcp client follows none off its URL)."""
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
                        with memoryview(buffer) as view:
                            line = bytes(view[:end])  # one copy, however long the line
                        del buffer[: end + 1]
                        searched = 0
                        await self._take(line, to_session)
                    searched = len(buffer)
                    if searched > MAX_LINE:
                        self.oversized.append(self.phase)
                        buffer.clear()
                        searched, skipping = 0, True
                        self._alarm()
                    elif searched > _BUFFERED_TEXT and not _may_be_message(buffer):
                        self._received(bytes(buffer[:KEPT_STRAY]), cut=True)  # text, never a message: skip the rest
                        buffer.clear()
                        searched, skipping = 0, True
                if buffer and not skipping:
                    await self._take(bytes(buffer), to_session)
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                pass
            finally:
                self.eof.set()
                self._alarm()

    async def _take(self, raw: bytes, to_session: MemoryObjectSendStream[SessionMessage | Exception]) -> None:
        """One line of stdout: a JSON-RPC message goes on to the session; anything else is kept as a stray,
        only its first ``KEPT_STRAY`` characters and only the first ``MAX_STRAYS`` of them, so that memory
        stays bounded whatever the server writes."""
        raw = raw.removesuffix(b"\r")
        if not raw or raw.isspace():
            return
        message = _message(raw) if self.protocol else None
        if message is None:
            self._received(raw)
            return
        self.received.append(shorten(raw[:_SHOWN_LINE].decode("utf-8", errors="replace")))
        self.received_message(message)
        with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
            await to_session.send(SessionMessage(message))  # after the session, stdout is still read to its end

    def _received(self, raw: bytes, *, cut: bool = False) -> None:
        """A line that is not a JSON-RPC message (``cut``: only its start was read): over stdio a stray,
        counted, and kept (a bounded prefix) while there is room; over HTTP only the server's log."""
        self.received.append(shorten(raw[:_SHOWN_LINE].decode("utf-8", errors="replace")))
        if not self.protocol:
            return
        self.stray_count += 1
        shaped = _is_json(raw) and not cut
        text = raw[:KEPT_STRAY].decode("utf-8", errors="replace")
        self.last_stray = StrayLine(text + ("…" if cut or len(raw) > KEPT_STRAY else ""), self.phase, shaped)
        if len(self.strays) < MAX_STRAYS:
            self.strays.append(self.last_stray)
        if shaped:
            self.garbage += 1
            self._alarm()

    def first_stray(self, after: int, *, json: bool = False) -> str:
        """The text of the first stray line (of JSON, with ``json``) after the ``after``-th, as far as one was kept."""
        kept = [stray for stray in self.strays[after:] if stray.is_json or not json]
        chosen = kept[0] if kept else self.last_stray
        return chosen.text if chosen is not None else ""

    def received_message(self, message: types.JSONRPCMessage) -> None:
        """A protocol message from the server: the server is up, and a response's raw result (or error) is kept."""
        if isinstance(message, types.JSONRPCResponse):
            self.results[message.id] = message.result
        elif isinstance(message, types.JSONRPCError) and message.id is not None:
            self.errors[message.id] = message.error
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

    def http_client(self, socket: str | None) -> httpx2.AsyncClient:
        """Streamable HTTP: the mcp transport's client, with the server's refusals noted as they come (the
        transport turns an HTTP error into a JSON-RPC error that no longer says which)."""
        timeout = httpx2.Timeout(MCP_DEFAULT_TIMEOUT, read=MCP_DEFAULT_SSE_READ_TIMEOUT)
        return http_client(socket, timeout, {"response": [self._http_response]})

    async def _http_response(self, response: httpx2.Response) -> None:
        request = response.request
        method = request.headers.get("mcp-method") or _method_of(request)
        if response.is_redirect:
            self.redirects.append(f"HTTP {response.status_code} to {response.headers.get('location', '?')}")
        if response.status_code == 401:
            self.challenges.append(response.headers.get("www-authenticate", ""))
        if response.status_code < 400:
            return
        if _NO_RESPONSE in response.headers:
            self.http_errors.append(f"{method}: no HTTP response ({response.headers[_NO_RESPONSE]})")
            return
        said = ""
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) <= _HTTP_BODY_KEPT:
            said = (await response.aread()).decode("utf-8", errors="replace").strip()
        if isinstance(_message(said.encode()), types.JSONRPCError):
            return  # a JSON-RPC error at an HTTP error status is the server's answer, and reaches the session as one
        sessionless = "session" in said.lower() and "mcp-session-id" not in request.headers
        self.http_errors.append(
            f"{method} → HTTP {response.status_code} ({shorten(said) or response.reason_phrase})"
            + (", sent without Mcp-Session-Id" if sessionless else "")
        )

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


_NO_RESPONSE = "x-mcp-verify-no-response"
_NOT_JSON = "Unexpected content type: "


class _Answering(httpx2.AsyncBaseTransport):
    """The HTTP transport, with a request that gets no HTTP response (the connection dropped, headers too large
    to read, a protocol error) answered 502 and marked, so that it fails alone, as a request the server
    refused does, instead of tearing down the mcp client's transport."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        try:
            return await self.inner.handle_async_request(request)
        except httpx2.TransportError as error:
            what = f"{type(error).__name__}: {shorten(str(error) or 'no detail')}"
            return httpx2.Response(502, headers={_NO_RESPONSE: what}, request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _may_be_message(raw: bytes | bytearray) -> bool:
    """Whether a line could be a JSON-RPC message: an object (decided from its start)."""
    return raw[:_SHOWN_LINE].lstrip().startswith(b"{")


def _cpu_seconds(pid: int) -> float | None:
    """The CPU time a process has used so far (None: it is gone)."""
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return None
    return float(times.user + times.system)


def _message(raw: bytes) -> types.JSONRPCMessage | None:
    """The JSON-RPC message a line holds, or None; a line that cannot be one is not parsed at all, and nesting
    deeper than a client reads is no message either (the parser's own bound, never Python's recursion)."""
    if not _may_be_message(raw):
        return None
    try:
        return types.jsonrpc_message_adapter.validate_json(raw, by_name=False)
    except (ValidationError, ValueError, RecursionError):
        return None


def _is_json(raw: bytes) -> bool:
    """Whether a stray line is JSON (what a server meant as an answer, as opposed to a log line). A short line
    is parsed; a long one is judged by its ends, so that no size or depth makes the question expensive."""
    if len(raw) > _PARSED_STRAY:
        ends = raw[:_SHOWN_LINE].lstrip()[:1], raw[-_SHOWN_LINE:].rstrip()[-1:]
        return ends in {(b"{", b"}"), (b"[", b"]")}
    try:
        json.loads(raw)
    except ValueError:
        return False
    except RecursionError:
        return True  # brackets nested deeper than Python recurses: JSON in intent
    return True


# the protocol ------------------------------------------------------------------------------------


@dataclass
class _Opening:
    """A request sent in the background (the one a connection opens with, or its fallback) and its answer."""

    done: anyio.Event = field(default_factory=anyio.Event)
    result: Any = None
    error: Exception | None = None
    refused: int = 0
    """How many HTTP refusals had been seen when it was sent."""


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
        self.mode = spec.era
        self.found = Session()
        self._group = group
        self._openings: dict[str, _Opening] = {}
        self._refusals = 0

    async def _watch(
        self, step: str, what: str, operation: Callable[[], Awaitable[T]], deadline: float, *, silence_ok: bool = False
    ) -> T | None:
        """Run one request until it is answered, the server exits or misbehaves, or ``deadline`` passes.

        ``silence_ok``: a server still running and silent at the deadline is no failure of this step (None).
        """
        pump = self.pump
        pump.phase = step
        if pump.eof.is_set():
            raise await self.exited(step)
        strays, garbage, oversized, troubles = pump.stray_count, pump.garbage, len(pump.oversized), pump.troubles
        sent, refused = len(pump.sent), len(pump.http_errors)
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
                if pump.garbage > garbage:
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
            raise _Answered(_with_refusal(failure[0], pump.http_errors[refused:]))
        # the mcp client's code for a closed connection is also the usual "server error": the server's own
        # error response, when there is one, is what it said
        answered = next((pump.errors[key] for key, _ in pump.sent[sent:] if key in pump.errors), None)
        if failure and answered is not None:
            raise _Answered(MCPError.from_error_data(answered))
        error_type = _ERRORS.get(step, VerifyError)
        if len(pump.oversized) > oversized:
            raise error_type(
                "MV206",
                f"the server wrote a line of more than {MAX_LINE // (1024 * 1024)} MiB on stdout while {what} "
                "was awaited; it was not read",
                step=step,
            )
        if pump.eof.is_set() or failure:
            raise await self.exited(step)
        if pump.garbage > garbage:
            raise error_type(
                "MV302",
                f"the server answered {what} with JSON that is not a JSON-RPC message: "
                f"{shorten(pump.first_stray(strays, json=True))}",
                step=step,
            )
        if silence_ok and pump.stray_count == strays:
            return None
        if pump.stray_count > strays:
            raise error_type(
                "MV204",
                f"the server wrote non-JSON-RPC text to stdout ({shorten(pump.first_stray(strays))!r}) and never "
                f"answered {what} within {self.spec.timeout:g} s; stdout is reserved for the MCP protocol",
                step=step,
            )
        seen = f"; it wrote on stdout: {' | '.join(pump.received)}" if pump.received else "; it wrote nothing on stdout"
        raise error_type(
            "MV301",
            f"timed out after {self.spec.timeout:g} s in the {step} step: {what} went unanswered{seen}",
            step=step,
        )

    async def exited(self, step: str) -> ServerExited:
        await self.process.exited_within(EXIT_GRACE)
        await anyio.sleep(0.05)  # let the stderr reader take the last words
        ended = describe_exit(self.process.returncode)
        return ServerExited(
            step, f"{ended} {_WHEN.get(step, 'while ' + step)}", self.process.returncode, self.pump.stderr
        )

    # the handshake

    async def started(self) -> None:
        """The launch step: send the opening request at once, as a client does (``server/discover``, or
        ``initialize`` in legacy mode), and wait for the server's first JSON-RPC message (normally its answer).

        In ``auto`` mode, a probe that gets no JSON-RPC answer (silence, garbage) is followed by ``initialize``
        as a current client falls back; only a server that answers neither fails here, as before there were
        eras. What the probe got is judged by ``connect``."""
        if self.spec.port is not None:
            port = self.spec.port
            accepting = partial(_accepting, port, self.spec.socket)
            await self._watch("launch", f"a connection on port {port}", accepting, self.deadline)
            self.found.listening = listening(self.process.pid, port)
        if self.mode == LEGACY:
            self._open("initialize", self.session.initialize)
            await self._watch("launch", "initialize", self.pump.answered.wait, self.deadline, silence_ok=True)
            return
        self._open("server/discover", partial(self.session.send_discover, LATEST_MODERN_VERSION))
        mark = self.pump.stray_count
        try:
            await self._watch(
                "launch", "server/discover", self.pump.answered.wait, self._probe_deadline, silence_ok=True
            )
        except ServerExited as exited:
            self.found.discovery = _exited_probe(exited)
            raise
        except VerifyError as error:
            if self.mode == MODERN:
                raise
            self.found.discovery = _failed_probe(error, self.pump.first_stray(mark))
        if self.pump.answered.is_set() or self.mode == MODERN:
            return
        self.found.discovery = self.found.discovery or _silent_probe()
        self._open("initialize", self.session.initialize)
        await self._watch("launch", "initialize", self.pump.answered.wait, self._allowance(), silence_ok=True)

    def _open(self, method: str, request: Callable[[], Awaitable[Any]]) -> None:
        """Send a request in the background (the opening one, or the fallback); its answer is kept for later."""
        opening = self._openings[method] = _Opening(refused=len(self.pump.http_errors))

        async def send() -> None:
            try:
                opening.result = await request()
                if self.found.startup_seconds is None:
                    self.found.startup_seconds = round(anyio.current_time() - self.process.spawned, 3)
            except (MCPError, ValidationError, RuntimeError) as error:  # judged later, with the server's side
                opening.error = error
            finally:
                opening.done.set()

        self._group.start_soon(send)

    async def _opened(self, method: str, deadline: float) -> Any:
        """A background request's answer: its result, or the failure the watchdog or the session saw."""
        opening = self._openings[method]
        await self._watch("handshake", method, opening.done.wait, deadline)
        if isinstance(opening.error, MCPError) and opening.error.code == CONNECTION_CLOSED:
            raise await self.exited("handshake")
        if opening.error is not None:
            raise _Answered(_with_refusal(opening.error, self.pump.http_errors[opening.refused :]))
        return opening.result

    async def connect(self) -> Handshake:
        """The handshake step, as a current client makes it (``mcp/client/_probe.py``): the discover answer
        adopted when it is positive evidence of a modern server sharing a version, else the handshake;
        in ``legacy`` or ``modern`` mode, that era alone."""
        if self.mode == LEGACY:
            try:
                return self._handshaken(await self._opened("initialize", self.deadline))
            except _Answered as answered:
                raise HandshakeError("MV303", f"the initialize handshake failed: {_problem(answered.cause)}") from None
        discovery = self.found.discovery = self.found.discovery or await self._discovered()
        choice = choose(discovery)
        if choice.era == MODERN and choice.result is not None:
            return self._adopt(choice.result)
        if self.mode == MODERN or choice.era is None:
            raise HandshakeError("MV307", f"no modern connection: {choice.reason}")
        if discovery.outcome == "exited":
            raise await self.exited("handshake")
        self.found.fallback = choice.reason
        return await self._fall_back()

    def _allowance(self) -> float:
        """The deadline, or a few seconds from now if it has passed: a request sent late still gets a chance."""
        return max(self.deadline, self._soon(LIST_ALLOWANCE))

    def _soon(self, seconds: float) -> float:
        """A deadline ``seconds`` from now, and never further than ``--timeout``."""
        return anyio.current_time() + min(seconds, self.spec.timeout)

    @property
    def _probe_deadline(self) -> float:
        """When a current client gives up waiting for the answer to ``server/discover`` (and falls back)."""
        return min(self.deadline, self.process.spawned + DISCOVER_LIMIT)

    async def _discovered(self) -> Discovery:
        """What the server did with the probe, waited for as long as a current client waits."""
        try:
            raw = await self._opened("server/discover", self._probe_deadline + 1)
        except _Answered as answered:
            refused = self.pump.http_errors[:1]
            if refused and "no HTTP response" in refused[0] and await self.process.exited_within(EXIT_GRACE):
                return _exited_probe(await self.exited("handshake"))  # over HTTP, a server's death reads as a refusal
            found = _answered_probe(answered.cause)
            return replace(found, message=f"refused: {refused[0]}") if refused else found
        except ServerExited as exited:
            return _exited_probe(exited)
        except VerifyError as error:
            return _failed_probe(error, self.pump.last_stray.text if self.pump.last_stray else "")
        return _result_probe(raw)

    def _adopt(self, result: types.DiscoverResult) -> Handshake:
        """Connect in the modern era: from now on every request carries its version in ``_meta``."""
        self.session.adopt(result)
        self._refusals = len(self.pump.http_errors)
        discovery = self.found.discovery
        if discovery is not None and discovery.result is not None:
            self.found.results.append(("server/discover", discovery.result))
        info = self.session.server_info
        self.found.handshake = handshake = Handshake(
            era=MODERN,
            name=info.name if info else None,
            version=info.version if info else None,
            protocol_version=self.session.protocol_version or LATEST_MODERN_VERSION,
            capabilities=result.capabilities.model_dump(by_alias=True, mode="json", exclude_none=True),
            instructions=result.instructions,
        )
        return handshake

    async def _fall_back(self) -> Handshake:
        """The handshake on the same connection, as a current client falls back; a server that answers it with
        -32022 was locked modern by a late answer to the probe, and is probed once more (as the client does)."""
        limit = self._allowance()
        if "initialize" not in self._openings:
            self._open("initialize", self.session.initialize)
        try:
            result = await self._opened("initialize", limit)
        except _Answered as answered:
            cause = answered.cause
            refused = isinstance(cause, MCPError) and cause.code == UNSUPPORTED_PROTOCOL_VERSION
            late = supported(cause.error.data) if isinstance(cause, MCPError) and refused else []
            if not any(version in MODERN_PROTOCOL_VERSIONS for version in late):
                raise HandshakeError("MV303", f"the initialize handshake failed: {_problem(answered.cause)}") from None
            probe = partial(self.session.send_discover, late[-1])
            raw = await self._watch("handshake", "server/discover", probe, limit)
            self.found.discovery = Discovery("result", "answered late, after the handshake was sent", late[-1], raw)
            self.found.fallback = None
            return self._adopt(types.DiscoverResult.model_validate(raw))
        return self._handshaken(result)

    def _handshaken(self, result: types.InitializeResult) -> Handshake:
        self.found.handshake = handshake = Handshake(
            era=LEGACY,
            name=result.server_info.name,
            version=result.server_info.version,
            protocol_version=result.protocol_version,
            capabilities=result.capabilities.model_dump(by_alias=True, mode="json", exclude_none=True),
            instructions=result.instructions,
        )
        return handshake

    @property
    def refusals(self) -> list[str]:
        """Streamable HTTP: what the server refused on the modern connection, at the HTTP layer."""
        return self.pump.http_errors[self._refusals :] if self.era == MODERN else []

    @property
    def doors(self) -> HttpDoors | None:
        """Streamable HTTP: where the server listens, the Host it answers, its redirects, its door (None: stdio)."""
        if self.spec.endpoint is None:
            return None
        found = self.found
        return HttpDoors(found.listening, found.foreign_host, tuple(self.pump.redirects), found.door)

    @property
    def era(self) -> str | None:
        handshake = self.found.handshake
        return handshake.era if handshake is not None else None

    @property
    def capabilities(self) -> dict[str, Any]:
        """What the server advertised (nothing, before it connected)."""
        handshake = self.found.handshake
        return handshake.capabilities if handshake is not None else {}

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

    async def probe(self, version: str) -> Discovery:
        """``server/discover`` naming one version, on a server started for it (``--protocols``)."""
        try:
            raw = await self._watch(
                "handshake", "server/discover", partial(self.session.send_discover, version), self.deadline
            )
        except _Answered as answered:
            return _answered_probe(answered.cause, version)
        return _result_probe(raw, version)

    async def check_version(self) -> None:
        """A modern server must judge each request by the version its ``_meta`` names: one naming a version no
        server supports must be refused (-32022), not answered as if it were valid."""
        limit = self._soon(PING_LIMIT)
        request = partial(self.session.send_discover, UNKNOWN_VERSION)
        try:
            await self._watch("handshake", "server/discover", request, limit)
        except _Answered as answered:
            self.found.version_check = f"refused it: {_problem(answered.cause)}"
            return
        except VerifyError as error:
            self.found.version_check = f"did not answer it: {error.message}"
            return
        self.found.version_check = "answered it as if it were supported"

    async def foreign_host(self) -> None:
        """Streamable HTTP: ``server/discover`` sent with the Host a reverse proxy forwards (a public name): a
        local server may refuse it (DNS rebinding protection), a deployed one behind a proxy must not."""
        assert self.spec.endpoint is not None
        headers = {
            "Host": FOREIGN_HOST,
            "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": LATEST_MODERN_VERSION,
            "Mcp-Method": "server/discover",
        }
        body = {"jsonrpc": "2.0", "id": "mcp-verify-host", "method": "server/discover", "params": _envelope()}
        async with (
            http_client(self.spec.socket, httpx2.Timeout(PING_LIMIT)) as client,
            client.stream("POST", self.spec.endpoint, json=body, headers=headers) as got,
        ):
            said = await _short_body(got)
        refused = got.status_code == 421
        status = f"HTTP {got.status_code}" + (f" ({shorten(said)})" if said and refused else "")
        self.found.foreign_host = f"refused with {status}" if refused else f"answered {status}"

    async def authorization_door(self) -> AuthDoor:
        """Streamable HTTP, after a 401: the protected-resource metadata a client looks for, where it looks
        (the challenge's ``resource_metadata``, then the path-suffixed well-known URL, then the root one),
        and whether its ``resource`` covers the server's URL (the mcp client's own rules). Never logs in."""
        url = self.spec.endpoint or ""
        challenge = self.pump.challenges[0]
        named = extract_resource_metadata_from_www_auth(httpx2.Response(401, headers={"WWW-Authenticate": challenge}))
        tried: list[tuple[str, str]] = []
        async with http_client(self.spec.socket, httpx2.Timeout(PING_LIMIT)) as client:
            for candidate in build_protected_resource_metadata_discovery_urls(named, url):
                document, said = await _metadata(client, candidate)
                tried.append((candidate, said))
                if document is not None:
                    resource = document.get("resource")
                    allowed = isinstance(resource, str) and check_resource_allowed(url, resource)
                    return AuthDoor(url, challenge, named, tuple(tried), document, allowed)
        return AuthDoor(url, challenge, named, tuple(tried))

    async def ping(self) -> None:
        """Ping once everything is listed (handshake connections only: the modern era has no ping): a server
        that does not answer gets a warning, and the run goes on."""
        if self.era != LEGACY:
            return
        limit = self._soon(PING_LIMIT)
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

    async def listed(self) -> tuple[Handshake, Listing]:
        """Launch, handshake and list in turn, for a look at a server beside the verification's own connection."""
        await self.started()
        handshake = await self.connect()
        return handshake, await self.list_all()

    async def _list(self, method: str, key: str) -> list[JSONDict]:
        """Follow pagination to the end (a cursor seen twice would loop forever: stop there)."""
        found: list[JSONDict] = []
        cursor: str | None = None
        seen: set[str] = set()
        limit = self._allowance()
        for _ in range(_MAX_PAGES):
            params = types.PaginatedRequestParams(cursor=cursor) if cursor else None
            sent = len(self.pump.sent)
            operation = partial(self.session.send_request, _REQUESTS[method](params=params), types.Result)
            rejected: ValidationError | None = None
            try:
                await self._watch("list", method, operation, limit)
            except _Answered as answered:
                if isinstance(answered.cause, ValidationError):
                    rejected = answered.cause  # the page is still read, as far as it can be
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
            page = self.pump.raw_result(method, sent)
            found += _items(page, key)
            self._keep(method, page)
            if rejected is not None and not _envelope_only(rejected):  # one without its envelope: the era's rules judge
                self.found.list_problems.append(_rejected(method, key, page, rejected))
            cursor = page.get("nextCursor") if isinstance(page, dict) else None
            if not isinstance(cursor, str) or not cursor or cursor in seen:
                break
            seen.add(cursor)
        return found

    def _keep(self, method: str, page: Any) -> None:
        """A result of a modern connection, kept whole for the rules of its envelope (resultType, cache hints)."""
        if self.era == MODERN and isinstance(page, dict):
            self.found.results.append((method, page))

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
        request = types.ReadResourceRequest(params=types.ReadResourceRequestParams(uri=uri))
        return (await self._exercised("resource", uri, request))[1]

    async def get(self, prompt: JSONDict) -> Exercised:
        """``prompts/get``, every required argument filled with a placeholder, as a user fills a form."""
        name = str(prompt.get("name"))
        arguments = {
            str(argument["name"]): "example"
            for argument in prompt.get("arguments") or []
            if isinstance(argument, dict) and argument.get("required") and isinstance(argument.get("name"), str)
        }
        request = types.GetPromptRequest(params=types.GetPromptRequestParams(name=name, arguments=arguments or None))
        return (await self._exercised("prompt", name, request))[1]

    def exercise_plan(self, listing: Listing) -> list[tuple[str, Exercise]]:
        """What ``--exercise`` asks of this connection, in order, each with its step's name: every static resource
        read, every prompt got, one instantiation of each resource template read, a completion asked for each
        prompt's first argument (where completions are advertised), what only the handshake era has (on a
        handshake connection), and last a method no server has."""
        completing = "completions" in self.capabilities
        prompts = {name: item for item in listing.prompts if isinstance(name := item.get("name"), str)}
        plan: list[tuple[str, Exercise]] = [
            *((f"read {uri}", partial(self.read, uri)) for uri in _named(listing.resources, "uri")),
            *((f"get {name}", partial(self.get, prompt)) for name, prompt in prompts.items()),
            *(
                (f"read {template}", partial(self.read_template, template, completing=completing))
                for template in _named(listing.resource_templates, "uriTemplate")
            ),
        ]
        for name, prompt in prompts.items() if completing else ():
            argument = next(iter(_named(prompt.get("arguments") or [], "name")), None)
            if argument is not None:
                ref = types.PromptReference(type="ref/prompt", name=name)
                plan.append((f"complete {name} {argument}", partial(self._completed, ref, argument)))
        if self.era == LEGACY:
            plan += self.handshake_era_plan(listing)
        plan.append((f"call {UNKNOWN_METHOD}", self.unknown))
        return plan

    def handshake_era_plan(self, listing: Listing) -> list[tuple[str, Exercise]]:
        """What only the handshake era has: resources/subscribe (where advertised) and logging/setLevel."""
        capabilities = self.capabilities
        resources, uris = capabilities.get("resources"), _named(listing.resources, "uri")
        plan: list[tuple[str, Exercise]] = []
        if isinstance(resources, dict) and resources.get("subscribe") and uris:
            plan.append((f"subscribe {uris[0]}", partial(self.subscribe, uris[0])))
        if "logging" in capabilities:
            plan.append(("logging/setLevel info", self.set_level))
        return plan

    async def _exercised(self, kind: str, name: str, request: Any, *, guessed: bool = False) -> tuple[Any, Exercised]:
        """One request of ``--exercise``: its raw result and what it came to."""
        started = anyio.current_time()
        raw, problem = await self._request(f"{EXERCISE_VERBS[kind]} {name}", f"{request.method} {name}", request)
        result = raw if isinstance(raw, dict) else None
        return raw, Exercised(kind, name, round(anyio.current_time() - started, 3), problem, guessed, result=result)

    async def complete(
        self, ref: types.PromptReference | types.ResourceTemplateReference, argument: str
    ) -> tuple[list[str], Exercised]:
        """``completion/complete`` of an argument (empty so far): the values offered, and how it went."""
        params = types.CompleteRequestParams(ref=ref, argument=types.CompletionArgument(name=argument, value=""))
        name = f"{ref.name if isinstance(ref, types.PromptReference) else ref.uri} {argument}"
        raw, item = await self._exercised("completion", name, types.CompleteRequest(params=params))
        completion = raw.get("completion") if isinstance(raw, dict) else None
        values = completion.get("values") if isinstance(completion, dict) else None
        if item.error is None and not isinstance(values, list):
            item = replace(item, error="the result has no completion.values")
        return [str(value) for value in values or [] if isinstance(value, str)], item

    async def _completed(self, ref: types.PromptReference, argument: str) -> Exercised:
        return (await self.complete(ref, argument))[1]

    async def read_template(self, template: str, *, completing: bool) -> Exercised:
        """``resources/read`` of one instantiation of a resource template: each variable the first value the
        completion API offers for it, where the server advertises completions, else a placeholder."""
        values: dict[str, str] = {}
        for name in variables(template) if completing else ():
            ref = types.ResourceTemplateReference(type="ref/resource", uri=template)
            offered, _ = await self.complete(ref, name)
            if offered:
                values[name] = offered[0]
        guessed = set(values) != set(variables(template))
        uri = expand(template, values)
        request = types.ReadResourceRequest(params=types.ReadResourceRequestParams(uri=uri))
        _, item = await self._exercised("template", template, request, guessed=guessed)
        return replace(item, error=f"{uri}: {item.error}") if item.error else item

    async def subscribe(self, uri: str) -> Exercised:
        """``resources/subscribe`` then ``resources/unsubscribe`` of a listed resource (handshake era)."""
        request = types.SubscribeRequest(params=types.SubscribeRequestParams(uri=uri))
        _, item = await self._exercised("subscribe", uri, request)
        if item.error is None:
            undo = types.UnsubscribeRequest(params=types.UnsubscribeRequestParams(uri=uri))
            _, undone = await self._exercised("subscribe", uri, undo)
            item = replace(item, error=undone.error and f"resources/unsubscribe: {undone.error}")
        return item

    async def set_level(self) -> Exercised:
        """``logging/setLevel`` (handshake era; 2026-07-28 asks for logs per request instead)."""
        request = types.SetLevelRequest(params=types.SetLevelRequestParams(level="info"))
        return (await self._exercised("logging", "info", request))[1]

    async def unknown(self) -> Exercised:
        """A method no server has: the answer must be Method not found (-32601), not a crash or silence."""
        started = anyio.current_time()
        request = types.Request[types.RequestParams | None, str](method=UNKNOWN_METHOD, params=None)
        operation = partial(self.session.send_request, request, types.Result)
        limit = self._soon(PING_LIMIT)
        error: str | None = "answered with a result, as if the method existed"
        answered = True
        try:
            await self._watch(f"{EXERCISE_VERBS['unknown']} {UNKNOWN_METHOD}", UNKNOWN_METHOD, operation, limit)
        except _Answered as refused:
            code = refused.cause.code if isinstance(refused.cause, MCPError) else None
            error = None if code == METHOD_NOT_FOUND else f"answered {_problem(refused.cause)}, not -32601"
        except VerifyError as failed:
            error, answered = failed.message, False
        seconds = round(anyio.current_time() - started, 3)
        return Exercised("unknown", UNKNOWN_METHOD, seconds, error, answered=answered)


UNKNOWN_METHOD = "mcp-verify/no-such-method"


def _named(items: object, key: str) -> list[str]:
    """The ``key`` of each item of a listed array that has one."""
    found = [item.get(key) for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    return [value for value in found if isinstance(value, str) and value]


def expand(template: str, values: Mapping[str, str]) -> str:
    """An RFC 6570 URI template with ``values`` put in (each variable's value as given, operators honoured)."""

    def one(match: re.Match[str]) -> str:
        expression = match.group(1)
        operator = expression[:1] if expression[:1] in "+#./;?&" else ""
        names = [name.rstrip("*").split(":")[0] for name in expression[len(operator) :].split(",")]
        filled = [(name, values.get(name, "example")) for name in names]
        if operator in {"?", "&", ";"}:
            joined = ("&" if operator != ";" else ";").join(f"{name}={value}" for name, value in filled)
            return ("?" if operator == "?" else operator) + joined
        separator = {"": ",", "+": ",", "#": ",", ".": ".", "/": "/"}[operator]
        return ("" if operator in {"", "+"} else operator) + separator.join(value for _, value in filled)

    return _TEMPLATE_EXPRESSION.sub(one, template)


def variables(template: str) -> list[str]:
    """The variable names of a URI template, in order."""
    names = []
    for expression in _TEMPLATE_EXPRESSION.findall(template):
        body = expression[1:] if expression[:1] in "+#./;?&" else expression
        names += [name.rstrip("*").split(":")[0] for name in body.split(",")]
    return names


_TEMPLATE_EXPRESSION = re.compile(r"\{([^{}]*)\}")


_REQUESTS: dict[str, Any] = {
    "tools/list": types.ListToolsRequest,
    "prompts/list": types.ListPromptsRequest,
    "resources/list": types.ListResourcesRequest,
    "resources/templates/list": types.ListResourceTemplatesRequest,
}


FOREIGN_HOST = "mcp.example.com"
"""The Host a reverse proxy in front of the server would forward."""
_DOOR_BYTES = 64 * 1024


def http_client(
    socket: str | None, timeout: httpx2.Timeout, hooks: Mapping[str, list[Any]] | None = None
) -> httpx2.AsyncClient:
    """An HTTP client for the server: through the relay's UNIX socket under ``--sandbox`` (its network is
    private), and with a request that gets no HTTP response answered 502 and marked (``_Answering``)."""
    transport = _Answering(httpx2.AsyncHTTPTransport(uds=socket))
    return httpx2.AsyncClient(timeout=timeout, event_hooks=dict(hooks or {}), transport=transport)


async def _short_body(response: httpx2.Response) -> str:
    """The start of a response's body, read no further than needed."""
    kept = bytearray()
    async for chunk in response.aiter_bytes():
        kept += chunk
        if len(kept) >= _DOOR_BYTES:
            break
    return bytes(kept[:_DOOR_BYTES]).decode("utf-8", errors="replace").strip()


async def _metadata(client: httpx2.AsyncClient, url: str) -> tuple[JSONDict | None, str]:
    """A protected-resource metadata document, or why there is none at ``url``."""
    async with client.stream("GET", url, headers={"Accept": "application/json"}) as response:
        if _NO_RESPONSE in response.headers:
            return None, f"no HTTP response ({response.headers[_NO_RESPONSE]})"
        if response.status_code != 200:
            return None, f"HTTP {response.status_code}"
        text = await _short_body(response)
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None, "HTTP 200, not JSON"
    if not isinstance(document, dict):
        return None, "HTTP 200, not a JSON object"
    return document, "found"


def _envelope() -> JSONDict:
    """The ``params`` of a 2026-07-28 request: the version and this client in ``_meta``."""
    info = _CLIENT.model_dump(by_alias=True, mode="json", exclude_none=True)
    meta = {
        PROTOCOL_VERSION_META_KEY: LATEST_MODERN_VERSION,
        CLIENT_INFO_META_KEY: info,
        CLIENT_CAPABILITIES_META_KEY: {},
    }
    return {"_meta": meta}


def listening(pid: int, port: int) -> tuple[str, ...]:
    """The local addresses the process ``pid`` and its descendants listen on at ``port`` (none seen from
    outside a network namespace of its own)."""
    try:
        server = psutil.Process(pid)
        pids = {pid, *(child.pid for child in server.children(recursive=True))}
    except psutil.Error:
        return ()
    found = set()
    for connection in psutil.net_connections(kind="inet"):
        address = connection.laddr
        if connection.status == psutil.CONN_LISTEN and connection.pid in pids and getattr(address, "port", 0) == port:
            found.add(str(getattr(address, "ip", "")))
    return tuple(sorted(found))


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


def free_port() -> int:
    """A local port nothing listens on now, for a streamable HTTP server to take."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _items(page: Any, key: str) -> list[JSONDict]:
    values = page.get(key) if isinstance(page, dict) else None
    return [item for item in values if isinstance(item, dict)] if isinstance(values, list) else []


def _failed_probe(error: VerifyError, wrote: str) -> Discovery:
    """The probe went unanswered, or was answered with something that is not JSON-RPC (``wrote``)."""
    if error.code in {"MV204", "MV302", "MV206"}:
        return Discovery("garbage", f"it wrote {shorten(wrote)!r} on stdout, which is not JSON-RPC, and never answered")
    return _silent_probe()


def _result_probe(result: Any, version: str = LATEST_MODERN_VERSION) -> Discovery:
    return Discovery("result", "answered with a DiscoverResult", version, result=result)


def _silent_probe() -> Discovery:
    return Discovery("silent", f"no answer within {DISCOVER_LIMIT:g} s, as long as the mcp client waits for one")


def _exited_probe(exited: ServerExited) -> Discovery:
    ended = exited.message.removesuffix(" at start").removesuffix(" during the handshake")
    return Discovery("exited", f"the {ended} before it answered", LATEST_MODERN_VERSION)


def _answered_probe(cause: Exception, version: str = LATEST_MODERN_VERSION) -> Discovery:
    """The probe answered with a JSON-RPC error (or a result the client library cannot read)."""
    if isinstance(cause, MCPError) and cause.code == REQUEST_TIMEOUT:
        return _silent_probe()
    if isinstance(cause, MCPError) and cause.message.startswith(_NOT_JSON):  # the mcp HTTP transport's words
        return Discovery("garbage", f"it answered with {cause.message[len(_NOT_JSON) :]}, not JSON-RPC", version)
    if isinstance(cause, MCPError):
        error = cause.error.model_dump(mode="json", exclude_none=True)
        return Discovery("error", f"answered with {_problem(cause)}", version, error=error)
    return Discovery("error", _problem(cause), version)


def _not_found(error: Exception) -> bool:
    return isinstance(error, MCPError) and error.code == METHOD_NOT_FOUND


def _method_of(request: httpx2.Request) -> str:
    """The JSON-RPC method a POST carries (a handshake-era request names it only in its body)."""
    try:
        message = _message(request.content[:_HTTP_BODY_KEPT]) if request.method == "POST" else None
    except httpx2.RequestNotRead:  # a body still streaming: its method is not known here
        message = None
    return getattr(message, "method", None) or request.method


def _with_refusal(error: Exception, refusals: Sequence[str]) -> Exception:
    """Streamable HTTP: the mcp transport turns an HTTP refusal into a JSON-RPC error that no longer says
    what the server did; the refusal, as it was seen, is put back into its message."""
    if not isinstance(error, MCPError) or not refusals:
        return error
    return MCPError(error.code, f"{error.message}: {refusals[-1]}", error.error.data)


def _problem(error: Exception) -> str:
    """An error of the server's answer in one line: its code and message, or why the client rejects it."""
    if isinstance(error, MCPError):
        return f"{error.message} (JSON-RPC error {error.code})"
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"the mcp client library rejects the result: {where}: {first['msg']}"
    return str(error)


ENVELOPE = frozenset({"resultType", "ttlMs", "cacheScope"})
"""The fields the 2026-07-28 wire requires on every (cacheable) result."""


def _envelope_only(error: ValidationError) -> bool:
    """Whether the client library rejects a result only for the fields of its 2026-07-28 envelope."""
    return all(problem["loc"][:1] and problem["loc"][0] in ENVELOPE for problem in error.errors())


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
                    client = await transport.enter_async_context(pump.http_client(spec.socket))
                    http = streamable_http_client(spec.endpoint, http_client=client)
                    read, write = await transport.enter_async_context(http)
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
    """Start the server once per protocol version the client library speaks, both eras, and offer it: the
    handshake versions through ``initialize``, the modern ones through ``server/discover``.

    A server may answer with another version it supports (the handshake's counter-offer, a discover's
    supportedVersions): that is recorded, not judged. A server that fails on an offered version is
    recorded with the reason.
    """
    rows: list[dict[str, str | bool]] = []
    for era, versions in ((LEGACY, HANDSHAKE_PROTOCOL_VERSIONS), (MODERN, MODERN_PROTOCOL_VERSIONS)):
        for version in versions:
            row: dict[str, str | bool] = {"offered": version, "era": era}
            try:
                async with launch(spec) as server:
                    if era == LEGACY:
                        answered = await server.client.offer(version)
                        row |= {"answered": answered, "accepted": answered == version}
                    else:
                        found = await server.client.probe(version)
                        supported = found.supported_versions
                        row |= {"answered": ", ".join(supported), "accepted": version in supported}
                        if found.outcome == "error" and found.error is not None:
                            row["answered"] = f"error {found.error.get('code')}"  # it does not speak it: said so
                        elif found.outcome != "result":
                            row["error"] = found.message
            except VerifyError as error:
                row |= {"answered": "", "accepted": False, "error": error.message}
            rows.append(row)
    return rows
