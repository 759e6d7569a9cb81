"""A correct server: only the project's metadata is wrong."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("mvt-check-bad-metadata", version="1.0.0")


@mcp.tool()
def ping() -> str:
    """Answer pong."""
    return "pong"


def main() -> None:
    """Run the server over stdio."""
    mcp.run()
