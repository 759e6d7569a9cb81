"""A normal server whose entry function is ``main``, not ``start_server``."""

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("mvt-bad-entry-attr", version="1.0.0")


@mcp.tool()
def ping() -> str:
    """Reply with "pong"."""
    return "pong"


def main() -> None:
    """Run the server over stdio."""
    mcp.run()
