"""mcp-verify fixture: replies with plain text instead of JSON."""
