"""mcp-verify fixture: a server whose server.json matches the built wheel."""
