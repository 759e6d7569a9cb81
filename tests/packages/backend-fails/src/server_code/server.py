"""A normal server; it is never built into a wheel because hatchling cannot find it."""

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("mvt-backend-fails", version="1.0.0")


@mcp.tool()
def ping() -> str:
    """Reply with "pong"."""
    return "pong"


def main() -> None:
    """Run the server over stdio."""
    mcp.run()
