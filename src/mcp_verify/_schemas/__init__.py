"""Official JSON schemas, vendored byte-exact (never edited here), with where each came from.

- ``server.schema.json``: the MCP Registry's server.json schema, version 2025-12-11, from
  ``modelcontextprotocol/static:schemas/2025-12-11/server.schema.json`` at commit
  ``a9ba437d9fbbe92076a24b20d56449ac7c7786ac`` (sha256 ``3fba0959…14de0``), the file
  ``https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json`` serves.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

SERVER_JSON_VERSION = "2025-12-11"


@cache
def load(name: str) -> dict[str, Any]:
    """A vendored schema, parsed once."""
    data: dict[str, Any] = json.loads(files(__name__).joinpath(name).read_text(encoding="utf-8"))
    return data
