"""mcp-verify fixture: a server package with no console script."""
