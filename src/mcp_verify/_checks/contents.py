"""What the sdist and the wheel carry: files lost on the way, wheel lint, and what must not ship.

Codes: MV130-MV137 (the wheel's contents), MV160-MV165 (secrets, caches, links, large and
unpackable files, developers' files).
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from typing import TYPE_CHECKING

from .._catalogue import finding
from .._data import load_toml
from ._common import some

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .._types import Artifact, Copied, Finding, Member, Project, Sdist, Wheel

MAX_NAMED_FILES = 10
"""Lost files named one finding each, per cause; the rest are counted in one more finding."""
LARGE_FILE = 10 * 1000 * 1000
_STRAY_MODULE = re.compile(r"(__init__|__main__|setup|conftest|noxfile|tasks|tests?|test_.*|.*_test)\.py")
_TEST_PACKAGES = {"test", "tests", "testing"}
_COMPILED = (".pyc", ".pyo")
_SECRET_NAMES = re.compile(
    r"^(?:\.env(?:\.(?!example$|sample$|template$|dist$|defaults?$|schema$)[\w.-]+)?|\.mcpregistry_[\w.-]+"
    r"|\.netrc|\.pypirc|\.npmrc|\.git-credentials|id_(?:rsa|dsa|ecdsa|ed25519))$"
)
"""Files that hold credentials by their name alone (``.env.example`` and its kin are meant to ship)."""
_CACHES = {".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", ".nox", "node_modules", ".ipynb_checkpoints"}
_CACHES |= {".hypothesis", ".coverage", ".venv"}
"""Developer tools' directories; bytecode (``__pycache__``) is MV132's."""
_DEVELOPER_DIRS = {".claude", ".cursor", ".windsurf", ".clinerules", ".roo", ".continue", ".kiro", ".gemini"}
_DEVELOPER_DIRS |= {".vscode", ".idea", ".vs", ".zed", ".fleet", ".history"}
"""Directories of AI agents' settings and rules, and of editors' projects (MV165)."""
_DEVELOPER_FILES = re.compile(
    r"\.mcp\.json|CLAUDE\.local\.md|\.cursorrules|\.cursor(?:indexing)?ignore|\.windsurfrules|\.codeiumignore"
    r"|\.clinerules|\.clineignore|\.roomodes|\.rooignore|\.aider.*|\.envrc|\.DS_Store|Thumbs\.db|.+\.sw[op]|.+~|.+\.log"
)
"""Files of the same tools, editors' leftovers and logs (MV165); credentials in any of them are MV160's."""
_FIXTURE_DIRS = {"test", "tests", "testing", "fixtures", "testdata"}
"""Where a ``.log`` is test data, not a leftover."""


def check_contents(
    wheel: Wheel, sdist: Sdist | None, project: Project | None, script: str | None, copied: Copied | None = None
) -> list[Finding]:
    """Every contents check of the artifacts, and of the tree they were built from where there is one."""
    findings: list[Finding] = []
    if not any(".dist-info/" not in name for name in wheel.files):
        findings.append(
            finding(
                "MV130",
                f"{wheel.filename} contains no files besides its .dist-info",
                "tell the build backend where the package is (e.g. [tool.hatch.build.targets.wheel] packages)",
            )
        )
    if project is not None and sdist is not None:
        findings += lost_files(project, wheel, sdist)
    findings += wheel_lint(wheel)
    findings += python_m(wheel, script)
    for artifact in (sdist, wheel):
        if artifact is not None:
            findings += shipped(artifact, artifact.members)
    if copied is not None:
        findings += _copy_problems(copied, sdist, wheel)
    return findings


# files lost between the tree and the wheel --------------------------------------------------------


def _top_level_dirs(files: Iterable[str]) -> set[str]:
    return {
        name.split("/", 1)[0]
        for name in files
        if "/" in name and not name.split("/", 1)[0].endswith((".dist-info", ".data"))
    }


def package_sources(project: Project, wheel: Wheel) -> dict[str, str]:
    """Each top-level package of the wheel and the project directory it was built from (``src/pkg`` or ``pkg``).

    The right directory holds at least one of the wheel's files: a same-named stranger holds none.
    """
    tree = set(project.files)
    sources = {}
    for package in sorted(_top_level_dirs(wheel.files)):
        shipped = [name for name in wheel.files if name.startswith(f"{package}/")]
        for prefix in ("src/", ""):
            if any(f"{prefix}{name}" in tree for name in shipped):
                sources[package] = f"{prefix}{package}"
                break
    return sources


def lost_files(project: Project, wheel: Wheel, sdist: Artifact) -> list[Finding]:
    """Files of a shipped package that are in the project but not in the wheel, and who dropped them (MV131)."""
    in_wheel = set(wheel.files)
    in_sdist = set(sdist.files)
    roots = {name.split("/", 1)[0] for name in sdist.files if "/" in name}
    root = roots.pop() if len(roots) == 1 else ""
    lost: dict[str, list[str]] = {"sdist": [], "wheel": []}
    for package, directory in package_sources(project, wheel).items():
        for path in project.files:
            if not path.startswith(directory + "/"):
                continue
            if package + path[len(directory) :] in in_wheel:
                continue
            lost["wheel" if f"{root}/{path}" in in_sdist else "sdist"].append(path)
    return _lost_findings(wheel, lost)


def _lost_findings(wheel: Wheel, lost: dict[str, list[str]]) -> list[Finding]:
    """One finding per lost file, so each gets its own annotation, up to a limit per cause."""
    why = {
        "sdist": (
            "the sdist left it out, so the wheel built from the sdist (as pip builds it) cannot have it",
            "include it in the sdist: check [tool.hatch.build.targets.sdist] include/exclude and .gitignore "
            "(hatchling), MANIFEST.in (setuptools), or your backend's sdist settings",
        ),
        "wheel": (
            "the sdist has it, but building the wheel left it out",
            "include it in the wheel: [tool.setuptools.package-data] (setuptools), "
            "[tool.hatch.build.targets.wheel] include/exclude (hatchling), or your backend's wheel settings",
        ),
    }
    findings = []
    for cause, files in lost.items():
        reason, hint = why[cause]
        findings += [
            finding(
                "MV131", f"{name} is in the project's package but not in {wheel.filename}: {reason}", hint, file=name
            )
            for name in files[:MAX_NAMED_FILES]
        ]
        if len(files) > MAX_NAMED_FILES:
            rest = files[MAX_NAMED_FILES:]
            findings.append(
                finding(
                    "MV131",
                    f"{len(rest)} more files are missing from {wheel.filename} for the same reason: {some(rest)}",
                    hint,
                )
            )
    return findings


# the wheel's contents, in the spirit of check-wheel-contents ---------------------------------------


def wheel_lint(wheel: Wheel) -> list[Finding]:
    """Bytecode, duplicate entries, stray top-level modules and a top-level tests package (MV132-MV135)."""
    files = wheel.files
    findings = []
    compiled = [name for name in files if name.endswith(_COMPILED)]
    if compiled:
        findings.append(
            finding(
                "MV132",
                f"{wheel.filename} ships {len(compiled)} compiled bytecode file(s): {some(compiled)}",
                "leave __pycache__ and *.pyc out of the wheel: bytecode is specific to one Python version "
                "and installers compile their own",
            )
        )
    duplicates = sorted(name for name, count in Counter(files).items() if count > 1)
    if duplicates:
        findings.append(
            finding(
                "MV133",
                f"{wheel.filename} has more than one entry for {some(duplicates)}",
                "installers keep only one copy, not always the same: look for build settings that add "
                "these files twice (e.g. a force-include of a file the package already ships)",
            )
        )
    packages = sorted(_top_level_dirs(files))
    for name in (name for name in files if "/" not in name):
        stray = _stray_message(name, packages)
        if stray:
            findings.append(
                finding(
                    "MV134",
                    f"{wheel.filename} installs {name} at the top of site-packages: {stray}",
                    "move it into your package, or exclude it from the wheel",
                )
            )
    findings += [
        finding(
            "MV135",
            f"{wheel.filename} installs a top-level package {package!r}, which collides with every other "
            "project that ships one",
            "exclude the tests from the wheel, or move them inside your package",
        )
        for package in packages
        if package in _TEST_PACKAGES
    ]
    return findings + _generic_names(wheel, packages)


def _generic_names(wheel: Wheel, packages: Sequence[str]) -> list[Finding]:
    """Top-level packages, and modules of a wheel without packages, named as many projects name theirs (MV137)."""
    generic = load_toml("generic_names.toml")["names"]
    named = [f"package {name!r}" for name in packages if name in generic]
    if not packages:
        named += [f"module {name!r}" for name in wheel.files if "/" not in name and name.removesuffix(".py") in generic]
    return [
        finding(
            "MV137",
            f"{wheel.filename} installs a top-level {what}: other projects install one of that name too, and "
            "each overwrites the other's files",
        )
        for what in named
    ]


def _stray_message(name: str, packages: Sequence[str]) -> str | None:
    """Why a file at the root of the wheel is out of place, or None when it belongs there."""
    if _STRAY_MODULE.fullmatch(name):
        return "a build, test or package file that collides with other projects' files of that name"
    if name.endswith(".py") and packages:
        return f"a module outside the package(s) {', '.join(packages)}, importable as a module of its own"
    if not name.endswith((".py", ".pyi", ".pth", ".so", ".pyd")):
        return "a data file in site-packages itself, where other projects' files of that name collide with it"
    return None


def python_m(wheel: Wheel, script: str | None) -> list[Finding]:
    """Whether ``python -m <package>`` can start the server too: many guides tell users to run it so.

    Read from the wheel (a ``__main__.py`` in the entry point's top-level package), not launched.
    """
    if script is None or script not in wheel.console_scripts:
        return []
    package = wheel.console_scripts[script].partition(":")[0].strip().split(".")[0]
    if f"{package}/__main__.py" in wheel.files:
        return []
    return [
        finding(
            "MV136",
            f"`python -m {package}` will not start the server: the wheel has no {package}/__main__.py",
            f"add {package}/__main__.py that calls the entry point, for users who follow `python -m` instructions",
        )
    ]


# what must not ship ------------------------------------------------------------------------------


def shipped(artifact: Artifact, members: Sequence[Member]) -> list[Finding]:
    """Secrets (MV160), caches and leftovers (MV161) and very large files (MV163) in one artifact."""
    sdist = artifact.filename.endswith(".tar.gz")
    secrets: list[str] = []
    git: list[str] = []
    leftovers: list[str] = []
    developers: dict[str, None] = {}
    large: list[Finding] = []
    for member in members:
        parts = member.name.split("/")[1:] if sdist else member.name.split("/")
        why = _secret(parts[-1] if parts else member.name, member)
        developer = _developer(member.name, parts)
        if ".git" in parts[:-1]:
            git.append(member.name)
        elif why:
            secrets.append(f"{member.name} ({why})")
        elif any(part in _CACHES for part in parts) or (sdist and len(parts) > 1 and parts[0] in {"dist", "build"}):
            leftovers.append(member.name)
        elif developer:
            developers[developer] = None
        if member.size > LARGE_FILE:
            large.append(
                finding(
                    "MV163",
                    f"{artifact.filename} ships {member.name}, {member.size / 1e6:.1f} MB: every user downloads it",
                )
            )
    if git:
        directory = git[0].split("/.git/")[0] + "/.git/" if "/.git/" in git[0] else ".git/"
        secrets.append(f"{directory} ({len(git)} files: the repository's history and configuration)")
    findings = [finding("MV160", f"{artifact.filename} ships {name}: it must never be published") for name in secrets]
    if leftovers:
        findings.append(
            finding(
                "MV161",
                f"{artifact.filename} ships {len(leftovers)} cache or build leftover file(s): {some(leftovers)}",
            )
        )
    if developers:
        findings.append(
            finding(
                "MV165",
                f"{artifact.filename} ships files of a developer's editor, agent or client: "
                f"{some(sorted(developers), MAX_NAMED_FILES)}",
            )
        )
    return findings + large


def _developer(name: str, parts: Sequence[str]) -> str | None:
    """The developer's directory (``pkg-1.0/.claude/``) or file a member is part of, or None."""
    prefix = name[: len(name) - len("/".join(parts))]
    for index, part in enumerate(parts[:-1]):
        if part in _DEVELOPER_DIRS or part.startswith(".aider"):
            return prefix + "/".join(parts[: index + 1]) + "/"
    base = parts[-1] if parts else name
    if _DEVELOPER_FILES.fullmatch(base) and not (base.endswith(".log") and _FIXTURE_DIRS.intersection(parts)):
        return name
    return None


def _secret(base: str, member: Member) -> str | None:
    """Why a member is a secret or a developer's private file, by its name or its content, or None."""
    if _SECRET_NAMES.match(base):
        return "a private key" if base.startswith("id_") else "credentials, by its name"
    if member.note == "private key":
        return "a private key"
    if member.note == "local paths":
        return "a client configuration with paths of the developer's machine"
    if member.note:
        return member.note
    return None


def _copy_problems(copied: Copied, sdist: Sdist | None, wheel: Wheel) -> list[Finding]:
    """Links out of the project whose targets' files ship (MV162), files that could not be packaged (MV164)."""
    findings = []
    shipped_names = [*(sdist.files if sdist else []), *wheel.files]
    for link, target in copied.links_out:
        carried = [name for name in shipped_names if f"/{link}/" in f"/{name}" or name.endswith(f"/{link}")]
        carried += [name for name in wheel.files if posixpath.basename(link) in name.split("/")[:-1]]
        if carried:
            findings.append(
                finding(
                    "MV162",
                    f"{link} is a symbolic link to {target}, outside the project, and the artifacts ship what it "
                    f"points to ({some(sorted(set(carried)))})",
                    file=link,
                )
            )
    findings += [
        finding("MV164", f"{path} was left out of the build: {why}", file=path) for path, why in copied.skipped
    ]
    return findings
