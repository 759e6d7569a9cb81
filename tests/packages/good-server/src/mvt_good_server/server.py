"""A correct MCP server with two tools, one resource and one prompt."""

from __future__ import annotations

import sys

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
    """Run the server over stdio, or over streamable HTTP with ``--http PORT``."""
    http = [argument.partition("=")[2] for argument in sys.argv[1:] if argument.startswith("--http=")]
    if sys.argv[1:2] == ["--http"]:
        http = sys.argv[2:3]
    if http:
        mcp.run(transport="streamable-http", host="127.0.0.1", port=int(http[0]))
    else:
        mcp.run()


if __name__ == "__main__":
    main()
