"""mcp-verify fixture: replies with JSON that is not JSON-RPC."""
