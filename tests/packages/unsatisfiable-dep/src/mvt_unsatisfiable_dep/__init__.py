"""mcp-verify fixture: depends on a package that does not exist."""
