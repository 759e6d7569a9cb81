"""Issue 21.9: what a server or a build hook locks in the run directory is still removed, when
mcp-verify runs as an ordinary user (root reads and removes through any mode; an ordinary user
cannot, until it gives its own directories back their rights).

The suite runs as root here, so mcp-verify is started without privileges: as root with every
capability dropped (the owner of its files and nothing more: a directory with mode 000 is closed
to it as to any user). It is skipped only where that cannot be had.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

from .conftest import POSIX_ONLY, mcp_verify
from .hostile import TOOL, good_wheel
from .rawserver import make_project

pytestmark = [pytest.mark.slow, POSIX_ONLY]

HOOK = """
import os, tempfile
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LOCK_SOURCE


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        lock(tempfile.mkdtemp())
"""


def unprivileged() -> list[str] | None:
    """A command prefix that runs as a user without privileges over files, or None.

    As root: root with every capability dropped (``setpriv``), an owner with an ordinary user's
    rights. Not ``nobody``: the interpreter and the test's directories are root's (mode 700 under
    pyenv and pytest), which another user cannot even read.
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--bounding-set=-all", "--inh-caps=-all"] if setpriv is not None else None


def test_a_run_directory_with_locked_trees_is_removed_without_privileges(tmp_path):
    prefix = unprivileged()
    if prefix is None:
        pytest.skip("running as root, and no setpriv to drop the capabilities")
    from . import rawserver  # noqa: PLC0415 - its lock() is the hook's too

    server = good_wheel(tmp_path / "wheel", "mvt-locking-server", {"tools": [TOOL], "lock": True})
    hook = make_project(tmp_path, "raw-locking-hook", {"tools": [TOOL]}, settings="\n[tool.hatch.build.hooks.custom]\n")
    source = rawserver.SERVER[rawserver.SERVER.index("def lock(") : rawserver.SERVER.index("def trespass(")]
    (hook / "hatch_build.py").write_text(HOOK.replace("LOCK_SOURCE", source))
    tmp = tmp_path / "tmp"
    report = tmp_path / "report.json"
    result = mcp_verify(str(server), str(hook), "--format", "json", "-o", str(report), tmp=tmp, wrapper=prefix)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [item["ok"] for item in json.loads(report.read_text())["projects"]] == [True, True]
    assert list(tmp.iterdir()) == []
