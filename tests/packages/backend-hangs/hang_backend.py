"""An in-tree PEP 517 backend that hangs in build_sdist, as one waiting for a prompt or a network would."""

from __future__ import annotations

import time


def get_requires_for_build_sdist(config_settings: dict[str, str] | None = None) -> list[str]:
    """Nothing to install."""
    return []


def build_sdist(sdist_directory: str, config_settings: dict[str, str] | None = None) -> str:
    """Never returns."""
    while True:
        time.sleep(1)
