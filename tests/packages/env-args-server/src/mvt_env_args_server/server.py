"""A server whose tool names echo ``$MVT_TOOL_NAME`` and ``sys.argv[1]``."""

from __future__ import annotations

import os
import sys

from mcp.server.mcpserver import MCPServer


def from_env() -> str:
    """Tool named after $MVT_TOOL_NAME."""
    return os.environ.get("MVT_TOOL_NAME", "no_env")


def from_arg() -> str:
    """Tool named after the first command-line argument."""
    return sys.argv[1] if len(sys.argv) > 1 else "no_arg"


def main() -> None:
    """Register the two tools under their launch-dependent names and serve over stdio."""
    mcp = MCPServer("mvt-env-args-server", version="1.0.0")
    mcp.add_tool(from_env, name=from_env())
    mcp.add_tool(from_arg, name=from_arg())
    mcp.run()


if __name__ == "__main__":
    main()
