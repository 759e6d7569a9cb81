"""Client configuration: valid JSON for claude_desktop_config.json, written from what was verified."""

from __future__ import annotations

import json

from mcp_verify._config import client_config
from mcp_verify._report import Report
from mcp_verify._types import Environment, Metadata, ServerInfo, Wheel


def _report(
    script: str = "weather-server", args: tuple[str, ...] = (), environment: Environment | None = None
) -> Report:
    metadata = Metadata("weather-server", "0.3.0", "Weather.", ">=3.10", ["mcp>=2"])
    return Report(
        "examples/weather-server",
        (),
        wheel=Wheel("weather_server-0.3.0-py3-none-any.whl", "0" * 64, 1, [], metadata=metadata),
        script=script,
        server=ServerInfo(command=[f"/tmp/env/bin/{script}", *args], pid=1),
        environment=environment,
    )


def _round_trip(config: dict) -> dict:
    loaded = json.loads(json.dumps(config))
    assert loaded == config
    return loaded


def test_published_entry_runs_the_pinned_release_with_uvx():
    config = _round_trip(client_config(_report("weather", ("--units", "metric")), platform="darwin"))
    assert set(config) == {"server", "platform", "config_file", "published", "local"}
    assert config["server"] == "weather"
    assert config["platform"] == "macos"
    assert config["published"] == {
        "mcpServers": {
            "weather": {"command": "uvx", "args": ["--from", "weather-server==0.3.0", "weather", "--units", "metric"]}
        }
    }
    assert config["local"] is None


def test_config_file_locations_for_every_platform():
    files = client_config(_report(), platform="win32")["config_file"]
    assert files == {
        "macos": "~/Library/Application Support/Claude/claude_desktop_config.json",
        "windows": "%APPDATA%\\Claude\\claude_desktop_config.json",
        "linux": "~/.config/Claude/claude_desktop_config.json",
    }
    assert client_config(_report(), platform="win32")["platform"] == "windows"
    assert client_config(_report(), platform="linux")["platform"] == "linux"


def test_local_entry_uses_the_absolute_command():
    config = _round_trip(client_config(_report(), local_command="/opt/venv/bin/weather-server"))
    assert config["local"] == {
        "mcpServers": {"weather-server": {"command": "/opt/venv/bin/weather-server", "args": []}}
    }


def test_local_entry_from_a_kept_environment():
    report = _report(environment=Environment("/kept", "/kept/bin/python", "3.12.1", "/kept/bin", "uv", {}))
    command = client_config(report)["local"]["mcpServers"]["weather-server"]["command"]
    assert command.startswith("/kept")
    assert command.removesuffix(".exe").endswith("weather-server")


def test_env_names_get_placeholders_never_values():
    config = _round_trip(client_config(_report(), env_names=["API_KEY"], local_command="/x/weather-server"))
    for form in ("published", "local"):
        assert config[form]["mcpServers"]["weather-server"]["env"] == {"API_KEY": "<API_KEY>"}


def test_without_a_wheel_there_is_no_published_entry():
    report = Report("broken", ())
    config = _round_trip(client_config(report))
    assert config["published"] is None
    assert config["local"] is None
