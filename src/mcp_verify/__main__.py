"""Allow ``python -m mcp_verify``."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    main(prog_name="mcp-verify")
