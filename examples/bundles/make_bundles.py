"""Build the example MCP bundles from examples/weather-server, so they always match the server.

    python examples/bundles/make_bundles.py [OUTDIR]      # default: examples/bundles/

- ``weather.mcpb``: a ``uv`` bundle, as Claude Desktop installs it: manifest.json, the project's
  pyproject.toml and its sources; the host installs the dependencies with its own uv and runs
  ``uv run weather-server``. ``mcp-verify weather.mcpb`` passes.
- ``weather-broken.mcpb``: the same server with three mistakes seen in released bundles: a key the
  hosts do not know, a tool the manifest promises that the server does not have, and a version
  that disagrees with the bundled pyproject.toml. ``mcp-verify weather-broken.mcpb`` fails,
  naming each.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SERVER = HERE.parent / "weather-server"
VERSION = "0.3.0"

MANIFEST = {
    "manifest_version": "0.4",
    "name": "weather",
    "display_name": "Weather",
    "version": VERSION,
    "description": "Forecasts and alerts from built-in sample data.",
    "author": {"name": "mcp-verify developers"},
    "server": {
        "type": "uv",
        "entry_point": "src/weather_server/server.py",
        "mcp_config": {"command": "uv", "args": ["run", "--directory", "${__dirname}", "weather-server"]},
    },
    "tools": [
        {"name": "get_forecast", "description": "Forecast for a latitude/longitude."},
        {"name": "get_alerts", "description": "Active weather alerts for a US state."},
    ],
    "prompts": [{"name": "plan_trip", "text": "Plan a trip around the weather in ${arguments.city}."}],
    "compatibility": {"platforms": ["darwin", "win32", "linux"], "runtimes": {"python": ">=3.10 <4"}},
    "license": "MIT",
}


def _pack(out: Path, manifest: dict[str, object]) -> Path:
    """Zip manifest.json, pyproject.toml, the README and the sources, as ``mcpb pack`` would."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("manifest.json", json.dumps(manifest, indent=2) + "\n")
        for path in sorted([SERVER / "pyproject.toml", SERVER / "README.md", *(SERVER / "src").rglob("*.py")]):
            bundle.write(path, path.relative_to(SERVER).as_posix())
    return out


def make(outdir: Path) -> tuple[Path, Path]:
    """Write both bundles into ``outdir``; return their paths."""
    outdir.mkdir(parents=True, exist_ok=True)
    good = _pack(outdir / "weather.mcpb", MANIFEST)
    broken = {
        **MANIFEST,
        "version": "0.4.0",
        "homepage_url": "https://example.com/weather",
        "tools": [*MANIFEST["tools"], {"name": "get_radar", "description": "Radar images."}],  # type: ignore[list-item]
    }
    return good, _pack(outdir / "weather-broken.mcpb", broken)


if __name__ == "__main__":
    for path in make(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)
