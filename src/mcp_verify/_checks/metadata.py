"""pyproject.toml against the packaging schemas, and the core metadata a release needs.

validate-pyproject's own schemas and format checks, run with jsonschema so that every error is
found in one pass. A backend that built the project anyway means users are not hurt: these are
warnings, each naming its field and line. Codes: MV109, MV140, MV142, MV143.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

from .._catalogue import finding
from ._common import dotted, toml_line

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

    from .._types import Finding, Metadata, Project, Wheel
    from ._common import PathPart

PYPROJECT = "pyproject.toml"
_SPEC = "https://packaging.python.org/en/latest/specifications/pyproject-toml/"


def check_metadata(project: Project | None, wheel: Wheel) -> list[Finding]:
    """The project's pyproject.toml (when the release carries one) and the wheel's core metadata."""
    findings: list[Finding] = []
    if project is not None:
        if not project.has_pyproject:
            findings.append(
                finding(
                    "MV109",
                    "the project has no pyproject.toml: it was built with setuptools' legacy backend "
                    "(setup.py), as pip and uv build it",
                )
            )
        else:
            findings += check_pyproject(project.pyproject, project.text)
    if wheel.metadata is not None:
        findings += _core_metadata(wheel, wheel.metadata, project)
    return findings


def _core_metadata(wheel: Wheel, metadata: Metadata, project: Project | None) -> list[Finding]:
    """No Requires-Python, no long description (MV142, MV143)."""
    text = project.text if project is not None else ""
    file, line = (PYPROJECT, toml_line(text, ["project"])) if text else (None, None)
    findings = []
    if not (metadata.requires_python or "").strip():
        findings.append(
            finding(
                "MV142",
                f"{wheel.filename} has no Requires-Python: installers will install it on any Python, "
                "including ones mcp does not run on",
                file=file,
                line=line,
            )
        )
    if not (metadata.description or "").strip():
        findings.append(
            finding(
                "MV143", f"{wheel.filename} has no long description: its PyPI page will be empty", file=file, line=line
            )
        )
    return findings


# pyproject.toml against its schemas ---------------------------------------------------------------


@cache
def _validators() -> tuple[Validator, tuple[Callable[[dict[str, Any]], object], ...]]:
    """validate-pyproject's schemas as a jsonschema validator with its format checks, and its extra
    checks. Built once per process, and only when a project is checked (the import is slow)."""
    import jsonschema  # noqa: PLC0415 - slow imports, kept off the CLI's start
    from referencing import Registry, Resource  # noqa: PLC0415
    from validate_pyproject.api import Validator as Schemas  # noqa: PLC0415

    schemas = Schemas()
    registry: Registry[Any] = Registry().with_resources(
        (identifier, Resource.from_contents(schemas.registry[identifier])) for identifier in schemas.registry
    )
    formats = jsonschema.FormatChecker(formats=())
    for name, check in schemas.formats.items():
        formats.checks(name)(_strings_only(check))
    cls = jsonschema.validators.validator_for(schemas.schema)
    return cls(schemas.schema, registry=registry, format_checker=formats), tuple(schemas.extra_validations)


def _strings_only(check: Callable[[str], bool]) -> Callable[[object], bool]:
    """validate-pyproject's format checks expect strings; a wrong type is the type check's to report."""
    return lambda value: not isinstance(value, str) or bool(check(value))


def check_pyproject(data: dict[str, Any], text: str) -> list[Finding]:
    """Every schema error, each naming its field and its line (MV140)."""
    from validate_pyproject.error_reporting import ValidationError as ExtraError  # noqa: PLC0415 - see _validators

    validator, extra = _validators()
    findings = [_finding(error, data, text) for error in _leaves(validator.iter_errors(data))]
    for check in extra:
        try:
            check(data)
        except ExtraError as error:
            findings.append(finding("MV140", f"{PYPROJECT}: {error.summary or error.message}", file=PYPROJECT))
    return sorted(findings, key=lambda item: item.line or 0)


def _leaves(errors: Iterator[ValidationError]) -> Iterator[ValidationError]:
    """The errors worth reading: of a ``oneOf``/``anyOf`` that failed, the branch that came closest."""
    from jsonschema.exceptions import best_match  # noqa: PLC0415 - see _validators

    for error in errors:
        if error.validator in {"oneOf", "anyOf"} and error.context and error.validator_value:
            yield best_match(error.context)
        else:
            yield error


def _finding(error: ValidationError, data: dict[str, Any], text: str) -> Finding:
    path: list[PathPart] = list(error.absolute_path)
    field = dotted(path)
    hint = (
        f"fix {field}: see the documentation of [tool.{path[1]}] for the keys and values it accepts"
        if path and path[0] == "tool" and len(path) > 1
        else f"fix {field}; what pyproject.toml accepts: {_SPEC}"
    )
    line = toml_line(text, path, error.instance)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(schema.get("properties", {}))
        patterns = [re.compile(pattern) for pattern in schema.get("patternProperties", {})]
        extra = [key for key in error.instance if key not in known and not any(p.search(key) for p in patterns)]
        keys = ", ".join(repr(key) for key in extra)
        where = f"[{'.'.join(map(str, path))}] has" if path else "has top-level"
        message = f"{PYPROJECT}: {where} unknown key{'s' if len(extra) > 1 else ''} {keys}"
        if not path:
            hint = "move it under [tool.<your tool>]: the other top-level names are reserved by the specification"
        elif path == ["project"]:
            hint = (
                "remove or rename it: [project] takes only the fields of the specification (links go in [project.urls])"
            )
        line = toml_line(text, [*path, extra[0]] if extra else path)
    elif error.validator == "format" and "classifiers" in path:
        message = f"{PYPROJECT}: {field} {error.instance!r} is not a known trove classifier"
        hint = "use a classifier from https://pypi.org/classifiers/ exactly as written there; PyPI rejects others"
    elif path == ["project", "license"] and isinstance(error.instance, dict):
        message, hint = _license_table(error.instance, data)
    else:
        got = f" (got {error.instance!r})" if isinstance(error.instance, (str, int, float, bool)) else ""
        if error.validator == "type":
            wanted = error.validator_value
            expected = " or ".join(map(str, wanted)) if isinstance(wanted, list) else str(wanted)
            message = f"{PYPROJECT}: `{field}` must be {expected}{got}"
        else:
            message = f"{PYPROJECT}: `{field}`: {error.message}{got}"
    return finding("MV140", message, hint, file=PYPROJECT, line=line)


def _license_table(table: dict[str, Any], data: dict[str, Any]) -> tuple[str, str]:
    """Why a ``license = {...}`` table is invalid, in the words of PEP 639."""
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    written = ", ".join(f"{key} = {value!r}" for key, value in table.items())
    if isinstance(project, dict) and "license-files" in project:
        return (
            f"{PYPROJECT}: project.license is a table ({{{written}}}) while project.license-files is set: PEP 639 "
            'allows only an SPDX expression string (license = "MIT") beside license-files',
            'write license = "<SPDX expression>" and keep the file in license-files',
        )
    return (
        f"{PYPROJECT}: project.license is a table ({{{written}}}) that matches neither form of PEP 621 "
        "({file = ...} or {text = ...}, exactly one key)",
        'prefer license = "<SPDX expression>" and license-files = ["LICENSE"] (PEP 639)',
    )
