"""Streamable HTTP: the doors a deployed server stands behind, judged from what the probe saw of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._catalogue import finding
from .._types import Severity

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .._types import AuthDoor, Finding, HttpDoors

ALL_INTERFACES = frozenset({"0.0.0.0", "::"})


def check_doors(doors: HttpDoors | None) -> list[Finding]:
    """Where it listens, the Host header a proxy forwards, redirects clients may not follow, and the door of a
    server that needs authorization."""
    if doors is None:
        return []
    found = []
    wide = sorted(ALL_INTERFACES.intersection(doors.listening))
    if wide:
        found.append(
            finding("MV442", f"the server listens on {' and '.join(wide)}: every network interface, not only localhost")
        )
    if doors.foreign_host is not None and doors.foreign_host.startswith("refused with HTTP 421"):
        found.append(finding("MV443", f"a request with the Host header a proxy forwards was {doors.foreign_host}"))
    if doors.redirects:
        redirects = sorted(set(doors.redirects))
        found.append(finding("MV441", f"the server answers with a redirect: {'; '.join(redirects[:3])}"))
    if doors.authorization is not None:
        found += _door(doors.authorization)
    return found


def _door(door: AuthDoor) -> Iterable[Finding]:
    """A 401 is a door to log in through: its challenge, its protected-resource metadata, and what that names.
    A door clients cannot get through is an error (MV447); one they find only by falling back to the
    well-known URLs a warning; a well-formed one advice (MV444), since nothing behind it was listed."""
    blocked, awkward = [], []
    if not door.challenge.lower().startswith("bearer"):
        awkward.append(f"its 401 has no Bearer challenge (WWW-Authenticate: {door.challenge!r})")
    elif door.metadata_url is None:
        awkward.append("its Bearer challenge names no resource_metadata, so clients must guess the well-known URLs")
    document = door.document
    if document is None:
        tried = "; ".join(f"{url}: {said}" for url, said in door.tried)
        blocked.append(f"no protected-resource metadata where clients look ({tried})")
    else:
        if not door.resource_allowed:
            blocked.append(f"its metadata's resource {document.get('resource')!r} does not cover {door.url}")
        servers = document.get("authorization_servers")
        if not isinstance(servers, list) or not servers:
            blocked.append("its metadata names no authorization_servers")
    said = "the server needs authorization (HTTP 401)"
    if blocked:
        yield finding("MV447", f"{said}, and clients cannot log in: {'; '.join([*blocked, *awkward])}")
    elif awkward:
        yield finding("MV444", f"{said}: {'; '.join(awkward)}", severity=Severity.WARNING)
    else:
        assert document is not None
        servers = ", ".join(map(str, document.get("authorization_servers") or []))
        yield finding(
            "MV444",
            f"{said} and its door is well formed (resource {document.get('resource')!r}, authorization servers "
            f"{servers}); mcp-verify does not log in, so nothing behind it was listed",
        )
