"""A working server whose server.json disagrees with the built wheel (the server itself is fine)."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

server = MCPServer("mvt-registry-mismatch", version="1.0.0")


@server.tool()
def ping() -> str:
    """Answer pong."""
    return "pong"


def main() -> None:
    """Serve over stdio."""
    server.run()
