"""mcp-verify fixture: answers, but leaves children and ignores SIGTERM and EOF."""
