"""Sessions for developing mcp-verify: ``nox -s tests``, ``nox -s lint``, ``nox -s verify``, ``nox -s field``."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "tests", "verify"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
ALL_PYTHONS = nox.project.python_versions(PYPROJECT)
GOOD_EXAMPLES = sorted(
    str(path.parent) for path in Path("examples").glob("*/pyproject.toml") if path.parent.name != "tutorial-server"
)


@nox.session(python=ALL_PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite (real builds, venvs and servers); pass pytest options after --."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and types (the test suite runs the same three)."""
    session.install("-e", ".[test]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session
def verify(session: nox.Session) -> None:
    """Verify every good example project, as a release gate would."""
    session.install(".[uv]")
    session.run("mcp-verify", *GOOD_EXAMPLES, *session.posargs)


@nox.session
def field(session: nox.Session) -> None:
    """Verify the field corpus of published releases both ways and print the agreement table (needs PyPI).

    Two releases at a time by default; ``nox -s field -- -n 1 -k mcp-server-time`` narrows it.
    """
    session.install("-e", ".[test]")
    session.run("pytest", "tests/test_field.py", "--field", "--dist", "load", "-n", "2", *session.posargs)
