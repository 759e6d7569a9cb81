"""MCP bundles (``.mcpb``) made by hand, as authors pack them: a ``python`` bundle whose server is a
raw JSON-RPC server (standard library only, so it needs nothing bundled), its manifest changed to
carry one mistake at a time.

``make_bundle`` writes the bundle's directory and, unless ``packed`` is false, zips it as
``mcpb pack`` does (Unix modes kept), so a test can verify either form.
"""

from __future__ import annotations

import copy
import json
import zipfile
from typing import TYPE_CHECKING, Any

from .rawserver import server_source

if TYPE_CHECKING:
    from pathlib import Path

TOOL = {"name": "echo", "description": "Echo the arguments.", "inputSchema": {"type": "object"}}

MANIFEST: dict[str, Any] = {
    "manifest_version": "0.3",
    "name": "raw-bundle",
    "version": "1.0.0",
    "description": "A raw JSON-RPC MCP server in a python bundle (mcp-verify test).",
    "author": {"name": "mcp-verify tests"},
    "server": {
        "type": "python",
        "entry_point": "server/main.py",
        "mcp_config": {"command": "python", "args": ["${__dirname}/server/main.py"], "env": {}},
    },
    "tools": [{"name": "echo", "description": "Echo the arguments."}],
    "compatibility": {"platforms": ["darwin", "win32", "linux"], "runtimes": {"python": ">=3.10 <4"}},
}


def manifest(**changes: Any) -> dict[str, Any]:
    """The good manifest with top-level keys replaced (``None`` removes one)."""
    result = copy.deepcopy(MANIFEST)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def mcp_config(
    command: str = "python", args: list[str] | None = None, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """A python bundle's ``server`` object with this ``mcp_config``."""
    config = {"command": command, "args": args or ["${__dirname}/server/main.py"], "env": env or {}}
    return {**MANIFEST["server"], "mcp_config": config}


def make_bundle(
    root: Path,
    name: str,
    behaviour: dict[str, Any] | None = None,
    *,
    written: dict[str, Any] = MANIFEST,
    files: dict[str, str] | None = None,
    packed: bool = True,
) -> Path:
    """Write the bundle ``name`` (its server serving ``behaviour``, by default one tool ``echo``) under
    ``root``; return the ``.mcpb`` file, or the directory when not ``packed``."""
    directory = root / name
    (directory / "server").mkdir(parents=True)
    (directory / "manifest.json").write_text(json.dumps(written, indent=2) + "\n")
    (directory / "server" / "main.py").write_text(server_source(behaviour or {"tools": [TOOL]}))
    for path, text in (files or {}).items():
        (directory / path).parent.mkdir(parents=True, exist_ok=True)
        (directory / path).write_text(text)
    if not packed:
        return directory
    bundle = root / f"{name}.mcpb"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(directory).as_posix())
    return bundle
