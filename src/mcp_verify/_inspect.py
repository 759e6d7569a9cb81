"""Stage 2, inspect: what the built artifacts contain, as ``unzip -l`` and a careful reader see it.

Archives may be hostile (a release downloaded with ``--from-index``): names are kept as stored,
every member's content is hashed for the RECORD check as it streams past (a member of gigabytes is
never held), metadata is read within ``TEXT_LIMIT``, and nothing is extracted here.
"""

from __future__ import annotations

import base64
import configparser
import csv
import hashlib
import io
import re
import tarfile
import zipfile
from typing import TYPE_CHECKING

from packaging.metadata import parse_email
from packaging.utils import canonicalize_name

from ._boundary import TEXT_LIMIT, InputError, tar_members
from ._exceptions import BuildError, UsageError, WheelError
from ._types import Member, Metadata, Sdist, Wheel

if TYPE_CHECKING:
    from pathlib import Path

MAX_UNPACKED = 4 * 1024**3
"""The most a wheel may hold uncompressed before it is refused as unreadable (a zip bomb)."""
_MCP_IMPORT = re.compile(rb"^\s*(?:from|import)\s+mcp\b", re.MULTILINE)
_SNIFFED = re.compile(
    r"(?:\.(?:pem|key|p12|pfx)|(?:^|/)id_[a-z0-9]+|(?:^|/)\.?mcp\.json|(?:^|/)[\w.-]*config[\w.-]*\.json)$"
)
"""Files whose content, not their name, tells whether they hold a secret or a developer's local setup."""
_PRIVATE_KEY = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_LOCAL_PATH = re.compile(rb"(?:/Users/|/home/|[A-Za-z]:\\\\Users\\\\)[\w.-]+")
_SNIFF_BYTES = 1024 * 1024
_TOKENS = (
    ("a PyPI API token", re.compile(rb"pypi-AgE[A-Za-z0-9_-]{50,}")),
    ("a GitHub token", re.compile(rb"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,})\b")),
    ("an AWS access key", re.compile(rb"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("an Anthropic API key", re.compile(rb"\bsk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{80,}")),
    ("an OpenAI API key", re.compile(rb"\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}")),
    ("a Slack token", re.compile(rb"\bxox[abposr]-[0-9]{6,}-[A-Za-z0-9-]{10,}")),
)
"""Tokens whose format is unmistakable: found in any file, they were uploaded by mistake."""


_ALLOWED = re.compile(rb"allowlist secret|gitleaks:allow|nosec|noqa: S10[56]", re.IGNORECASE)
"""What secret scanners (detect-secrets, gitleaks, bandit) accept on a line as "this one is not real"."""


def _placeholder(data: bytes, found: re.Match[bytes]) -> bool:
    """A documented example (AWS's ``AKIAIOSFODNN7EXAMPLE``), a filler such as ``XXXX...``, or a line a
    secret scanner was told to allow: test suites are full of them, and none is a leak."""
    token = found[0]
    line_start = data.rfind(b"\n", 0, found.start()) + 1
    line_end = data.find(b"\n", found.end())
    line = data[line_start : line_end if line_end >= 0 else len(data)]
    following = data[found.end() : data.find(b"\n", line_end + 1) if line_end >= 0 else len(data)]
    return (
        b"EXAMPLE" in token.upper()
        or len(set(token[-16:])) < 6
        or _ALLOWED.search(line) is not None
        or _ALLOWED.search(following[:200]) is not None
    )


def sniff(name: str, data: bytes) -> str | None:
    """What a file's content shows that its name cannot (see ``Member.note``): a token, a key, local paths."""
    for what, pattern in _TOKENS:
        if any(not _placeholder(data, found) for found in pattern.finditer(data)):
            return what
    if not _SNIFFED.search(name.lower()):
        return None
    if _PRIVATE_KEY.search(data):
        return "private key"
    if name.lower().endswith(".json") and _LOCAL_PATH.search(data):
        return "local paths"
    return None


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read a block at a time."""
    sha = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def record_hash(digest: bytes) -> str:
    """A sha256 digest as RECORD writes it: ``sha256=`` and the urlsafe base64 of it without padding."""
    return f"sha256={base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"


def inspect_sdist(path: Path) -> Sdist:
    """List the sdist's files (directories left out), each member as stored, its hash and size."""
    try:
        with tarfile.open(path) as archive:
            members = tar_members(archive, what=f"the sdist {path.name}")
            stored = tuple(_sdist_member(archive, member) for member in members if not member.isdir())
            info = next(
                (m for m in members if m.isfile() and m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")), None
            )
            if info is not None and info.size > TEXT_LIMIT:
                raise BuildError("MV105", f"the sdist {path.name}: {info.name} is larger than {TEXT_LIMIT >> 20} MiB")
            file = archive.extractfile(info) if info is not None else None
            pkg_info = file.read(TEXT_LIMIT).decode("utf-8", errors="replace") if file is not None else None
    except InputError as error:
        raise BuildError("MV105", str(error)) from None
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BuildError("MV105", f"the sdist {path.name} cannot be read: {error}") from None
    files = sorted(member.name for member in stored)
    description = None if pkg_info is None else parse_metadata(pkg_info).description or ""
    return Sdist(
        filename=path.name,
        sha256=file_sha256(path),
        size=path.stat().st_size,
        files=files,
        members=stored,
        description=description,
    )


def _sdist_member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> Member:
    link = member.linkname if member.issym() or member.islnk() else None
    note = None
    if member.isfile():
        file = archive.extractfile(member)
        note = sniff(member.name, file.read(_SNIFF_BYTES)) if file is not None else None
    return Member(member.name, member.size, link=link, note=note)


def parse_entry_points(text: str) -> dict[str, dict[str, str]]:
    """Every group of an ``entry_points.txt``, names and case kept as written."""
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return {group: dict(parser.items(group)) for group in parser.sections()}


def parse_metadata(text: str) -> Metadata:
    """The fields of METADATA a release engineer reads, tolerant of odd but installable values."""
    raw, _ = parse_email(text)
    return Metadata(
        name=str(raw.get("name", "")),
        version=str(raw.get("version", "")),
        summary=raw.get("summary"),
        requires_python=raw.get("requires_python"),
        requires_dist=list(raw.get("requires_dist", [])),
        description=raw.get("description"),
    )


def _read_text(archive: zipfile.ZipFile, name: str, wheel: str) -> str:
    """A text file installers read: it must be there, unencrypted, UTF-8, and within ``TEXT_LIMIT``."""
    if archive.getinfo(name).file_size > TEXT_LIMIT:
        raise WheelError("MV110", f"{wheel}: {name} is larger than {TEXT_LIMIT >> 20} MiB")
    try:
        return archive.read(name).decode("utf-8")
    except UnicodeDecodeError as error:
        raise WheelError("MV110", f"{wheel}: {name} is not UTF-8 ({error.reason} at byte {error.start})") from None
    except RuntimeError as error:  # zipfile: "File ... is encrypted, password required"
        raise WheelError("MV110", f"{wheel}: {name} cannot be read: {error}") from None


def _record(text: str) -> tuple[tuple[str, str, str], ...]:
    rows = []
    for row in csv.reader(io.StringIO(text)):
        if row:
            rows.append((row[0], row[1] if len(row) > 1 else "", row[2] if len(row) > 2 else ""))
    return tuple(rows)


def inspect_wheel(path: Path) -> Wheel:
    """List the wheel's files, hash each member, and read its ``.dist-info`` (entry points, METADATA, RECORD)."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            if sum(info.file_size for info in infos) > MAX_UNPACKED:
                raise WheelError("MV110", f"{path.name} unpacks to more than {MAX_UNPACKED // 1024**3} GiB")
            files = sorted(info.filename for info in infos)
            dist_infos = {name.split("/", 1)[0] for name in files if name.split("/", 1)[0].endswith(".dist-info")}
            if len(dist_infos) != 1:
                raise WheelError("MV110", f"{path.name} has {len(dist_infos)} .dist-info directories, expected one")
            dist_info = dist_infos.pop()
            if f"{dist_info}/METADATA" not in files:
                raise WheelError("MV110", f"{path.name} has no {dist_info}/METADATA")
            metadata = parse_metadata(_read_text(archive, f"{dist_info}/METADATA", path.name))
            entry_points_file = f"{dist_info}/entry_points.txt"
            entry_points = (
                parse_entry_points(_read_text(archive, entry_points_file, path.name))
                if entry_points_file in files
                else {}
            )
            record_file = f"{dist_info}/RECORD"
            record = _record(_read_text(archive, record_file, path.name)) if record_file in files else None
            members, sources = _members(archive, infos)
    except UnicodeDecodeError as error:
        raise WheelError("MV110", f"{path.name} has a member whose name is not UTF-8: {error.object[:200]!r}") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, configparser.Error, csv.Error, OSError, EOFError) as error:
        raise WheelError("MV110", f"{path.name} is not a readable wheel: {error}") from None
    except (NotImplementedError, RuntimeError, ValueError) as error:  # zipfile: compression, encryption, sizes
        raise WheelError("MV110", f"{path.name} cannot be read as a wheel: {error}") from None
    return Wheel(
        filename=path.name,
        sha256=file_sha256(path),
        size=path.stat().st_size,
        files=files,
        entry_points=entry_points,
        metadata=metadata,
        members=members,
        record=record,
        sources=sources,
    )


def _members(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> tuple[tuple[Member, ...], dict[str, str]]:
    """Every member with its RECORD-style hash, and the Python files that import mcp, by name."""
    members = []
    sources = {}
    for info in infos:
        if info.flag_bits & 0x1:  # encrypted: installers cannot read it
            members.append(Member(info.filename, info.file_size))
            continue
        kept = info.filename.endswith(".py") and info.file_size <= TEXT_LIMIT
        sha, head, size, whole = hashlib.sha256(), bytearray(), 0, bytearray()
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(_SNIFF_BYTES):
                    sha.update(chunk)
                    size += len(chunk)
                    head += chunk[: _SNIFF_BYTES - len(head)]
                    whole += chunk if kept else b""
        except (RuntimeError, zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
            raise WheelError("MV110", f"{info.filename!r} in the wheel cannot be read: {error}") from None
        members.append(Member(info.filename, size, record_hash(sha.digest()), note=sniff(info.filename, bytes(head))))
        if kept and _MCP_IMPORT.search(whole):
            sources[info.filename] = whole.decode("utf-8", errors="replace")
    return tuple(members), sources


def choose_script(wheel: Wheel, wanted: str | None) -> str:
    """The console script to launch: the one named with ``--script``, the only one, or the server's.

    Of several, the server's is the one named like the distribution, else the only one with
    ``mcp`` in its name; any other choice is the user's (a usage error lists them).
    """
    scripts = wheel.console_scripts
    if wanted is not None:
        if wanted not in scripts:
            available = ", ".join(sorted(scripts)) or "none"
            raise UsageError(f"--script {wanted}: {wheel.filename} has no such console script (it has: {available})")
        return wanted
    if not scripts:
        raise WheelError(
            "MV111",
            f"{wheel.filename} defines no console script: [project.scripts] is missing or empty in pyproject.toml",
            'add one, e.g. [project.scripts] my-server = "my_server:main", so clients can launch the server',
        )
    if len(scripts) == 1:
        return next(iter(scripts))
    name = canonicalize_name(wheel.metadata.name) if wheel.metadata else ""
    named = [script for script in scripts if canonicalize_name(script) == name]
    mcp = [script for script in scripts if "mcp" in script.lower()]
    if len(named) == 1 or len(mcp) == 1:
        return (named or mcp)[0]
    raise UsageError(
        f"{wheel.filename} has several console scripts ({', '.join(sorted(scripts))}): choose one with --script NAME"
    )
