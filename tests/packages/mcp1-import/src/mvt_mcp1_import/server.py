"""An mcp 1.x-style FastMCP server (fails to import under mcp 2.x)."""

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("mvt-mcp1-import")


@mcp.tool()
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def main() -> None:
    """Run the server over stdio."""
    mcp.run()


if __name__ == "__main__":
    main()
