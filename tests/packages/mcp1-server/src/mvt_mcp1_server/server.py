"""An mcp 1.x FastMCP server: one tool, the handshake era only."""

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("mcp1-server")


@mcp.tool()
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def main() -> None:
    mcp.run()
