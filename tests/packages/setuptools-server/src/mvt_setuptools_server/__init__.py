"""mcp-verify fixture: a correct MCP server built with setuptools."""
