"""Deep checks: what still lets a server start but will hurt its users, each a finding with a stable code.

Two entry points, called by the pipeline: ``check_artifacts`` once the sdist and wheel are built
and inspected, ``check_listing`` once the server has listed what it offers. Both only read: the
project tree, the artifact listings in the report, the listing. No subprocess, no network.

Codes: MV13x packaging and wheel contents, MV14x metadata, MV41x tool, prompt and resource definitions.
"""

from __future__ import annotations

import ast
import os
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import SchemaError  # type: ignore[import-untyped]
from jsonschema.validators import validator_for  # type: ignore[import-untyped]
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ._build import SKIPPED_DIRS, read_pyproject
from ._exceptions import VerifyError
from ._types import Finding, Severity

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from validate_pyproject.api import Validator
    from validate_pyproject.error_reporting import ValidationError

    from ._types import Artifact, JSONDict, Listing, Metadata, Report, Wheel

PYPROJECT = "pyproject.toml"
_SPEC = "https://packaging.python.org/en/latest/specifications/pyproject-toml/"
_MAX_PYPROJECT_ERRORS = 10
"""validate-pyproject stops at the first error; after pruning the bad value it is asked again, this often."""
_PLACEHOLDERS: dict[str, object] = {"name": "placeholder", "version": "0", "requires": []}
"""Valid values for the required keys of [project] and [build-system], put back after pruning a bad one."""
_MAX_NAMED_FILES = 10
"""Lost files named one finding each, per cause; the rest are counted in one more finding."""
_MAX_LISTED = 5
_TOOL_NAME = re.compile(r"[A-Za-z0-9_.-]{1,128}")
_TOML_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_SCHEMA_NAME = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_STRAY_MODULE = re.compile(r"(__init__|__main__|setup|conftest|noxfile|tasks|tests?|test_.*|.*_test)\.py")
_TEST_PACKAGES = {"test", "tests", "testing"}
_COMPILED = (".pyc", ".pyo")
_JSON_TYPES = "array, boolean, integer, null, number, object or string"

PathPart = str | int


def _artifact(
    code: str, severity: Severity, message: str, hint: str, file: str | None = None, line: int | None = None
) -> Finding:
    """A finding of the inspect step, where check_artifacts runs."""
    return Finding(code, severity, "inspect", message, hint, file, line)


def _listed(code: str, severity: Severity, message: str, hint: str) -> Finding:
    """A finding of the list step, where check_listing runs."""
    return Finding(code, severity, "list", message, hint)


def _some(names: Sequence[str]) -> str:
    """A few names of a possibly long list, for a one-line message."""
    shown = ", ".join(names[:_MAX_LISTED])
    return shown + (f" and {len(names) - _MAX_LISTED} more" if len(names) > _MAX_LISTED else "")


# check_artifacts ------------------------------------------------------------------------------------


def check_artifacts(project: Path, report: Report) -> list[Finding]:
    """Packaging checks on the project tree, the sdist and the wheel (before anything is installed)."""
    findings = _check_pyproject(project)
    wheel = report.wheel
    if wheel is None:
        return findings
    if not any(".dist-info/" not in name for name in wheel.files):
        findings.append(
            _artifact(
                "MV130",
                Severity.ERROR,
                f"{wheel.filename} contains no files besides its .dist-info",
                "tell the build backend where the package is (e.g. [tool.hatch.build.targets.wheel] packages)",
            )
        )
    sources = _package_sources(project, wheel)
    findings += _lost_files(project, wheel, sources, report.sdist)
    findings += _wheel_lint(wheel)
    if wheel.metadata is not None:
        findings += _metadata(project, wheel, wheel.metadata, sources)
    findings += _python_m(wheel, report.script)
    return findings


def _python_m(wheel: Wheel, script: str | None) -> list[Finding]:
    """Whether ``python -m <package>`` can start the server too: many guides tell users to run it so.

    Read from the wheel (a ``__main__.py`` in the entry point's top-level package), not launched.
    """
    if script is None or script not in wheel.console_scripts:
        return []
    package = wheel.console_scripts[script].partition(":")[0].strip().split(".")[0]
    if f"{package}/__main__.py" in wheel.files:
        return []
    return [
        _artifact(
            "MV136",
            Severity.INFO,
            f"`python -m {package}` will not start the server: the wheel has no {package}/__main__.py",
            f"add {package}/__main__.py that calls the entry point, for users who follow `python -m` instructions",
        )
    ]


# pyproject.toml against its schema (validate-pyproject)


@cache
def _validator() -> Validator:
    """Compiling the schemas takes a few tenths of a second: once per process, and only when needed."""
    from validate_pyproject.api import Validator  # noqa: PLC0415 - slow import, kept off the CLI's start

    return Validator()


def _check_pyproject(project: Path) -> list[Finding]:
    """Every schema error validate-pyproject finds, each naming its field (MV140)."""
    from validate_pyproject.error_reporting import ValidationError  # noqa: PLC0415 - see _validator

    try:
        data: dict[str, Any] = read_pyproject(project)
        text = (project / PYPROJECT).read_text(encoding="utf-8")
    except (VerifyError, OSError, UnicodeDecodeError):
        return []  # the build step already reported it
    findings: list[Finding] = []
    for attempt in range(_MAX_PYPROJECT_ERRORS):
        try:
            _validator()(data)
        except ValidationError as error:
            path = _schema_path(str(error.name))
            if attempt and error.rule == "required":
                # most likely the value pruned after the previous error: put a valid one back, or stop
                if _restore(data, path, error):
                    continue
                break
            extra = _extra_keys(error)
            findings.append(_pyproject_finding(error, path, extra, text))
            if not _prune(data, path, extra):
                break
        else:
            break
    return sorted(findings, key=lambda finding: finding.line or 0)


def _schema_path(name: str) -> list[PathPart]:
    """``\\`project.classifiers[0]\\``` as ``["project", "classifiers", 0]``."""
    name = name.strip("`")
    name = name[len("data") :] if name == "data" or name.startswith("data.") else "." + name
    return [int(index) if index else key for key, index in _SCHEMA_NAME.findall(name)]


def _extra_keys(error: ValidationError) -> list[str]:
    """The keys an ``additionalProperties: false`` error is about."""
    definition = error.definition if isinstance(error.definition, dict) else {}
    if error.rule != "additionalProperties" or not isinstance(error.value, dict):
        return []
    known = set(definition.get("properties", {}))
    patterns = [re.compile(pattern) for pattern in definition.get("patternProperties", {})]
    return [key for key in error.value if key not in known and not any(pattern.search(key) for pattern in patterns)]


def _dotted(path: Sequence[PathPart]) -> str:
    dotted = ""
    for part in path:
        dotted += f"[{part}]" if isinstance(part, int) else f".{part}" if dotted else part
    return dotted or "the top level"


def _pyproject_finding(error: ValidationError, path: list[PathPart], extra: list[str], text: str) -> Finding:
    field = _dotted(path)
    table = ".".join(str(part) for part in path)
    if path and path[0] == "tool" and len(path) > 1:
        hint = f"fix {field}: see the documentation of [tool.{path[1]}] for the keys and values it accepts"
    else:
        hint = f"fix {field}; what pyproject.toml accepts: {_SPEC}"
    if extra:
        keys = ", ".join(repr(key) for key in extra)
        where = f"[{table}] has" if path else "has top-level"
        message = f"{PYPROJECT}: {where} unknown key{'s' if len(extra) > 1 else ''} {keys}"
        if not path:
            hint = "move it under [tool.<your tool>]: the other top-level names are reserved by the specification"
        elif path == ["project"]:
            hint = (
                "remove or rename it: [project] takes only the fields of the specification (links go in [project.urls])"
            )
        line = _toml_line(text, [*path, extra[0]], None)
    elif error.rule == "format" and "classifiers" in path:
        message = f"{PYPROJECT}: {field} {error.value!r} is not a known trove classifier"
        hint = "use a classifier from https://pypi.org/classifiers/ exactly as written there; PyPI rejects others"
        line = _toml_line(text, path, error.value)
    else:
        summary = str(error.summary or error.message)
        got = f" (got {error.value!r})" if isinstance(error.value, (str, int, float, bool)) else ""
        message = f"{PYPROJECT}: {summary}{got}"
        line = _toml_line(text, path, error.value)
    return _artifact("MV140", Severity.ERROR, message, hint, file=PYPROJECT, line=line)


def _walk(data: dict[str, Any], path: Sequence[PathPart]) -> Any:
    """The value at ``path`` in the parsed pyproject, or None where the path leads nowhere."""
    value: Any = data
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _prune(data: dict[str, Any], path: list[PathPart], extra: list[str]) -> bool:
    """Remove what an error was about so that validating again finds the next error."""
    if extra:
        table = _walk(data, path)
        for key in extra:
            table.pop(key, None)
        return True
    parent = _walk(data, path[:-1])
    last = path[-1] if path else None
    found = (isinstance(parent, dict) and last in parent) or (
        isinstance(parent, list) and isinstance(last, int) and last < len(parent)
    )
    if found:
        del parent[last]
    return found


def _restore(data: dict[str, Any], path: list[PathPart], error: ValidationError) -> bool:
    """Fill the required keys a pruning removed with placeholders, so that validation can go on."""
    table = _walk(data, path)
    required = error.definition.get("required", []) if isinstance(error.definition, dict) else []
    missing = [key for key in required if isinstance(table, dict) and key not in table]
    if not missing or any(key not in _PLACEHOLDERS for key in missing):
        return False
    table.update({key: _PLACEHOLDERS[key] for key in missing})
    return True


def _toml_line(text: str, path: Sequence[PathPart], value: object) -> int | None:
    """Best-effort line of a field: its string value if it has one, else its key, else its table's header."""
    keys = [part for part in path if isinstance(part, str)]
    lines = text.splitlines()
    best: tuple[int, int] | None = None  # (length of the header's key path, index of the header line)
    headers = []
    for number, line in enumerate(lines):
        match = _TOML_HEADER.match(line)
        if match:
            headers.append(number)
            table = [part.strip().strip("\"'") for part in match[1].split(".")]
            if keys[: len(table)] == table and (best is None or len(table) > best[0]):
                best = (len(table), number)
    depth, start = best if best else (0, -1)
    end = next((number for number in headers if number > start), len(lines))
    rest = keys[depth:]
    if not rest:
        return start + 1 if start >= 0 else None
    key = re.compile(rf"""^\s*["']?{re.escape(rest[0])}["']?\s*[.=]""")
    found = next((number for number in range(start + 1, end) if key.match(lines[number])), None)
    if found is None:
        return start + 1 if start >= 0 else None
    if isinstance(value, str):
        quoted = (f'"{value}"', f"'{value}'")
        found = next((n for n in range(found, end) if any(q in lines[n] for q in quoted)), found)
    return found + 1


# files the sdist or the wheel left behind


@dataclass(frozen=True)
class _Source:
    """A top-level package of the wheel and the project directory it was built from."""

    package: str
    directory: Path


def _package_sources(project: Path, wheel: Wheel) -> list[_Source]:
    """Find each top-level package of the wheel in the project (``src/<pkg>`` or ``<pkg>``)."""
    sources = []
    for package in sorted(_top_level_dirs(wheel.files)):
        shipped = {name for name in wheel.files if name.startswith(f"{package}/")}
        for candidate in (project / "src" / package, project / package):
            # the right directory has at least one of the wheel's files: a same-named stranger has none
            if candidate.is_dir() and any((candidate.parent / name).is_file() for name in shipped):
                sources.append(_Source(package, candidate))
                break
    return sources


def _top_level_dirs(files: Iterable[str]) -> set[str]:
    return {
        name.split("/", 1)[0]
        for name in files
        if "/" in name and not name.split("/", 1)[0].endswith((".dist-info", ".data"))
    }


def _sdist_root(files: Sequence[str]) -> str | None:
    roots = {name.split("/", 1)[0] for name in files if "/" in name}
    return roots.pop() if len(roots) == 1 else None


def _project_files(directory: Path) -> Iterator[Path]:
    """The files a build could ship from ``directory``: no caches, bytecode, hidden files or virtualenvs."""
    for root, dirs, files in os.walk(directory):
        here = Path(root)
        dirs[:] = sorted(
            name
            for name in dirs
            if not name.startswith(".")
            and name not in SKIPPED_DIRS
            and not name.endswith(".egg-info")
            and not (here / name / "pyvenv.cfg").is_file()
        )
        for name in sorted(files):
            if not name.startswith(".") and not name.endswith(_COMPILED):
                yield here / name


def _lost_files(project: Path, wheel: Wheel, sources: list[_Source], sdist: Artifact | None) -> list[Finding]:
    """Files of a shipped package that are in the project but not in the wheel, and who dropped them (MV131)."""
    if sdist is None:
        return []  # which of the two builds dropped a file is half the finding
    in_wheel = set(wheel.files)
    in_sdist = set(sdist.files)
    root = _sdist_root(sdist.files)
    lost: dict[str, list[str]] = {"sdist": [], "wheel": []}
    for source in sources:
        for path in _project_files(source.directory):
            if path.relative_to(source.directory.parent).as_posix() in in_wheel:
                continue
            relative = path.relative_to(project).as_posix()
            lost["wheel" if f"{root}/{relative}" in in_sdist else "sdist"].append(relative)
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
            _artifact(
                "MV131",
                Severity.ERROR,
                f"{name} is in the project's package but not in {wheel.filename}: {reason}",
                hint,
                file=name,
            )
            for name in files[:_MAX_NAMED_FILES]
        ]
        if len(files) > _MAX_NAMED_FILES:
            rest = files[_MAX_NAMED_FILES:]
            findings.append(
                _artifact(
                    "MV131",
                    Severity.ERROR,
                    f"{len(rest)} more files are missing from {wheel.filename} for the same reason: {_some(rest)}",
                    hint,
                )
            )
    return findings


# the wheel's contents, in the spirit of check-wheel-contents


def _wheel_lint(wheel: Wheel) -> list[Finding]:
    """Bytecode, duplicate entries, stray top-level modules and a top-level tests package (MV132-MV135)."""
    files = wheel.files
    findings = []
    compiled = [name for name in files if name.endswith(_COMPILED)]
    if compiled:
        findings.append(
            _artifact(
                "MV132",
                Severity.WARNING,
                f"{wheel.filename} ships {len(compiled)} compiled bytecode file(s): {_some(compiled)}",
                "leave __pycache__ and *.pyc out of the wheel: bytecode is specific to one Python version "
                "and installers compile their own",
            )
        )
    duplicates = sorted(name for name, count in Counter(files).items() if count > 1)
    if duplicates:
        findings.append(
            _artifact(
                "MV133",
                Severity.WARNING,
                f"{wheel.filename} has more than one entry for {_some(duplicates)}",
                "installers keep only one copy, not always the same: look for build settings that add "
                "these files twice (e.g. a force-include of a file the package already ships)",
            )
        )
    packages = sorted(_top_level_dirs(files))
    for name in (name for name in files if "/" not in name):
        stray = _stray_message(name, packages)
        if stray:
            findings.append(
                _artifact(
                    "MV134",
                    Severity.WARNING,
                    f"{wheel.filename} installs {name} at the top of site-packages: {stray}",
                    "move it into your package, or exclude it from the wheel",
                )
            )
    findings += [
        _artifact(
            "MV135",
            Severity.WARNING,
            f"{wheel.filename} installs a top-level package {package!r}, which collides with every other "
            "project that ships one",
            "exclude the tests from the wheel, or move them inside your package",
        )
        for package in packages
        if package in _TEST_PACKAGES
    ]
    return findings


def _stray_message(name: str, packages: Sequence[str]) -> str | None:
    """Why a file at the root of the wheel is out of place, or None when it belongs there."""
    if _STRAY_MODULE.fullmatch(name):
        return "a build, test or package file that collides with other projects' files of that name"
    if name.endswith(".py") and packages:
        return f"a module outside the package(s) {', '.join(packages)}, importable as a module of its own"
    if not name.endswith((".py", ".pyi", ".pth", ".so", ".pyd")):
        return "a data file in site-packages itself, where other projects' files of that name collide with it"
    return None


# core metadata


def _metadata(project: Path, wheel: Wheel, metadata: Metadata, sources: list[_Source]) -> list[Finding]:
    """mcp imported but not required, no Requires-Python, no long description (MV141-MV143)."""
    text = _read_text(project / PYPROJECT)
    project_line = _toml_line(text, ["project"], None)
    findings = []
    imported = _first_mcp_import(project, wheel, sources)
    declared = _declared(metadata.requires_dist, "mcp")
    if imported and declared != "always" and "mcp" not in _top_level_dirs(wheel.files):
        file, line = imported
        how = "declares mcp only under an optional extra" if declared == "extra" else "does not declare mcp"
        findings.append(
            _artifact(
                "MV141",
                Severity.ERROR,
                f"{file} imports mcp (line {line}), but {metadata.name}'s Requires-Dist {how}",
                'add "mcp>=2,<3" (or the versions you support) to [project] dependencies in pyproject.toml; '
                "a dependency of a dependency may go away",
                file=file,
                line=line,
            )
        )
    if not (metadata.requires_python or "").strip():
        findings.append(
            _artifact(
                "MV142",
                Severity.WARNING,
                f"{wheel.filename} has no Requires-Python: installers will install it on any Python, "
                "including ones mcp does not run on",
                'add requires-python = ">=3.10" (or what you support) to [project] in pyproject.toml',
                file=PYPROJECT,
                line=project_line,
            )
        )
    if not (metadata.description or "").strip():
        findings.append(
            _artifact(
                "MV143",
                Severity.WARNING,
                f"{wheel.filename} has no long description: its PyPI page will be empty",
                'add readme = "README.md" to [project] in pyproject.toml',
                file=PYPROJECT,
                line=project_line,
            )
        )
    return findings


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _declared(requirements: Iterable[str], name: str) -> str:
    """``always``, ``extra`` (only behind an extra's marker) or ``no``."""
    found = "no"
    for text in requirements:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) != name:
            continue
        if requirement.marker is None or "extra" not in str(requirement.marker):
            return "always"
        found = "extra"
    return found


def _first_mcp_import(project: Path, wheel: Wheel, sources: list[_Source]) -> tuple[str, int] | None:
    """The first project source file shipped in the wheel that imports mcp, and the line."""
    parents = {source.package: source.directory.parent for source in sources}
    for name in wheel.files:
        if not name.endswith(".py"):
            continue
        top = name.split("/", 1)[0]
        if top in parents:
            candidates = [parents[top] / name]
        elif "/" not in name:  # a top-level module
            candidates = [project / "src" / name, project / name]
        else:
            continue
        path = next((path for path in candidates if path.is_file()), None)
        line = _imports_mcp(path) if path else None
        if path and line:
            return path.relative_to(project).as_posix(), line
    return None


def _imports_mcp(path: Path) -> int | None:
    """The line of the first ``import mcp...`` or ``from mcp... import`` in a file."""
    text = _read_text(path)
    if "mcp" not in text:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the user's invalid escapes are not ours to report
            tree = ast.parse(text, filename=str(path))
    except (SyntaxError, ValueError):
        return None
    lines = [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "mcp" for alias in node.names))
        or (isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "mcp")
    ]
    return min(lines, default=None)


# check_listing --------------------------------------------------------------------------------------


def check_listing(listing: Listing) -> list[Finding]:
    """Protocol checks on what the server listed: tool names and schemas, prompts, resources."""
    findings = []
    for kind in _KINDS:
        items: list[JSONDict] = getattr(listing, kind.attribute)
        findings += _names(kind, items)
        findings += _duplicates([item.get(kind.key) for item in items], partial(_shared, kind))
        for item in items:
            findings += kind.check(_label(kind.label, item), item)
    return findings


@dataclass(frozen=True)
class _Kind:
    """One kind of listed item: where the listing keeps it, which field must be unique, what else to check."""

    label: str
    attribute: str
    key: str
    noun: str
    check: Callable[[str, JSONDict], list[Finding]]


def _shared(kind: _Kind, value: str, count: int) -> Finding:
    return _listed(
        "MV411",
        Severity.ERROR,
        f"{count} {kind.label}s share the {kind.noun} {value!r}: clients can reach only one of them",
        f"give every {kind.label} its own {kind.noun}",
    )


def _label(kind: str, item: JSONDict) -> str:
    """How a message names an item: by its name, else by its URI."""
    name = item.get("name")
    if isinstance(name, str) and name:
        return f"{kind} {name!r}"
    where = item.get("uri") or item.get("uriTemplate")
    return f"{kind} {where!r}" if where else f"a {kind}"


def _names(kind: _Kind, items: list[JSONDict]) -> list[Finding]:
    """Every item needs a name (MV412); a tool's must fit the specification's character set (MV410)."""
    findings = []
    for item in items:
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            findings.append(
                _listed(
                    "MV412",
                    Severity.ERROR,
                    f"{_label(kind.label, item)} has an empty or missing name",
                    f"give every {kind.label} a name: clients use it to show and to address it",
                )
            )
        elif kind.label == "tool" and not _TOOL_NAME.fullmatch(name):
            findings.append(
                _listed(
                    "MV410",
                    Severity.ERROR,
                    f"tool name {name!r} is not 1-128 letters, digits, '_', '-' or '.'",
                    "rename the tool: clients reject names outside the MCP specification's character set",
                )
            )
    return findings


def _duplicates(values: Iterable[object], finding: Callable[[str, int], Finding]) -> list[Finding]:
    """One finding, made by ``finding(value, count)``, per value that occurs more than once."""
    counts = Counter(value for value in values if isinstance(value, str) and value)
    return [finding(value, count) for value, count in counts.items() if count > 1]


def _tool(label: str, tool: JSONDict) -> list[Finding]:
    """A tool's description (MV415) and its input and output schemas (MV413, MV414)."""
    findings = []
    description = tool.get("description")
    if not isinstance(description, str) or not description.strip():
        findings.append(
            _listed(
                "MV415",
                Severity.WARNING,
                f"{label} has no description",
                "describe what the tool does (a docstring, or description=): models choose tools by it",
            )
        )
    for field in ("inputSchema", "outputSchema"):
        if field in tool or field == "inputSchema":
            findings += _schema(label, field, tool.get(field))
    return findings


_JSON_NAMES = {"bool": "boolean", "list": "array", "str": "string", "int": "number", "float": "number"}


def _schema(label: str, field: str, schema: object) -> list[Finding]:
    """A valid JSON Schema (2020-12 unless ``$schema`` says otherwise) with ``"type": "object"`` at its root."""
    if not isinstance(schema, dict):
        what = "missing" if schema is None else f"a JSON {_JSON_NAMES.get(type(schema).__name__, 'value')}"
        return [_root_finding(label, field, f"its {field} is {what}, not an object schema")]
    findings = []
    path: list[PathPart] = []
    try:
        validator_for(schema, default=Draft202012Validator).check_schema(schema)
    except SchemaError as error:
        path = list(error.path)
        problem = str(error.message)
        if path and path[-1] == "type" and error.validator == "anyOf":
            problem = f"{error.instance!r} is not a JSON Schema type ({_JSON_TYPES})"
        used = "the arguments" if field == "inputSchema" else "the results"
        findings.append(
            _listed(
                "MV413",
                Severity.ERROR,
                f"{label}: {field} is not a valid JSON Schema: {_dotted([field, *path])}: {problem}",
                f"fix the schema: clients validate {used} against it and may refuse a tool whose schema is invalid",
            )
        )
    if schema.get("type") != "object" and path != ["type"]:
        found = f'has "type": {schema["type"]!r} at the root' if "type" in schema else 'has no "type" at the root'
        findings.append(_root_finding(label, field, f'its {field} {found}, where "object" is required'))
    return findings


def _root_finding(label: str, field: str, problem: str) -> Finding:
    return _listed(
        "MV414",
        Severity.ERROR,
        f"{label}: {problem}",
        f'the MCP specification requires {field} to be an object schema: {{"type": "object", "properties": ...}}',
    )


def _prompt(label: str, prompt: JSONDict) -> list[Finding]:
    """Every argument of a prompt needs a name of its own (MV416)."""
    arguments = [argument for argument in prompt.get("arguments") or [] if isinstance(argument, dict)]
    hint = "give every argument of the prompt its own, non-empty name"
    findings = [
        _listed("MV416", Severity.ERROR, f"{label} has an argument with an empty or missing name", hint)
        for argument in arguments
        if not isinstance(argument.get("name"), str) or not argument["name"].strip()
    ]
    findings += _duplicates(
        [argument.get("name") for argument in arguments],
        lambda value, count: _listed("MV416", Severity.ERROR, f"{label} has {count} arguments named {value!r}", hint),
    )
    return findings


def _uri_check(field: str, example: str) -> Callable[[str, JSONDict], list[Finding]]:
    """A resource's URI, or a template's URI template, is absolute: it has a scheme and no white space (MV417)."""

    def check(label: str, item: JSONDict) -> list[Finding]:
        uri = item.get(field)
        hint = f"use an absolute URI with a scheme and no white space, e.g. {example!r}"
        if not isinstance(uri, str) or not uri:
            return [_listed("MV417", Severity.ERROR, f"{label} has no {field}", hint)]
        try:
            scheme = urlsplit(uri).scheme
        except ValueError:
            scheme = ""
        if (scheme or uri.startswith("{")) and not any(character.isspace() for character in uri):
            return []
        problem = "contains white space" if scheme else "has no scheme"
        return [_listed("MV417", Severity.ERROR, f"{label}: {field} {uri!r} is not a valid URI: it {problem}", hint)]

    return check


_KINDS = (
    _Kind("tool", "tools", "name", "name", _tool),
    _Kind("prompt", "prompts", "name", "name", _prompt),
    _Kind("resource", "resources", "uri", "URI", _uri_check("uri", "myserver://notes/all")),
    _Kind(
        "resource template",
        "resource_templates",
        "uriTemplate",
        "URI template",
        _uri_check("uriTemplate", "myserver://notes/{id}"),
    ),
)
"""What check_listing checks, kind by kind (after the functions it names)."""
