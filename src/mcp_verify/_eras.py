"""The choice a current client makes after ``server/discover``: one small policy, apart from the wire.

The mcp client's ``mode="auto"`` (``mcp/client/_probe.py``, ``negotiate_auto``) probes with
``server/discover`` at the newest modern version and falls back to the ``initialize`` handshake on
anything that is not positive evidence of a modern server it shares a version with: a denylist, so
that every JSON-RPC error, silence and garbage fall back, and only a modern-only server whose
versions are all unknown to the client is a real incompatibility. The specification says the same
(``basic/lifecycle``, stdio backward compatibility, modelcontextprotocol/modelcontextprotocol PR#2844):
any error that is not a recognised modern one, or no answer in time, means a legacy server.

The wire itself (the ``_meta`` envelope, the handshake) is spoken by the mcp client in ``_probe.py``;
what the server did is a ``Discovery``; what a client makes of it is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mcp_types as types
from mcp_types import UNSUPPORTED_PROTOCOL_VERSION
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS
from pydantic import ValidationError

from ._types import LEGACY, MODERN

if TYPE_CHECKING:
    from ._types import Discovery


@dataclass(frozen=True)
class Choice:
    """The era a current client connects in after the probe, and why."""

    era: str | None
    """``modern``, ``legacy`` (the handshake, as a fallback), or None: it cannot connect at all."""
    reason: str
    result: types.DiscoverResult | None = None
    """The result to adopt, for ``modern``."""


def choose(discovery: Discovery) -> Choice:
    """What a client in ``auto`` mode does with what ``server/discover`` got."""
    if discovery.outcome == "result":
        return _chosen_from_result(discovery)
    if discovery.outcome == "error" and discovery.error is not None:
        code, message = discovery.error.get("code"), discovery.error.get("message")
        said = f"JSON-RPC error {code} ({message})"
        if code == UNSUPPORTED_PROTOCOL_VERSION:
            versions = supported(discovery.error.get("data"))
            if versions and not any(version in HANDSHAKE_PROTOCOL_VERSIONS for version in versions):
                return Choice(
                    None,
                    f"the server speaks only {', '.join(versions)}, no version this client knows "
                    f"({', '.join(MODERN_PROTOCOL_VERSIONS)} or the handshake)",
                )
        return Choice(LEGACY, f"server/discover was answered with {said}: not evidence of a modern server")
    return Choice(LEGACY, f"server/discover: {discovery.message}")


def _chosen_from_result(discovery: Discovery) -> Choice:
    try:
        result = types.DiscoverResult.model_validate(discovery.result)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the result"
        return Choice(
            LEGACY, f"the DiscoverResult cannot be read ({where}: {first['msg']}): not evidence of a modern server"
        )
    mutual = [version for version in MODERN_PROTOCOL_VERSIONS if version in result.supported_versions]
    if not mutual:
        offered = ", ".join(result.supported_versions) or "none"
        return Choice(LEGACY, f"the DiscoverResult names no modern version (supportedVersions: {offered})")
    return Choice(MODERN, f"server/discover answered with {mutual[-1]} among its supportedVersions", result)


def supported(data: object) -> list[str]:
    """The ``supported`` list of an UnsupportedProtocolVersionError's data (read leniently), or empty."""
    versions = data.get("supported") if isinstance(data, dict) else None
    return [str(version) for version in versions] if isinstance(versions, list) else []
