"""Establish the ground truth of a published MCP server release by hand.

This is the by-hand method of ../shared/field-method.md, written down as a small script so
that every release in field/releases/ was checked the same way. It does NOT use mcp_verify:
it is the yardstick mcp-verify is judged against. It needs the ``mcp`` client library (2.x)
in the interpreter that runs it, plus ``pip`` and ``uv``.

Steps 1-6 as numbered in field-method.md; 7-9 find the protocol revisions a release speaks:

1. ``pip download --no-deps --no-binary NAME NAME==VERSION``, check the file is the sdist PyPI
   publishes (pip here may also see local indexes), and unpack it untouched.
2. Build a wheel from a *copy* of the sdist with ``uv build --wheel --python PYTHON``.
3. Install the wheel into a fresh venv with ``uv pip install`` (plain resolution, no overrides)
   and record the versions that matter (mcp, fastmcp, pydantic).
4. Start the console script in a fresh empty working directory with only HOME, LOGNAME, PATH,
   SHELL, TERM and USER (plus ``--env`` dummies): PYTHONUNBUFFERED and friends are NOT passed.
5. Talk to it with the installed ``mcp`` client: initialize, ping, and the four list calls,
   following pagination (a list the server does not advertise is marked as such).
6. Talk to it raw, in a second run: JSON lines on stdin, close stdin, read stdout to EOF, and
   report every stdout line that is not a JSON-RPC message (separately those that arrived
   only after stdin was closed: block-buffered prints), the exit and the last stderr lines.
7. The current revision (2026-07-28), raw, in a third run: ``server/discover`` first, stamped
   exactly as the mcp 2.3 client stamps it in auto mode (``modern_params``). Record what the
   server did: a DiscoverResult (then the four lists with per-request ``_meta`` and no
   initialize, following nextCursor, and each page's ``resultType``), a JSON-RPC error (then the
   client's fallback on the same connection: initialize and tools/list), silence, an exit, or
   non-JSON on stdout; then close stdin and read stdout to EOF.
8. One fresh start per handshake revision (2024-11-05 ... 2025-11-25): initialize at it and note
   the version the server answers with. A revision is spoken when it comes back unchanged.
9. The mcp 2.3 client in its default auto mode (``Client(mode="auto")``): the era it settles on,
   the version, the tools.

Usage::

    python by_hand.py prepare NAME VERSION [--python PY]      # steps 1-3
    python by_hand.py talk VENV SCRIPT [--arg=A]... [--env K=V]...   # steps 4-9
    python by_hand.py all NAME VERSION [--script S] [--arg=A]... [--env K=V]...
    python by_hand.py record field/releases/NAME.toml...      # 1-9 as the entry says; writes its protocol keys

``record`` starts the entry's script with its arguments and environment, writes the keys below
at the end of the entry (replacing them if there), and prints on stderr where today's listing
departs from the entry's truth (dependencies move under a published release)::

    revisions     the revisions spoken: handshake versions answered in kind, plus discover's supportedVersions
    eras          "modern" (a DiscoverResult and a modern tools/list), "legacy" (initialize answered), both, or none
    discover      what the server did with server/discover, in words
    modern_tools  the tools listed in the modern era ([] when there is none)
    modern_result_type   every modern list result carried resultType (only where there is a modern era)
    auto_client   what the mcp 2.3 client in auto mode settled on
    protocol_packages    the versions installed when this was found (mcp, fastmcp, pydantic)

Write ``--arg=--flag`` (with ``=``) for arguments that start with a dash. The report is JSON on
stdout; the preparation commands' output goes to stderr. Work happens under
/tmp/field-by-hand/<name>-<version>/ (``--workdir`` to change it).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.request
import zipfile
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import anyio
import mcp_types
from mcp.client.client import Client
from mcp.client.session import DEFAULT_CLIENT_INFO, DISCOVER_TIMEOUT_SECONDS, ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp_types import (
    CLIENT_CAPABILITIES_META_KEY,
    CLIENT_INFO_META_KEY,
    PROTOCOL_VERSION_META_KEY,
    SERVER_INFO_META_KEY,
    PaginatedRequestParams,
)
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, LATEST_MODERN_VERSION, MODERN_PROTOCOL_VERSIONS
from pydantic import ValidationError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the field work runs on 3.11+
    import tomli as tomllib

CLIENT_ENV_KEYS = ("HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER")
PROTOCOL_VERSION = "2025-11-25"
PACKAGES_THAT_MATTER = ("mcp", "fastmcp", "pydantic", "mcp-types")
LIST_METHODS = {
    "tools/list": "tools",
    "resources/list": "resources",
    "resources/templates/list": "resourceTemplates",
    "prompts/list": "prompts",
}
BACKENDS = {
    "hatchling.build": "hatchling",
    "setuptools.build_meta": "setuptools",
    "setuptools.build_meta:__legacy__": "setuptools",
    "pdm.backend": "pdm-backend",
    "poetry.core.masonry.api": "poetry-core",
    "flit_core.buildapi": "flit-core",
    "uv_build": "uv_build",
    "maturin": "maturin",
}
START_TIMEOUT = 60.0
CALL_TIMEOUT = 30.0
EXIT_GRACE = 10.0
STDERR_TAIL = 25
MAX_PAGES = 100


# --------------------------------------------------------------------------- steps 1-3


@dataclass
class Prepared:
    name: str
    version: str
    sdist: str
    backend: str
    wheel: str
    scripts: dict[str, str]
    venv: str
    packages: dict[str, str]


def run(cmd: list[str]) -> None:
    """Run a preparation command; its output goes to stderr so stdout stays the JSON report."""
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, text=True, stdout=sys.stderr)


def download_sdist(name: str, version: str, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    # --ignore-requires-python: only the file is fetched here; the interpreter that builds and
    # installs it (--python) is the one whose Requires-Python matters.
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", name]
    run([*pip, "--ignore-requires-python", f"{name}=={version}", "-d", str(dest)])
    found = [p for p in dest.iterdir() if p.name.endswith((".tar.gz", ".zip", ".tar.bz2"))]
    if len(found) != 1:
        raise SystemExit(f"expected one sdist in {dest}, found {found}")
    check_against_pypi(name, version, found[0])
    return found[0]


def check_against_pypi(name: str, version: str, sdist: Path) -> None:
    """Pip may be configured with extra local indexes: make sure this is PyPI's own file."""
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json") as response:
        files = json.load(response)["releases"].get(version, [])
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if digest not in {f["digests"]["sha256"] for f in files if f["packagetype"] == "sdist"}:
        raise SystemExit(f"{sdist.name} is not the sdist PyPI publishes for {name} {version}")


def unpack(archive: Path, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(dest)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(dest, filter="data")
    roots = list(dest.iterdir())
    return roots[0] if len(roots) == 1 and roots[0].is_dir() else dest


def build_backend(tree: Path) -> str:
    """Name the build backend as the corpus does (setuptools-legacy = setup.py only)."""
    pyproject = tree / "pyproject.toml"
    if pyproject.is_file():
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        backend = data.get("build-system", {}).get("build-backend")
        if backend:
            return BACKENDS.get(str(backend), str(backend))
        return "setuptools (pyproject without build-backend)"
    return "setuptools-legacy" if (tree / "setup.py").is_file() else "unknown"


def build_wheel(tree: Path, out: Path, python: str) -> Path:
    """Build from a copy: a setuptools build in place would rewrite the shipped *.egg-info."""
    copy = out.parent / "build-copy"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(tree, copy)
    run(["uv", "build", "--wheel", "--python", python, "-o", str(out), str(copy)])
    wheels = sorted(out.glob("*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"expected one wheel in {out}, found {wheels}")
    return wheels[0]


def console_scripts(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n.endswith(".dist-info/entry_points.txt")]
        if not names:
            return {}
        text = zf.read(names[0]).decode()
    scripts: dict[str, str] = {}
    section = ""
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif "=" in line and section == "console_scripts":
            key, value = line.split("=", 1)
            scripts[key.strip()] = value.strip()
    return scripts


def installed_versions(venv: Path) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        "for n in sys.argv[1:]:\n"
        "    try: out[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(json.dumps(out))\n"
    )
    python = str(venv / "bin" / "python")
    proc = subprocess.run([python, "-c", code, *PACKAGES_THAT_MATTER], check=True, text=True, capture_output=True)
    versions: dict[str, str] = json.loads(proc.stdout)
    return versions


def prepare(name: str, version: str, work: Path, python: str) -> Prepared:
    sdist = download_sdist(name, version, work / "dl")
    tree = unpack(sdist, work / "sdist")
    backend = build_backend(tree)
    wheel = build_wheel(tree, work / "wheel", python)
    venv = work / "venv"
    if venv.exists():
        shutil.rmtree(venv)
    run(["uv", "venv", "--python", python, str(venv)])
    run(["uv", "pip", "install", "--python", str(venv / "bin" / "python"), str(wheel)])
    scripts = console_scripts(wheel)
    return Prepared(name, version, sdist.name, backend, wheel.name, scripts, str(venv), installed_versions(venv))


# --------------------------------------------------------------------------- step 4


def client_env(extra: dict[str, str]) -> dict[str, str]:
    """What a desktop client passes: these six variables from our environment, plus dummies."""
    env = {k: os.environ[k] for k in CLIENT_ENV_KEYS if k in os.environ}
    env.update(extra)
    return env


def tail(stream: IO[bytes]) -> list[str]:
    stream.seek(0)
    return stream.read().decode("utf-8", "replace").splitlines()[-STDERR_TAIL:]


# --------------------------------------------------------------------------- step 6 (raw)


def is_jsonrpc(line: str) -> bool:
    try:
        message = json.loads(line)
    except ValueError:
        return False
    return isinstance(message, dict) and message.get("jsonrpc") == "2.0"


def item_names(key: str, result: dict[str, Any]) -> list[str]:
    """The names (URIs for resources, URI templates for templates) of one list result's items."""
    return [str(i.get("uriTemplate") or i.get("uri") or i.get("name")) for i in result.get(key, [])]


def summarise_list(method: str, value: Any) -> Any:
    """Reduce a list result to its sorted names/URIs (errors and UNANSWERED pass through)."""
    if not isinstance(value, dict) or "ERROR" in value:
        return value
    key = LIST_METHODS[method]
    return {key: sorted(item_names(key, value)), "nextCursor": value.get("nextCursor")}


@dataclass
class RawResult:
    responses: dict[str, Any] = field(default_factory=dict)  # method -> result, {"ERROR": ...} or "UNANSWERED"
    stray: list[str] = field(default_factory=list)  # every non-JSON-RPC stdout line
    stray_after_stdin_closed: list[str] = field(default_factory=list)  # those that came only at exit
    notifications: list[str] = field(default_factory=list)  # server notifications and requests
    exit: str = ""
    stderr_tail: list[str] = field(default_factory=list)


class RawSession:
    """One server process spoken to in JSON lines, with every stdout line accounted for."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: str, stderr: IO[bytes]) -> None:
        self.result = RawResult()
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=cwd,
            env=env,
            start_new_session=True,  # its own process group, so the whole tree can be ended
        )
        self.lines: queue.Queue[str | None] = queue.Queue()  # None marks stdout EOF
        self.pending: dict[int, str] = {}
        self.eof = False
        self.stdin_closed = False
        threading.Thread(target=self._read_stdout, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
        self.lines.put(None)

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        with contextlib.suppress(OSError):  # a server that died closes the pipe
            self.proc.stdin.write((json.dumps(message) + "\n").encode())
            self.proc.stdin.flush()

    def _take(self, line: str) -> None:
        if not is_jsonrpc(line):
            self.result.stray.append(line)
            if self.stdin_closed:
                self.result.stray_after_stdin_closed.append(line)
            return
        message = json.loads(line)
        if "id" in message and ("result" in message or "error" in message):
            method = self.pending.pop(message["id"], f"id {message['id']}")
            self.result.responses[method] = message.get("result", {"ERROR": message.get("error")})
            return
        self.result.notifications.append(line)
        if "method" in message and "id" in message:  # a request to the client: decline it
            self.send({"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32601, "message": "not supported"}})

    def _read_until(self, deadline: float, done: Any) -> None:
        """Take stdout lines until done() is true, stdout ends, or the deadline passes."""
        while not done() and not self.eof:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                return
            if line is None:
                self.eof = True
                return
            self._take(line)

    def request(self, request_id: int, method: str, params: dict[str, Any] | None, timeout: float) -> None:
        self.pending[request_id] = method
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        self._read_until(time.monotonic() + timeout, lambda: request_id not in self.pending)
        if request_id in self.pending:
            self.result.responses[method] = "UNANSWERED"

    def close_and_drain(self) -> None:
        """Close stdin, read stdout to EOF; SIGTERM then SIGKILL the group only if it will not end."""
        if self.eof:  # stdout closed first: give the exit status a moment to arrive
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)
        early_exit = self.proc.poll()
        assert self.proc.stdin is not None
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        self.stdin_closed = True
        how = ""
        for sig, grace in ((None, EXIT_GRACE), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            if sig is not None and self.proc.poll() is None:
                how = f" after {sig.name}"
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, sig)
            deadline = time.monotonic() + grace
            self._read_until(deadline, lambda: False)
            try:
                self.proc.wait(timeout=max(0.01, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                continue
            if self.eof:
                break
        code = self.proc.poll()
        if code is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            code = self.proc.wait()
            how = " after SIGKILL (stuck)"
        with contextlib.suppress(ProcessLookupError):  # a surviving child would hold the pipes
            os.killpg(self.proc.pid, signal.SIGKILL)
        if early_exit is not None:
            self.result.exit = f"{early_exit} before stdin was closed"
        else:
            self.result.exit = f"{code}{how or ' on stdin EOF'}"


@contextlib.contextmanager
def raw_session(command: list[str], env: dict[str, str]) -> Iterator[RawSession]:
    """A fresh start in a fresh empty directory; on exit stdin is closed, stdout read to EOF, stderr kept."""
    cwd = tempfile.mkdtemp(prefix="by-hand-cwd-")
    try:
        with tempfile.TemporaryFile() as stderr:
            session = RawSession(command, env, cwd, stderr)
            try:
                yield session
            finally:
                session.close_and_drain()
                session.result.stderr_tail = tail(stderr)
    finally:
        shutil.rmtree(cwd, ignore_errors=True)


def handshake_params(version: str) -> dict[str, Any]:
    return {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "by-hand", "version": "0"}}


def talk_raw(command: list[str], env: dict[str, str]) -> RawResult:
    """Step 6: initialize, initialized, ping and the four lists as JSON lines; then stdin EOF."""
    with raw_session(command, env) as session:
        session.request(1, "initialize", handshake_params(PROTOCOL_VERSION), START_TIMEOUT)
        init = session.result.responses.get("initialize")
        if isinstance(init, dict) and "ERROR" not in init and not session.eof:
            session.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
            session.request(2, "ping", None, CALL_TIMEOUT)
            for request_id, method in enumerate(LIST_METHODS, start=3):
                if not session.eof:
                    session.request(request_id, method, {}, CALL_TIMEOUT)
    return summarised(session.result)


def summarised(result: RawResult) -> RawResult:
    """The raw result with each list response reduced to its names."""
    for method, value in list(result.responses.items()):
        if method in LIST_METHODS:
            result.responses[method] = summarise_list(method, value)
    return result


# --------------------------------------------------------------------------- steps 7-9 (the revisions)


def modern_params(params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Request params stamped as the mcp 2.3 client stamps every request of the 2026-07-28 revision.

    ``ClientSession.send_discover`` and the modern stamp put these three keys in ``_meta``; a client
    with no callbacks declares no capabilities. The probe ``Client(mode="auto")`` writes is, byte for byte:
    {"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":
    "2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"mcp","version":"0.1.0"},
    "io.modelcontextprotocol/clientCapabilities":{}}}}
    """
    meta = {
        PROTOCOL_VERSION_META_KEY: LATEST_MODERN_VERSION,
        CLIENT_INFO_META_KEY: DEFAULT_CLIENT_INFO.model_dump(by_alias=True, mode="json", exclude_none=True),
        CLIENT_CAPABILITIES_META_KEY: {},
    }
    return {**(params or {}), "_meta": meta}


def as_discover_result(answer: Any) -> mcp_types.DiscoverResult | None:
    """The answer as a DiscoverResult the mcp client would adopt (a modern version in common), else None."""
    if not isinstance(answer, dict) or "ERROR" in answer:
        return None
    try:
        result = mcp_types.DiscoverResult.model_validate(answer)
    except ValidationError:
        return None
    return result if set(result.supported_versions) & set(MODERN_PROTOCOL_VERSIONS) else None


def list_modern(session: RawSession, method: str, first_id: int) -> tuple[Any, list[Any], int]:
    """One list in the modern era, following nextCursor.

    Returns the sorted names (or the error), each page's resultType, and the next request id.
    """
    names: list[str] = []
    result_types: list[Any] = []
    cursor: str | None = None
    request_id = first_id
    for _page in range(MAX_PAGES):
        session.request(request_id, method, modern_params({"cursor": cursor} if cursor else None), CALL_TIMEOUT)
        request_id += 1
        page = session.result.responses[method]
        if not isinstance(page, dict) or "ERROR" in page:
            return page, result_types, request_id
        result_types.append(page.get("resultType", "ABSENT"))
        names.extend(item_names(LIST_METHODS[method], page))
        cursor = page.get("nextCursor")
        if not cursor or session.eof:
            break
    return sorted(names), result_types, request_id


def talk_modern(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Step 7: a fresh start sent ``server/discover`` first, as a current client in auto mode does.

    A DiscoverResult is followed by the four lists in the modern era (per-request ``_meta``, no
    initialize); anything else by the client's fallback on the same connection: initialize, then tools/list.
    """
    out: dict[str, Any] = {}
    with raw_session(command, env) as session:
        started = time.monotonic()
        session.request(1, "server/discover", modern_params(), START_TIMEOUT)
        out["discover_seconds"] = round(time.monotonic() - started, 1)
        out["discover"] = session.result.responses["server/discover"]
        out["stray_before_answer"] = list(session.result.stray)
        result = as_discover_result(out["discover"])
        request_id = 2
        if result is not None:
            out["lists"], out["result_types"] = {}, {}
            for method in LIST_METHODS:
                if not session.eof:
                    answer, types, request_id = list_modern(session, method, request_id)
                    out["lists"][method], out["result_types"][method] = answer, types
        elif not session.eof:
            session.request(request_id, "initialize", handshake_params(PROTOCOL_VERSION), START_TIMEOUT)
            init = session.result.responses["initialize"]
            out["fallback_initialize"] = init.get("protocolVersion", init) if isinstance(init, dict) else init
            if isinstance(init, dict) and "ERROR" not in init and not session.eof:
                session.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
                session.request(request_id + 1, "tools/list", {}, CALL_TIMEOUT)
                out["fallback_tools"] = summarise_list("tools/list", session.result.responses["tools/list"])
    out["raw"] = asdict(summarised(session.result))
    out["words"] = describe_discover(out)
    return out


def describe_discover(out: dict[str, Any]) -> str:
    """What the server did with ``server/discover``, in the words the corpus records."""
    answer, seconds, raw = out["discover"], out["discover_seconds"], out["raw"]
    late = (
        f" after {seconds} s (a current client gives up after {DISCOVER_TIMEOUT_SECONDS:g} s)"
        if seconds > DISCOVER_TIMEOUT_SECONDS
        else ""
    )
    if out["stray_before_answer"]:
        first = out["stray_before_answer"][0][:120]
        said = (
            f"wrote non-JSON to stdout before any answer ({len(out['stray_before_answer'])} line(s), first {first!r}); "
        )
    else:
        said = ""
    result = as_discover_result(answer)
    if result is not None:
        stamp = (result.meta or {}).get(SERVER_INFO_META_KEY)
        who = f"_meta serverInfo {json.dumps(stamp)}" if stamp is not None else "no serverInfo in _meta"
        capabilities = sorted(result.capabilities.model_dump(exclude_none=True))
        tools = out["lists"].get("tools/list")
        listed = f"{len(tools)} tools" if isinstance(tools, list) else f"tools/list failed: {tools}"
        kinds = sorted({str(t) for types in out["result_types"].values() for t in types})
        return (
            f"{said}answered a DiscoverResult{late}: supportedVersions {result.supported_versions}, "
            f"capabilities {capabilities}, {who}; modern tools/list (per-request _meta, no initialize): {listed}, "
            f"resultType {', '.join(kinds) or 'none'}"
        )
    if isinstance(answer, dict) and "ERROR" in answer:
        error = answer["ERROR"] or {}
        what = f"answered JSON-RPC error {error.get('code')} {error.get('message')!r}{late}"
    elif isinstance(answer, dict):
        what = f"answered a result that is not a usable DiscoverResult{late}: {json.dumps(answer)[:200]}"
    elif raw["exit"].endswith("before stdin was closed"):
        last = raw["stderr_tail"][-1] if raw["stderr_tail"] else "(stderr empty)"
        return f"{said}exited {raw['exit'].split()[0]} without answering; last stderr line: {last}"
    else:
        what = f"stayed silent: no answer within {START_TIMEOUT:g} s"
    fallback = out.get("fallback_initialize")
    if fallback is None:
        then = f"then exited ({raw['exit']})"
    elif isinstance(fallback, str) and fallback != "UNANSWERED":
        tools = out.get("fallback_tools", {})
        count = len(tools["tools"]) if isinstance(tools, dict) and "tools" in tools else tools
        then = f"the client's fallback initialize on the same connection was answered ({fallback}), tools/list: {count}"
    else:
        then = f"the fallback initialize on the same connection got {fallback}"
    return f"{said}{what}; {then}; exit {raw['exit']}"


def probe_handshake_versions(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Step 8: one fresh start per handshake revision, initialize at it: the version the server answers with."""
    answered: dict[str, Any] = {}
    for version in HANDSHAKE_PROTOCOL_VERSIONS:
        with raw_session(command, env) as session:
            session.request(1, "initialize", handshake_params(version), START_TIMEOUT)
        init = session.result.responses["initialize"]
        answered[version] = init.get("protocolVersion", init) if isinstance(init, dict) else init
    return answered


async def talk_auto(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Step 9: the mcp 2.3 client in its default auto mode: the era it settles on and the tools it lists."""

    async def use(transport: Any, out: dict[str, Any]) -> None:
        async with Client(transport, mode="auto", cache=None) as client:
            out["era"] = "modern" if client.session.discover_result is not None else "legacy"
            out["protocolVersion"] = client.protocol_version
            out["tools"] = await list_all(partial(client_pages, client.list_tools), "tools", "name")

    return await as_a_client(command, env, START_TIMEOUT + 2 * CALL_TIMEOUT, use)


async def client_pages(call: Any, params: PaginatedRequestParams | None = None) -> Any:
    """``Client`` takes the cursor itself where ``ClientSession`` takes request params."""
    return await call(cursor=params.cursor if params else None)


def revisions_of(modern: dict[str, Any], handshake: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(the revisions spoken, the eras): handshake versions answered in kind, plus discover's modern versions."""
    spoken = [version for version, answer in handshake.items() if answer == version]
    result = as_discover_result(modern["discover"])
    modern_versions = sorted(result.supported_versions) if result is not None else []
    tools = modern.get("lists", {}).get("tools/list")
    eras = (["modern"] if result is not None and isinstance(tools, list) else []) + (["legacy"] if spoken else [])
    return spoken + [v for v in modern_versions if v not in spoken], eras


# --------------------------------------------------------------------------- step 5 (client)


async def list_all(call: Any, attr: str, key: str) -> list[str]:
    """Follow nextCursor to the end; return the sorted names (or URIs)."""
    names: list[str] = []
    cursor: str | None = None
    while True:
        page = await call(params=PaginatedRequestParams(cursor=cursor) if cursor else None)
        names.extend(str(getattr(item, key)) for item in getattr(page, attr))
        cursor = page.next_cursor
        if not cursor:
            return sorted(names)


async def client_session(session: ClientSession, out: dict[str, Any]) -> None:
    init = await session.initialize()
    out["protocolVersion"] = init.protocol_version
    out["serverInfo"] = f"{init.server_info.name} {init.server_info.version}"
    caps = init.capabilities
    out["capabilities"] = caps.model_dump(exclude_none=True)
    try:
        await session.send_ping()
        out["ping"] = "answered"
    except Exception as exc:  # recorded, not fatal: a server may pass without answering ping
        out["ping"] = f"error: {exc}"
    plan = [
        ("tools", caps.tools, session.list_tools, "tools", "name"),
        ("resources", caps.resources, session.list_resources, "resources", "uri"),
        ("resource_templates", caps.resources, session.list_resource_templates, "resource_templates", "uri_template"),
        ("prompts", caps.prompts, session.list_prompts, "prompts", "name"),
    ]
    for label, advertised, call, attr, key in plan:
        try:
            out[label] = await list_all(call, attr, key)
        except Exception as exc:  # recorded: only an advertised list failing makes a release fail
            out[label] = f"ERROR: {type(exc).__name__}: {exc}"
        if advertised is None:
            out[label + " (not advertised)"] = True


async def as_a_client(
    command: list[str], env: dict[str, str], timeout: float, use: Callable[[Any, dict[str, Any]], Awaitable[None]]
) -> dict[str, Any]:
    """Start the command with the mcp client's stdio transport in a fresh empty directory and ``use`` it.

    What ``use`` records goes in the result, with the failure (the finding) and the stderr tail.
    """
    out: dict[str, Any] = {}
    cwd = tempfile.mkdtemp(prefix="by-hand-cwd-")
    extra = {k: v for k, v in env.items() if k not in CLIENT_ENV_KEYS}  # stdio_client adds the six itself
    params = StdioServerParameters(command=command[0], args=command[1:], env=extra, cwd=cwd)
    with tempfile.TemporaryFile(mode="w+b") as errlog:
        try:
            with anyio.fail_after(timeout):
                await use(stdio_client(params, errlog=errlog), out)  # type: ignore[arg-type]
        except BaseException as exc:  # the failure is the finding
            out["FAILED"] = f"{type(exc).__name__}: {exc!r}"[:2000]
        out["stderr_tail"] = tail(errlog)
    shutil.rmtree(cwd, ignore_errors=True)
    return out


async def talk_client(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Step 5: the installed mcp client, as a desktop client would use it."""

    async def use(transport: Any, out: dict[str, Any]) -> None:
        async with transport as (read, write), ClientSession(read, write) as session:
            await client_session(session, out)

    return await as_a_client(command, env, START_TIMEOUT + 4 * CALL_TIMEOUT, use)


def talk(venv: Path, script: str, args: list[str], extra_env: dict[str, str]) -> dict[str, Any]:
    """Steps 4-9: separate launches of the console script, one per way of talking."""
    command = [str(venv / "bin" / script), *args]
    env = client_env(extra_env)
    client = anyio.run(talk_client, command, env)
    raw = talk_raw(command, env)
    modern = talk_modern(command, env)
    handshake = probe_handshake_versions(command, env)
    auto = anyio.run(talk_auto, command, env)
    return {
        "command": command,
        "env_extra": extra_env,
        "client": client,
        "raw": asdict(raw),
        "modern": modern,
        "handshake_versions": handshake,
        "auto": auto,
    }


# --------------------------------------------------------------------------- the corpus entry

PROTOCOL_BLOCK = "# The revisions it speaks, found by hand (by_hand.py record: steps 7-9)\n"


def toml_value(value: Any) -> str:
    """A TOML rendering of a string, bool, list of strings or flat table (JSON's escapes are TOML's)."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {json.dumps(item)}" for key, item in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


def protocol_keys(talked: dict[str, Any], packages: dict[str, str]) -> dict[str, Any]:
    """The keys a corpus entry records about the revisions, from one ``talk``."""
    modern, auto = talked["modern"], talked["auto"]
    revisions, eras = revisions_of(modern, talked["handshake_versions"])
    tools = modern.get("lists", {}).get("tools/list")
    keys: dict[str, Any] = {"revisions": revisions, "eras": eras, "discover": modern["words"]}
    keys["modern_tools"] = tools if isinstance(tools, list) else []
    if "result_types" in modern:
        keys["modern_result_type"] = all(t != "ABSENT" for pages in modern["result_types"].values() for t in pages)
    if "FAILED" in auto:
        keys["auto_client"] = f"failed: {auto['FAILED'][:300]}"
    else:
        keys["auto_client"] = f"{auto['era']} {auto['protocolVersion']}, {len(auto['tools'])} tools"
    keys["protocol_packages"] = packages
    return keys


def write_protocol_keys(path: Path, keys: dict[str, Any]) -> None:
    """Replace the entry's protocol block (always its last lines) with these keys, and read it back."""
    text = path.read_text(encoding="utf-8")
    text = text.split(PROTOCOL_BLOCK, 1)[0].rstrip("\n") + "\n\n" + PROTOCOL_BLOCK
    text += "".join(f"{key} = {toml_value(value)}\n" for key, value in keys.items())
    read_back = tomllib.loads(text)
    assert all(read_back[key] == value for key, value in keys.items()), path
    path.write_text(text, encoding="utf-8")


def drift(truth: dict[str, Any], talked: dict[str, Any]) -> list[str]:
    """Where today's handshake listing disagrees with the entry's truth (dependencies move under a release)."""
    tools = talked["client"].get("tools")
    if (truth["tools"] or truth["verdict"] == "pass") and tools != sorted(truth["tools"]):
        return [f"tools today {tools} != truth {sorted(truth['tools'])}"]
    if not truth["tools"] and truth["verdict"] == "fail" and isinstance(tools, list):
        return [f"the truth says fail without tools, today it lists {len(tools)} tools"]
    return []


def interpreter(version: str) -> str:
    """A Python of this version: pyenv's newest (its shims fail for versions not selected), else ``pythonX.Y``."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = sorted(root.glob(f"{version}.*/bin/python{version}"), key=lambda p: int(p.parts[-3].split(".")[2]))
    return str(found[-1]) if found else f"python{version}"


NOTHING_TO_START = {
    "revisions": [],
    "eras": [],
    "discover": "not sent: the wheel has no console script, so no client can start anything",
    "modern_tools": [],
    "auto_client": "cannot connect: nothing to start",
}


def record(path: Path, base: Path) -> dict[str, Any]:
    """Steps 1-9 for one corpus entry, with its script, arguments and environment; write its protocol keys."""
    truth = tomllib.loads(path.read_text(encoding="utf-8"))
    work = base / f"{truth['name']}-{truth['version']}"
    prepared = prepare(truth["name"], truth["version"], work, interpreter(truth.get("python", "3.11")))
    if not truth["script"]:
        write_protocol_keys(path, {**NOTHING_TO_START, "protocol_packages": prepared.packages})
        return {"prepared": asdict(prepared)}
    talked = talk(Path(prepared.venv), truth["script"], truth.get("args", []), truth.get("env", {}))
    write_protocol_keys(path, protocol_keys(talked, prepared.packages))
    for line in drift(truth, talked):
        print(f"DRIFT {path.name}: {line}", file=sys.stderr)
    return {"prepared": asdict(prepared), "talk": talked}


# --------------------------------------------------------------------------- CLI


def parse_env(items: list[str]) -> dict[str, str]:
    return dict(item.split("=", 1) for item in items)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    for cmd in ("prepare", "all"):
        p = sub.add_parser(cmd)
        p.add_argument("name")
        p.add_argument("version")
        p.add_argument("--python", default="python3.11")
        p.add_argument("--workdir", type=Path)
    t = sub.add_parser("talk")
    t.add_argument("venv", type=Path)
    t.add_argument("script")
    for p in (sub.choices["all"], t):
        p.add_argument("--arg", action="append", default=[], dest="args")
        p.add_argument("--env", action="append", default=[])
    sub.choices["all"].add_argument("--script")
    r = sub.add_parser("record")
    r.add_argument("entries", nargs="+", type=Path)
    r.add_argument("--workdir", type=Path, default=Path("/tmp/field-by-hand"))
    ns = parser.parse_args()

    report: dict[str, Any] = {}
    if ns.cmd == "talk":
        report["talk"] = talk(ns.venv, ns.script, ns.args, parse_env(ns.env))
    elif ns.cmd == "record":
        report = {entry.stem: record(entry, ns.workdir) for entry in ns.entries}
    else:
        work = ns.workdir or Path("/tmp/field-by-hand") / f"{ns.name}-{ns.version}"
        prepared = prepare(ns.name, ns.version, work, ns.python)
        report["prepared"] = asdict(prepared)
        if ns.cmd == "all":
            if not prepared.scripts:
                raise SystemExit("the wheel has no console script")
            if ns.script is None and len(prepared.scripts) > 1:
                raise SystemExit(f"the wheel has several console scripts, pick one with --script: {prepared.scripts}")
            script = ns.script or next(iter(prepared.scripts))
            report["talk"] = talk(Path(prepared.venv), script, ns.args, parse_env(ns.env))
    print(json.dumps(report, indent=2, default=str, ensure_ascii=False))


if __name__ == "__main__":
    main()
