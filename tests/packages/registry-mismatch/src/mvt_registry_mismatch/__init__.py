"""mcp-verify fixture: a server whose server.json disagrees with the built wheel."""
