"""A normal server; it is never reached because the project cannot be parsed."""

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("mvt-bad-toml", version="1.0.0")


@mcp.tool()
def ping() -> str:
    """Reply with "pong"."""
    return "pong"


def main() -> None:
    """Run the server over stdio."""
    mcp.run()
