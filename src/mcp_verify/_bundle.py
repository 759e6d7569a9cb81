"""MCP bundles (``.mcpb``, formerly ``.dxt``): opened safely, and turned into the command a host runs.

A bundle is a zip with ``manifest.json`` and the server. It is unpacked (every member checked
first: an absolute or ``../`` name is refused and named, as for sdists), its manifest read, and
its ``mcp_config`` resolved as Claude Desktop resolves it: the platform's override, then
``${__dirname}``, ``${HOME}`` and ``${user_config.KEY}`` substituted, a required value that is
missing being a usage error. Nothing from the bundle runs here.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import posixpath
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._checks.archive import unsafe_path
from ._data import MCPB_SCHEMA
from ._exceptions import BuildError, UsageError
from ._platform import HOST
from ._types import Bundle, Member

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ._types import JSONDict

MANIFEST = "manifest.json"
GUI_PATH = ("/usr/local/bin", "/opt/homebrew/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin")
"""What a desktop app started from the Dock or the Start menu has on its PATH (not ~/.local/bin, not pyenv)."""
_VARIABLE = re.compile(r"\$\{([^}]+)\}")
_LARGEST_MANIFEST = 1 << 20


@dataclass(frozen=True)
class Command:
    """The command a host runs for the bundle, once resolved, and what resolving it noticed."""

    command: str
    args: list[str]
    env: dict[str, str]
    literal: list[str] = field(default_factory=list)
    """``${user_config.KEY}`` left as literal text (a blank optional value with no default), as hosts pass it."""


def is_bundle_directory(path: Path) -> bool:
    """A directory holding a bundle's manifest.json (a project directory is a project first)."""
    return (path / MANIFEST).is_file()


def open_bundle(source: Path, work: Path) -> Bundle:
    """Unpack a ``.mcpb`` (or copy a bundle directory) into ``work/bundle`` and read its manifest."""
    root = work / "bundle"
    if source.is_dir():
        shutil.copytree(source, root, symlinks=True)
        members = tuple(
            Member(path.relative_to(root).as_posix(), path.stat().st_size)
            for path in sorted(root.rglob("*"))
            if path.is_file()
        )
        size = sum(member.size for member in members)
        digest = ""
    else:
        members, size, digest = _unzip(source, root)
    try:
        text = (root / MANIFEST).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildError("MV801", f"{source.name} has no {MANIFEST} at its root", step="build") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BuildError("MV801", f"{source.name}: {MANIFEST} cannot be read: {error}", step="build") from None
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as error:
        raise BuildError(
            "MV801",
            f"{MANIFEST} is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})",
            step="build",
        ) from None
    if not isinstance(manifest, dict):
        raise BuildError("MV801", f"{MANIFEST} holds a JSON {type(manifest).__name__}, not an object", step="build")
    return Bundle(root, manifest, text, source.name, digest, size, members, packed=not source.is_dir())


def _unzip(source: Path, root: Path) -> tuple[tuple[Member, ...], int, str]:
    """Check every member, then unpack: a name leading out of the bundle is refused before anything is written."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    try:
        with zipfile.ZipFile(source) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            for info in infos:
                name = info.filename
                if unsafe_path(name.replace("\\", "/")):  # a backslash separates on Windows hosts
                    raise BuildError("MV801", f"{source.name} has a member {name!r} that leads out of the bundle")
            members = tuple(Member(info.filename, info.file_size) for info in infos)
            archive.extractall(root)
            for info in infos:
                mode = info.external_attr >> 16
                if mode & 0o111:
                    (root / info.filename).chmod(0o755)
    except BuildError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError, NotImplementedError) as error:
        raise BuildError("MV801", f"{source.name} is not a readable bundle (zip): {error}") from None
    return members, source.stat().st_size, digest


def peek_manifest(source: Path) -> JSONDict:
    """A bundle's manifest read without unpacking anything, to check the options before the run
    (empty when it cannot be read: the run then names why)."""
    try:
        if source.is_dir():
            text = (source / MANIFEST).read_bytes()
        else:
            with zipfile.ZipFile(source) as archive:
                if archive.getinfo(MANIFEST).file_size > _LARGEST_MANIFEST:
                    return {}
                text = archive.read(MANIFEST)
        manifest = json.loads(text)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def declared_options(manifest: JSONDict) -> dict[str, JSONDict]:
    """The manifest's user_config options, by key."""
    declared = manifest.get("user_config")
    if not isinstance(declared, dict):
        return {}
    return {str(key): option if isinstance(option, dict) else {} for key, option in declared.items()}


def user_config(manifest: JSONDict, given: Mapping[str, str], label: str) -> dict[str, str]:
    """The values a host would have: given ones, else defaults; a required one missing is a usage error.
    Given keys the manifest does not declare are another bundle's."""
    values: dict[str, str] = {}
    for key, option in declared_options(manifest).items():
        if key in given:
            values[key] = given[key]
        elif "default" in option:
            default = option["default"]
            values[key] = json.dumps(default) if isinstance(default, bool) else str(default)
        elif option.get("required"):
            title = option.get("title", key)
            raise UsageError(
                f"{label}: the bundle's user_config {key!r} is required ({title}): pass --user-config {key}=..."
            )
    return values


def sensitive(bundle: Bundle, given: Mapping[str, str]) -> list[str]:
    """The given user_config values a report must not show: those the manifest marks ``sensitive``,
    as hosts mask them, and any it does not declare."""
    options = declared_options(bundle.manifest)
    return [value for key, value in given.items() if key not in options or options[key].get("sensitive") is True]


def resolve(bundle: Bundle, values: Mapping[str, str]) -> Command:
    """``mcp_config`` as a host resolves it on this platform: the override replaces command, args and env
    field by field, then the variables are substituted; an unset ``${user_config.KEY}`` stays literal."""
    config = bundle.server.get("mcp_config")
    config = config if isinstance(config, dict) else {}
    overrides = config.get("platform_overrides")
    override = overrides.get(HOST) if isinstance(overrides, dict) else None
    merged = {
        **config,
        **({key: value for key, value in override.items() if value} if isinstance(override, dict) else {}),
    }
    literal: list[str] = []

    def substitute(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            name = match[1]
            if name == "__dirname":
                return str(bundle.root)
            if name in {"HOME", "DESKTOP", "DOCUMENTS", "DOWNLOADS"}:
                home = Path.home()
                return str(home if name == "HOME" else home / name.capitalize())
            if name in {"pathSeparator", "/"}:
                return os.sep
            if name.startswith("user_config."):
                key = name.removeprefix("user_config.")
                if values.get(key):
                    return values[key]
                literal.append(match[0])
            return match[0]

        return _VARIABLE.sub(one, text)

    given_args, given_env = merged.get("args"), merged.get("env")
    args: list[Any] = given_args if isinstance(given_args, list) else []
    env: dict[str, Any] = given_env if isinstance(given_env, dict) else {}
    return Command(
        substitute(str(merged.get("command", ""))),
        [substitute(str(arg)) for arg in args],
        {str(key): substitute(str(value)) for key, value in env.items()},
        literal,
    )


def locate(command: str, bundle: Bundle, python: str, uv: str | None) -> tuple[str | None, bool]:
    """The executable a host would start, and whether the bundle relies on the user's PATH for it.

    The host supplies its Python for ``python``/``python3``, its Node for ``node`` and, for a ``uv``
    bundle, its own ``uv``; a path names a file in the bundle. Any other command is looked up on a
    desktop app's minimal PATH, then on this machine's (so the server can still be exercised):
    either way users without it installed system-wide get ``spawn ENOENT``. None: found nowhere.
    """
    if command in {"python", "python3", "python.exe"}:
        return python, False
    if bundle.type == "uv" and command in {"uv", "uv.exe", ""}:
        return uv, False
    if command in {"node", "node.exe"}:
        return shutil.which(command), False
    candidate = Path(command)
    if candidate.is_absolute() or "/" in command:
        path = candidate if candidate.is_absolute() else bundle.root / command
        return (str(path) if path.is_file() else None), False
    return shutil.which(command, path=os.pathsep.join(GUI_PATH)) or shutil.which(command), True


_VERSION = re.compile(r"""^__version__\s*(?::\s*str\s*)?=\s*["']([^"']+)["']""", re.MULTILINE)


def package_version(bundle: Bundle) -> str | None:
    """The ``__version__`` the server's code declares: in its entry point, or its package's __init__.py."""
    entry = entry_point(bundle)
    if entry is None:
        return None
    path = bundle.root / entry
    for candidate in (path, path.parent / "__init__.py"):
        try:
            found = _VERSION.search(candidate.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        if found:
            return found[1]
    return None


def bundle_summary(bundle: Bundle) -> JSONDict:
    """What the JSON report says of a bundle."""
    return {
        "filename": bundle.filename,
        "sha256": bundle.sha256 or None,
        "size": bundle.size,
        "files": bundle.files,
        "name": bundle.manifest.get("name"),
        "version": bundle.manifest.get("version"),
        "manifest_version": bundle.manifest_version,
        "server_type": bundle.type or None,
        "schema": MCPB_SCHEMA,
    }


def entry_point(bundle: Bundle) -> str | None:
    path = bundle.server.get("entry_point")
    return posixpath.normpath(path) if isinstance(path, str) and path else None


def missing_imports(bundle: Bundle) -> list[str]:
    """Modules the entry point imports that are neither in the standard library nor in the bundle:
    a host's Python has only the standard library."""
    entry = entry_point(bundle)
    try:
        tree = ast.parse((bundle.root / entry).read_bytes()) if entry else None
    except (OSError, SyntaxError, ValueError):
        tree = None
    if tree is None:
        return []
    names: set[str] = set()
    for node in tree.body:  # top level only: an import guarded by try/except may be optional
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    bundled = {part for name in bundle.files for part in posixpath.splitext(name)[0].split("/")}
    tops = {name.partition(".")[0] for name in names}
    return sorted(name for name in tops if name not in sys.stdlib_module_names and name not in bundled)
