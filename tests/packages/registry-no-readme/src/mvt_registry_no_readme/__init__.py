"""mcp-verify fixture: a server with a server.json but no readme in its metadata."""
