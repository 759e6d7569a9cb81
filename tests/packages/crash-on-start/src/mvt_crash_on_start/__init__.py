"""mcp-verify fixture: exits with status 3 unless DATABASE_URL is set."""
