"""mcp-verify fixture: starts and never answers."""
