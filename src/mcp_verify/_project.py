"""A project's own files, read once into a value: pyproject.toml (data and text), and where it is.

The same value is made from a project directory and from an unpacked sdist (which carries the
project's pyproject.toml and server.json), so a release verified from its tree, as an unpacked
sdist or downloaded from an index goes through the same checks.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._compat import tomllib
from ._exceptions import BuildError, UsageError
from ._types import Call

PYPROJECT = "pyproject.toml"
SKIPPED_DIRS = frozenset(
    {
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".ipynb_checkpoints",
        "node_modules",
        ".eggs",
    }
)
"""Directories no build needs: tools' caches."""
_COMPILED = (".pyc", ".pyo")
_TOML_POSITION = re.compile(r"line (?P<line>\d+), column (?P<column>\d+)")


@dataclass(frozen=True)
class Settings:
    """``[tool.mcp-verify]``: how the project asks to be verified (the command line wins)."""

    script: str | None = None
    args: tuple[str, ...] = ()
    timeout: float | None = None
    strict: bool | None = None
    env: tuple[str, ...] = ()
    """Names of variables the server needs; their values come from --env or --env-file."""
    calls: tuple[Call, ...] = ()


_SETTINGS = {"script", "args", "timeout", "strict", "env", "calls"}
_CALL_KEYS = {"tool", "arguments", "expect"}


def settings(table: object, where: str = "[tool.mcp-verify]") -> Settings:
    """Read ``[tool.mcp-verify]``; an unknown key or a wrong type is a usage error that names it."""
    if table is None:
        return Settings()
    if not isinstance(table, dict):
        raise UsageError(f"{where} must be a table")
    unknown = sorted(set(table) - _SETTINGS)
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_SETTINGS))})")
    script, args, timeout, strict, env = (table.get(key) for key in ("script", "args", "timeout", "strict", "env"))
    checks = (
        ("script", script, isinstance(script, str)),
        ("args", args, isinstance(args, list) and all(isinstance(arg, str) for arg in args)),
        ("timeout", timeout, isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0),
        ("strict", strict, isinstance(strict, bool)),
        ("env", env, isinstance(env, list) and all(isinstance(name, str) and name for name in env)),
    )
    for key, value, valid in checks:
        if value is not None and not valid:
            raise UsageError(f"{where}: {key} = {value!r} is not valid here")
    return Settings(
        script=script,
        args=tuple(args or ()),
        timeout=float(timeout) if timeout is not None else None,
        strict=strict,
        env=tuple(env or ()),
        calls=tuple(_call(item, f"{where} calls[{index}]") for index, item in enumerate(table.get("calls") or [])),
    )


def _call(item: object, where: str) -> Call:
    if not isinstance(item, dict):
        raise UsageError(f"{where} must be a table with tool, and optionally arguments and expect")
    unknown = sorted(set(item) - _CALL_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_CALL_KEYS))})")
    tool, arguments, expect = item.get("tool"), item.get("arguments", {}), item.get("expect")
    if not isinstance(tool, str) or not tool:
        raise UsageError(f"{where}: tool must be the name of a tool")
    if not isinstance(arguments, dict):
        raise UsageError(f"{where}: arguments must be a table")
    if expect is not None and not isinstance(expect, str):
        raise UsageError(f"{where}: expect must be a string")
    return Call(tool, arguments, expect)


@dataclass(frozen=True)
class Project:
    """The files of a project (or an unpacked sdist) that checks read, each read once."""

    path: Path
    pyproject: dict[str, Any] = field(default_factory=dict)
    """pyproject.toml, parsed; empty when there is none (a setup.py project)."""
    text: str = ""
    """pyproject.toml as written, for line numbers."""
    has_pyproject: bool = True
    unpacked_sdist: bool = False
    """The directory is an unpacked sdist (it has PKG-INFO): pip builds its wheel straight from it."""
    files: tuple[str, ...] = ()
    """The files a build could ship (relative, POSIX): no hidden files, caches, bytecode or virtualenvs."""

    @property
    def settings(self) -> Settings:
        """``[tool.mcp-verify]``, read (a mistake in it is a usage error)."""
        tool = self.pyproject.get("tool")
        return settings(tool.get("mcp-verify") if isinstance(tool, dict) else None)

    @property
    def table(self) -> dict[str, Any]:
        """``[project]``, or empty."""
        table = self.pyproject.get("project")
        return table if isinstance(table, dict) else {}

    @property
    def build_requires(self) -> list[str]:
        build_system = self.pyproject.get("build-system")
        requires = build_system.get("requires", []) if isinstance(build_system, dict) else []
        return [str(requirement) for requirement in requires] if isinstance(requires, list) else []

    @property
    def declared_dependencies(self) -> list[str] | None:
        """``[project].dependencies`` when they are static (known before the build), else None."""
        table = self.table
        if not table or "dependencies" in (table.get("dynamic") or []):
            return None
        dependencies = table.get("dependencies", [])
        return [str(item) for item in dependencies] if isinstance(dependencies, list) else None

    @property
    def server_json(self) -> Path | None:
        path = self.path / "server.json"
        return path if path.is_file() else None

    @property
    def readme(self) -> str | None:
        """The file ``[project].readme`` names."""
        readme = self.table.get("readme")
        if isinstance(readme, dict):
            readme = readme.get("file")
        return readme if isinstance(readme, str) else None


def is_project(path: Path) -> bool:
    """A directory pip can build: a pyproject.toml, or a setup.py alone."""
    return (path / PYPROJECT).is_file() or (path / "setup.py").is_file()


def read_project(path: Path) -> Project:
    """Read a project once; an unparsable pyproject.toml stops the build (MV101), naming line and column."""
    file = path / PYPROJECT
    unpacked = (path / "PKG-INFO").is_file()
    files = tuple(_source_files(path))
    if not file.is_file():
        return Project(path, has_pyproject=False, unpacked_sdist=unpacked, files=files)
    try:
        text = file.read_bytes().decode("utf-8")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        where = _TOML_POSITION.search(str(error))
        raise BuildError(
            "MV101",
            f"pyproject.toml is not valid TOML: {error}",
            "fix the syntax at that line and column of pyproject.toml",
            file=PYPROJECT,
            line=int(where["line"]) if where else None,
        ) from None
    except UnicodeDecodeError as error:
        raise BuildError("MV101", f"pyproject.toml is not UTF-8 text: {error.reason} at byte {error.start}") from None
    except OSError as error:
        raise BuildError("MV101", f"pyproject.toml cannot be read: {error.strerror or error}") from None
    return Project(path, data, text, unpacked_sdist=unpacked, files=files)


def _source_files(root: Path) -> list[str]:
    """The files of a project a build could ship, for the check of files lost on the way."""
    found = []
    for directory, names, files in os.walk(root):
        here = Path(directory)
        names[:] = sorted(
            name
            for name in names
            if not name.startswith(".")
            and name not in SKIPPED_DIRS
            and not name.endswith(".egg-info")
            and not (here / name / "pyvenv.cfg").is_file()
        )
        relative = here.relative_to(root)
        found += [
            (relative / name).as_posix()
            for name in sorted(files)
            if not name.startswith(".") and not name.endswith(_COMPILED)
        ]
    return found
