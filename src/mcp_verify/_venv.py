"""Stage 3, install: a fresh virtual environment with the wheel and its dependencies, as a user gets it.

uv is used when it is available (much faster); virtualenv + pip otherwise. Both resolve fresh
from the configured index: the project's lock file and ``.python-version`` play no part, just as
they play none in a user's ``pip install`` or ``uvx``.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import shutil
import subprocess
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

import anyio.to_thread
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from ._exceptions import CommandFailed, InstallError, UsageError
from ._layout import bytecode_command
from ._platform import Layout
from ._subprocess import run
from ._types import Environment, Installer

if TYPE_CHECKING:
    from collections.abc import Sequence

_PIP_TO_UV = {"PIP_INDEX_URL": "UV_INDEX_URL", "PIP_EXTRA_INDEX_URL": "UV_EXTRA_INDEX_URL"}
_ERROR_START = re.compile(r"^\s*(\u00d7|error:|ERROR:)", re.IGNORECASE)  # uv starts its errors with U+00D7


def find_uv() -> str | None:
    """uv from the ``uv`` extra's package, else from PATH."""
    try:
        import uv  # noqa: PLC0415 - optional extra

        return str(uv.find_uv_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which(os.environ.get("UV") or "uv")


def resolve_installer(choice: str) -> Installer:
    """Turn ``--installer auto|uv|pip`` into the installer that will run."""
    if choice == "pip":
        return "pip"
    if find_uv() is not None:
        return "uv"
    if choice == "uv":
        raise UsageError("--installer uv: uv is not installed (pip install 'mcp-verify[uv]' or put uv on PATH)")
    return "pip"


def _runs(executable: str) -> bool:
    """Whether an interpreter really starts (a pyenv shim for a version not selected does not)."""
    try:
        return subprocess.run([executable, "-c", ""], capture_output=True, timeout=30, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _uv_managed(spec: str) -> str | None:
    uv = find_uv()
    if uv is None:
        return None
    command = [uv, "python", "find", "--python-preference", "only-managed", spec]
    found = subprocess.run(command, capture_output=True, text=True, check=False)
    return found.stdout.strip() if found.returncode == 0 else None


def _pyenv(spec: str) -> list[str]:
    """pyenv's interpreters of a version (``3.12`` matches 3.12.1), newest first."""
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    matching = [path for path in versions.glob(f"{spec}*") if re.fullmatch(rf"{re.escape(spec)}(\.\d+)*", path.name)]
    matching.sort(key=lambda path: Version(path.name), reverse=True)
    return [str(Layout(path).python) for path in matching]


@cache
def find_python(spec: str) -> str:
    """An interpreter for ``--python``: a path, or a version found under pyenv, on PATH, or managed by uv.

    Cached: the options are checked before the run and used again for each leg.
    """
    if os.sep in spec or Path(spec).is_file():
        if not _runs(spec):
            raise UsageError(f"--python {spec}: not a runnable Python interpreter")
        return spec
    if not re.fullmatch(r"\d+(\.\d+){0,2}", spec):
        raise UsageError(f"--python {spec}: give a path or a version such as 3.12")
    for candidate in [*_pyenv(spec), shutil.which(f"python{spec}"), _uv_managed(spec)]:
        if candidate and _runs(candidate):
            return candidate
    raise UsageError(f"--python {spec}: no such interpreter under pyenv, on PATH, or managed by uv")


_SUPPORTED_MINORS = range(10, 16)
"""The Python 3 minor versions mcp-verify looks for when Requires-Python rules out its own."""


@cache
def python_for(requires_python: str) -> str | None:
    """The newest interpreter on this machine that Requires-Python admits (None: this one does, or none does).

    A user's ``uvx`` picks such an interpreter itself; ``pip`` on an excluded Python refuses the
    release, which is its declared limit, not a defect of the release.
    """
    try:
        specifier = SpecifierSet(requires_python)
    except InvalidSpecifier:
        return None
    if specifier.contains(platform.python_version(), prereleases=True):
        return None
    for minor in reversed(_SUPPORTED_MINORS):
        version = f"3.{minor}"
        if not any(specifier.contains(f"{version}.{patch}", prereleases=True) for patch in (0, 9, 99)):
            continue
        for candidate in [*_pyenv(version), shutil.which(f"python{version}"), _uv_managed(version)]:
            if candidate and _runs(candidate) and specifier.contains(_version_of(candidate), prereleases=True):
                return candidate
    return None


def _version_of(python: str) -> str:
    found = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"], capture_output=True, text=True, check=False
    )
    return found.stdout.strip()


async def _add_bytecode(layout: Layout, cwd: Path) -> None:
    """Only an optimisation: an unwritable cache leaves the environment as uv made it."""
    with contextlib.suppress(CommandFailed):
        await run(bytecode_command(layout.root), env=_environ("uv", cwd), cwd=str(cwd), trusted=True)


def _environ(installer: Installer, work: Path) -> dict[str, str]:
    """The installer's environment: temporary files under ``work`` (removed even after a kill), and
    for uv, pip's index settings carried over, so a configured mirror is honoured by both."""
    scratch = work / "tmp"
    scratch.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(scratch), "TEMP": str(scratch), "TMP": str(scratch)}
    env.pop("VIRTUAL_ENV", None)
    if installer == "uv":
        for pip_name, uv_name in _PIP_TO_UV.items():
            if pip_name in env and uv_name not in env:
                env[uv_name] = env[pip_name]
    return env


def environ_for_installs(work: Path) -> dict[str, str]:
    """The environment uv runs in for an install: temporary files under ``work``, pip's index settings."""
    return _environ("uv", work)


def installer_errors(output: str) -> str:
    """The part of an installer's output that says what failed (uv's block, pip's ``ERROR:`` lines)."""
    lines = output.strip().splitlines()
    start = next((index for index, line in enumerate(lines) if _ERROR_START.match(line)), None)
    chosen = lines[start:] if start is not None else lines[-10:]
    return "\n".join(line.rstrip() for line in chosen if line.strip())[:4000]


async def _create(layout: Layout, python: str, installer: Installer, cwd: Path) -> None:
    if installer == "uv":
        uv = find_uv()
        assert uv is not None
        command = [uv, "venv", "--quiet", "--python", python, str(layout.root)]
        await run(command, env=_environ(installer, cwd), cwd=str(cwd), trusted=True)
        return
    import virtualenv  # noqa: PLC0415 - heavy, and needed only without uv

    args = [str(layout.root), "--python", python, "--no-periodic-update", "--quiet"]
    await anyio.to_thread.run_sync(partial(virtualenv.cli_run, args, setup_logging=False))


def _lowest(requires_dist: Sequence[str]) -> list[str]:
    """uv options to install the lowest allowed version of each of the wheel's own dependencies.

    uv's ``lowest-direct`` applies to what is named on its command line, so the wheel's
    requirements (those of no extra) are named there too, beside the wheel.
    """
    return ["--resolution", "lowest-direct", *map(str, _direct(requires_dist))]


def _direct(requires_dist: Sequence[str]) -> list[Requirement]:
    """The requirements of a plain install: those of no extra."""
    requirements = map(Requirement, requires_dist)
    return [requirement for requirement in requirements if "extra" not in str(requirement.marker or "")]


def same_requirements(declared: Sequence[str], requires_dist: Sequence[str]) -> bool:
    """Whether the wheel asks for exactly what ``[project].dependencies`` declared (and the prefetch installed)."""
    try:
        return set(map(str, _direct(declared))) == set(map(str, _direct(requires_dist)))
    except InvalidRequirement:  # the plain, online install reports it
        return False


async def _install(
    layout: Layout,
    targets: Sequence[str],
    installer: Installer,
    cwd: Path,
    extra: Sequence[str] = (),
    *,
    bytecode: bool = True,
) -> None:
    """Install requirements or wheel paths with the environment's installer."""
    if installer == "uv":
        uv = find_uv()
        assert uv is not None
        command = [uv, "pip", "install", *extra, "--python", str(layout.python), *targets]
        await run(command, env=_environ(installer, cwd), cwd=str(cwd))
        if bytecode:
            await _add_bytecode(layout, cwd)
        return
    pip = [str(layout.python), "-m", "pip", "install", "--no-input", "--disable-pip-version-check"]
    await run([*pip, *targets], env=_environ(installer, cwd), cwd=str(cwd))


async def _install_resolved(
    layout: Layout,
    targets: Sequence[str],
    installer: Installer,
    cwd: Path,
    extra: Sequence[str] = (),
    *,
    resolved: bool,
    offline_bytecode: bool = True,
) -> None:
    """Install; when ``resolved`` (the same requirements were resolved online earlier in this run),
    uv first installs from its cache alone, and online only if that does not suffice."""
    if resolved and installer == "uv":
        with contextlib.suppress(CommandFailed):
            await _install(layout, targets, installer, cwd, ["--offline"], bytecode=offline_bytecode)
            return
    await _install(layout, targets, installer, cwd, extra)


def _install_hint(output: str, requires_python: str | None, python: str) -> str:
    """What to do about a failed install, from what the installer said."""
    if requires_python and re.search(
        r"requires-python|does not satisfy Python|requires a different Python", output, re.I
    ):
        return (
            f"the wheel requires Python {requires_python} and this environment has {python}: verify with "
            "--python VERSION (users of other Pythons cannot install it either)"
        )
    return "check the versions in [project].dependencies: each must exist on the index and agree with the others"


def installed_packages(site_packages: list[str]) -> dict[str, str]:
    """Canonical name to version of every distribution in the environment.

    Read from the ``NAME-VERSION.dist-info`` directory names the installers write (the recording
    installed projects specification), not from each METADATA file, which is slow to parse.
    """
    packages: dict[str, str] = {}
    for directory in site_packages:
        for dist_info in Path(directory).glob("*.dist-info"):
            name, _, version = dist_info.name.removesuffix(".dist-info").rpartition("-")
            if name:
                packages[canonicalize_name(name)] = version
    return packages


async def prepare_environment(
    root: Path,
    *,
    python: str,
    installer: Installer,
    cwd: Path,
    requirements: Sequence[str] = (),
    resolved: bool = False,
) -> None:
    """Create the environment and install what is known before the wheel exists.

    Run while the artifacts build: the project's declared dependencies are then present, and the
    wheel's own install resolves exactly as a plain one would, finding them satisfied.
    ``resolved``: the same requirements were resolved online earlier in this run (another
    project's); uv then installs them from its freshly filled cache, and online should that fail.
    """
    layout = Layout(root)
    try:
        await _create(layout, python, installer, cwd)
    except (CommandFailed, RuntimeError, OSError) as error:
        detail = installer_errors(error.output) if isinstance(error, CommandFailed) else str(error)
        raise InstallError("MV121", f"could not create a virtual environment with {python}:\n{detail}") from None
    if requirements:
        await _install_resolved(layout, requirements, installer, cwd, resolved=resolved)


async def install_wheel(
    root: Path,
    wheel: Path,
    *,
    installer: Installer,
    cwd: Path,
    lowest: Sequence[str] | None = None,
    resolved: bool = False,
    requires_python: str | None = None,
) -> Environment:
    """Install ``wheel`` with its dependencies into the prepared environment at ``root``.

    ``lowest``: the wheel's Requires-Dist, to install the lowest version each allows (uv only).
    ``resolved``: exactly those requirements were resolved fresh into the environment moments
    ago, while the build ran. uv then installs offline, from what is there, instead of asking
    the index about every dependency again; should that not suffice, it installs online.
    """
    layout = Layout(root)
    try:
        # offline, only the wheel itself is added: its few modules need no bytecode from the store
        await _install_resolved(
            layout,
            [str(wheel)],
            installer,
            cwd,
            _lowest(lowest) if lowest is not None else (),
            resolved=resolved,
            offline_bytecode=False,
        )
    except CommandFailed as error:
        raise InstallError(
            "MV122",
            f"installing {wheel.name} failed ({installer}):\n{installer_errors(error.output)}",
            _install_hint(error.output, requires_python, layout.python_version()),
        ) from None
    return environment_at(root, installer)


def dependency_graph(environment: Environment) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Who requires whom, and which distribution installs each top-level module, read from the
    environment's ``.dist-info`` (only when a diagnosis needs it: it reads every RECORD)."""
    requires: dict[str, list[str]] = {}
    modules: dict[str, str] = {}
    for directory in Layout(Path(environment.path)).site_packages():
        for dist_info in Path(directory).glob("*.dist-info"):
            name = canonicalize_name(dist_info.name.removesuffix(".dist-info").rpartition("-")[0])
            requires[name] = _requirements(dist_info / "METADATA")
            for top in _top_levels(dist_info / "RECORD"):
                modules.setdefault(top, name)
    return requires, modules


def _requirements(metadata: Path) -> list[str]:
    """The canonical names a distribution requires in a plain install (its headers' Requires-Dist of no extra)."""
    names = []
    try:
        with metadata.open(encoding="utf-8", errors="replace") as file:
            for line in file:
                if not line.strip():
                    break
                if line.lower().startswith("requires-dist:"):
                    with contextlib.suppress(InvalidRequirement):
                        requirement = Requirement(line.split(":", 1)[1].strip())
                        if "extra" not in str(requirement.marker or ""):
                            names.append(str(canonicalize_name(requirement.name)))
    except OSError:
        pass
    return names


def _top_levels(record: Path) -> set[str]:
    """The top-level importable names a distribution's RECORD installs."""
    try:
        text = record.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    tops = set()
    for line in text.splitlines():
        first = line.split(",", 1)[0].split("/", 1)[0]
        if first.endswith(".py"):
            tops.add(first[:-3])
        elif (
            "/" in line.split(",", 1)[0]
            and not first.endswith((".dist-info", ".data"))
            and first not in {"..", "__pycache__"}
        ):
            tops.add(first)
    return tops


def environment_at(root: Path, installer: Installer) -> Environment:
    """The environment at ``root`` as the install step hands it on: where it is, its Python, what it holds."""
    layout = Layout(root)
    return Environment(
        path=str(root),
        python=str(layout.python),
        python_version=layout.python_version(),
        scripts_dir=str(layout.scripts),
        installer=installer,
        packages=installed_packages(layout.site_packages()),
    )


def script_path(environment: Environment, script: str) -> Path:
    """Where the installer put a console script."""
    return Layout(Path(environment.path)).script(script)
