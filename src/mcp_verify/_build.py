"""Stage 1, build: the sdist from a copy of the project, then the wheel from the unpacked sdist.

Building the wheel from the sdist is what pip does with a release from PyPI, so a file the sdist
leaves out is missing from the wheel here too. The project is copied first because backends
write into the source tree (setuptools' ``*.egg-info``) and the user's tree is never written to.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import tarfile
import threading
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

import anyio.to_thread
import build
import build.env

from ._compat import tomllib, unwrapped
from ._exceptions import BuildError
from ._subprocess import kill_groups, run_sync
from ._types import BuildArtifacts
from ._venv import bytecode_command

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from ._venv import Installer

SKIPPED_DIRS = {
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
_VCS_DIRS = {".git", ".hg", ".svn", ".bzr"}
_TOP_LEVEL_SKIPPED = {"dist", "build"}
# Backends that compute the version from VCS history need the VCS directory in the copy.
_VCS_VERSIONING = re.compile(r"setuptools[-_]scm|hatch[-_]vcs|versioningit|dunamai|pdm[-_]backend|vcs[-_]versioning")
_OUTPUT_TAIL_LINES = 15
_TOML_POSITION = re.compile(r"line (?P<line>\d+), column (?P<column>\d+)")


def read_pyproject(project: Path) -> dict[str, object]:
    """Parse pyproject.toml, naming the line and column of a syntax error."""
    path = project / "pyproject.toml"
    try:
        with path.open("rb") as file:
            return cast("dict[str, object]", tomllib.load(file))
    except tomllib.TOMLDecodeError as error:
        where = _TOML_POSITION.search(str(error))
        raise BuildError(
            "MV101",
            f"pyproject.toml is not valid TOML: {error}",
            "fix the syntax at that line and column of pyproject.toml",
            file="pyproject.toml",
            line=int(where["line"]) if where else None,
        ) from None
    except OSError as error:
        raise BuildError("MV101", f"pyproject.toml cannot be read: {error.strerror}") from None


def _ignore(root: Path, keep_vcs: bool) -> Callable[[str, list[str]], Iterable[str]]:
    def ignore(directory: str, names: list[str]) -> set[str]:
        here = Path(directory)
        skipped = {name for name in names if name in SKIPPED_DIRS or name.endswith(".egg-info")}
        if not keep_vcs:
            skipped |= _VCS_DIRS.intersection(names)
        if here == root:
            skipped |= _TOP_LEVEL_SKIPPED.intersection(names)
        # a virtual environment under any name
        skipped |= {name for name in names if (here / name / "pyvenv.cfg").is_file()}
        return skipped

    return ignore


def copy_project(project: Path, destination: Path, pyproject: dict[str, object]) -> Path:
    """Copy what a build may read, leaving out VCS data, virtualenvs, caches and old outputs."""
    build_system = pyproject.get("build-system")
    requires = build_system.get("requires", []) if isinstance(build_system, dict) else []
    keep_vcs = any(_VCS_VERSIONING.search(str(requirement)) for requirement in requires)
    shutil.copytree(project, destination, symlinks=True, ignore=_ignore(project, keep_vcs))
    return destination


def _tail(text: str, lines: int = _OUTPUT_TAIL_LINES) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


def _failure(error: Exception, what: str) -> BuildError:
    """Turn pypa/build's exceptions into a finding that quotes the backend's own output."""
    cause = getattr(error, "exception", error)
    output = getattr(cause, "output", None) or getattr(cause, "stderr", None) or ""
    if isinstance(output, bytes):
        output = output.decode("utf-8", errors="replace")
    detail = _tail(output) if output else str(cause)
    if isinstance(error, build.BuildBackendException):
        return BuildError(
            "MV102",
            f"the build backend failed while building the {what}:\n{detail}",
            "run `python -m build` in the project to see the full output",
        )
    if isinstance(error, build.BuildSystemTableValidationError):
        return BuildError(
            "MV103", str(error), "see https://packaging.python.org/en/latest/specifications/pyproject-toml/"
        )
    return BuildError(
        "MV104",
        f"could not prepare the isolated build environment for the {what}: {error}\n{detail}".strip(),
        "check [build-system].requires in pyproject.toml",
    )


def _runner(scratch: Path, owner: set[int]) -> build.RunnerType:
    """Run backend hooks with a TMPDIR of ours: backends leave temporary files behind when they fail."""
    scratch.mkdir(exist_ok=True)
    temporary = {name: str(scratch) for name in ("TMPDIR", "TEMP", "TMP")}

    def runner(cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None) -> None:
        run_sync(cmd, cwd, {**(extra_environ or {}), **temporary}, owner=owner)

    return runner


class BuildEnvironments:
    """The isolated build environments of one run, shared by its builds: one per ``[build-system].requires``.

    The sdist and the wheel, and every project of a run with the same backend, build in one
    environment, so the backend is installed once (hooks still each run in a fresh interpreter).
    A backend that asks for more (``get_requires_for_build_*``) has it added there. Builds run in
    worker threads: installing is serialised, building is not.
    """

    def __init__(self, directory: Path, installer: Installer) -> None:
        self.directory = directory
        self.installer = installer
        self._lock = threading.Lock()
        self._stack = contextlib.ExitStack()
        self._made: dict[frozenset[str], tuple[build.env.DefaultIsolatedEnv, set[str]]] = {}

    def __enter__(self) -> BuildEnvironments:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def environment(self, requires: set[str]) -> build.env.DefaultIsolatedEnv:
        """The environment for a backend, made and given its requirements on first use."""
        key = frozenset(requires)
        with self._lock:
            if key not in self._made:
                path = self.directory / f"build-env-{len(self._made)}"
                env = self._stack.enter_context(build.env.DefaultIsolatedEnv(installer=self.installer, path=str(path)))
                self._made[key] = (env, set())
            env, _ = self._made[key]
        self.install(env, key, requires)
        return env

    def install(self, env: build.env.DefaultIsolatedEnv, key: frozenset[str], requirements: set[str]) -> None:
        """Install what the environment lacks; with uv (which does not compile), give it bytecode too."""
        with self._lock:
            installed = self._made[key][1]
            missing = requirements - installed
            if not missing:
                return
            env.install(missing)
            installed |= missing
            if self.installer == "uv":
                with contextlib.suppress(subprocess.CalledProcessError):  # only an optimisation
                    run_sync(bytecode_command(Path(env.path)))


def _build(
    source: Path,
    distribution: Literal["sdist", "wheel"],
    outdir: Path,
    environments: BuildEnvironments,
    hooks: set[int],
) -> Path:
    """Build one distribution in the shared environment of its backend."""
    requires = build.ProjectBuilder(source).build_system_requires
    env = environments.environment(requires)
    builder = build.ProjectBuilder.from_isolated_env(env, source, runner=_runner(outdir.parent / "tmp", hooks))
    environments.install(env, frozenset(requires), builder.get_requires_for_build(distribution))
    return Path(builder.build(distribution, outdir))


def _unpack(sdist: Path, destination: Path) -> Path:
    """Unpack an sdist as pip does before building its wheel; return its top-level directory."""
    try:
        with tarfile.open(sdist) as archive:
            if hasattr(tarfile, "data_filter"):
                archive.extractall(destination, filter="data")
            else:  # pragma: no cover - Pythons before the extraction filters (3.10.11, 3.11.3)
                archive.extractall(destination)
    except (tarfile.TarError, OSError) as error:
        raise BuildError("MV105", f"the sdist {sdist.name} cannot be unpacked: {error}") from None
    roots = [path for path in destination.iterdir() if path.is_dir()]
    if len(roots) != 1:
        raise BuildError("MV105", f"the sdist {sdist.name} does not contain exactly one top-level directory")
    return roots[0]


def _build_artifacts(
    source: Path | None, sdist: Path | None, workdir: Path, environments: BuildEnvironments, hooks: set[int]
) -> BuildArtifacts:
    """Build the sdist from ``source`` (unless one is given), then the wheel from it (in a worker thread).

    ``hooks`` collects the process groups of the running backend hooks, for a timeout to kill.
    """
    dist = workdir / "dist"
    if source is not None:
        try:
            sdist = _build(source, "sdist", dist, environments, hooks)
        except Exception as error:
            raise _failure(error, "sdist") from None
    assert sdist is not None
    unpacked = _unpack(sdist, workdir / "sdist")
    try:
        wheel = _build(unpacked, "wheel", dist, environments, hooks)
    except Exception as error:
        raise _failure(error, "wheel (from the sdist)") from None
    return BuildArtifacts(sdist=str(sdist), wheel=str(wheel))


async def _in_thread(build_them: Callable[[set[int]], BuildArtifacts], timeout: float) -> BuildArtifacts:
    """Run a build in a worker thread; past ``timeout``, kill its hooks so that the thread returns.

    The thread is never abandoned: it must be done writing before its directory is removed.
    """
    hooks: set[int] = set()
    expired = False

    async def watchdog() -> None:
        nonlocal expired
        await anyio.sleep(timeout)
        expired = True
        kill_groups(hooks)

    try:
        with unwrapped():
            async with anyio.create_task_group() as group:
                group.start_soon(watchdog)
                try:
                    artifacts = await anyio.to_thread.run_sync(build_them, hooks)
                finally:
                    group.cancel_scope.cancel()
    except BuildError:
        if expired:
            raise BuildError(
                "MV107",
                f"the build did not finish within {timeout:g} s, so its backend was killed",
                "a backend waiting for input or the network? build the project by hand to see where it hangs",
            ) from None
        raise
    return artifacts


async def build_project(
    project: Path, workdir: Path, environments: BuildEnvironments, timeout: float
) -> BuildArtifacts:
    """Copy the project into ``workdir`` and build both distributions there."""
    pyproject = read_pyproject(project)
    source = await anyio.to_thread.run_sync(copy_project, project, workdir / "source", pyproject)
    return await _in_thread(partial(_build_artifacts, source, None, workdir, environments), timeout)


async def build_from_sdist(
    sdist: Path, workdir: Path, environments: BuildEnvironments, timeout: float
) -> BuildArtifacts:
    """Build the wheel from a prebuilt sdist, as pip does when a release has no wheel."""
    return await _in_thread(partial(_build_artifacts, None, sdist, workdir, environments), timeout)
