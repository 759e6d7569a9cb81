"""A correct MCP server with one tool, built with setuptools."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("mvt-setuptools-server", version="1.0.0")


@mcp.tool()
def ping() -> str:
    """Answer pong."""
    return "pong"


def main() -> None:
    mcp.run()
