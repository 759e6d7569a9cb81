"""A working server whose server.json agrees with the built wheel."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("mvt-registry-good", version="1.0.0")


@mcp.tool()
def forecast(city: str) -> str:
    """A fixed forecast for a city."""
    return f"Sunny in {city}."


def main() -> None:
    """Run the server over stdio."""
    mcp.run()
