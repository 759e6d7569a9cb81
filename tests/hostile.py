"""Hostile inputs for mcp-verify, each written by a small generator: no binary blob is committed.

Issue 13 ("Hostile input: keep every promise") lists what broke; ``test_hostile.py`` holds
mcp-verify to its promises against these inputs. A generator writes one input into the directory
it is given and returns the path to hand to mcp-verify; an index is a context manager that serves
pages from a thread on 127.0.0.1 and yields a ``Served`` (the index URL, and what it saw).

Wheels and sdists are written by hand with ``zipfile`` and ``tarfile``: no build, and exact about
the lie each one tells (a RECORD hash, a member name, a flag bit). The servers are
``rawserver``'s raw JSON-RPC servers, packed into a hand-written wheel or made into a project.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import random
import socket
import struct
import tarfile
import tempfile
import textwrap
import threading
import zipfile
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import rawserver

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

VERSION = "1.0.0"
TOOL = {"name": "ping", "description": "Answers pong.", "inputSchema": {"type": "object"}}
PLAIN = {"name": "plain", "tools": [TOOL]}
"""A server that does everything right."""

# -- what a server or a project says, with control characters in it ------------------------------

ESC_SERVER_NAME = "evil\x1b[2J\x1b[Hname"
"""Clear screen, cursor home: in the handshake step's line."""
ESC_SERVER_VERSION = "1.0\x1b[?25l"
ESC_TOOL_NAME = "tool\x1b]0;pwned\x07x"
"""A window title (OSC … BEL): in the tools table and the MV410 finding."""
ESC_DESCRIPTION = "desc \x1b[8mhidden\x1b[0m \x9b2J \x7f\x08 end"
"""Hidden text, a C1 CSI, DEL, backspace; no line-breaking character, so all of it is the first line."""
ESC_DESCRIPTION_TAIL = "\x0b\x0c\r\x1c\x85 tail"
"""Characters ``str.splitlines`` breaks at, after the first line of the description."""
ESC_PROMPT_NAME = "prompt\x1b[5Aup"
ESC_RESOURCE_URI = "res://x/\x1b[6n"
"""ESC [6n asks the terminal to type its cursor position into the input."""
ESC_PARAMETER = "q\x1b[3Dx"
ESC_STDERR = "boot \x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b[1;1H\x1b[2K \x9b31m \x7f\x00 end"
ESC_CRASH = "fatal \x1b[2J\x1b]2;crash\x07 \x9b0m \x7f done"
"""The message of the exception a crashing server dies with (MV201 quotes it)."""
ESC_STRAY = '{"hello": "\x7f\x9b[2J"}'
"""Valid JSON (DEL and C1 may stand raw in a JSON string), not JSON-RPC: MV302 quotes it."""
ESC_MEMBER = "\x1b[2Jevil\x07name.txt"
ESC_SDIST_MEMBER = "\x1b]0;owned\x07.txt"
ESC_SUMMARY = "sum\x1b[8mmary"

ESCAPE_SERVER: dict[str, Any] = {
    "name": ESC_SERVER_NAME,
    "version": ESC_SERVER_VERSION,
    "tools": [
        {
            "name": ESC_TOOL_NAME,
            "description": ESC_DESCRIPTION + ESC_DESCRIPTION_TAIL,
            "inputSchema": {"type": "object", "properties": {ESC_PARAMETER: {"type": "string"}}},
        }
    ],
    "prompts": [{"name": ESC_PROMPT_NAME, "arguments": []}],
    "resources": [{"uri": ESC_RESOURCE_URI, "name": "r\x1b[1mbold"}],
    "stderr": ESC_STDERR + "\n",
}
ESCAPE_CRASH: dict[str, Any] = {"stderr": "starting\n", "crash_at_start": ESC_CRASH}
ESCAPE_STRAY: dict[str, Any] = {"write_at_start": [ESC_STRAY], "tools": [TOOL]}

# -- a server that echoes the values of --env / --env-file -------------------------------------------

SECRET_FROM_ENV = "MVT_SECRET_A"
"""Given with ``--env``."""
SECRET_FROM_FILE = "MVT_SECRET_B"
"""Given with ``--env-file``."""
ENV_ECHO: dict[str, Any] = {
    "name": "echo-{env:MVT_SECRET_A}",
    "instructions": "use {env:MVT_SECRET_B}",
    "tools": [
        {
            "name": "lookup",
            "description": "token {env:MVT_SECRET_A} and {env:MVT_SECRET_B}",
            "inputSchema": {"type": "object"},
        },
        # an invalid name (MV410) fails the report, so the text report shows the stderr tail too
        {"name": "bad name", "description": "{env:MVT_SECRET_A}", "inputSchema": {"type": "object"}},
    ],
    "stderr": "connecting with {env:MVT_SECRET_A} / {env:MVT_SECRET_B}\n",
}
ENV_CRASH: dict[str, Any] = {
    "stderr": "token {env:MVT_SECRET_B} rejected\n",
    "crash_at_start": "bad credentials {env:MVT_SECRET_A}",
}

# -- processes and lines ------------------------------------------------------------------------------

DAEMON: dict[str, Any] = {"name": "daemon", "daemon": True, "tools": [TOOL]}


def huge_line(size: int) -> dict[str, Any]:
    """A server whose tools/list answer is one JSON-RPC line of ``size`` bytes and more."""
    return {"name": "huge", "tools": [TOOL], "pad": {"tools/list": size}}


def ignoring(method: str) -> dict[str, Any]:
    """A server that never answers ``method``."""
    return {"name": "deaf", "tools": [TOOL], "ignore": [method]}


def slow_start(seconds: float) -> dict[str, Any]:
    return {"name": "slow", "tools": [TOOL], "delay": seconds}


# -- wheels and sdists, by hand --------------------------------------------------------------------


def module_name(name: str) -> str:
    return name.replace("-", "_")


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def server_source(behaviour: dict[str, Any]) -> bytes:
    """The raw server's module, as ``rawserver.make_project`` writes it."""
    source = rawserver.SERVER.replace("json.loads(BEHAVIOUR_JSON)", f"json.loads({json.dumps(json.dumps(behaviour))})")
    return textwrap.dedent(source).lstrip().encode()


def wheel_members(
    name: str,
    behaviour: dict[str, Any],
    *,
    version: str = VERSION,
    summary: str = "A raw MCP server (mcp-verify hostile input).",
) -> dict[str, bytes]:
    """Everything a raw server's wheel holds but its RECORD."""
    module = module_name(name)
    dist_info = f"{module}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {summary}\nRequires-Python: >=3.10\n"
    return {
        f"{module}/__init__.py": b'"""A raw JSON-RPC MCP server."""\n',
        f"{module}/server.py": server_source(behaviour),
        f"{dist_info}/METADATA": (metadata + "\nA raw MCP server.\n").encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: hostile\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist_info}/entry_points.txt": f"[console_scripts]\n{name} = {module}.server:main\n".encode(),
    }


def write_wheel(
    directory: Path,
    name: str,
    members: dict[str, bytes],
    *,
    version: str = VERSION,
    record: Callable[[list[list[str]]], list[list[str]]] | None = None,
) -> Path:
    """Zip ``members`` and a RECORD (``record`` may rewrite its rows first: to make it lie)."""
    module = module_name(name)
    dist_info = f"{module}-{version}.dist-info"
    rows = [[member, record_hash(data), str(len(data))] for member, data in members.items()]
    if record is not None:
        rows = record(rows)
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([*rows, [f"{dist_info}/RECORD", "", ""]])
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in [*members.items(), (f"{dist_info}/RECORD", text.getvalue().encode())]:
            archive.writestr(zipfile.ZipInfo(member, date_time=(2024, 1, 1, 0, 0, 0)), data)
    return path


def raw_wheel(
    directory: Path,
    name: str,
    behaviour: dict[str, Any],
    *,
    version: str = VERSION,
    extra: dict[str, bytes] | None = None,
    summary: str | None = None,
    record: Callable[[list[list[str]]], list[list[str]]] | None = None,
) -> Path:
    """A wheel whose console script ``name`` serves ``behaviour``, with ``extra`` members."""
    members = wheel_members(name, behaviour, version=version, **({"summary": summary} if summary else {}))
    members.update(extra or {})
    return write_wheel(directory, name, members, version=version, record=record)


def patch_zip_member(path: Path, name: str, *, flags: int = 0, raw_name: bytes | None = None) -> None:
    """Set flag bits on a member and/or replace its name's bytes (same length) in both of its headers.

    zipfile resets the flag bits when it writes, and only writes names it can encode: a lie about
    either has to be made in the bytes.
    """
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        offset, central = archive.getinfo(name).header_offset, archive.start_dir
    old = name.encode()
    new = old if raw_name is None else raw_name
    assert len(new) == len(old), "the new name must be as long as the old one"
    assert data[offset : offset + 4] == b"PK\x03\x04"
    (length,) = struct.unpack_from("<H", data, offset + 26)
    assert data[offset + 30 : offset + 30 + length] == old
    struct.pack_into("<H", data, offset + 6, struct.unpack_from("<H", data, offset + 6)[0] | flags)
    data[offset + 30 : offset + 30 + length] = new
    position = central
    while data[position : position + 4] == b"PK\x01\x02":
        length, extra, comment = struct.unpack_from("<HHH", data, position + 28)
        if data[position + 46 : position + 46 + length] == old:
            struct.pack_into("<H", data, position + 8, struct.unpack_from("<H", data, position + 8)[0] | flags)
            data[position + 46 : position + 46 + length] = new
            break
        position += 46 + length + extra + comment
    else:
        raise AssertionError(f"{name} is not in the central directory")
    path.write_bytes(bytes(data))


def sdist_members(name: str, behaviour: dict[str, Any], *, version: str = VERSION) -> dict[str, bytes]:
    """A raw server's buildable sdist (hatchling), member names under its top-level directory."""
    module = module_name(name)
    base = f"{module}-{version}"
    pyproject = rawserver.PYPROJECT.format(name=name, version=version, module=module)
    return {
        f"{base}/PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{base}/pyproject.toml": pyproject.encode(),
        f"{base}/README.md": f"# {name}\n".encode(),
        f"{base}/src/{module}/__init__.py": b'"""A raw JSON-RPC MCP server."""\n',
        f"{base}/src/{module}/server.py": server_source(behaviour),
    }


def write_sdist(directory: Path, name: str, members: dict[str, bytes], *, version: str = VERSION) -> Path:
    """A ``.tar.gz`` of ``members``, names exactly as given (absolute and ``..`` ones too)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{module_name(name)}-{version}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for member, data in members.items():
            info = tarfile.TarInfo(member)
            info.size, info.mtime, info.mode = len(data), 1_700_000_000, 0o644
            archive.addfile(info, io.BytesIO(data))
    return path


def raw_sdist(directory: Path, name: str, behaviour: dict[str, Any], *, extra: dict[str, bytes] | None = None) -> Path:
    members = sdist_members(name, behaviour)
    members.update(extra or {})
    return write_sdist(directory, name, members)


# -- artifacts: each generator fills ``directory`` (a dist/ folder) and returns it ---------------------


def good_wheel(directory: Path, name: str = "mvt-h-good", behaviour: dict[str, Any] | None = None) -> Path:
    raw_wheel(directory, name, behaviour or PLAIN)
    return directory


def wheel_with_latin1_entry_points(directory: Path) -> Path:
    """entry_points.txt in Latin-1, not UTF-8 (a script named ``mvt-h-caf\\xe9``)."""
    name = "mvt-h-latin1"
    module = module_name(name)
    members = wheel_members(name, PLAIN)
    members[f"{module}-{VERSION}.dist-info/entry_points.txt"] = (
        f"[console_scripts]\n{name} = {module}.server:main\nmvt-h-caf\xe9 = {module}.server:main\n"
    ).encode("latin-1")
    write_wheel(directory, name, members)
    return directory


def wheel_with_member(directory: Path, name: str, member: str) -> Path:
    """A good raw server's wheel with one more member, named ``member`` (``../…``, ``/…``)."""
    raw_wheel(directory, name, PLAIN, extra={member: b"# written where no installer may write\n"})
    return directory


def escaping_member(target: Path, *, absolute: bool) -> str:
    """A member name that an obedient installer would write to ``target`` (an absolute path).

    ``../`` enough times climbs from a site-packages (13 levels deep in a test run) to ``/``, and on
    down to ``target``; short enough for a message to quote in full.
    """
    inside = str(target.absolute()).lstrip("/")
    return "/" + inside if absolute else "../" * 24 + inside


def wheel_with_encrypted_metadata(directory: Path) -> Path:
    """METADATA marked encrypted (general purpose flag bit 0): unreadable without a password."""
    name = "mvt-h-encrypted"
    path = raw_wheel(directory, name, PLAIN)
    patch_zip_member(path, f"{module_name(name)}-{VERSION}.dist-info/METADATA", flags=0x1)
    return directory


UNDECODABLE_NAME = b"\xff\xfeBADN\xc3.py"
"""Not UTF-8, in a member whose UTF-8 flag (bit 11) is set."""


def wheel_with_undecodable_member_name(directory: Path) -> Path:
    name = "mvt-h-badname"
    module = module_name(name)
    placeholder = f"{module}/XXXXXXX.py"
    path = raw_wheel(directory, name, PLAIN, extra={placeholder: b"x = 1\n"})
    patch_zip_member(path, placeholder, flags=0x800, raw_name=f"{module}/".encode() + UNDECODABLE_NAME)
    return directory


def wheel_with_lying_record(directory: Path, lie: str) -> Path:
    """RECORD gives a wrong sha256 for ``server.py`` (``lie="hash"``) or a wrong size for ``__init__.py``."""
    name = f"mvt-h-record-{lie}"
    module = module_name(name)

    def lying(rows: list[list[str]]) -> list[list[str]]:
        for row in rows:
            if lie == "hash" and row[0] == f"{module}/server.py":
                row[1] = record_hash(b"not what the wheel holds")
            if lie == "size" and row[0] == f"{module}/__init__.py":
                row[2] = str(int(row[2]) + 7)
        return rows

    raw_wheel(directory, name, PLAIN, record=lying)
    return directory


def garbage_sdist_next_to_wheel(directory: Path) -> Path:
    name = "mvt-h-garbage"
    raw_wheel(directory, name, PLAIN)
    (directory / f"{module_name(name)}-{VERSION}.tar.gz").write_bytes(random.Random(13).randbytes(4096))
    return directory


def truncated_sdist_next_to_wheel(directory: Path) -> Path:
    name = "mvt-h-truncated"
    raw_wheel(directory, name, PLAIN)
    sdist = raw_sdist(directory, name, PLAIN, extra={f"{module_name(name)}-{VERSION}/data.bin": os.urandom(65536)})
    sdist.write_bytes(sdist.read_bytes()[: sdist.stat().st_size // 2])
    return directory


def sdist_with_member(directory: Path, name: str, member: str, *, wheel: bool) -> Path:
    """A raw server's sdist with one more member named ``member``, next to a good wheel or alone."""
    if wheel:
        raw_wheel(directory, name, PLAIN)
    raw_sdist(directory, name, PLAIN, extra={member: b"outside the top-level directory\n"})
    return directory


SECRET_FILES: dict[str, bytes] = {
    ".env": b"OPENAI_API_KEY=sk-live-000000000000\n",
    ".mcpregistry_github_token": b"ghu_000000000000000000000000000000000000\n",
    ".mcpregistry_registry_token": b'{"token": "eyJhbGciOiJFZERTQSJ9.e30.AAAA", "expires_at": 1900000000}\n',
    ".mcp.json": b'{"mcpServers": {"dev": {"command": "/home/dev/src/my-server/.venv/bin/my-server"}}}\n',
    "claude_desktop_config.json": b'{"mcpServers": {"dev": {"command": "/Users/dev/my-server/.venv/bin/my-server"}}}\n',
    "id_rsa": b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
    "key.pem": b"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n",
    ".git/config": b"[core]\n\trepositoryformatversion = 0\n",
    ".git/HEAD": b"ref: refs/heads/main\n",
    ".pytest_cache/v/cache/lastfailed": b"{}\n",
}
"""Secrets and developer files, by path relative to the project (or the sdist's top-level directory)."""
PACKAGE_SECRET_FILES: dict[str, bytes] = {
    ".env.production": b"DATABASE_URL=postgres://admin:hunter2@db/prod\n",
    "id_ed25519": b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
}
"""The same, inside the package: shipped in the wheel."""


def artifacts_with_secrets(directory: Path) -> Path:
    """An sdist with every file of SECRET_FILES, next to a wheel with PACKAGE_SECRET_FILES in its package."""
    name = "mvt-h-secrets"
    module = module_name(name)
    raw_wheel(directory, name, PLAIN, extra={f"{module}/{path}": data for path, data in PACKAGE_SECRET_FILES.items()})
    raw_sdist(directory, name, PLAIN, extra={f"{module}-{VERSION}/{path}": data for path, data in SECRET_FILES.items()})
    return directory


def artifacts_with_escapes(directory: Path) -> Path:
    """Control characters in a wheel member's name, the METADATA summary and an sdist member's name."""
    name = "mvt-h-esc-names"
    module = module_name(name)
    raw_wheel(directory, name, PLAIN, extra={f"{module}/{ESC_MEMBER}": b"x\n"}, summary=ESC_SUMMARY)
    raw_sdist(directory, name, PLAIN, extra={f"{module}-{VERSION}/{ESC_SDIST_MEMBER}": b"x\n"})
    return directory


# -- project trees --------------------------------------------------------------------------------

FIFO_NAME = "chan0"
SOCKET_NAME = "sock0"
UNREADABLE_NAME = "locked.dat"
OVERLONG_TOP = "overlong-tree"
OVERLONG_LEAF = "leaf.txt"
LINK_NAME = "linked-outside"
OUTSIDE_FILE = "outside-file.txt"
LARGE_NAME = "big-data.bin"
LARGE_SIZE = 150 * 2**20
"""Over any sensible "very large file" limit (PyPI's own default for a whole upload is 100 MB)."""


def project_with_fifo(root: Path) -> Path:
    project = rawserver.make_project(root, "mvt-h-fifo", PLAIN)
    os.mkfifo(project / FIFO_NAME)
    return project


def unix_socket(path: Path) -> Path:
    """A listening socket's file at ``path`` (bound at a short path first: sun_path has 108 bytes)."""
    short = Path(tempfile.mkdtemp(prefix="mvt-", dir="/tmp")) / "s"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(short))
    os.replace(short, path)
    short.parent.rmdir()
    return path


def project_with_socket(root: Path) -> Path:
    project = rawserver.make_project(root, "mvt-h-socket", PLAIN)
    unix_socket(project / SOCKET_NAME)
    return project


def project_with_unreadable_file(root: Path) -> Path:
    """A file nobody but root can read (root can: skip the case as root)."""
    project = rawserver.make_project(root, "mvt-h-unreadable", PLAIN)
    (project / UNREADABLE_NAME).write_bytes(b"private\n")
    (project / UNREADABLE_NAME).chmod(0)
    return project


def project_with_overlong_path(root: Path, total: int = 4090) -> Path:
    """A file whose absolute path is ``total`` characters: under PATH_MAX (4096) here, over it in any copy
    made under a prefix a few characters longer (a run's temporary directory)."""
    project = rawserver.make_project(root, "mvt-h-overlong", PLAIN)
    top = project.absolute() / OVERLONG_TOP
    remaining = total - len(str(top)) - len("/" + OVERLONG_LEAF)
    parts = []
    while remaining > 1:
        size = min(200, remaining - 1)
        parts.append("d" * size)
        remaining -= size + 1
    directory = top.joinpath(*parts)
    directory.mkdir(parents=True)
    (directory / OVERLONG_LEAF).write_text("deep\n")
    return project


def project_with_outside_symlink(root: Path, outside: Path) -> Path:
    """A symlinked directory at the project's root that points outside it (the sdist ships its files)."""
    outside.mkdir(parents=True, exist_ok=True)
    (outside / OUTSIDE_FILE).write_text("a file of another tree\n")
    project = rawserver.make_project(root, "mvt-h-symlink", PLAIN)
    (project / LINK_NAME).symlink_to(outside.absolute(), target_is_directory=True)
    return project


def project_with_large_file(root: Path, size: int = LARGE_SIZE) -> Path:
    """A sparse file of ``size`` bytes at the project's root: shipped in the sdist, costs no disk here."""
    project = rawserver.make_project(root, "mvt-h-large", PLAIN)
    with (project / LARGE_NAME).open("wb") as file:
        file.truncate(size)
    return project


def project_with_secrets(root: Path) -> Path:
    """SECRET_FILES at the root, PACKAGE_SECRET_FILES in the package, and a .gitignore that lists ``id_rsa``."""
    project = rawserver.make_project(root, "mvt-h-secrets-tree", PLAIN)
    for path, data in SECRET_FILES.items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_bytes(data)
    package = project / "src" / module_name("mvt-h-secrets-tree")
    for path, data in PACKAGE_SECRET_FILES.items():
        (package / path).write_bytes(data)
    (project / ".gitignore").write_text("id_rsa\n")
    return project


# -- indexes ------------------------------------------------------------------------------------


@dataclass
class Served:
    """A running index: its URL (for ``--index-url``) and what happened on it."""

    url: str
    port: int
    requested: threading.Event = field(default_factory=threading.Event)
    """Set when the project page (or a file) was first asked for."""
    sent: list[int] = field(default_factory=list)
    """Body bytes sent, per streamed response (as far as the client took them)."""
    stop: threading.Event = field(default_factory=threading.Event)


@contextmanager
def serve(routes: dict[str, Callable[[BaseHTTPRequestHandler, Served], None]]) -> Iterator[Served]:
    """Serve ``routes`` (request path to a writer of the whole response) on 127.0.0.1 from a thread."""
    served: list[Served] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = routes.get(self.path)
            served[0].requested.set()
            if route is None:
                self.send_error(404)
                return
            with suppress(BrokenPipeError, ConnectionResetError):
                route(self, served[0])

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    served.append(Served(f"http://127.0.0.1:{port}/simple", port))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served[0]
    finally:
        served[0].stop.set()
        server.shutdown()
        server.server_close()
        thread.join(10)


def send(body: bytes, content_type: str = "text/html") -> Callable[[BaseHTTPRequestHandler, Served], None]:
    def respond(handler: BaseHTTPRequestHandler, served: Served) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return respond


def html_page(links: dict[str, str]) -> bytes:
    anchors = "\n".join(f'<a href="{href}">{text}</a>' for href, text in links.items())
    return f"<!DOCTYPE html>\n<html><body>\n{anchors}\n</body></html>\n".encode()


NUL_PROJECT = "mvt-h-nul"
NUL_FILENAME = f"{module_name(NUL_PROJECT)}-{VERSION}-1%00-py3-none-any.whl"
"""A wheel's name with a NUL in its build tag, as the index spells it: parses, and is chosen."""


@contextmanager
def nul_filename_index(directory: Path) -> Iterator[Served]:
    """A PEP 503 index whose only file for NUL_PROJECT 1.0.0 has ``%00`` in its name."""
    wheel = raw_wheel(directory, NUL_PROJECT, PLAIN)
    data = wheel.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    page = html_page({f"../../files/{NUL_FILENAME}#sha256={digest}": NUL_FILENAME})
    routes = {
        f"/simple/{NUL_PROJECT}/": send(page),
        f"/files/{NUL_FILENAME}": send(data, "application/octet-stream"),
    }
    with serve(routes) as served:
        yield served


SLOW_PROJECT = "mvt-h-slow"


@contextmanager
def slow_index(interval: float = 20.0) -> Iterator[Served]:
    """An index whose project page promises 100 kB and sends one byte every ``interval`` seconds."""

    def drip(handler: BaseHTTPRequestHandler, served: Served) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        handler.wfile.write(b"<")
        handler.wfile.flush()
        while not served.stop.wait(interval):
            handler.wfile.write(b" ")
            handler.wfile.flush()

    with serve({f"/simple/{SLOW_PROJECT}/": drip}) as served:
        yield served


HUGE_PROJECT = "mvt-h-huge"


@contextmanager
def huge_page_index(size: int = 2**30) -> Iterator[Served]:
    """An index whose project page is ``size`` bytes of HTML, streamed (no Content-Length) and never held."""
    chunk = b" " * 2**20

    def stream(handler: BaseHTTPRequestHandler, served: Served) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Connection", "close")
        handler.end_headers()
        served.sent.append(0)
        start = b"<!DOCTYPE html>\n<html><body>\n"
        handler.wfile.write(start)
        served.sent[-1] += len(start)
        while served.sent[-1] < size and not served.stop.is_set():
            handler.wfile.write(chunk)
            served.sent[-1] += len(chunk)
        handler.wfile.write(b"</body></html>\n")

    with serve({f"/simple/{HUGE_PROJECT}/": stream}) as served:
        yield served
