"""Stage 1, build: the sdist from a copy of the project, then the wheel from the unpacked sdist.

Building the wheel from the sdist is what pip does with a release from PyPI, so a file the sdist
leaves out is missing from the wheel here too. The project is copied first because backends
write into the source tree (setuptools' ``*.egg-info``) and the user's tree is never written to.
A directory that is itself an unpacked sdist (it has PKG-INFO) gets its wheel built straight from
the copy, as pip builds one: rebuilding an sdist from an sdist can lose files. It is a release all the
same: the tree is packed again as it stands, so that the checks of an sdist see its members as they
see those of the same release downloaded with ``--from-index``.

The backends' output is captured, never shown: a failure quotes its tail, and a deprecation that
names a deadline becomes one finding.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
import shutil
import stat
import subprocess
import tarfile
import threading
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import anyio.to_thread
import build
import build.env

from ._boundary import InputError, tar_members
from ._compat import unwrapped
from ._exceptions import BuildError
from ._layout import bytecode_command
from ._project import SKIPPED_DIRS
from ._subprocess import kill_groups, run_sync
from ._types import Artifacts, Copied

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from ._sandbox import Sandbox
    from ._types import Installer, Project

_VCS_DIRS = {".git", ".hg", ".svn", ".bzr"}
_TOP_LEVEL_SKIPPED = {"dist", "build"}
# Backends that compute the version from VCS history need the VCS directory in the copy.
_VCS_VERSIONING = re.compile(r"setuptools[-_]scm|hatch[-_]vcs|versioningit|dunamai|pdm[-_]backend|vcs[-_]versioning")
_OUTPUT_TAIL_LINES = 15
_DEADLINE = re.compile(
    r"\b(?:by|after|until|before|on)\s+(\d{4}-(?:\d{2}|[A-Z][a-z]{2})-\d{2}|[A-Z][a-z]+ \d{4})", re.IGNORECASE
)


def copy_project(project: Project, destination: Path) -> Copied:
    """Copy what a build may read: no VCS data (unless the version comes from it), virtualenvs,
    caches, old outputs or special files. A link that leads out of the project is kept pointing
    where it pointed, so the build sees what it would see in the user's tree."""
    root = project.path
    keep_vcs = any(_VCS_VERSIONING.search(requirement) for requirement in project.build_requires)
    copied = Copied()
    destination.mkdir(parents=True)
    for directory, names, files in os.walk(root):
        here = Path(directory)
        relative = here.relative_to(root)
        target = destination / relative
        skipped = {name for name in names if name in SKIPPED_DIRS or name.endswith(".egg-info")}
        if not keep_vcs:
            skipped |= _VCS_DIRS.intersection(names)
        if here == root:
            skipped |= _TOP_LEVEL_SKIPPED.intersection(names)
        skipped |= {name for name in names if (here / name / "pyvenv.cfg").is_file()}
        kept = []
        for name in sorted(set(names) - skipped):
            if (here / name).is_symlink():
                _link(here / name, target / name, root, copied)
                continue
            try:
                (target / name).mkdir()
            except OSError as error:
                copied.skipped.append(((relative / name).as_posix(), error.strerror or str(error)))
                continue
            kept.append(name)
        names[:] = kept
        for name in sorted(files):
            _copy_file(here / name, target / name, root, copied)
    return copied


def _link(source: Path, target: Path, root: Path, copied: Copied) -> None:
    """Recreate a symbolic link; one leading out of the project points at its absolute target."""
    relative = source.relative_to(root).as_posix()
    try:
        pointed = os.readlink(source)
        resolved = source.parent / pointed
        if not resolved.resolve().is_relative_to(root.resolve()):
            copied.links_out.append((relative, str(resolved.resolve())))
            pointed = str(resolved.resolve())
        target.symlink_to(pointed)
    except (OSError, RuntimeError) as error:
        copied.skipped.append((relative, getattr(error, "strerror", None) or str(error)))


def _copy_file(source: Path, target: Path, root: Path, copied: Copied) -> None:
    relative = source.relative_to(root).as_posix()
    try:
        if source.is_symlink():
            _link(source, target, root, copied)
            return
        mode = source.lstat().st_mode
        if not stat.S_ISREG(mode):
            kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device file"
            copied.skipped.append((relative, f"{kind}, not a regular file"))
            return
        shutil.copy2(source, target)
    except OSError as error:
        copied.skipped.append((relative, error.strerror or str(error)))


_BACKEND_ERRORS = (
    build.BuildException,
    build.BuildBackendException,
    build.FailedProcessError,
    subprocess.CalledProcessError,
    OSError,
    RuntimeError,
)
"""What pypa/build raises for a backend, a build system or an environment that fails: anything else
is a bug of mcp-verify's, and must reach the user as one (exit 3)."""


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


def deprecations(outputs: Sequence[str]) -> list[str]:
    """The deprecation warnings with a deadline in the backends' output, each once, as one line.

    setuptools prints the same banner from every hook: its title line and its "By 2026-Feb-18"
    line are what a reader needs.
    """
    found: dict[str, str] = {}
    for output in outputs:
        lines = [line.strip(" *!") for line in output.splitlines()]
        for index, line in enumerate(lines):
            deadline = _DEADLINE.search(line)
            if not deadline:
                continue
            window = [text for text in lines[max(index - 12, 0) : index] if text]
            title = next((text for text in reversed(window) if "deprecat" in text.lower()), None)
            if title is None and "deprecat" not in line.lower():
                continue
            key = title or line
            found.setdefault(key, f"{title}: {line}" if title else line)
    return list(found.values())


class _Runner:
    """Runs backend hooks with a TMPDIR of ours (backends leave files behind when they fail) and
    keeps their output: a hook that succeeds may still have something to say."""

    def __init__(self, scratch: Path, owner: set[int], jail: Sandbox | None) -> None:
        scratch.mkdir(exist_ok=True)
        self.temporary = {name: str(scratch) for name in ("TMPDIR", "TEMP", "TMP")}
        self.owner = owner
        self.jail = jail
        self.outputs: list[str] = []

    def __call__(
        self, cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None
    ) -> None:
        environ = {**(extra_environ or {}), **self.temporary}
        command = self.jail.wrap(list(cmd), cwd, bare=environ) if self.jail is not None else cmd
        self.outputs.append(run_sync(command, cwd, environ, owner=self.owner))


class BuildEnvironments:
    """The isolated build environments of one run, shared by its builds: one per ``[build-system].requires``.

    The sdist and the wheel, and every project of a run with the same backend, build in one
    environment, so the backend is installed once (hooks still each run in a fresh interpreter).
    A backend that asks for more (``get_requires_for_build_*``) has it added there. Builds run in
    worker threads: installing is serialised, building is not.
    """

    def __init__(self, directory: Path, installer: Installer, jail: Sandbox | None = None) -> None:
        self.directory = directory
        self.installer = installer
        self.jail = jail
        """Where the backends' hooks run (``--sandbox``); their requirements are installed outside it."""
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
                    run_sync(bytecode_command(Path(env.path)), trusted=True)


def _build(
    source: Path,
    distribution: Literal["sdist", "wheel"],
    outdir: Path,
    environments: BuildEnvironments,
    runner: _Runner,
) -> Path:
    """Build one distribution in the shared environment of its backend."""
    requires = build.ProjectBuilder(source).build_system_requires
    env = environments.environment(requires)
    builder = build.ProjectBuilder.from_isolated_env(env, source, runner=runner)
    environments.install(env, frozenset(requires), builder.get_requires_for_build(distribution))
    return Path(builder.build(distribution, outdir))


def unpack_sdist(sdist: Path, destination: Path) -> Path:
    """Unpack an sdist as pip does before building its wheel; return its one top-level directory.

    Every member is checked first: one that would land outside the directory (an absolute or
    ``..`` name, a link leading out) is named, and nothing is unpacked; so is an archive that would
    unpack to more than ``ARCHIVE_BYTES`` or ``ARCHIVE_MEMBERS`` files (``_boundary.tar_members``).
    """
    try:
        with tarfile.open(sdist) as archive:
            members = tar_members(archive, what=f"the sdist {sdist.name}")
            roots = set()
            for member in members:
                problem = _unsafe_member(member)
                if problem:
                    raise BuildError("MV105", f"the sdist {sdist.name} has a member {member.name!r} {problem}")
                roots.add(posixpath.normpath(member.name).split("/")[0])
            roots.discard(".")
            if len(roots) != 1:
                shown = ", ".join(sorted(repr(root) for root in roots)[:5]) or "no files"
                raise BuildError(
                    "MV105",
                    f"the sdist {sdist.name} does not keep its files in exactly one top-level directory ({shown})",
                )
            if hasattr(tarfile, "data_filter"):
                archive.extractall(destination, members=members, filter="data")
            else:  # pragma: no cover - Pythons before the extraction filters (3.10.11, 3.11.3); checked above
                archive.extractall(destination, members=members)
    except InputError as error:
        raise BuildError("MV105", str(error)) from None
    except (tarfile.TarError, OSError, EOFError, ValueError) as error:
        raise BuildError("MV105", f"the sdist {sdist.name} cannot be unpacked: {error}") from None
    return destination / roots.pop()


def pack_sdist(tree: Path, destination: Path) -> Path:
    """The tarball an unpacked sdist stands for: every regular file and link of ``tree`` under its one
    top-level directory, named as the tree is, nothing followed; what cannot be read is left out (the
    copy of the tree names it, MV164)."""
    destination.mkdir(parents=True, exist_ok=True)
    packed = destination / f"{tree.name}.tar.gz"
    with tarfile.open(packed, "w:gz", compresslevel=1) as archive:
        for directory, names, files in os.walk(tree):
            here = Path(directory)
            names.sort()
            for name in sorted(files) + [name for name in names if (here / name).is_symlink()]:
                path = here / name
                try:
                    info = archive.gettarinfo(path, f"{tree.name}/{path.relative_to(tree).as_posix()}")
                    if info.issym():
                        archive.addfile(info)
                    elif info.isreg():
                        with path.open("rb") as file:
                            archive.addfile(info, file)
                except OSError:
                    continue
    return packed


def _unsafe_member(member: tarfile.TarInfo) -> str | None:
    """Why a member must not be unpacked: a name or link that leads outside, or a device."""
    if _escapes(member.name):
        return "whose path leads outside the sdist (absolute, or with `..`)"
    if member.issym() and _escapes(posixpath.join(posixpath.dirname(member.name), member.linkname)):
        return f"that links outside the sdist (to {member.linkname!r})"
    if member.islnk() and _escapes(member.linkname):
        return f"that links outside the sdist (to {member.linkname!r})"
    if member.isdev() or member.isfifo():
        return "that is a device or a FIFO"
    return None


def _escapes(name: str) -> bool:
    """Whether an archive path is absolute, or leads above the archive's root."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    return posixpath.normpath(name).split("/")[0] == ".."


def _build_artifacts(
    source: Path | None,
    sdist: Path | None,
    workdir: Path,
    environments: BuildEnvironments,
    runner: _Runner,
    *,
    wheel_only: bool = False,
) -> tuple[Path | None, Path]:
    """Build the sdist from ``source`` (unless one is given), then the wheel from it (in a worker thread).

    ``wheel_only``: ``source`` is an unpacked sdist: its wheel is built straight from it, as pip does.
    """
    dist = workdir / "dist"
    if source is not None and not wheel_only:
        try:
            sdist = _build(source, "sdist", dist, environments, runner)
        except _BACKEND_ERRORS as error:
            raise _failure(error, "sdist") from None
    unpacked = unpack_sdist(sdist, workdir / "sdist") if sdist is not None else source
    assert unpacked is not None
    try:
        wheel = _build(unpacked, "wheel", dist, environments, runner)
    except _BACKEND_ERRORS as error:
        raise _failure(error, "wheel (from the sdist)" if sdist is not None else "wheel") from None
    return sdist, wheel


async def _in_thread(
    build_them: Callable[[_Runner], tuple[Path | None, Path]],
    work: Path,
    timeout: float,
    detail: str,
    jail: Sandbox | None,
) -> Artifacts:
    """Run a build in a worker thread; past ``timeout``, kill its hooks so that the thread returns.

    The thread is never abandoned: it must be done writing before its directory is removed.
    """
    hooks: set[int] = set()
    runner = _Runner(work / "tmp", hooks, jail)
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
                    sdist, wheel = await anyio.to_thread.run_sync(build_them, runner)
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
    return Artifacts(wheel=wheel, sdist=sdist, detail=detail, chatter=tuple(deprecations(runner.outputs)))


async def build_project(
    project: Project, work: Path, environments: BuildEnvironments, timeout: float
) -> tuple[Artifacts, Copied]:
    """Copy the project into ``work`` and build both distributions there; an unpacked sdist is packed as
    it stands, and only its wheel is built."""
    source = work / "source"
    copied = await anyio.to_thread.run_sync(copy_project, project, source)
    build_them = partial(_build_artifacts, source, None, work, environments, wheel_only=project.unpacked_sdist)
    if not project.unpacked_sdist:
        return await _in_thread(build_them, work, timeout, "built", environments.jail), copied
    packed = await anyio.to_thread.run_sync(pack_sdist, project.path, work / "packed")
    detail = "packed the unpacked sdist as it stands, and built the wheel straight from it:"
    built = await _in_thread(build_them, work, timeout, detail, environments.jail)
    return replace(built, sdist=packed), copied


async def build_wheel(tree: Path, work: Path, environments: BuildEnvironments, timeout: float) -> Artifacts:
    """Build the wheel from an unpacked sdist, as pip does when a release has no wheel."""
    build_them = partial(_build_artifacts, tree, None, work, environments, wheel_only=True)
    return await _in_thread(build_them, work, timeout, "built from the sdist:", environments.jail)
