"""What the server lists: names, duplicates, tool schemas, prompt arguments, URIs.

Run over the raw listing, so that a listing the mcp client library rejects (MV418) still has
each of its problems named. Codes: MV410-MV417, MV426.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

from .._catalogue import finding
from ._common import dotted

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from .._types import Finding, JSONDict, Listing
    from ._common import PathPart

_TOOL_NAME = re.compile(r"[A-Za-z0-9_.-]{1,128}")
_HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")
_JSON_TYPES = "array, boolean, integer, null, number, object or string"


def check_listing(listing: Listing) -> list[Finding]:
    """Protocol checks on what the server listed: tool names and schemas, prompts, resources."""
    findings = []
    if not listing.tools:
        findings.append(finding("MV419", "the server lists no tools"))
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
    return finding(
        "MV411",
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
                finding(
                    "MV412",
                    f"{_label(kind.label, item)} has an empty or missing name",
                    f"give every {kind.label} a name: clients use it to show and to address it",
                )
            )
        elif kind.label == "tool" and not _TOOL_NAME.fullmatch(name):
            findings.append(
                finding(
                    "MV410",
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
    """A tool's description (MV415), its input and output schemas (MV413, MV414), and annotation hints
    where clients do not read them (MV426)."""
    findings = []
    beside = [hint for hint in _HINTS if hint in tool]
    if beside:
        findings.append(
            finding(
                "MV426",
                f"{label} sets {', '.join(beside)} beside annotations, at the top level of the tool, where clients "
                "do not read it",
                f'move it into the tool\'s "annotations" object: "annotations": {{"{beside[0]}": ...}}',
            )
        )
    description = tool.get("description")
    if not isinstance(description, str) or not description.strip():
        findings.append(
            finding(
                "MV415",
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
            finding(
                "MV413",
                f"{label}: {field} is not a valid JSON Schema: {dotted([field, *path])}: {problem}",
                f"fix the schema: clients validate {used} against it and may refuse a tool whose schema is invalid",
            )
        )
    if schema.get("type") != "object" and path != ["type"]:
        found = f'has "type": {schema["type"]!r} at the root' if "type" in schema else 'has no "type" at the root'
        findings.append(_root_finding(label, field, f'its {field} {found}, where "object" is required'))
    return findings


def _root_finding(label: str, field: str, problem: str) -> Finding:
    return finding(
        "MV414",
        f"{label}: {problem}",
        f'the MCP specification requires {field} to be an object schema: {{"type": "object", "properties": ...}}',
    )


def _prompt(label: str, prompt: JSONDict) -> list[Finding]:
    """Every argument of a prompt needs a name of its own (MV416)."""
    arguments = [argument for argument in prompt.get("arguments") or [] if isinstance(argument, dict)]
    hint = "give every argument of the prompt its own, non-empty name"
    findings = [
        finding("MV416", f"{label} has an argument with an empty or missing name", hint)
        for argument in arguments
        if not isinstance(argument.get("name"), str) or not argument["name"].strip()
    ]
    findings += _duplicates(
        [argument.get("name") for argument in arguments],
        lambda value, count: finding("MV416", f"{label} has {count} arguments named {value!r}", hint),
    )
    return findings


def _uri_check(field: str, example: str) -> Callable[[str, JSONDict], list[Finding]]:
    """A resource's URI, or a template's URI template, is absolute: it has a scheme and no white space (MV417)."""

    def check(label: str, item: JSONDict) -> list[Finding]:
        uri = item.get(field)
        hint = f"use an absolute URI with a scheme and no white space, e.g. {example!r}"
        if not isinstance(uri, str) or not uri:
            return [finding("MV417", f"{label} has no {field}", hint)]
        try:
            scheme = urlsplit(uri).scheme
        except ValueError:
            scheme = ""
        if (scheme or uri.startswith("{")) and not any(character.isspace() for character in uri):
            return []
        problem = "contains white space" if scheme else "has no scheme"
        return [finding("MV417", f"{label}: {field} {uri!r} is not a valid URI: it {problem}", hint)]

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
