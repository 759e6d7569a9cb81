"""A server on mcp 1.x."""
