"""Lists of targets a run reads: ``--targets FILE`` (one per line) and ``--from-registry FILE`` (the MCP
Registry's server list), each turned into ``Target`` values before anything runs.

A list is the user's input, so a list that cannot be read is a usage error (exit 2); an entry of it
that cannot be verified is a target of its own that fails or is skipped, and the others go on.
"""

from __future__ import annotations

import json
import os
import posixpath
from dataclasses import replace
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement

from ._exceptions import UsageError
from ._files import read_given
from ._targets import Target, canonical_spec, resolve_targets
from ._types import JsonDocument

if TYPE_CHECKING:
    from pathlib import Path

    from ._types import JSONDict

MAX_LIST = 256 * 1024 * 1024
"""The largest list read: the whole MCP Registry, every version of every server, is a few tens of MB."""
OFFICIAL = "io.modelcontextprotocol.registry/official"
"""The registry's own metadata of an entry (status, dates): not part of the server.json its author wrote."""


def _is_spec(line: str) -> bool:
    """``NAME`` or ``NAME==VERSION``: a release on the index, as ``--from-index`` takes it."""
    if "/" in line or "\\" in line:
        return False
    try:
        requirement = Requirement(line)
    except InvalidRequirement:
        return False
    return not (requirement.url or requirement.extras or requirement.marker)


def read_targets(path: Path) -> list[Target]:
    """``--targets FILE``: one target a line; ``#`` starts a comment, blank lines are nothing.

    A line is a path relative to the file's directory (``-``: to the current one) when that path
    exists, else ``NAME`` or ``NAME==VERSION`` of a release on the index when it reads as one, else
    a path that is not there (that target fails, the others go on).
    """
    base = "" if str(path) == "-" else os.path.dirname(str(path))
    targets = []
    for raw in read_given(path, MAX_LIST, f"--targets {path}").splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        spelling = posixpath.normpath(line.replace("\\", "/"))
        given = os.path.normpath(os.path.join(base, line))
        if not os.path.lexists(given) and _is_spec(line):
            targets.append(Target(label=line, index_spec=line))
            continue
        for target in resolve_targets([given], tolerant=True):
            key = spelling if target.label == given else f"{spelling}{target.label[len(given) :]}"
            targets.append(replace(target, spelling=key))
    return targets


def read_server_list(path: Path) -> list[Target]:
    """``--from-registry FILE``: one target per PyPI package of each entry, with the entry's server.json.

    The file is what the registry's ``GET /v0/servers`` answers, ``{"servers": [...], "metadata":
    {...}}``, or that array alone. An entry is ``{"server": {server.json}, "_meta": {...}}`` as the
    registry serves it today, or the server.json itself as it served it before (2025-09).
    """
    option = "--from-registry"
    try:
        document = json.loads(read_given(path, MAX_LIST, f"{option} {path}"))
    except json.JSONDecodeError as error:
        raise UsageError(f"{option} {path}: not valid JSON ({error.msg} at line {error.lineno})") from None
    except RecursionError:
        raise UsageError(f"{option} {path}: nested too deeply to be a server list") from None
    servers = document.get("servers") if isinstance(document, dict) else document
    if not isinstance(servers, list):
        raise UsageError(
            f'{option} {path}: expected the registry\'s server list, {{"servers": [...]}} as GET /v0/servers answers'
        )
    targets = []
    for position, entry in enumerate(servers):
        targets += _entry_targets(entry, position)
    return targets


def _entry_targets(entry: object, position: int) -> list[Target]:
    where = f"servers[{position}]"
    if not isinstance(entry, dict):
        return [Target(label=where, problem=f"{where} is a JSON {type(entry).__name__}, not a server entry")]
    wrapped = isinstance(entry.get("server"), dict)
    server: JSONDict = dict(entry["server"] if wrapped else entry)
    meta = entry.get("_meta") if wrapped else server.get("_meta")
    official = meta.get(OFFICIAL) if isinstance(meta, dict) else None
    if not wrapped and isinstance(meta, dict) and OFFICIAL in meta:
        server["_meta"] = {key: value for key, value in meta.items() if key != OFFICIAL} or None
        if server["_meta"] is None:
            del server["_meta"]
    name = server.get("name") if isinstance(server.get("name"), str) and server.get("name") else where
    version = server.get("version")
    spelled = f"{name}@{version}" if isinstance(version, str) else str(name)
    if isinstance(official, dict) and official.get("status") == "deleted":
        return [Target(label=spelled, spelling=spelled, skipped="the registry lists it as deleted")]
    given = server.get("packages")
    packages: list[object] = given if isinstance(given, list) else []
    pypi = [package for package in packages if isinstance(package, dict) and package.get("registryType") == "pypi"]
    if not pypi:
        listed = [
            f"{package.get('registryType')} {package.get('identifier')}"
            for package in packages
            if isinstance(package, dict)
        ]
        remotes = server.get("remotes")
        listed += ["remote servers"] if isinstance(remotes, list) and remotes else []
        reason = f"{name} names no PyPI package (it lists: {', '.join(listed) or 'nothing to install'})"
        return [Target(label=spelled, spelling=spelled, skipped=reason)]
    document = JsonDocument(server, json.dumps(server, indent=2, ensure_ascii=False), f"registry entry {name}")
    targets = []
    for package in pypi:
        identifier, release = package.get("identifier"), package.get("version")
        if not isinstance(identifier, str) or not identifier or not isinstance(release, str) or not release:
            problem = f"{name}: its pypi package {identifier!r} names no version to verify (version {release!r})"
            targets.append(Target(label=f"{spelled} ({identifier})", spelling=spelled, problem=problem))
            continue
        spec = f"{identifier}=={release}"
        targets.append(
            Target(
                label=f"{spelled} ({spec})",
                index_spec=spec,
                server_json=document,
                spelling=f"{spelled} {canonical_spec(spec)}",
            )
        )
    return targets
