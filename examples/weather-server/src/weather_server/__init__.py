"""Example MCP weather server backed by a small built-in data table."""

__version__ = "0.3.0"
