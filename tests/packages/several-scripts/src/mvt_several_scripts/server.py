"""Two entry points that each run a server under a different name."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer


def _build(name: str) -> MCPServer:
    """Make a server called ``name`` with a ``whoami`` tool."""
    mcp = MCPServer(name, version="1.0.0")

    @mcp.tool()
    def whoami() -> str:
        """Return this server's name."""
        return name

    return mcp


def alpha() -> None:
    """Entry point for ``mvt-alpha``: a server named "alpha"."""
    _build("alpha").run()


def beta() -> None:
    """Entry point for ``mvt-beta``: a server named "beta"."""
    _build("beta").run()
