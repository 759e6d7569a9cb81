"""Where things are: mcp-verify's own cache, and the command that links bytecode from it into an
environment (used by the build environments and the install stage alike). The layout of an
environment itself differs by platform: ``_platform.Layout``."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from ._platform import Layout


def cache_dir() -> Path:
    """mcp-verify's own cache: ``MCP_VERIFY_CACHE_DIR``, else the platform's user cache directory."""
    configured = os.environ.get("MCP_VERIFY_CACHE_DIR")
    return Path(configured) if configured else platformdirs.user_cache_path("mcp-verify", appauthor=False)


def bytecode_command(root: Path) -> list[str]:
    """The command that gives an environment's installed modules bytecode from the shared store.

    uv installs without compiling (pip compiles): without this, every fresh environment's first
    start compiles mcp and pydantic from source, the largest cost of a verification. See ``_bytecode``.
    """
    layout = Layout(root)
    store = cache_dir() / "bytecode"
    return [
        str(layout.python),
        "-I",
        str(Path(__file__).with_name("_bytecode.py")),
        str(store),
        *layout.site_packages(),
    ]
