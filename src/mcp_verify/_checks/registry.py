"""Registry pre-flight: what the MCP Registry will check in ``server.json``, checked offline first.

``mcp-publisher publish`` runs after the release is on PyPI: it reads ``server.json``, then asks
PyPI for the package's long description and looks for ``mcp-name: <name>`` in it. A mistake
found there cannot be fixed by uploading the same version again (PyPI never replaces a file),
so it costs a new release. The same checks run here on the sdist and wheel about to be uploaded,
with the registry's own validators (``validators.py``).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jsonschema import Draft7Validator
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .._catalogue import finding
from .._data import SERVER_JSON_URL, SERVER_JSON_VERSION, load_json
from .._types import JsonDocument
from ._common import dotted, json_line, toml_line
from .validators import check_packages, check_schema_version, check_semantics

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping

    from jsonschema.exceptions import ValidationError

    from .._types import Finding, Metadata, Project, Wheel
    from ._common import PathPart

STEP = "registry"
MAX_DESCRIPTION = 100
_MARKER = "mcp-name: "
# The registry's own test (ReadmeDeclaresMCPName): the name must not run on into a longer one,
# so "mcp-name: io.github.a/b." declares "io.github.a/b." and "…/b-->" declares "…/b--".
_NAME_CHARACTERS = frozenset(string.ascii_letters + string.digits + "._-/")
_SERVER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9]/[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]")
_MARKER_LIKE = re.compile(r"mcp[-_ ]?name\s*:\s*[^\s<>]*", re.IGNORECASE)
_REQUIRED_KEYS = ("name", "description", "version")


def _finding(code: str, message: str, hint: str, file: str | None = None, line: int | None = None) -> Finding:
    return finding(code, message, hint, file=file, line=line)


def declares_mcp_name(text: str, name: str) -> bool:
    """Whether ``text`` says ``mcp-name: <name>`` as the registry reads it: same case, nothing added."""
    marker = _MARKER + name
    start = text.find(marker)
    while start >= 0:
        end = start + len(marker)
        if end == len(text) or text[end] not in _NAME_CHARACTERS:
            return True
        start = text.find(marker, start + 1)
    return False


@dataclass(frozen=True)
class ServerJson:
    """The parsed file with its text, to point findings at the line of a key."""

    document: JsonDocument

    @property
    def data(self) -> dict[str, Any]:
        return self.document.data

    @property
    def label(self) -> str:
        return self.document.label

    @property
    def file(self) -> str | None:
        return self.document.file

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def line(self, key: str, value: object = None, *, in_packages: bool = False) -> int | None:
        text = self.document.text
        return json_line(text, key, value, max(text.find('"packages"'), 0) if in_packages else 0)

    def finding(self, code: str, message: str, hint: str, key: str, value: object = None, **where: bool) -> Finding:
        return _finding(code, message, hint, self.file, self.line(key, value, **where))


def _check_schema(server: ServerJson, named: Collection[tuple[PathPart, ...]] = ()) -> Iterable[Finding]:
    """The registry's own JSON schema, for everything the rules above do not name more precisely (MV613):
    ``named`` are the paths a semantic rule already reported."""
    validator = Draft7Validator(load_json("server.schema.json"))
    for error in sorted(validator.iter_errors(server.data), key=lambda error: list(error.absolute_path)):
        path = list(error.absolute_path)
        covered = (path and path[0] in _REQUIRED_KEYS) or (
            error.validator == "required" and any(f"'{key}'" in error.message for key in _REQUIRED_KEYS)
        )
        if covered or any(_names(error, path, list(place)) for place in named):
            continue
        where = dotted(path)
        yield server.finding(
            "MV613",
            f"{server.label}: {where}: {error.message} (server.json schema {SERVER_JSON_VERSION})",
            f"fix {where}; the schema: {SERVER_JSON_URL}",
            str(path[-1]) if path and isinstance(path[-1], str) else "name",
        )


def _names(error: ValidationError, path: list[PathPart], place: list[PathPart]) -> bool:
    """Whether a schema error is about what a semantic rule reported at ``place``: the same field, or the
    object that lacks it or whose alternatives (the transports) it fails."""
    if place == path:
        return True
    child = place[:-1] == path
    if error.validator == "required":
        return child and f"'{place[-1]}'" in error.message
    return child and error.validator in ("anyOf", "oneOf")


def _check_fields(server: ServerJson) -> Iterable[Finding]:
    """The schema's rules for the top-level keys the registry shows to users."""
    for key in _REQUIRED_KEYS:
        value = server.get(key)
        if not isinstance(value, str) or not value.strip():
            problem = "has no" if value is None else "has an empty or non-string"
            yield server.finding(
                "MV602",
                f'{server.label} {problem} "{key}": the registry requires {", ".join(_REQUIRED_KEYS)}',
                f'set "{key}" to a non-empty string',
                key,
            )
    name = server.get("name")
    if isinstance(name, str) and name and not _valid_name(name):
        yield server.finding(
            "MV603",
            f"{server.label} name {name!r} is not a reverse-DNS name with exactly one '/' (namespace/server)",
            "use io.github.<GitHub user>/<server>, or <reversed domain you own>/<server> such as com.example/weather",
            "name",
            name,
        )
    description = server.get("description")
    if isinstance(description, str) and len(description) > MAX_DESCRIPTION:
        yield server.finding(
            "MV604",
            f"{server.label} description is {len(description)} characters; the registry accepts at most "
            f"{MAX_DESCRIPTION}",
            "shorten it to one sentence: the README holds the details",
            "description",
        )


def _valid_name(name: str) -> bool:
    namespace = name.partition("/")[0]
    return 3 <= len(name) <= 200 and _SERVER_NAME.fullmatch(name) is not None and "." in namespace


def _same_version(written: str, built: str) -> bool:
    """Equal as written, or as PEP 440 versions ("1.0.0-alpha.1" is what a backend builds as 1.0.0a1)."""
    if written == built:
        return True
    try:
        return Version(written) == Version(built)
    except InvalidVersion:
        return False


def _pypi_packages(server: ServerJson, dist: str | None) -> list[tuple[int, dict[str, Any]]]:
    """The pypi entries of ``packages``, narrowed to those naming the built distribution if any do."""
    packages = server.get("packages")
    entries = list(enumerate(packages)) if isinstance(packages, list) else []
    pypi = [(index, p) for index, p in entries if isinstance(p, dict) and p.get("registryType") == "pypi"]
    ours = [(index, p) for index, p in pypi if dist and _canonical(p.get("identifier")) == canonicalize_name(dist)]
    return ours or pypi


def _canonical(identifier: object) -> str | None:
    return canonicalize_name(identifier) if isinstance(identifier, str) else None


def _no_pypi_package(server: ServerJson, metadata: Metadata | None) -> Finding:
    packages = server.get("packages")
    entries = packages if isinstance(packages, list) else []
    listed = [f"{p.get('registryType')} {p.get('identifier')}" for p in entries if isinstance(p, dict)]
    example = (
        f'{{"registryType": "pypi", "identifier": "{metadata.name}", "version": "{metadata.version}", '
        '"transport": {"type": "stdio"}}'
        if metadata
        else '{"registryType": "pypi", ...}'
    )
    return server.finding(
        "MV606",
        f'{server.label} lists no package with registryType "pypi" (it lists: {", ".join(listed) or "none"}), so the '
        "registry will not send users to this wheel",
        f"add {example} to packages (registryType is case-sensitive)",
        "packages",
    )


def _check_package(server: ServerJson, index: int, package: dict[str, Any], metadata: Metadata) -> Iterable[Finding]:
    """One pypi entry of ``packages`` against the wheel built from this project."""
    where = f"{server.label} packages[{index}]"
    identifier = package.get("identifier")
    if _canonical(identifier) != canonicalize_name(metadata.name):
        yield server.finding(
            "MV607",
            f"{where}.identifier is {identifier!r}, but the wheel's distribution is {metadata.name!r}",
            f'set "identifier": "{metadata.name}" (the [project].name in pyproject.toml)',
            "identifier",
            identifier,
            in_packages=True,
        )
    version = package.get("version")
    if isinstance(version, str) and not _same_version(version, metadata.version):
        yield server.finding(
            "MV608",
            f"{where}.version is {version!r}, but the built wheel is version {metadata.version}: clients would "
            f"install {version}",
            f'set "version": "{metadata.version}" there, or bump the project version to match',
            "version",
            version,
            in_packages=True,
        )
    transport = package.get("transport")
    kind = transport.get("type") if isinstance(transport, dict) else None
    if kind != "stdio":
        yield server.finding(
            "MV609",
            f"{where}.transport.type is {repr(kind) if kind else 'missing'}, but mcp-verify verified the server over "
            "stdio",
            'set "transport": {"type": "stdio"}: clients start a pypi package as a subprocess and talk over stdio',
            "transport",
            in_packages=True,
        )


def _check_version(server: ServerJson, built: str) -> Iterable[Finding]:
    version = server.get("version")
    if isinstance(version, str) and version and not _same_version(version, built):
        yield server.finding(
            "MV605",
            f"{server.label} version is {version!r}, but the built wheel is version {built}",
            f'set "version": "{built}", or bump the project version to match (the registry lists this version)',
            "version",
            version,
        )


def _marker_line(readme: str) -> int | None:
    lines = readme.splitlines()
    return next((number for number, line in enumerate(lines, 1) if _MARKER_LIKE.search(line)), None)


def _why_not(written: str, name: str) -> str:
    """Why a marker that looks right does not count for the registry."""
    declared = written.split(":", 1)[1].strip()
    if not re.match(r"mcp-name: \S", written):
        return "the registry looks for `mcp-name:` in lower case with exactly one space after the colon"
    if declared.startswith(name) and len(declared) > len(name):
        return f"the {declared[len(name)]!r} right after the name makes the registry read a different name"
    if declared.lower() == name.lower():
        return "the case differs, and the registry compares names case-sensitively"
    return "the name differs"


def _check_marker(
    server: ServerJson, name: str, descriptions: dict[str, str | None], project: Project | None
) -> Iterable[Finding]:
    """``mcp-name: <name>`` in the long description: the registry's proof that the PyPI package is yours."""
    readme = project.readme if project is not None else None
    project_line = toml_line(project.text, ["project"]) if project is not None and project.text else None
    source = readme or "the README ([project].readme)"
    hint = f"put <!-- mcp-name: {name} --> on its own line in {source}: same case, a space or line end after the name"
    for where, description in descriptions.items():
        if not description or not description.strip():
            yield _finding(
                "MV611",
                f"the long description ({where}) is empty"
                + ("" if readme else ": [project] in pyproject.toml has no readme")
                + f", so the registry cannot find `mcp-name: {name}` in it",
                hint if readme else f'add readme = "README.md" to [project] in pyproject.toml, and {hint}',
                "pyproject.toml" if project is not None and project.has_pyproject else None,
                project_line,
            )
        elif not declares_mcp_name(description, name):
            written = list(dict.fromkeys(match.group(0) for match in _MARKER_LIKE.finditer(description)))
            declared = ", ".join(f"`{marker}`" for marker in written)
            said = (
                f"declares {declared}, not `mcp-name: {name}` ({_why_not(written[0], name)})"
                if written
                else f"has no `mcp-name: {name}` line, which the registry requires to prove the package is yours"
            )
            yield _finding(
                "MV610",
                f"the long description ({where}, from {source}) {said}",
                hint,
                readme if readme and project is not None and project.readme_text is not None else None,
                _marker_line(project.readme_text) if project is not None and project.readme_text else None,
            )


def _descriptions(metadata: Metadata, sdist_description: str | None) -> dict[str, str | None]:
    """The long descriptions to search, one entry when the sdist says the same as the wheel."""
    if sdist_description is None:
        return {"wheel METADATA": metadata.description}
    if sdist_description == (metadata.description or ""):
        return {"wheel METADATA and sdist PKG-INFO": metadata.description}
    return {"wheel METADATA": metadata.description, "sdist PKG-INFO": sdist_description}


def _check_env(
    server: ServerJson, packages: list[tuple[int, dict[str, Any]]], given: Mapping[str, str]
) -> Iterable[Finding]:
    """Required variables without a default that the verification ran without (names only, never values)."""
    missing: list[str] = []
    for _, package in packages:
        variables = package.get("environmentVariables")
        for variable in variables if isinstance(variables, list) else []:
            if not isinstance(variable, dict) or variable.get("isRequired") is not True:
                continue
            name = variable.get("name")
            if isinstance(name, str) and name not in given and "default" not in variable and "value" not in variable:
                missing.append(name)
    missing = list(dict.fromkeys(missing))
    if missing:
        yield server.finding(
            "MV612",
            f"{server.label} marks {', '.join(missing)} as required (isRequired), but this verification ran the "
            f"server without {'it' if len(missing) == 1 else 'them'}",
            f"pass {' '.join(f'--env {name}=…' for name in missing)} so the server starts as a client would start it",
            "name",
            missing[0],
            in_packages=True,
        )


def http_launch(document: JsonDocument, dist: str | None) -> tuple[list[str], dict[str, str], str] | None:
    """How server.json says to start the pypi package over streamable HTTP: (arguments, environment,
    URL template with ``{port}``), or None when it declares no streamable-http transport.

    Values come from each input's ``value`` or ``default``; a variable named ``port`` (an argument's
    valueHint, or an environment variable) becomes ``{port}``, the free port mcp-verify picks.
    """
    server = ServerJson(document)
    for _, package in _pypi_packages(server, dist):
        transport = package.get("transport")
        if not isinstance(transport, dict) or transport.get("type") != "streamable-http":
            continue
        names: dict[str, str] = {}
        arguments: list[str] = []
        for item in package.get("packageArguments") or []:
            if not isinstance(item, dict):
                continue
            hint = str(item.get("valueHint") or item.get("name") or "").lstrip("-")
            value = str(item.get("value") or item.get("default") or ("{port}" if hint == "port" else f"{{{hint}}}"))
            names[hint] = value
            named = item.get("type") == "named" and item.get("name")
            arguments.append(f"{item['name']}={value}" if named else value)  # the schema: a named one is --flag=value
        env = {}
        for variable in package.get("environmentVariables") or []:
            if isinstance(variable, dict) and isinstance(variable.get("name"), str):
                name = variable["name"]
                env[name] = (
                    "{port}" if name.lower() == "port" else str(variable.get("value") or variable.get("default") or "")
                )
                names[name] = env[name]
        url = str(transport.get("url") or "http://127.0.0.1:{port}/mcp")
        for name, value in names.items():
            url = url.replace(f"{{{name}}}", value)
        return arguments, {key: value for key, value in env.items() if value}, url
    return None


def check_server_json(
    document: JsonDocument | Finding,
    wheel: Wheel | None,
    given_env: Mapping[str, str],
    *,
    sdist_description: str | None = None,
    project: Project | None = None,
    bundles: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Check ``server.json`` (read, or the finding that says why it could not be) against the registry's
    rules and the built ``wheel``.

    ``sdist_description`` is the sdist's PKG-INFO body; None skips it. ``project`` holds
    pyproject.toml and the README. ``bundles`` are the .mcpb files built or given, name to sha256.
    """
    if not isinstance(document, JsonDocument):
        return [document]
    server = ServerJson(document)
    ported = [*check_schema_version(server), *check_semantics(server), *check_packages(server, bundles or {})]
    findings = [*_check_fields(server), *_check_schema(server, [path for path, _ in ported])]
    findings += [item for _, item in ported]
    metadata = wheel.metadata if wheel is not None else None
    packages = _pypi_packages(server, metadata.name if metadata else None)
    if not packages:
        findings.append(_no_pypi_package(server, metadata))
    if metadata is not None:
        findings += _check_version(server, metadata.version)
        for index, package in packages:
            findings += _check_package(server, index, package, metadata)
        name = server.get("name")
        if packages and isinstance(name, str) and name:
            findings += _check_marker(server, name, _descriptions(metadata, sdist_description), project)
    findings += _check_env(server, packages, given_env)
    return findings
