"""A normal server; it is never installed because a dependency cannot be found."""

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("mvt-unsatisfiable-dep", version="1.0.0")


@mcp.tool()
def ping() -> str:
    """Reply with "pong"."""
    return "pong"


def main() -> None:
    """Run the server over stdio."""
    mcp.run()
