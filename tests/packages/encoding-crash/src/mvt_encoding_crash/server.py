"""Prints a check mark before serving: fine in a UTF-8 terminal, a crash in a cp1252 console."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("mvt-encoding-crash", version="1.0.0")


@mcp.tool()
def ping() -> str:
    """Reply with "pong"."""
    return "pong"


def main() -> None:
    """Greet, then serve over stdio."""
    print("\u2713 ready", flush=True)
    mcp.run()
