"""A normal server that wrongly prints a banner to stdout first."""

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("mvt-stdout-banner", version="1.0.0")


@mcp.tool()
def ping() -> str:
    """Reply with "pong"."""
    return "pong"


def main() -> None:
    """Print a banner to stdout (the bug), then serve over stdio."""
    print("Starting MCP server...", flush=True)
    mcp.run()


if __name__ == "__main__":
    main()
