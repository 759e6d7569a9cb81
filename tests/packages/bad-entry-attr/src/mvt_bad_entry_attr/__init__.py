"""mcp-verify fixture: console script names a missing function."""
