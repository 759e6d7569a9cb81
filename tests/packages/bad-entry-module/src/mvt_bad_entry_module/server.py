"""A normal server, in a module the console script does not name."""

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("mvt-bad-entry-module", version="1.0.0")


@mcp.tool()
def ping() -> str:
    """Reply with "pong"."""
    return "pong"


def main() -> None:
    """Run the server over stdio."""
    mcp.run()
