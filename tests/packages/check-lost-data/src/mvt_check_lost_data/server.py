"""A server that reads its greeting from a package data file when it starts."""

from __future__ import annotations

from importlib.resources import files

from mcp.server.mcpserver import MCPServer


def main() -> None:
    """Read the greeting (FileNotFoundError when the wheel lacks it), then serve over stdio."""
    greeting = (files("mvt_check_lost_data") / "data" / "greeting.txt").read_text(encoding="utf-8").strip()
    mcp = MCPServer("mvt-check-lost-data", version="1.0.0")

    @mcp.tool()
    def greet() -> str:
        """Return the greeting read from the data file."""
        return greeting

    mcp.run()


if __name__ == "__main__":
    main()
