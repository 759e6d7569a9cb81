"""mcp-verify fixture: waits a few seconds before serving."""
