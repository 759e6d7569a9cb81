"""What the user asked to verify: project directories, or built artifacts (verified without rebuilding).

Verifying the exact files that will be uploaded is what makes mcp-verify a release gate: a
directory such as ``dist/`` or a list of ``.tar.gz`` / ``.whl`` files is grouped by distribution
name and version, one verification per release.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename

from ._exceptions import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

_SDIST_SUFFIX = ".tar.gz"


@dataclass(frozen=True)
class Target:
    """One thing to verify: a project directory to build, or a release's prebuilt artifacts."""

    label: str
    """The path as the user gave it: the report's ``project``."""
    project: Path | None = None
    sdist: Path | None = None
    wheel: Path | None = None
    index_spec: str | None = None
    """``NAME==VERSION`` to download from the package index."""


def _release(path: Path) -> tuple[str, str]:
    """The (canonical name, version) an artifact's file name declares."""
    try:
        if path.name.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(path.name)
        else:
            name, version = parse_sdist_filename(path.name)
    except (InvalidWheelFilename, InvalidSdistFilename) as error:
        raise UsageError(f"{path}: {error}") from None
    return str(name), str(version)


def _group(label: str, artifacts: Iterable[Path]) -> list[Target]:
    releases: dict[tuple[str, str], dict[str, Path]] = {}
    for path in sorted(artifacts):
        kind = "wheel" if path.name.endswith(".whl") else "sdist"
        files = releases.setdefault(_release(path), {})
        if kind in files:
            raise UsageError(f"{label}: two {kind}s of the same release ({files[kind].name}, {path.name}): give one")
        files[kind] = path
    labels = len(releases) > 1
    return [
        Target(
            label=f"{label} ({name} {version})" if labels else label,
            sdist=files.get("sdist"),
            wheel=files.get("wheel"),
        )
        for (name, version), files in releases.items()
    ]


def _is_artifact(path: Path) -> bool:
    return path.name.endswith((".whl", _SDIST_SUFFIX))


def resolve_targets(paths: Sequence[str]) -> list[Target]:
    """Turn the command line's paths into targets; anything else is a usage error (exit 2)."""
    targets: list[Target] = []
    loose: list[Path] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise UsageError(f"{given}: no such file or directory")
        if path.is_file():
            if not _is_artifact(path):
                raise UsageError(f"{given}: not a project directory, a wheel (.whl) or an sdist (.tar.gz)")
            loose.append(path)
        elif (path / "pyproject.toml").is_file():
            targets.append(Target(label=given, project=path))
        else:
            artifacts = [child for child in path.iterdir() if child.is_file() and _is_artifact(child)]
            if not artifacts:
                raise UsageError(
                    f"{given}: no pyproject.toml in this directory and no built .whl or .tar.gz either,"
                    " so there is nothing to verify"
                )
            targets.extend(_group(given, artifacts))
    if loose:
        targets.extend(_group(" ".join(str(path) for path in loose), loose))
    return targets
