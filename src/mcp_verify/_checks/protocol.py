"""Protocol eras: what a current client makes of the server, whether each era's clients can connect, and
the rules of the 2026-07-28 wire, judged from what the probe recorded (a ``Protocol``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._catalogue import finding
from .._data import load_toml
from .._types import LEGACY, MODERN, Severity
from ._common import some

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .._types import EraLeg, Finding, JSONDict, Listing, Protocol

DISCOVER = "server/discover"
CACHEABLE = frozenset({DISCOVER, "tools/list", "prompts/list", "resources/list", "resources/templates/list"})
"""Methods whose 2026-07-28 results carry cache hints (CacheableResult in the schema)."""
_SCOPES = ("public", "private")
HEADERS = ("MCP-Protocol-Version", "Mcp-Method", "Mcp-Name")
"""The headers every 2026-07-28 request carries over streamable HTTP."""


def clients(era: str) -> list[str]:
    """The clients known to connect in ``era`` only or first (``_data/protocol_eras.toml``)."""
    return [str(client["name"]) for client in load_toml("protocol_eras.toml")["client"] if client["era"] == era]


def check_protocol(protocol: Protocol) -> list[Finding]:
    """What the probe saw, held to what current clients need and to the 2026-07-28 rules."""
    findings = list(_probe(protocol))
    modern, legacy = protocol.leg(MODERN), protocol.leg(LEGACY)
    if protocol.mode == "auto" and modern is not None and legacy is not None:
        findings += _one_era(protocol, modern, legacy)
        if modern.ok and legacy.ok and modern.listing is not None and legacy.listing is not None:
            findings += _compare(modern.listing, legacy.listing)
    findings += _envelopes(protocol.results)
    findings += _http(protocol)
    if protocol.version_check is not None and protocol.version_check.startswith("answered"):
        findings.append(
            finding(
                "MV312",
                f"asked server/discover naming protocol version 2099-01-01 in _meta, it {protocol.version_check}",
            )
        )
    return findings


def _probe(protocol: Protocol) -> Iterable[Finding]:
    """Silence and garbage on the probe: a current client waits, then falls back (if it has a timeout at all)."""
    discovery = protocol.discovery
    if discovery is None or discovery.outcome not in {"silent", "garbage"} or protocol.connected is None:
        return  # a server that answered nothing at all failed, and that failure says why
    yield finding(
        "MV307",
        f"server/discover, the request current clients open with: {discovery.message}; it answered initialize "
        "on the same connection, as a client falls back (after its timeout, if it has one)",
    )


def _one_era(protocol: Protocol, modern: EraLeg, legacy: EraLeg) -> Iterable[Finding]:
    if legacy.ok and not modern.ok and protocol.discovery is not None and protocol.discovery.outcome == "error":
        yield finding(
            "MV308",
            f"the server speaks only the handshake era ({legacy.version}): {modern.message}; current clients fall "
            f"back to initialize, a client pinned to 2026-07-28 cannot connect ({some(clients(MODERN))})",
        )
    if modern.ok and not legacy.ok:
        yield finding(
            "MV309",
            f"the server speaks only 2026-07-28: opened with initialize, as clients that still use the handshake "
            f"do ({some(clients(LEGACY))}), {legacy.message.removeprefix('the ')}",
        )


def _compare(modern: Listing, legacy: Listing) -> Iterable[Finding]:
    """The same server must offer the same things whatever the era of the connection."""
    groups = (
        ("tools", "name", modern.tools, legacy.tools),
        ("prompts", "name", modern.prompts, legacy.prompts),
        ("resources", "uri", modern.resources, legacy.resources),
        ("resource templates", "uriTemplate", modern.resource_templates, legacy.resource_templates),
    )
    differences = []
    for kind, key, new, old in groups:
        in_modern, in_legacy = _names(new, key), _names(old, key)
        only_modern, only_legacy = sorted(in_modern - in_legacy), sorted(in_legacy - in_modern)
        if only_modern:
            differences.append(f"{kind} only in 2026-07-28: {some(only_modern)}")
        if only_legacy:
            differences.append(f"{kind} only through the handshake: {some(only_legacy)}")
    if differences:
        yield finding("MV310", f"the two protocol eras list different things: {'; '.join(differences)}")


def _http(protocol: Protocol) -> Iterable[Finding]:
    """Streamable HTTP in 2026-07-28: no session, and the Mcp-* headers on every request."""
    if protocol.connected == MODERN and protocol.http:
        refused = "; ".join(protocol.http[:3])
        demands = "demands a session id (Mcp-Session-Id) of" if "session" in refused.lower() else "refuses requests of"
        yield finding("MV313", f"the server {demands} its 2026-07-28 connection: {refused}")
    discovery = protocol.discovery
    said = discovery.message.lower() if discovery is not None else ""
    headers = [header for header in HEADERS if header.lower() in said]
    if discovery is not None and discovery.outcome == "error" and headers:
        yield finding(
            "MV314",
            f"server/discover was {discovery.message}: the server refuses the {', '.join(headers)} header that "
            "every 2026-07-28 request carries",
        )


def _names(items: list[JSONDict], key: str) -> set[str]:
    return {str(item[key]) for item in items if isinstance(item.get(key), str)}


def _envelopes(results: Iterable[tuple[str, JSONDict]]) -> Iterable[Finding]:
    """``resultType`` on every modern result, and the cache hints on cacheable ones: one finding per method."""
    seen: set[str] = set()
    for method, result in results:
        if method in seen:
            continue
        problems = _envelope(method, result)
        if problems:
            seen.add(method)
            severity = Severity.WARNING if method == DISCOVER else None
            yield finding("MV311", f"the 2026-07-28 {method} result {', '.join(problems)}", severity=severity)


def _envelope(method: str, result: JSONDict) -> list[str]:
    problems = []
    result_type = result.get("resultType")
    if result_type is None:
        problems.append("has no resultType")
    elif not isinstance(result_type, str):
        problems.append(f"has resultType {result_type!r}, not a string")
    if method in CACHEABLE:
        ttl, scope = result.get("ttlMs"), result.get("cacheScope")
        if ttl is None:
            problems.append("has no ttlMs")
        elif isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0:
            problems.append(f"has ttlMs {ttl!r}, not a whole number of milliseconds of at least 0")
        if scope is None:
            problems.append("has no cacheScope")
        elif scope not in _SCOPES:
            problems.append(f"has cacheScope {scope!r}, not public or private")
    return problems
