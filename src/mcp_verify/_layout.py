"""Where things are: a virtual environment's interpreter, scripts and site-packages on this platform,
mcp-verify's own cache, and the command that links bytecode from it into an environment (used by
the build environments and the install stage alike)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

BIN = "Scripts" if sys.platform == "win32" else "bin"
EXE = ".exe" if sys.platform == "win32" else ""


@dataclass(frozen=True)
class Layout:
    """Where a virtual environment keeps its interpreter, scripts and site-packages, on this platform."""

    root: Path

    @property
    def scripts(self) -> Path:
        return self.root / BIN

    @property
    def python(self) -> Path:
        return self.scripts / f"python{EXE}"

    def script(self, name: str) -> Path:
        return self.scripts / f"{name}{EXE}"

    def python_version(self) -> str:
        """X.Y.Z of the environment's interpreter, from pyvenv.cfg (venv, uv and virtualenv all write it)."""
        for line in (self.root / "pyvenv.cfg").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key.strip() in {"version_info", "version"}:
                return ".".join(value.strip().split(".")[:3])
        return ""

    def site_packages(self) -> list[str]:
        pattern = "Lib/site-packages" if sys.platform == "win32" else "lib/python*/site-packages"
        return [str(path) for path in self.root.glob(pattern)]


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
