"""mcp-verify fixture: one package, two console scripts."""
