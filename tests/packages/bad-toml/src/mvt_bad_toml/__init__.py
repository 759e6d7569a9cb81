"""mcp-verify fixture: pyproject.toml is not valid TOML."""
