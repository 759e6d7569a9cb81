"""mcp-verify fixture: mcp 1.x FastMCP import under an unbounded mcp>=1.6.0."""
