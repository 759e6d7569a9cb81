"""A correct MCP server with two tools, one resource and one prompt."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("mvt-good-server", version="1.0.0")


@mcp.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@mcp.tool()
def echo(text: str) -> str:
    """Return the text unchanged."""
    return text


@mcp.resource("test://readme", name="readme", mime_type="text/plain")
def readme() -> str:
    """A short fixed text."""
    return "This is mvt-good-server, a test fixture for mcp-verify."


@mcp.prompt()
def greet(name: str) -> str:
    """Greet someone by name."""
    return f"Say hello to {name}."


def main() -> None:
    """Run the server over stdio."""
    mcp.run()


if __name__ == "__main__":
    main()
