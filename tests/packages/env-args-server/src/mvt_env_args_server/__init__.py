"""mcp-verify fixture: tool names come from an env var and argv."""
