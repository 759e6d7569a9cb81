"""MCP bundles (``.mcpb``) made by hand, as authors pack them: a ``python`` bundle whose server is a
raw JSON-RPC server (standard library only, so it needs nothing bundled), its manifest changed to
carry one mistake at a time.

``make_bundle`` writes the bundle's directory and, unless ``packed`` is false, zips it as
``mcpb pack`` does (Unix modes kept), so a test can verify either form. ``sign`` signs one as
``mcpb sign`` does, with openssl and a self-signed certificate made on the spot. ``write_zip``
writes a zip byte by byte, so that a hostile one can lie exactly where a test wants: a size, a
CRC, a count, a duplicate name, a link.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import random
import struct
import subprocess
import zipfile
import zlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .rawserver import server_source

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

TOOL = {"name": "echo", "description": "Echo the arguments.", "inputSchema": {"type": "object"}}

MANIFEST: dict[str, Any] = {
    "manifest_version": "0.3",
    "name": "raw-bundle",
    "version": "1.0.0",
    "description": "A raw JSON-RPC MCP server in a python bundle (mcp-verify test).",
    "author": {"name": "mcp-verify tests"},
    "server": {
        "type": "python",
        "entry_point": "server/main.py",
        "mcp_config": {"command": "python", "args": ["${__dirname}/server/main.py"], "env": {}},
    },
    "icon": "icon.png",
    "tools": [{"name": "echo", "description": "Echo the arguments."}],
    "compatibility": {"platforms": ["darwin", "win32", "linux"], "runtimes": {"python": ">=3.10 <4"}},
}


def png(width: int = 16, height: int = 16) -> bytes:
    """A real PNG (one grey picture), as an icon is."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    header = struct.pack(">2I5B", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def manifest(**changes: Any) -> dict[str, Any]:
    """The good manifest with top-level keys replaced (``None`` removes one)."""
    result = copy.deepcopy(MANIFEST)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def mcp_config(
    command: str = "python", args: list[str] | None = None, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """A python bundle's ``server`` object with this ``mcp_config``."""
    config = {"command": command, "args": args or ["${__dirname}/server/main.py"], "env": env or {}}
    return {**MANIFEST["server"], "mcp_config": config}


def make_bundle(
    root: Path,
    name: str,
    behaviour: dict[str, Any] | None = None,
    *,
    written: dict[str, Any] = MANIFEST,
    files: dict[str, str | bytes] | None = None,
    links: dict[str, str] | None = None,
    packed: bool = True,
) -> Path:
    """Write the bundle ``name`` (its server serving ``behaviour``, by default one tool ``echo``, and
    its icon) under ``root``; return the ``.mcpb`` file, or the directory when not ``packed`` (a link is
    packed as the file it points to, as ``mcpb pack`` does)."""
    directory = root / name
    (directory / "server").mkdir(parents=True)
    (directory / "manifest.json").write_text(json.dumps(written, indent=2) + "\n")
    (directory / "server" / "main.py").write_text(server_source(behaviour or {"tools": [TOOL]}))
    (directory / "icon.png").write_bytes(png())
    for path, content in (files or {}).items():
        (directory / path).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (directory / path).write_bytes(content)
        else:
            (directory / path).write_text(content)
    for link, target in (links or {}).items():
        (directory / link).symlink_to(target)
    if not packed:
        return directory
    bundle = root / f"{name}.mcpb"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(directory.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(directory).as_posix())
    return bundle


# signatures ----------------------------------------------------------------------------------------

SIGNER = "/CN=mcp-verify tests/O=Test Publisher"


def certificate(directory: Path, *, days: int = 30) -> tuple[Path, Path]:
    """A self-signed code-signing certificate and its key, made by openssl in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "cert.pem", directory / "key.pem"
    made = ["-keyout", str(key), "-out", str(cert), "-days", str(days), "-subj", SIGNER]
    usage = ["-addext", "extendedKeyUsage=codeSigning"]
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", *made, *usage], check=True, capture_output=True
    )
    return cert, key


def sign(bundle: Path, keys: tuple[Path, Path], *, declare: bool = False) -> Path:
    """Sign ``bundle`` in place as ``mcpb sign`` 2.1.2 does: a detached PKCS#7 SignedData (SHA-256,
    signed attributes) over every byte, appended between ``MCPB_SIG_V1`` + its length and
    ``MCPB_SIG_END``. ``declare``: then count the block as the zip's comment, as mcpb PR #204 and the
    hand-made fixes of mcpb#278 do."""
    cert, key = keys
    signer = ["-in", str(bundle), "-signer", str(cert), "-inkey", str(key), "-outform", "DER"]
    der = subprocess.run(
        ["openssl", "cms", "-sign", "-binary", "-md", "sha256", *signer], check=True, capture_output=True
    ).stdout
    content = bytearray(bundle.read_bytes())
    block = b"MCPB_SIG_V1" + struct.pack("<I", len(der)) + der + b"MCPB_SIG_END"
    if declare:
        struct.pack_into("<H", content, content.rfind(b"PK\x05\x06") + 20, len(block))
    bundle.write_bytes(bytes(content) + block)
    return bundle


# zips written byte by byte -------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One member as ``write_zip`` writes it: its bytes as stored, and what its headers declare."""

    name: str
    data: bytes
    size: int
    crc: int
    method: int = zipfile.ZIP_DEFLATED
    mode: int = 0o100644


def deflated(content: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(content) + compressor.flush()


def entry(name: str, content: bytes, *, mode: int = 0o100644) -> Entry:
    """A member that tells the truth about itself."""
    return Entry(name, deflated(content), len(content), zlib.crc32(content), mode=mode)


def zeros(name: str, size: int) -> Entry:
    """``size`` zero bytes deflated, honestly declared (a zip bomb's member): ``size`` a multiple of 16 MiB."""
    chunk = bytes(1 << 24)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)  # the same bytes for every chunk
    crc = 0
    for _ in range(size >> 24):
        crc = zlib.crc32(chunk, crc)
    return Entry(name, block * (size >> 24) + compressor.flush(), size, crc)


def write_zip(path: Path, entries: Sequence[Entry], *, count: int | None = None) -> Path:
    """A zip of ``entries`` (Unix modes kept), its end record declaring ``count`` members (default:
    the truth)."""
    local, central = bytearray(), bytearray()
    date = (2026 - 1980) << 9 | 1 << 5 | 1
    for item in entries:
        name = item.name.encode()
        sizes = (item.crc, len(item.data), item.size, len(name))
        made_by = 0x0314  # Unix, zip 2.0: the mode is in the external attributes' high 16 bits
        record = (b"PK\x01\x02", made_by, 20, 0, item.method, 0, date, *sizes, 0, 0, 0, 0, item.mode << 16, len(local))
        central += struct.pack("<4s6H3L5H2L", *record) + name
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, item.method, 0, date, *sizes, 0) + name + item.data
    declared = len(entries) if count is None else count
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, declared, declared, len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def bundle_entries(**changes: Any) -> list[Entry]:
    """The members of the good bundle (its manifest changed as ``manifest`` changes it), as entries."""
    return [
        entry("manifest.json", json.dumps(manifest(**changes)).encode()),
        entry("server/main.py", server_source({"tools": [TOOL]}).encode()),
        entry("icon.png", png()),
    ]


def changed_after_signing(root: Path, name: str, keys: tuple[Path, Path]) -> Path:
    """The bundle ``name`` signed, then packed again with another description under the same signature."""
    original = sign(make_bundle(root / "signed-before", name), keys, declare=True)
    changed = make_bundle(root, name, written=manifest(description="Changed after it was signed."))
    data = original.read_bytes()
    changed.write_bytes(changed.read_bytes() + data[data.rfind(b"MCPB_SIG_V1") :])
    return changed


# hostile bundles ------------------------------------------------------------------------------------

OUTSIDE = "outside"
"""A directory beside the hostile bundles, holding what their links and paths point at."""


def hostile_bundles(root: Path) -> dict[str, tuple[Path, str, str]]:
    """Every hostile bundle, written under ``root``: name → (path, the code it must be refused with,
    words its message must hold). ``root/outside`` is what they point at: a secret and a named pipe
    that blocks whoever opens it."""
    outside = root / OUTSIDE
    outside.mkdir(parents=True)
    (outside / "secret.txt").write_text("not yours\n")
    os.mkfifo(outside / "pipe")
    made: dict[str, tuple[Path, str, str]] = {}

    def packed(name: str, entries: Sequence[Entry], code: str, words: str, **counted: int) -> None:
        made[name] = (write_zip(root / f"{name}.mcpb", entries, **counted), code, words)

    def unpacked(name: str, code: str, words: str, links: dict[str, str], fifo: str = "") -> None:
        directory = make_bundle(root, name, links=links, packed=False)
        if fifo:
            os.mkfifo(directory / fifo)
        made[name] = (directory, code, words)

    good = bundle_entries()
    escaped = entry("../escaped.py", b"print('escaped')\n")
    packed("member-out", [*good, escaped], "MV801", "'../escaped.py' that leads out of the bundle")
    packed("member-absolute", [*good, replace(escaped, name="/etc/escaped.py")], "MV801", "'/etc/escaped.py' that")
    made["not-a-zip"] = ((root / "not-a-zip.mcpb"), "MV801", "not a readable bundle")
    made["not-a-zip"][0].write_bytes(b"not a zip at all")
    packed("no-manifest", good[1:], "MV801", "has no manifest.json")
    packed("manifest-list", [entry("manifest.json", b"[1, 2]"), *good[1:]], "MV801", "a JSON list, not an object")
    packed("bomb", [*good, zeros("server/data.bin", 3 << 30)], "MV820", "'server/data.bin' inflates")
    # 1100 members of 1,000,000 bytes, none over 1 MiB: no member is measured alone, the whole is
    sparse = entry("data/block.bin", random.Random(0).randbytes(13_000) + bytes(987_000))  # ~75:1
    blocks = [replace(sparse, name=f"data/{n}.bin") for n in range(1100)]
    packed("too-large", good + blocks, "MV820", "more than the 1024 MiB mcp-verify unpacks")
    zeroed = entry("data/zeros.bin", bytes(500_000))
    small_bombs = [replace(zeroed, name=f"data/{n}.bin") for n in range(2000)]
    packed("small-bombs", good + small_bombs, "MV820", "times its own size, a zip bomb's ratio")
    crowd = [Entry(f"c/{n}", b"", 0, 0, zipfile.ZIP_STORED) for n in range(50_001)]
    packed("too-many", good + crowd, "MV820", "declares 50004 members")
    packed("too-many-unsaid", good + crowd, "MV820", "more than its end record says", count=3)
    lying = zeros("server/data.bin", 1 << 26)
    packed("lying-header", [*good, replace(lying, size=1024)], "MV821", "'server/data.bin' is not what its header says")
    second = entry("manifest.json", json.dumps(manifest(name="evil-twin")).encode())
    packed("two-manifests", [*good, second], "MV822", "'manifest.json' twice")
    packed("dot-manifest", [*good, replace(second, name="./manifest.json")], "MV822", "'./manifest.json'")
    packed("file-and-directory", [*good, entry("server/main.py/x", b"")], "MV822", "'server/main.py' is a file")
    link = entry("server/lib", f"../../{OUTSIDE}".encode(), mode=0o120777)
    packed("symlink", [*good, link], "MV823", "'server/lib' is a symbolic link (to '../../outside')")
    escape = {
        "escape-args": (mcp_config(args=["${__dirname}/../outside.py"]), "server.mcp_config.args[0]"),
        "escape-command": (mcp_config(command="server/../../bin/python3"), "server.mcp_config.command"),
        "escape-entry": ({**MANIFEST["server"], "entry_point": "/etc/passwd"}, "server.entry_point"),
        "escape-override": (
            {
                **mcp_config(),
                "mcp_config": {
                    **mcp_config()["mcp_config"],
                    "platform_overrides": {"linux": {"env": {"PYTHONPATH": "${__dirname}${/}..${/}lib"}}},
                },
            },
            "server.mcp_config.platform_overrides.linux.env.PYTHONPATH",
        ),
    }
    for name, (server, field) in escape.items():
        packed(name, bundle_entries(server=server), "MV824", f"{field} is")
    deep = entry("manifest.json", b"[" * 100_000 + b"]" * 100_000)
    packed("deep-manifest", [deep, *good[1:]], "MV801", "is nested more than 64 levels deep")
    noise = base64.b64encode(random.Random(0).randbytes(3 << 19)).decode()  # 2 MiB that do not compress
    huge = entry("manifest.json", json.dumps(manifest(description=noise)).encode())
    packed("huge-manifest", [huge, *good[1:]], "MV801", "manifest.json is larger than 1 MiB")
    unpacked("link-out", "MV823", "server/lib is a symbolic link to", {"server/lib": str(outside)})
    unpacked("link-to-pipe", "MV823", "icon.png", {"server/icon.png": f"../../{OUTSIDE}/pipe"})
    # each link alone stays inside; followed together they leave: here -> ., out -> here/../outside
    unpacked("link-chain", "MV823", "out is a symbolic link", {"here": ".", "out": f"here/../{OUTSIDE}/secret.txt"})
    unpacked("pipe-inside", "MV823", "server/chan is a named pipe", {}, fifo="server/chan")
    return made
