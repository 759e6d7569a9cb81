"""Example MCP notes server built on the low-level Server API."""

__version__ = "0.1.0"
