"""mcp-verify fixture: invalid and incomplete metadata."""
