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

from ._bundle import is_bundle_directory
from ._exceptions import UsageError
from ._project import is_project

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

_SDIST_SUFFIX = ".tar.gz"
_BUNDLE_SUFFIXES = (".mcpb", ".dxt")


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
    bundle: Path | None = None
    """An MCP bundle: a ``.mcpb`` file, or a directory holding manifest.json."""


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
    return path.name.endswith((".whl", _SDIST_SUFFIX, *_BUNDLE_SUFFIXES))


def resolve_targets(paths: Sequence[str]) -> list[Target]:
    """Turn the command line's paths into targets; anything else is a usage error (exit 2).

    Paths are made absolute here: later stages run in directories of their own, where a relative
    ``dist/x.whl`` means nothing. Reports keep each path as it was given. A directory is a project
    when it has pyproject.toml or setup.py, a bundle when it has only manifest.json, else a
    directory of built artifacts (wheels, sdists, bundles).
    """
    targets: list[Target] = []
    loose: list[Path] = []
    for given in paths:
        path = Path(given)
        try:
            kind = "file" if path.is_file() else "directory" if path.is_dir() else "other" if path.exists() else None
            if kind == "directory" and not is_project(path) and not is_bundle_directory(path):
                artifacts = [child for child in path.iterdir() if child.is_file() and _is_artifact(child)]
        except OSError as error:
            raise UsageError(f"{given}: cannot be read: {error.strerror or error}") from None
        if kind is None:
            raise UsageError(f"{given}: no such file or directory")
        if kind == "other":
            raise UsageError(
                f"{given}: not a project directory, a wheel (.whl) or an sdist (.tar.gz), but a special file"
            )
        if kind == "file":
            if path.name.endswith(_BUNDLE_SUFFIXES):
                targets.append(Target(label=given, bundle=path.absolute()))
            elif not _is_artifact(path):
                raise UsageError(
                    f"{given}: not a project directory, a wheel (.whl), an sdist (.tar.gz) or a bundle (.mcpb)"
                )
            else:
                loose.append(path.absolute())
        elif is_project(path):
            targets.append(Target(label=given, project=path.absolute()))
        elif is_bundle_directory(path):
            targets.append(Target(label=given, bundle=path.absolute()))
        else:
            bundles = [child for child in artifacts if child.name.endswith(_BUNDLE_SUFFIXES)]
            dists = [child.absolute() for child in artifacts if child not in bundles]
            if not artifacts:
                raise UsageError(
                    f"{given}: no pyproject.toml or setup.py in this directory and no built .whl, .tar.gz or .mcpb "
                    "either, so there is nothing to verify"
                )
            targets.extend(_group(given, dists) if dists else [])
            targets += [Target(label=f"{given} ({child.name})", bundle=child.absolute()) for child in sorted(bundles)]
    if loose:
        typed = [given for given in paths if Path(given).absolute() in set(loose)]
        targets.extend(_group(" ".join(typed), loose))
    return targets
