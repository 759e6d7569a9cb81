"""Client configuration: the ``claude_desktop_config.json`` entry for the verified server.

Hand-written entries are where a verified package still fails for users: a wrong script name,
a missing ``--from`` when the script and the distribution are named differently, an unpinned
version. This one is written from what was verified: the wheel's name and version, the console
script that was launched and the arguments it was launched with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import platformdirs

from ._platform import HOST
from ._venv import script_path

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from ._report import Report
    from ._types import JSONDict

CONFIG_FILES = {
    "macos": "~/Library/Application Support/Claude/claude_desktop_config.json",
    "windows": "%APPDATA%\\Claude\\claude_desktop_config.json",
    "linux": "~/.config/Claude/claude_desktop_config.json",
}
"""Where Claude Desktop reads its configuration, by operating system."""


def platform_name(platform: str) -> str:
    """``sys.platform`` as the keys of ``CONFIG_FILES`` name it."""
    if platform == "darwin":
        return "macos"
    return "windows" if platform in {"win32", "cygwin"} else "linux"


def _entry(command: str, args: list[str], env_names: Sequence[str]) -> JSONDict:
    entry: JSONDict = {"command": command, "args": args}
    if env_names:
        # names only: a report is pasted into issues and CI logs, so values never go into it
        entry["env"] = {name: f"<{name}>" for name in env_names}
    return entry


def _local_command(report: Report) -> str | None:
    """The console script in the report's environment (made on this machine, so in its path form)."""
    if report.environment is None or report.script is None:
        return None
    return str(script_path(report.environment, report.script))


def client_config(
    report: Report,
    *,
    platform: str = HOST,
    local_command: str | None = None,
    env_names: Sequence[str] = (),
) -> JSONDict:
    """The ``mcpServers`` entry for the published package (via uvx) and for the local install.

    ``published`` needs the wheel; ``local`` needs ``local_command`` (the absolute path of the
    installed script) or a kept environment in the report; each is None without. ``env_names``
    become ``env`` keys with placeholder values. ``platform`` (a ``sys.platform`` value, default this one) says
    which of the three config files is this machine's.
    """
    metadata = report.wheel.metadata if report.wheel is not None else None
    script = report.script or (metadata.name if metadata else None)
    server_args = list(report.server.command[1:]) if report.server is not None else []
    key = script or "server"
    published = None
    if metadata is not None and script is not None:
        uvx_args = ["--from", f"{metadata.name}=={metadata.version}", script, *server_args]
        published = {"mcpServers": {key: _entry("uvx", uvx_args, env_names)}}
    command = local_command or _local_command(report)
    local = {"mcpServers": {key: _entry(command, server_args, env_names)}} if command else None
    return {
        "server": key,
        "platform": platform_name(platform),
        "config_file": dict(CONFIG_FILES),
        "published": published,
        "local": local,
    }


def server_home(project: Path) -> Path:
    """Where ``mcp-verify config`` keeps a server's environment: a per-user data directory."""
    return platformdirs.user_data_path("mcp-verify", appauthor=False) / "servers" / (project.resolve().name or "server")
