"""The pre-commit hook: ``.pre-commit-hooks.yaml`` is a manifest pre-commit accepts, and its entry,
run as pre-commit runs it (from the hook's environment, in the repository, with its args), verifies
the project and blocks the push when it fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mcp_verify._compat import tomllib

from . import rawserver
from .conftest import ROOT

MANIFEST_KEYS = {
    "id", "name", "entry", "language", "alias", "files", "exclude", "types", "types_or", "exclude_types",
    "additional_dependencies", "args", "always_run", "fail_fast", "pass_filenames", "description",
    "language_version", "log_file", "require_serial", "stages", "verbose", "minimum_pre_commit_version",
}  # fmt: skip
"""The keys of a hook in a manifest: pre-commit/pre-commit ``pre_commit/clientlib.py`` MANIFEST_HOOK_DICT
(at a9bba55a3f74068b53f4bd4d831d7e05e34eae6c, August 2026)."""
PRE_PUSH_SINCE = (3, 2, 0)
"""pre-commit 3.2.0 named the stages after the git hooks (``pre-push``; ``push`` before)."""


def hook() -> dict[str, object]:
    [only] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    return only


def test_the_hook_is_a_manifest_pre_commit_accepts() -> None:
    found = hook()
    assert set(found) <= MANIFEST_KEYS
    assert {"id", "name", "entry", "language"} <= set(found)
    assert (found["id"], found["language"], found["stages"]) == ("mcp-verify", "python", ["pre-push"])
    assert found["pass_filenames"] is False  # it verifies projects, not the files of a commit
    minimum = tuple(int(part) for part in str(found["minimum_pre_commit_version"]).split("."))
    assert minimum >= PRE_PUSH_SINCE
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert found["entry"] in scripts


def run_hook(cwd: Path) -> subprocess.CompletedProcess[str]:
    """As pre-commit runs it: the entry from the hook's environment, then the args, in the repository."""
    found = hook()
    entry = Path(sys.executable).parent / str(found["entry"])
    command = [str(entry), *map(str, found["args"])]  # type: ignore[call-overload]
    env = {**os.environ, "TMPDIR": str(cwd.parent / "tmp")}
    (cwd.parent / "tmp").mkdir(exist_ok=True)
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=300, check=False)


@pytest.mark.slow
def test_the_hook_passes_a_good_server_and_blocks_a_repository_without_one(tmp_path: Path) -> None:
    project = rawserver.make_project(
        tmp_path / "repo", "mvt-hook-server", {"tools": [{"name": "echo", "inputSchema": {"type": "object"}}]}
    )
    result = run_hook(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS  raw 1.0.0 is ready to publish" in result.stdout
    (tmp_path / "empty" / "repo").mkdir(parents=True)
    blocked = run_hook(tmp_path / "empty" / "repo")
    assert blocked.returncode == 2
    assert "no pyproject.toml or setup.py in this directory" in blocked.stderr
