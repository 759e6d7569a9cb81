"""A server that refuses to start without ``DATABASE_URL``."""

from __future__ import annotations

import os
import sys

from mcp.server.mcpserver import MCPServer


def main() -> None:
    """Exit 3 if DATABASE_URL is unset, otherwise serve over stdio."""
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        sys.stderr.write("fatal: DATABASE_URL is not set\n")
        sys.stderr.flush()
        sys.exit(3)

    mcp = MCPServer("mvt-crash-on-start", version="1.0.0")

    @mcp.tool()
    def query(sql: str) -> str:
        """Pretend to run a SQL query (no connection is made)."""
        return f"0 rows from {sql!r}"

    mcp.run()


if __name__ == "__main__":
    main()
