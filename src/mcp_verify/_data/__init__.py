"""Data mcp-verify ships: official JSON schemas vendored byte-exact (never edited here), and the
limits of real MCP clients, each with where it comes from.

- ``server.schema.json``: the MCP Registry's server.json schema, version 2025-12-11, from
  ``modelcontextprotocol/static:schemas/2025-12-11/server.schema.json`` at commit
  ``a9ba437d9fbbe92076a24b20d56449ac7c7786ac`` (sha256 ``3fba0959…14de0``), the file
  ``https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json`` serves.
- ``mcpb-manifest-0.4.schema.json``: the MCP bundle manifest schema, version 0.4, from
  ``anthropics/mcpb:schemas/mcpb-manifest-v0.4.schema.json`` at commit
  ``27083dcf93c4d1c589af6b539ec746e50d6068e7`` (sha256 ``06855782…1320fd``); generated there from the
  zod schemas that ``mcpb validate`` and Claude Desktop use. The schemas of 0.1 to 0.3 differ from it
  only as ``docs/research/mcpb.md`` lists (``uv`` is 0.4's, ``icons``/``localization``/``_meta`` 0.3's,
  ``privacy_policies`` 0.2's): ``_checks/bundle.py`` derives them.
- ``client_profiles.toml``: one rule per limit of a client, with its references; sources and
  the rules not kept are in ``docs/research/client-profiles.md``.
- ``mcpb_rules.toml``: what ``mcpb validate`` checks beyond the schema (the icon rules), each with
  its source; the rest of what it and the hosts do is in ``docs/research/mcpb.md``.
- ``protocol_eras.toml``: how each client connects since 2026-07-28 removed the handshake (auto,
  legacy, modern), with the threads that show it; ``docs/research/protocol-eras.md`` has the rest.
- ``generic_names.toml``: top-level names that collide across projects in site-packages, each with
  the tools and threads that show it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from .._compat import tomllib

SERVER_JSON_VERSION = "2025-12-11"
SERVER_JSON_VERSIONS = ("2025-07-09", "2025-09-16", "2025-09-29", "2025-10-11", "2025-10-17", "2025-12-11")
"""The server.json schema versions the MCP Registry has and validates against, the last the current one
(``modelcontextprotocol/registry:internal/validators/schemas/*.json`` and ``pkg/model/constants.go``
``CurrentSchemaVersion``, at ``29e32c39dcb5e0e2b43974089d959fcc4794eb6d``, v1.8.0)."""
SERVER_JSON_URL = f"https://static.modelcontextprotocol.io/schemas/{SERVER_JSON_VERSION}/server.schema.json"
MCPB_SCHEMA = "mcpb-manifest 0.4 (anthropics/mcpb@27083dc)"


@cache
def load_json(name: str) -> dict[str, Any]:
    """A vendored JSON document, parsed once."""
    data: dict[str, Any] = json.loads(files(__name__).joinpath(name).read_text(encoding="utf-8"))
    return data


@cache
def load_toml(name: str) -> dict[str, Any]:
    """A TOML data file, parsed once."""
    data: dict[str, Any] = tomllib.loads(files(__name__).joinpath(name).read_text(encoding="utf-8"))
    return data
