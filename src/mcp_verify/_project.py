"""A project's own files, read once into a value: pyproject.toml (data and text), and where it is.

The same value is made from a project directory and from an unpacked sdist (which carries the
project's pyproject.toml and server.json), so a release verified from its tree, as an unpacked
sdist or downloaded from an index goes through the same checks.
"""

from __future__ import annotations

import os
from pathlib import Path

from ._boundary import TEXT_LIMIT, InputError, read_text, read_toml
from ._exceptions import BuildError, UsageError
from ._options import RULES, name_list, spelled
from ._types import Call, Project, Settings

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


_RULES = {**{key: RULES[key] for key in ("script", "args", "timeout", "strict")}, "env": name_list}
"""The rules of every front door; ``env`` here names the variables, their values come from --env."""
_SETTINGS = {*_RULES, "calls"}
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
    given = {key: value for key, value in table.items() if value is not None}
    checked = {key: rule(given[key], spelled(key, "config")) for key, rule in _RULES.items() if key in given}
    calls = given.get("calls", [])
    if not isinstance(calls, list):
        raise UsageError(f"{spelled('calls', 'config')}: a {type(calls).__name__} is not an array of tables")
    return Settings(
        **checked,
        calls=tuple(_call(item, f"{where} calls[{index}]") for index, item in enumerate(calls)),
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


def is_project(path: Path) -> bool:
    """A directory pip can build: a pyproject.toml (of any kind: one that is not a regular file is
    reported as unreadable, not taken for no project), or a setup.py alone."""
    return os.path.lexists(path / PYPROJECT) or (path / "setup.py").is_file()


def read_project(path: Path) -> Project:
    """Read a project once; an unparsable pyproject.toml stops the build (MV101), naming line and column."""
    file = path / PYPROJECT
    unpacked = (path / "PKG-INFO").is_file()
    files = tuple(_source_files(path))
    if not os.path.lexists(file):
        return Project(path, has_pyproject=False, unpacked_sdist=unpacked, files=files, server_json=_server_json(path))
    try:
        data, text = read_toml(file, what=PYPROJECT)
    except InputError as error:
        hint = "fix the syntax at that line and column of pyproject.toml" if "not valid TOML" in error.problem else None
        raise BuildError("MV101", str(error), hint, file=PYPROJECT, line=error.line) from None
    tool = data.get("tool")
    table = data.get("project")
    readme = table.get("readme") if isinstance(table, dict) else None
    readme = readme.get("file") if isinstance(readme, dict) else readme
    return Project(
        path,
        data,
        text,
        unpacked_sdist=unpacked,
        files=files,
        settings=settings(tool.get("mcp-verify") if isinstance(tool, dict) else None),
        server_json=_server_json(path),
        readme_text=_text(path / readme) if isinstance(readme, str) else None,
    )


def _server_json(path: Path) -> Path | None:
    """The release's server.json, if there is one of any kind (one that cannot be read is reported)."""
    found = path / "server.json"
    return found if os.path.lexists(found) else None


def _text(path: Path) -> str | None:
    try:
        return read_text(path, what=path.name, limit=TEXT_LIMIT)
    except InputError:
        return None


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
