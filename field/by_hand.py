"""Establish the ground truth of a published MCP server release by hand.

This is the by-hand method of ../shared/field-method.md, written down as a small script so
that every release in field/releases/ was checked the same way. It does NOT use mcp_verify:
it is the yardstick mcp-verify is judged against. It needs the ``mcp`` client library (2.x)
in the interpreter that runs it, plus ``pip`` and ``uv``.

Steps (numbers as in field-method.md):

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

Usage::

    python by_hand.py prepare NAME VERSION [--python PY]      # steps 1-3
    python by_hand.py talk VENV SCRIPT [--arg=A]... [--env K=V]...   # steps 4-6
    python by_hand.py all NAME VERSION [--script S] [--arg=A]... [--env K=V]...

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
from pathlib import Path
from typing import IO, Any

import anyio
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp_types import PaginatedRequestParams

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


def summarise_list(method: str, value: Any) -> Any:
    """Reduce a list result to its sorted names/URIs (errors and UNANSWERED pass through)."""
    if not isinstance(value, dict) or "ERROR" in value:
        return value
    key = LIST_METHODS[method]
    names = sorted(i.get("uriTemplate") or i.get("uri") or i.get("name") for i in value.get(key, []))
    return {key: names, "nextCursor": value.get("nextCursor")}


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


def talk_raw(command: list[str], env: dict[str, str]) -> RawResult:
    """Step 6: initialize, initialized, ping and the four lists as JSON lines; then stdin EOF."""
    cwd = tempfile.mkdtemp(prefix="by-hand-cwd-")
    with tempfile.TemporaryFile() as stderr:
        session = RawSession(command, env, cwd, stderr)
        client_info = {"name": "by-hand", "version": "0"}
        init_params = {"protocolVersion": PROTOCOL_VERSION, "capabilities": {}, "clientInfo": client_info}
        session.request(1, "initialize", init_params, START_TIMEOUT)
        init = session.result.responses.get("initialize")
        if isinstance(init, dict) and "ERROR" not in init and not session.eof:
            session.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
            session.request(2, "ping", None, CALL_TIMEOUT)
            for request_id, method in enumerate(LIST_METHODS, start=3):
                if not session.eof:
                    session.request(request_id, method, {}, CALL_TIMEOUT)
        session.close_and_drain()
        result = session.result
        result.stderr_tail = tail(stderr)
    for method, value in list(result.responses.items()):
        if method in LIST_METHODS:
            result.responses[method] = summarise_list(method, value)
    shutil.rmtree(cwd, ignore_errors=True)
    return result


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


async def talk_client(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Step 5: the installed mcp client, as a desktop client would use it."""
    out: dict[str, Any] = {}
    cwd = tempfile.mkdtemp(prefix="by-hand-cwd-")
    extra = {k: v for k, v in env.items() if k not in CLIENT_ENV_KEYS}  # stdio_client adds the six itself
    params = StdioServerParameters(command=command[0], args=command[1:], env=extra, cwd=cwd)
    with tempfile.TemporaryFile(mode="w+b") as errlog:
        try:
            with anyio.fail_after(START_TIMEOUT + 4 * CALL_TIMEOUT):
                async with (
                    stdio_client(params, errlog=errlog) as (read, write),  # type: ignore[arg-type]
                    ClientSession(read, write) as session,
                ):
                    await client_session(session, out)
        except BaseException as exc:  # the failure is the finding
            out["FAILED"] = f"{type(exc).__name__}: {exc!r}"[:2000]
        out["stderr_tail"] = tail(errlog)
    shutil.rmtree(cwd, ignore_errors=True)
    return out


def talk(venv: Path, script: str, args: list[str], extra_env: dict[str, str]) -> dict[str, Any]:
    """Steps 4-6: two separate launches of the console script, one per way of talking."""
    command = [str(venv / "bin" / script), *args]
    env = client_env(extra_env)
    client = anyio.run(talk_client, command, env)
    raw = talk_raw(command, env)
    return {"command": command, "env_extra": extra_env, "client": client, "raw": asdict(raw)}


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
    ns = parser.parse_args()

    report: dict[str, Any] = {}
    if ns.cmd == "talk":
        report["talk"] = talk(ns.venv, ns.script, ns.args, parse_env(ns.env))
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
