"""The single source of the version (read by hatchling too)."""

__version__ = "0.1.0"
