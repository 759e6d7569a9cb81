"""mcp-verify fixture: a package directory that does not match the project name."""
