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
from ._exceptions import BuildError

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
