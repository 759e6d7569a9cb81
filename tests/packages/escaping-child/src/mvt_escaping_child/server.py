"""Starts a helper in its own session, then serves; the helper is never stopped."""

from __future__ import annotations

import subprocess
import sys

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("mvt-escaping-child", version="1.0.0")


@mcp.tool()
def ping() -> str:
    """Reply with "pong"."""
    return "pong"


def main() -> None:
    """Start the forgotten helper, then serve over stdio."""
    subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(3600)"],
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    mcp.run()
