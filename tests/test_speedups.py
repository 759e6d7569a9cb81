"""What makes mcp-verify fast must not change what it finds.

The bytecode store, the build environments shared by a run and the offline install of a wheel
whose requirements were just resolved: each is checked here against the real thing.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from mcp_verify._build import BuildEnvironments
from mcp_verify._venv import installed_packages, same_requirements

from .conftest import PACKAGES, assert_clean, mcp_verify

WORKER = Path(__file__).resolve().parent.parent / "src" / "mcp_verify" / "_bytecode.py"
CHECKED_HASH = 0b11  # the flags word of a hash-based pyc checked against its source


def pyc_flags(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[4:8], "little")


def fake_site_packages(root: Path, source: str) -> Path:
    """A site-packages with one distribution ``demo`` whose RECORD hashes its module, as installers write it."""
    package = root / "demo"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(source)
    digest = base64.urlsafe_b64encode(hashlib.sha256(source.encode()).digest()).rstrip(b"=").decode()
    dist_info = root / "demo-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "RECORD").write_text(f"demo/__init__.py,sha256={digest},{len(source)}\ndemo-1.0.dist-info/RECORD,,\n")
    return root


def add_bytecode(store: Path, site_packages: Path) -> list[int]:
    output = subprocess.run(
        [sys.executable, "-I", str(WORKER), str(store), str(site_packages)], capture_output=True, text=True, check=True
    ).stdout
    return [int(count) for count in output.split()]


def test_bytecode_is_compiled_once_then_linked_and_checked_against_the_source(tmp_path):
    store = tmp_path / "store"
    first = fake_site_packages(tmp_path / "first", "VALUE = 1\n")
    assert add_bytecode(store, first) == [1, 1]  # linked, compiled
    pyc = Path(importlib.util.cache_from_source(str(first / "demo" / "__init__.py")))
    assert pyc_flags(pyc) == CHECKED_HASH

    second = fake_site_packages(tmp_path / "second", "VALUE = 1\n")
    assert add_bytecode(store, second) == [1, 0]  # the same content: a link, no compiling
    linked = Path(importlib.util.cache_from_source(str(second / "demo" / "__init__.py")))
    assert linked.stat().st_ino == pyc.stat().st_ino
    assert add_bytecode(store, second) == [0, 0]  # already there: a second pass does nothing

    # a source that no longer matches its bytecode (edited after install) is compiled afresh
    (second / "demo" / "__init__.py").write_text("VALUE = 2\n")
    check = f"import sys; sys.path.insert(0, {str(second)!r}); import demo; print(demo.VALUE)"
    value = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True).stdout
    assert value.strip() == "2"


def test_an_unwritable_store_leaves_the_environment_as_it_was(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    site_packages = fake_site_packages(tmp_path / "site", "VALUE = 1\n")
    assert add_bytecode(blocker / "store", site_packages) == [0, 0]
    assert not (site_packages / "demo" / "__pycache__").exists()


@pytest.mark.slow
def test_a_verified_environment_has_checked_bytecode_from_the_store(tmp_path):
    cache = tmp_path / "cache"
    result = mcp_verify(
        str(PACKAGES / "good-server"),
        "--format",
        "json",
        "--keep-env",
        tmp=tmp_path / "tmp",
        env={"MCP_VERIFY_CACHE_DIR": str(cache)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["environment"]["installer"] == "uv"
    mcp_init = next(Path(report["environment"]["path"]).glob("lib/python*/site-packages/mcp/__init__.py"))
    pyc = Path(importlib.util.cache_from_source(str(mcp_init)))
    assert pyc_flags(pyc) == CHECKED_HASH
    assert pyc.stat().st_nlink >= 2, "a link to the store, not a copy"
    assert any((cache / "bytecode").rglob("*.pyc"))


@pytest.mark.slow
def test_builds_of_one_run_share_an_environment_per_backend(tmp_path):
    with BuildEnvironments(tmp_path, "uv") as environments:
        hatchling = environments.environment({"hatchling"})
        assert environments.environment({"hatchling"}) is hatchling
        other = environments.environment({"hatchling>=1"})
        assert other is not hatchling
        assert sorted(path.name for path in tmp_path.iterdir()) == ["build-env-0", "build-env-1"]
        backend = subprocess.run(
            [hatchling.python_executable, "-c", "import hatchling.build"], capture_output=True, check=False
        )
        assert backend.returncode == 0, backend.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_several_projects_at_once_report_what_each_alone_reports(verify, tmp_path, tmp_path_factory):
    """Shared build environments, build and probe slots, offline installs: the same reports as one by one.

    Two backends (hatchling, and setuptools, which writes into the source tree it builds) make two
    build environments; the same project twice (a copy: one path given twice is one target) resolves
    its dependencies once.
    """
    projects = ["good-server", "setuptools-server", "crash-on-start", "bad-entry-attr", "good-server"]
    copy = shutil.copytree(PACKAGES / "good-server", tmp_path_factory.mktemp("again") / "good-server")
    paths = [*(f"tests/packages/{name}" for name in projects[:-1]), str(copy)]
    together = mcp_verify(*paths, "--format", "json", tmp=tmp_path)
    reports = json.loads(together.stdout)["projects"]
    assert [report["project"] for report in reports] == paths
    for name, report in zip(projects, reports, strict=True):
        alone = verify(PACKAGES / name)
        assert_clean(alone)
        assert report["ok"] == alone.report["ok"]
        assert [finding["code"] for finding in report["findings"]] == [
            finding["code"] for finding in alone.report["findings"]
        ]
        assert [step["status"] for step in report["steps"]] == [step["status"] for step in alone.report["steps"]]
    assert list(tmp_path.iterdir()) == []


def test_installed_packages_read_from_dist_info_names_agree_with_importlib_metadata():
    site_packages = [path for path in sys.path if path.endswith("site-packages")]
    expected = {
        canonicalize_name(dist.metadata["Name"]): dist.version for dist in metadata.distributions(path=site_packages)
    }
    assert installed_packages(site_packages) == expected


@pytest.mark.parametrize(
    ("declared", "requires_dist", "same"),
    [
        (["mcp>=2,<3", "httpx"], ["httpx", "mcp<3,>=2"], True),
        (["mcp>=2"], ["mcp>=2", 'rich; extra == "cli"'], True),
        (["mcp>=2"], ["mcp>=2", "anyio"], False),
        (["mcp>=2"], ["mcp>=2.1"], False),
        ([], [], True),
        (["mcp>>2"], ["mcp>=2"], False),
    ],
)
def test_a_wheel_installs_offline_only_when_it_asks_for_what_was_declared(declared, requires_dist, same):
    assert same_requirements(declared, requires_dist) is same
