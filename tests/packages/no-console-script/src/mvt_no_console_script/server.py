"""A normal server, launchable only with ``python -m``."""

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("mvt-no-console-script", version="1.0.0")


@mcp.tool()
def ping() -> str:
    """Reply with "pong"."""
    return "pong"


def main() -> None:
    """Run the server over stdio."""
    mcp.run()
