"""mcp-verify fixture: a small, correct MCP server."""
