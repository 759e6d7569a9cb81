"""mcp-verify fixture: prints a banner to stdout before serving."""
