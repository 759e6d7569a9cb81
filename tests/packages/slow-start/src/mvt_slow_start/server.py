"""A normal server that is slow to start."""

from __future__ import annotations

import os
import time

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("mvt-slow-start", version="1.0.0")


@mcp.tool()
def ping() -> str:
    """Reply with "pong"."""
    return "pong"


def main() -> None:
    """Sleep $MVT_SLEEP seconds (default 3), then serve over stdio."""
    time.sleep(float(os.environ.get("MVT_SLEEP", "3")))
    mcp.run()


if __name__ == "__main__":
    main()
