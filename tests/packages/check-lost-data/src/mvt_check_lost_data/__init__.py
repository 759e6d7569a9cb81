"""mcp-verify fixture: a data file lost on the way from the tree to the wheel."""
