"""mcp-verify fixture: broken tool definitions."""
