"""What the user asked to verify: project directories, or built artifacts (verified without rebuilding).

Verifying the exact files that will be uploaded is what makes mcp-verify a release gate: a
directory such as ``dist/`` or a list of ``.tar.gz`` / ``.whl`` files is grouped by distribution
name and version, one verification per release.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from ._bundle import is_bundle_directory
from ._exceptions import UsageError
from ._project import is_project

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from ._types import JsonDocument

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
    server_json: JsonDocument | None = None
    """A registry entry's server.json (``--from-registry``), checked against the release it names."""
    problem: str | None = None
    """Why the target cannot be verified as given: in a run of several targets, its own failure (MV901)."""
    skipped: str | None = None
    """Why the target is not verified at all (a registry entry that names no PyPI package)."""
    spelling: str | None = None
    """How a list spelled it, when that is not the label (a line of ``--targets``, a registry entry)."""

    @property
    def key(self) -> str:
        """The canonical spelling: what ``--shard`` hashes, ``--resume`` names files by and duplicates are
        found by; the same on every runner, whatever the position of the target in its list."""
        text = self.spelling or self.label
        if self.index_spec is not None and self.spelling is None:
            return canonical_spec(text)
        return posixpath.normpath(text.replace("\\", "/")) if text else text


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


def resolve_targets(paths: Sequence[str], *, tolerant: bool = False) -> list[Target]:
    """Turn the command line's paths into targets; anything else is a usage error (exit 2), or with
    ``tolerant`` (a run of several targets) a target of its own that fails with that problem.

    Paths are made absolute here: later stages run in directories of their own, where a relative
    ``dist/x.whl`` means nothing. Reports keep each path as it was given. A directory is a project
    when it has pyproject.toml or setup.py, a bundle when it has only manifest.json, else a
    directory of built artifacts (wheels, sdists, bundles).
    """
    targets: list[Target] = []
    loose: list[Path] = []
    for given in paths:
        try:
            found = _resolve(given)
        except UsageError as error:
            if not tolerant:
                raise
            found = [Target(label=given, problem=str(error))]
        if isinstance(found, Path):
            loose.append(found)
        else:
            targets += found
    if loose:
        typed = " ".join(given for given in paths if Path(given).absolute() in set(loose))
        try:
            targets += _group(typed, loose)
        except UsageError as error:
            if not tolerant:
                raise
            targets.append(Target(label=typed, problem=str(error)))
    return targets


def _resolve(given: str) -> list[Target] | Path:
    """One path's targets, or the path of a loose artifact (grouped with the others by release)."""
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
        raise UsageError(f"{given}: not a project directory, a wheel (.whl) or an sdist (.tar.gz), but a special file")
    if kind == "file":
        if path.name.endswith(_BUNDLE_SUFFIXES):
            return [Target(label=given, bundle=path.absolute())]
        if not _is_artifact(path):
            raise UsageError(
                f"{given}: not a project directory, a wheel (.whl), an sdist (.tar.gz) or a bundle (.mcpb)"
            )
        return path.absolute()
    if is_project(path):
        return [Target(label=given, project=path.absolute())]
    if is_bundle_directory(path):
        return [Target(label=given, bundle=path.absolute())]
    if not artifacts:
        raise UsageError(
            f"{given}: no pyproject.toml or setup.py in this directory and no built .whl, .tar.gz or .mcpb "
            "either, so there is nothing to verify"
        )
    bundles = [child for child in artifacts if child.name.endswith(_BUNDLE_SUFFIXES)]
    dists = [child.absolute() for child in artifacts if child not in bundles]
    found = _group(given, dists) if dists else []
    return found + [Target(label=f"{given} ({child.name})", bundle=child.absolute()) for child in sorted(bundles)]


def canonical_spec(spec: str) -> str:
    """``NAME==VERSION`` as PEP 503 and PEP 440 normalize it: ``My_Server==1.0-RC1`` is ``my-server==1.0rc1``."""
    try:
        requirement = Requirement(spec)
    except InvalidRequirement:
        return " ".join(spec.split())
    versions = [item.version for item in requirement.specifier if item.operator == "=="]
    name = canonicalize_name(requirement.name)
    if len(versions) != 1 or len(requirement.specifier) != 1:
        return f"{name}{requirement.specifier}" if requirement.specifier else str(name)
    try:
        return f"{name}=={Version(versions[0])}"
    except InvalidVersion:
        return f"{name}=={versions[0]}"
