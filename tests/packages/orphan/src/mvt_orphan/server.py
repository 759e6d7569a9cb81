"""A working server that spawns stubborn children and will not exit on its own."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from mcp.server.mcpserver import MCPServer

CHILD_CODE = "import signal,time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(3600)"

mcp = MCPServer("mvt-orphan", version="1.0.0")


@mcp.tool()
def ping() -> str:
    """Reply with "pong"."""
    return "pong"


def main() -> None:
    """Spawn two children, ignore SIGTERM, serve, then never exit."""
    children = [subprocess.Popen([sys.executable, "-c", CHILD_CODE]) for _ in range(2)]
    print(f"mvt-orphan: children {[c.pid for c in children]}", file=sys.stderr, flush=True)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    mcp.run()
    # stdin reached EOF and the session ended: a well-behaved server would exit here.
    while True:
        time.sleep(60)


if __name__ == "__main__":
    main()
