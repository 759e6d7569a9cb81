"""MCP bundles (``.mcpb``, formerly ``.dxt``): opened safely, and turned into the command a host runs.

A bundle is a zip with ``manifest.json`` and the server. It is measured before a byte is written
(pip's ``is_within_directory`` and PEP 706's data filter are the models): a name leading out, a
duplicate name, a link, too many members, too many bytes or a zip bomb's ratio is refused and
named; a bundle directory is read with ``lstat`` only, and a link in it that leads out is refused.
Its manifest is read with bounds, and its ``mcp_config`` resolved as Claude Desktop resolves it:
the platform's override, then ``${__dirname}``, ``${HOME}`` and ``${user_config.KEY}`` substituted,
a required value that is missing being a usage error. Nothing from the bundle runs here.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import lzma
import os
import posixpath
import re
import shutil
import stat
import struct
import sys
import zipfile
import zlib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ._boundary import loads_json
from ._bundle_signature import LARGEST_BLOCK, find_block, read_signature
from ._checks.archive import unsafe_path
from ._checks.bundle import PNG_SIGNATURE, icon_fields, leaves
from ._data import MCPB_SCHEMA
from ._exceptions import BuildError, UsageError
from ._platform import HOST
from ._types import Bundle, Member, Signature

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ._types import JSONDict

MANIFEST = "manifest.json"
GUI_PATH = ("/usr/local/bin", "/opt/homebrew/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin")
"""What a desktop app started from the Dock or the Start menu has on its PATH (not ~/.local/bin, not pyenv)."""
_VARIABLE = re.compile(r"\$\{([^}]+)\}")
_LARGEST_MANIFEST = 1 << 20
_DEEPEST = 64
"""Nesting a manifest may have (real ones have five or six levels)."""

MAX_MEMBERS = 50_000
"""Members mcp-verify unpacks at most (bundles with a whole node_modules have a few thousand)."""
MAX_UNPACKED = 1 << 30
"""Bytes mcp-verify unpacks at most: 1 GiB (bundles hosts accept are tens of MB; Smithery stops at 25 MB)."""
MAX_RATIO = 100
"""Compression ratio refused for a member of at least RATIO_FROM bytes: a zip bomb's is near 1000:1,
source and data rarely pass 20:1."""
RATIO_FROM = 1 << 20
MAX_DIRECTORY = 16 << 20
"""Bytes of central directory read at most (50,000 members with long names take 10 MiB)."""
_CHUNK = 1 << 20
_END_RECORD = 22
_END_MAGIC = b"PK\x05\x06"
_DIRECTORY_MAGIC = b"PK\x01\x02"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_RECORD = b"PK\x06\x06"
_TAIL = LARGEST_BLOCK + 64
"""Bytes read from the end of a bundle to find its signature block."""
_SHOWN_LINK = 1024
_HOPS = 40
"""Links followed in a row before a chain counts as a loop (Linux's own limit)."""
_SIGNATURE_KEYS = [item.name for item in fields(Signature)]
_KINDS = {
    stat.S_IFLNK: "symbolic link",
    stat.S_IFIFO: "named pipe",
    stat.S_IFSOCK: "socket",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
}


@dataclass(frozen=True)
class Command:
    """The command a host runs for the bundle, once resolved, and what resolving it noticed."""

    command: str
    args: list[str]
    env: dict[str, str]
    literal: list[str] = field(default_factory=list)
    """``${user_config.KEY}`` left as literal text (a blank optional value with no default), as hosts pass it."""


def is_bundle_directory(path: Path) -> bool:
    """A directory holding a bundle's manifest.json (a project directory is a project first); a
    manifest.json that is a link counts, and is not followed here."""
    try:
        mode = (path / MANIFEST).lstat().st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) or stat.S_ISLNK(mode)


def open_bundle(source: Path, work: Path) -> Bundle:
    """Unpack a ``.mcpb`` (or copy a bundle directory) into ``work/bundle`` and read its manifest;
    every member is measured and checked before a byte is written."""
    root = work / "bundle"
    signature = None
    if source.is_dir():
        members = _walk(source)
        shutil.copytree(source, root, symlinks=True)
        size = sum(member.size for member in members)
        digest = ""
    else:
        members, signature = _unpack(source, root)
        size, digest = source.stat().st_size, _sha256(source)
    try:
        data = _read_regular(root / MANIFEST)
    except FileNotFoundError:
        raise BuildError("MV801", f"{source.name} has no {MANIFEST} at its root", step="build") from None
    except OSError as error:
        raise BuildError("MV801", f"{source.name}: {MANIFEST} cannot be read: {error}", step="build") from None
    try:
        manifest = bounded_json(data, MANIFEST)
    except ValueError as error:
        raise BuildError("MV801", str(error), step="build") from None
    if not isinstance(manifest, dict):
        raise BuildError("MV801", f"{MANIFEST} holds a JSON {type(manifest).__name__}, not an object", step="build")
    text = data.decode("utf-8")
    heads = _icon_heads(root, manifest, {member.name for member in members})
    return Bundle(root, manifest, text, source.name, digest, size, members, not source.is_dir(), heads, signature)


def bounded_json(data: bytes, what: str) -> object:
    """JSON from outside, bounded in size and nesting (the shared boundary's parser, at a manifest's limits):
    a ValueError names what is wrong."""
    return loads_json(data, what=what, max_bytes=_LARGEST_MANIFEST, max_depth=_DEEPEST)


def _read_regular(path: Path, limit: int = _LARGEST_MANIFEST) -> bytes:
    """At most ``limit`` + 1 bytes of a regular file (a FIFO or a device would block or never end)."""
    if not stat.S_ISREG(path.stat().st_mode):
        raise OSError(f"{path.name} is not a regular file")
    with path.open("rb") as file:
        return file.read(limit + 1)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _icon_heads(root: Path, manifest: JSONDict, files: set[str]) -> dict[str, bytes]:
    """The first bytes of each bundled file the manifest names as an icon, for the PNG check."""
    heads = {}
    for _, path in icon_fields(manifest):
        name = posixpath.normpath(path)
        if name in files:
            with (root / name).open("rb") as file:
                heads[name] = file.read(len(PNG_SIGNATURE))
    return heads


# a packed bundle -----------------------------------------------------------------------------------


def _unpack(source: Path, root: Path) -> tuple[tuple[Member, ...], Signature | None]:
    """Measure the zip (its end record, its central directory, every member), then unpack it; the
    signature block ``mcpb sign`` appends is read apart, and the zip read without it."""
    size = source.stat().st_size
    try:
        with source.open("rb") as file:
            file.seek(max(0, size - _TAIL))
            block = find_block(file.read(), size)
            end = block.start if block else size
            record = _end_record(file, end, source.name)
            with zipfile.ZipFile(_Prefix(file, end)) as archive:
                infos = _measure(archive, source.name, end)
                _extract(archive, infos, root, source.name)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise BuildError("MV801", f"{source.name} is not a readable bundle (zip): {error}") from None
    members = tuple(Member(_name(info), info.file_size, compressed=info.compress_size) for info in infos)
    if block is None:
        return members, None
    declared = record.at + _END_RECORD + record.comment == size
    return members, read_signature(block, source, record.at, declared=declared)


@dataclass(frozen=True)
class _EndRecord:
    at: int
    comment: int
    """The comment length it declares."""


def _end_record(file: BinaryIO, end: int, label: str) -> _EndRecord:
    """The zip's end record found as zipfile finds it (the last one within reach of the end), and
    the central directory it points to, counted before zipfile reads it into memory."""
    reach = min(end, _END_RECORD + 0xFFFF)
    file.seek(end - reach)
    tail = file.read(reach)
    fast = tail[-_END_RECORD:-18] == _END_MAGIC and tail[-2:] == b"\0\0"
    at = len(tail) - _END_RECORD if fast else tail.rfind(_END_MAGIC)
    if at < 0 or at + _END_RECORD > len(tail):
        raise zipfile.BadZipFile("File is not a zip file")
    fields = struct.unpack("<4s4H2LH", tail[at : at + _END_RECORD])
    entries, directory_size, comment = fields[4], fields[5], fields[7]
    directory_end = end - reach + at
    locator = tail[at - 20 : at] if at >= 20 else b""
    if locator[:4] == _ZIP64_LOCATOR:
        file.seek(directory_end - 20 - 56)
        zip64 = file.read(56)
        if zip64[:4] == _ZIP64_RECORD:
            entries, directory_size = struct.unpack("<QQ", zip64[32:48])
            directory_end -= 20 + 56
    if entries > MAX_MEMBERS or directory_size > MAX_DIRECTORY:
        raise BuildError(
            "MV820",
            f"{label} declares {entries} members in a central directory of {directory_size} bytes: mcp-verify "
            f"unpacks at most {MAX_MEMBERS} members ({MAX_DIRECTORY >> 20} MiB of directory)",
        )
    start = directory_end - directory_size
    file.seek(max(0, start))
    _count(file.read(directory_size), label)
    return _EndRecord(end - reach + at, comment)


def _count(directory: bytes, label: str) -> None:
    """The records the central directory really holds, whatever its end record says."""
    count = at = 0
    while directory[at : at + 4] == _DIRECTORY_MAGIC and at + 46 <= len(directory):
        count += 1
        if count > MAX_MEMBERS:
            raise BuildError("MV820", f"{label} has more than {MAX_MEMBERS} members (more than its end record says)")
        lengths = struct.unpack("<3H", directory[at + 28 : at + 34])
        at += 46 + sum(lengths)


def _measure(archive: zipfile.ZipFile, label: str, size: int) -> list[zipfile.ZipInfo]:
    """Every member checked before anything is written: its name, its kind, its size and ratio;
    duplicate names, names that are a file and a directory at once, and the total and its ratio
    to the zip's ``size`` (many small members can make a bomb too)."""
    infos = archive.infolist()
    seen: dict[str, str] = {}
    directories: set[str] = set()
    files = []
    total = 0
    for info in infos:
        name = info.filename
        why = unsafe_path(name.replace("\\", "/"))  # a backslash separates on Windows hosts
        if why:
            raise BuildError("MV801", f"{label} has a member {name!r} that leads out of the bundle ({why})")
        key = _name(info)
        if info.is_dir():
            directories.add(key)
            continue
        if key in seen:
            same = "twice" if seen[key] == name else f"twice (as {seen[key]!r} and {name!r})"
            raise BuildError(
                "MV822",
                f"{label} holds {key!r} {same}: readers differ on which one they take, so a second "
                f"{posixpath.basename(key)} would silently win",
            )
        seen[key] = name
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind not in {0, stat.S_IFREG}:
            raise BuildError("MV823", f"{label}: the member {name!r} is {_link_text(archive, info, kind)}")
        total += info.file_size
        if info.file_size >= RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise BuildError(
                "MV820",
                f"{label}: the member {name!r} inflates {info.compress_size} bytes to {info.file_size} "
                f"(more than {MAX_RATIO}:1, a zip bomb's ratio); nothing was unpacked",
            )
        files.append(info)
    if total > MAX_UNPACKED or (total >= RATIO_FROM and total > MAX_RATIO * size):
        largest = max(files, key=lambda info: info.file_size)
        why = (
            f"more than the {MAX_UNPACKED >> 20} MiB mcp-verify unpacks"
            if total > MAX_UNPACKED
            else f"{total // max(size, 1)} times its own size, a zip bomb's ratio"
        )
        raise BuildError(
            "MV820",
            f"{label} unpacks to {total} bytes (its largest member {largest.filename!r}: {largest.file_size}), "
            f"{why}; nothing was unpacked",
        )
    inside = _ancestors({posixpath.dirname(key) for key in seen} | directories)
    both = next((info for info in files if _name(info) in inside), None)
    if both is not None:
        raise BuildError("MV822", f"{label}: {both.filename!r} is a file, and other members are inside it")
    return files


def _ancestors(directories: set[str]) -> set[str]:
    found: set[str] = set()
    for directory in directories:
        parent = directory
        while parent and parent not in found:
            found.add(parent)
            parent = posixpath.dirname(parent)
    return found


def _link_text(archive: zipfile.ZipFile, info: zipfile.ZipInfo, kind: int) -> str:
    if kind != stat.S_IFLNK:
        return f"a {_KINDS.get(kind, 'special file')}, not a regular file"
    with archive.open(info) as link:
        target = link.read(_SHOWN_LINK).decode("utf-8", "replace")
    return f"a symbolic link (to {target!r}): hosts unpack it as a file holding that text, mcp-verify refuses it"


def _extract(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], root: Path, label: str) -> None:
    """Unpack the measured members. zipfile's reader stops each at its declared size, so a header
    that lies cannot make more than was measured; the CRC check then names the member."""
    for info in infos:
        target = root / _name(info)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with archive.open(info) as data, target.open("xb") as out:
                shutil.copyfileobj(data, out, _CHUNK)
        except (zipfile.BadZipFile, zlib.error, EOFError, lzma.LZMAError) as error:
            raise BuildError(
                "MV821", f"{label}: the member {info.filename!r} is not what its header says: {error}"
            ) from None
        except (RuntimeError, NotImplementedError) as error:  # encrypted, or a compression zipfile lacks
            raise BuildError("MV801", f"{label}: the member {info.filename!r} cannot be unpacked: {error}") from None
        if info.external_attr >> 16 & 0o111:
            target.chmod(0o755)


def _name(info: zipfile.ZipInfo) -> str:
    return posixpath.normpath(info.filename.replace("\\", "/"))


class _Prefix(io.RawIOBase):
    """The first ``end`` bytes of a file, as zipfile reads a file: the zip without a signature block."""

    def __init__(self, file: BinaryIO, end: int) -> None:
        super().__init__()
        self._file, self._end, self._at = file, end, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._at

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._at = max(0, offset + {io.SEEK_SET: 0, io.SEEK_CUR: self._at, io.SEEK_END: self._end}[whence])
        return self._at

    def readinto(self, buffer: Any) -> int:
        self._file.seek(self._at)
        data = self._file.read(max(0, min(len(buffer), self._end - self._at)))
        buffer[: len(data)] = data
        self._at += len(data)
        return len(data)


# a bundle directory --------------------------------------------------------------------------------


def _walk(source: Path) -> tuple[Member, ...]:
    """Every member of a bundle directory, seen with lstat only: a link is read as a link and never
    followed, so nothing outside the bundle is read, not even to stat."""
    files: list[Member] = []
    links: dict[str, str] = {}
    total = 0
    pending = [""]
    try:
        while pending:
            directory = pending.pop()
            with os.scandir(source / directory) as entries:
                for entry in entries:
                    name = f"{directory}/{entry.name}" if directory else entry.name
                    mode = entry.stat(follow_symlinks=False).st_mode
                    if stat.S_ISLNK(mode):
                        links[name] = os.readlink(entry.path)
                    elif stat.S_ISDIR(mode):
                        pending.append(name)
                    elif stat.S_ISREG(mode):
                        size = entry.stat(follow_symlinks=False).st_size
                        files.append(Member(_shown(name), size))
                        total += size
                    else:
                        raise BuildError(
                            "MV823",
                            f"{source.name}/{_shown(name)} is a {_KINDS.get(stat.S_IFMT(mode))}, "
                            "not a regular file: a bundle cannot carry it",
                        )
                    if len(files) + len(links) > MAX_MEMBERS or total > MAX_UNPACKED:
                        raise BuildError(
                            "MV820",
                            f"{source.name}/ holds more than {MAX_MEMBERS} files or {MAX_UNPACKED >> 20} MiB, "
                            "more than mcp-verify copies",
                        )
    except OSError as error:
        raise BuildError("MV801", f"{source.name}/ cannot be read: {error}") from None
    for name, target in sorted(links.items()):
        if leaves_bundle(name, links):
            raise BuildError(
                "MV823",
                f"{source.name}/{_shown(name)} is a symbolic link to {_shown(target)!r}, outside the bundle: mcpb "
                "pack would pack what it points to on this machine, and mcp-verify reads nothing outside the bundle",
            )
    return tuple(
        sorted(
            [*files, *(Member(_shown(name), 0, link=_shown(target)) for name, target in links.items())],
            key=lambda member: member.name,
        )
    )


def _shown(name: str) -> str:
    """A name as read from the disk, undecodable bytes shown as U+FFFD, as Node (and so mcpb pack) reads it."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def leaves_bundle(link: str, links: Mapping[str, str]) -> bool:
    """Whether following ``link`` leads out of the bundle, resolved as the OS would but through the
    bundle's own ``links`` (name → target) only: nothing on disk is looked at."""
    target = links[link]
    if target.startswith("/"):
        return True
    parts = [part for part in posixpath.dirname(link).split("/") if part]
    pending = list(reversed(target.split("/")))
    hops = 0
    while pending:
        part = pending.pop()
        if part in {"", "."}:
            continue
        if part == "..":
            if not parts:
                return True
            parts.pop()
            continue
        parts.append(part)
        followed = links.get("/".join(parts))
        if followed is not None:
            hops += 1
            if followed.startswith("/"):
                return True
            if hops > _HOPS:
                return False  # a loop: it leads nowhere, not out
            parts.pop()
            pending.extend(reversed(followed.split("/")))
    return False


def peek_manifest(source: Path) -> JSONDict:
    """A bundle's manifest read without unpacking anything, to check the options before the run
    (empty when it cannot be read: the run then names why)."""
    try:
        if source.is_dir():
            data = _read_regular(source / MANIFEST) if not (source / MANIFEST).is_symlink() else b""
        else:
            data = _peek_member(source, MANIFEST)
        manifest = bounded_json(data, MANIFEST)
    except (
        OSError,
        KeyError,
        ValueError,
        zipfile.BadZipFile,
        BuildError,
        RuntimeError,
        NotImplementedError,
        EOFError,
        zlib.error,
        lzma.LZMAError,
    ):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _peek_member(source: Path, name: str) -> bytes:
    size = source.stat().st_size
    with source.open("rb") as file:
        file.seek(max(0, size - _TAIL))
        block = find_block(file.read(), size)
        end = block.start if block else size
        _end_record(file, end, source.name)
        with zipfile.ZipFile(_Prefix(file, end)) as archive:
            _measure(archive, source.name, end)
            with archive.open(name) as member:
                return member.read(_LARGEST_MANIFEST + 1)


def declared_options(manifest: JSONDict) -> dict[str, JSONDict]:
    """The manifest's user_config options, by key."""
    declared = manifest.get("user_config")
    if not isinstance(declared, dict):
        return {}
    return {str(key): option if isinstance(option, dict) else {} for key, option in declared.items()}


def user_config(manifest: JSONDict, given: Mapping[str, str], label: str) -> dict[str, str]:
    """The values a host would have: given ones, else defaults; a required one missing is a usage error.
    Given keys the manifest does not declare are another bundle's."""
    values: dict[str, str] = {}
    for key, option in declared_options(manifest).items():
        if key in given:
            values[key] = given[key]
        elif "default" in option:
            default = option["default"]
            values[key] = json.dumps(default) if isinstance(default, bool) else str(default)
        elif option.get("required"):
            title = option.get("title", key)
            raise UsageError(
                f"{label}: the bundle's user_config {key!r} is required ({title}): pass --user-config {key}=..."
            )
    return values


def sensitive(bundle: Bundle, given: Mapping[str, str]) -> list[str]:
    """The given user_config values a report must not show: those the manifest marks ``sensitive``,
    as hosts mask them, and any it does not declare."""
    options = declared_options(bundle.manifest)
    return [value for key, value in given.items() if key not in options or options[key].get("sensitive") is True]


def resolve(bundle: Bundle, values: Mapping[str, str]) -> Command:
    """``mcp_config`` as a host resolves it on this platform: the override replaces command, args and env
    field by field, then the variables are substituted; an unset ``${user_config.KEY}`` stays literal."""
    config = bundle.server.get("mcp_config")
    config = config if isinstance(config, dict) else {}
    overrides = config.get("platform_overrides")
    override = overrides.get(HOST) if isinstance(overrides, dict) else None
    merged = {
        **config,
        **({key: value for key, value in override.items() if value} if isinstance(override, dict) else {}),
    }
    literal: list[str] = []

    def substitute(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            name = match[1]
            if name == "__dirname":
                return str(bundle.root)
            if name in {"HOME", "DESKTOP", "DOCUMENTS", "DOWNLOADS"}:
                home = Path.home()
                return str(home if name == "HOME" else home / name.capitalize())
            if name in {"pathSeparator", "/"}:
                return os.sep
            if name.startswith("user_config."):
                key = name.removeprefix("user_config.")
                if values.get(key):
                    return values[key]
                literal.append(match[0])
            return match[0]

        return _VARIABLE.sub(one, text)

    given_args, given_env = merged.get("args"), merged.get("env")
    args: list[Any] = given_args if isinstance(given_args, list) else []
    env: dict[str, Any] = given_env if isinstance(given_env, dict) else {}
    return Command(
        substitute(str(merged.get("command", ""))),
        [substitute(str(arg)) for arg in args],
        {str(key): substitute(str(value)) for key, value in env.items()},
        literal,
    )


def locate(command: str, bundle: Bundle, python: str, uv: str | None) -> tuple[str | None, bool]:
    """The executable a host would start, and whether the bundle relies on the user's PATH for it.

    The host supplies its Python for ``python``/``python3``, its Node for ``node`` and, for a ``uv``
    bundle, its own ``uv``; a path names a file in the bundle. Any other command is looked up on a
    desktop app's minimal PATH, then on this machine's (so the server can still be exercised):
    either way users without it installed system-wide get ``spawn ENOENT``. None: found nowhere.
    """
    if command in {"python", "python3", "python.exe"}:
        return python, False
    if bundle.type == "uv" and command in {"uv", "uv.exe", ""}:
        return uv, False
    if command in {"node", "node.exe"}:
        return shutil.which(command), False
    candidate = Path(command)
    if candidate.is_absolute() or "/" in command:
        path = candidate if candidate.is_absolute() else bundle.root / command
        return (str(path) if path.is_file() else None), False
    return shutil.which(command, path=os.pathsep.join(GUI_PATH)) or shutil.which(command), True


_VERSION = re.compile(r"""^__version__\s*(?::\s*str\s*)?=\s*["']([^"']+)["']""", re.MULTILINE)


def package_version(bundle: Bundle) -> str | None:
    """The ``__version__`` the server's code declares: in its entry point, or its package's __init__.py."""
    entry = entry_point(bundle)
    if entry is None:
        return None
    path = bundle.root / entry
    for candidate in (path, path.parent / "__init__.py"):
        try:
            found = _VERSION.search(candidate.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        if found:
            return found[1]
    return None


def bundle_summary(bundle: Bundle) -> JSONDict:
    """What the JSON report says of a bundle."""
    return {
        "filename": bundle.filename,
        "sha256": bundle.sha256 or None,
        "size": bundle.size,
        "files": bundle.files,
        "name": bundle.manifest.get("name"),
        "version": bundle.manifest.get("version"),
        "manifest_version": bundle.manifest_version,
        "server_type": bundle.type or None,
        "schema": MCPB_SCHEMA,
        "signature": _signature_summary(bundle.signature) if bundle.packed else None,
    }


def _signature_summary(signature: Signature | None) -> JSONDict:
    facts = asdict(signature) if signature is not None else dict.fromkeys(_SIGNATURE_KEYS)
    return {"signed": signature is not None, **facts}


def entry_point(bundle: Bundle) -> str | None:
    """The entry point, normalized; None when there is none or it leads out of the bundle (it is
    then never read: MV824 names it)."""
    path = bundle.server.get("entry_point")
    return posixpath.normpath(path) if isinstance(path, str) and path and not leaves(path) else None


def missing_imports(bundle: Bundle) -> list[str]:
    """Modules the entry point imports that are neither in the standard library nor in the bundle:
    a host's Python has only the standard library."""
    entry = entry_point(bundle)
    try:
        tree = ast.parse((bundle.root / entry).read_bytes()) if entry else None
    except (OSError, SyntaxError, ValueError):
        tree = None
    if tree is None:
        return []
    names: set[str] = set()
    for node in tree.body:  # top level only: an import guarded by try/except may be optional
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    bundled = {part for name in bundle.files for part in posixpath.splitext(name)[0].split("/")}
    tops = {name.partition(".")[0] for name in names}
    return sorted(name for name in tops if name not in sys.stdlib_module_names and name not in bundled)
