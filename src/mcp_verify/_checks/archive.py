"""The wheel as an installer reads it: member paths and RECORD, checked here whatever the installer.

uv silently drops members pip refuses (``../`` names) and installs a wheel whose RECORD lies, so
the installer cannot be the validator. Codes: MV112 (unsafe member paths), MV113 (RECORD).
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from .._catalogue import finding

if TYPE_CHECKING:
    from .._types import Finding, Wheel

_SHOWN = 10
_SIGNATURES = ("/RECORD.jws", "/RECORD.p7s")


def unsafe_path(name: str) -> str | None:
    """Why a member name would install outside the environment, or None when it is safe."""
    if "\x00" in name:
        return "contains a NUL character"
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "is absolute"
    if "\\" in name:
        return "contains a backslash (a path separator on Windows)"
    if ".." in name.split("/") or posixpath.normpath(name).startswith("../"):
        return "leads out of the environment with `..`"
    return None


def check_archive(wheel: Wheel) -> list[Finding]:
    """Unsafe member paths (MV112) and a RECORD that is missing or does not match the members (MV113)."""
    findings = []
    for member in wheel.members:
        why = unsafe_path(member.name)
        if why:
            findings.append(finding("MV112", f"{wheel.filename} has a member {member.name!r} whose path {why}"))
    return findings[:_SHOWN] + _record(wheel)


def _record(wheel: Wheel) -> list[Finding]:
    if wheel.record is None:
        return [finding("MV113", f"{wheel.filename} has no RECORD: installers cannot check its files")]
    rows = {path: (digest, size) for path, digest, size in wheel.record}
    problems = []
    for member in wheel.members:
        if member.name.endswith("/RECORD") or member.name.endswith(_SIGNATURES):
            continue
        if member.name not in rows:
            problems.append(f"{member.name} is not listed in RECORD")
            continue
        digest, size = rows[member.name]
        if member.sha256 is not None and digest.startswith("sha256=") and digest != member.sha256:
            problems.append(f"{member.name} does not match its RECORD hash ({digest}, the file has {member.sha256})")
        elif size.isdigit() and int(size) != member.size:
            problems.append(f"{member.name} is {member.size} bytes, RECORD says {size}")
        elif member.sha256 is None:
            problems.append(f"{member.name} is encrypted, so its RECORD hash cannot be checked")
    return [finding("MV113", f"{wheel.filename}: {problem}") for problem in problems[:_SHOWN]] + (
        [finding("MV113", f"{wheel.filename}: {len(problems) - _SHOWN} more files do not match RECORD")]
        if len(problems) > _SHOWN
        else []
    )
