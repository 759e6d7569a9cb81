"""Stage 2, inspect: what the built artifacts contain, as ``unzip -l`` and a careful reader see it."""

from __future__ import annotations

import configparser
import hashlib
import tarfile
import zipfile
from typing import TYPE_CHECKING

from packaging.metadata import parse_email

from ._exceptions import UsageError, WheelError
from ._types import Artifact, Metadata, Wheel

if TYPE_CHECKING:
    from pathlib import Path


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def inspect_sdist(path: Path) -> Artifact:
    """List the sdist's files (directories left out) with its hash and size."""
    with tarfile.open(path) as archive:
        files = sorted(member.name for member in archive.getmembers() if not member.isdir())
    return Artifact(filename=path.name, sha256=_digest(path), size=path.stat().st_size, files=files)


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


def inspect_wheel(path: Path) -> Wheel:
    """List the wheel's files and read its ``.dist-info`` (entry points and METADATA)."""
    try:
        with zipfile.ZipFile(path) as archive:
            files = sorted(name for name in archive.namelist() if not name.endswith("/"))
            dist_infos = {name.split("/", 1)[0] for name in files if name.split("/", 1)[0].endswith(".dist-info")}
            if len(dist_infos) != 1:
                raise WheelError("MV110", f"{path.name} has {len(dist_infos)} .dist-info directories, expected one")
            dist_info = dist_infos.pop()
            metadata = parse_metadata(archive.read(f"{dist_info}/METADATA").decode("utf-8", errors="replace"))
            entry_points_file = f"{dist_info}/entry_points.txt"
            entry_points = (
                parse_entry_points(archive.read(entry_points_file).decode("utf-8"))
                if entry_points_file in files
                else {}
            )
    except (zipfile.BadZipFile, KeyError, configparser.Error) as error:
        raise WheelError("MV110", f"{path.name} is not a readable wheel: {error}") from None
    return Wheel(
        filename=path.name,
        sha256=_digest(path),
        size=path.stat().st_size,
        files=files,
        entry_points=entry_points,
        metadata=metadata,
    )


def choose_script(wheel: Wheel, wanted: str | None) -> str:
    """The console script to launch: the only one, or the one named with ``--script``."""
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
    if len(scripts) > 1:
        raise UsageError(
            f"{wheel.filename} has several console scripts ({', '.join(sorted(scripts))}): "
            "choose one with --script NAME"
        )
    return next(iter(scripts))
