"""A working server built without a readme, so its wheel has no long description."""

from __future__ import annotations

from importlib.metadata import version

from mcp.server.mcpserver import MCPServer

app = MCPServer("mvt-registry-no-readme", version=version("mvt-registry-no-readme"))


@app.tool(name="version")
def installed_version() -> str:
    """The installed version of this package."""
    return version("mvt-registry-no-readme")


def main() -> None:
    app.run()
