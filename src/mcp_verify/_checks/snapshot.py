"""Tools snapshot: what the server offers, kept in a file and compared with the next release.

Clients and agents are built on a server's tool names and parameters, so removing a tool or
adding a required parameter breaks them even when every test of the server passes. The snapshot
keeps what clients depend on, sorted, so it can be committed and reviewed as a plain diff.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._catalogue import finding
from .._types import JsonDocument
from ._common import json_line

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from .._types import Finding, JSONDict, Listing

SNAPSHOT_VERSION = 1
_Where = tuple[str, object, int]
"""Where a finding points in the snapshot text: the key, its value, and the offset to search from."""
_FIELDS = {
    "tools": ("name", "description", "inputSchema", "outputSchema"),
    "prompts": ("name", "description", "arguments"),
    "resources": ("uri", "name", "description", "mimeType"),
    "resourceTemplates": ("uriTemplate", "name", "description", "mimeType"),
}
_NOUNS = {"tools": "tool", "prompts": "prompt", "resources": "resource", "resourceTemplates": "resource template"}
_HINTS = {
    "MV704": "give it a default so it stays optional, or release a new major version",
    "MV705": "keep accepting it (ignored, deprecated) for a release, or release a new major version",
    "MV706": "accept the old type too (a union), or release a new major version",
}
_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null", list: "array"}


def _entries(items: list[JSONDict], group: str) -> list[JSONDict]:
    fields = _FIELDS[group]
    return sorted(({field: item.get(field) for field in fields} for item in items), key=lambda e: str(e[fields[0]]))


def snapshot_of(listing: Listing) -> JSONDict:
    """What clients depend on, in the MCP wire format's names, each group sorted by name (or URI)."""
    return {
        "snapshot_version": SNAPSHOT_VERSION,
        "tools": _entries(listing.tools, "tools"),
        "prompts": _entries(listing.prompts, "prompts"),
        "resources": _entries(listing.resources, "resources"),
        "resourceTemplates": _entries(listing.resource_templates, "resourceTemplates"),
    }


def snapshot_text(listing: Listing) -> str:
    """The listing's snapshot as pretty, key-sorted JSON with a trailing newline, as it is committed."""
    return json.dumps(snapshot_of(listing), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class _Parameter:
    required: bool
    types: frozenset[str]
    description: object


def _types(schema: object) -> frozenset[str]:
    """The JSON types a parameter schema accepts ("any" where it does not say)."""
    if not isinstance(schema, dict):
        return frozenset({"any"})
    kind = schema.get("type")
    if isinstance(kind, (str, list)):
        return frozenset([kind] if isinstance(kind, str) else map(str, kind))
    for combinator in ("anyOf", "oneOf"):
        members = schema.get(combinator)
        if isinstance(members, list) and members:
            return frozenset().union(*map(_types, members))
    if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
        return _types(schema["allOf"][0])
    if "$ref" in schema:
        return frozenset({f"$ref {schema['$ref']}"})
    values = schema["enum"] if isinstance(schema.get("enum"), list) else [schema["const"]] if "const" in schema else []
    return frozenset(_JSON_TYPES.get(type(value), "object") for value in values) or frozenset({"any"})


def _accepts(new: frozenset[str], old: frozenset[str]) -> bool:
    """Whether every value a client sent before is still accepted (a widened type breaks nobody)."""
    return "any" in new or all(kind in new or (kind == "integer" and "number" in new) for kind in old)


def _parameters(group: str, entry: JSONDict) -> dict[str, _Parameter]:
    """A tool's input properties or a prompt's arguments, by name."""
    if group == "prompts":
        arguments = entry.get("arguments")
        return {
            str(a.get("name")): _Parameter(a.get("required") is True, frozenset({"string"}), a.get("description"))
            for a in (arguments if isinstance(arguments, list) else [])
            if isinstance(a, dict)
        }
    schema = entry.get("inputSchema")
    schema = schema if isinstance(schema, dict) else {}
    properties = schema.get("properties")
    required = schema.get("required")
    required = set(required) if isinstance(required, list) else set()
    return {
        str(name): _Parameter(name in required, _types(property_schema), _description(property_schema))
        for name, property_schema in (properties.items() if isinstance(properties, dict) else [])
    }


def _description(schema: object) -> object:
    return schema.get("description") if isinstance(schema, dict) else None


class _Comparison:
    """The findings of one snapshot against one listing, each pointing at its line in the snapshot."""

    def __init__(self, text: str, file: str | None) -> None:
        self.text = text
        self.file = file
        self.findings: list[Finding] = []

    def add(self, code: str, message: str, hint: str | None, where: _Where | None) -> None:
        line = json_line(self.text, *where) if self.file and where else None
        self.findings.append(finding(code, message, hint, file=self.file, line=line))

    def groups(self, old: JSONDict, new: JSONDict) -> None:
        for group, noun in _NOUNS.items():
            key, start = _FIELDS[group][0], max(self.text.find(json.dumps(group)), 0)
            before, after = _by_key(old.get(group), key), _by_key(new[group], key)
            for name in sorted(before.keys() - after.keys()):
                self.add(
                    "MV703",
                    f"{noun} {name!r} was removed: breaking for clients that use it",
                    "keep it (deprecated in its description) for a release, or update the snapshot with "
                    "--update-snapshot and release a new major version",
                    (key, name, start),
                )
            for name in sorted(after.keys() - before.keys()):
                self.add("MV707", f"{noun} {name!r} was added", None, None)
            for name in sorted(before.keys() & after.keys()):
                self.entry(group, f"{noun} {name!r}", before[name], after[name], (key, name, start))

    def entry(self, group: str, label: str, before: JSONDict, after: JSONDict, where: _Where) -> None:
        for field in _FIELDS[group][1:]:
            if field in {"inputSchema", "arguments"} or before.get(field) == after.get(field):
                continue
            if field == "outputSchema" and before.get(field) is not None:
                self.add(
                    "MV710",
                    f"{label}: its outputSchema changed: clients that read structuredContent may break",
                    "keep the old fields of the structured output, or release a new major version",
                    where,
                )
            else:
                self.add("MV709", f"{label}: its {field} changed", None, where)
        if group in {"tools", "prompts"}:
            for message, code in _parameter_changes(_parameters(group, before), _parameters(group, after)):
                self.add(code, f"{label}: {message}", _HINTS.get(code), where)


def _parameter_changes(before: dict[str, _Parameter], after: dict[str, _Parameter]) -> Iterator[tuple[str, str]]:
    """(message, code) for each parameter that was removed, added or changed."""
    breaking = "breaking for clients"
    for name in sorted(before.keys() - after.keys()):
        yield f"parameter {name!r} was removed: {breaking} that send it", "MV705"
    for name in sorted(after.keys() - before.keys()):
        if after[name].required:
            yield f"new parameter {name!r} is required: {breaking} that do not send it", "MV704"
        else:
            yield f"optional parameter {name!r} was added", "MV708"
    for name in sorted(before.keys() & after.keys()):
        old, new = before[name], after[name]
        if new.required and not old.required:
            yield f"parameter {name!r} is now required: {breaking} that leave it out", "MV704"
        elif old.required and not new.required:
            yield f"parameter {name!r} is now optional", "MV708"
        if old.types != new.types:
            change = f"parameter {name!r} changed type from {_type_words(old.types)} to {_type_words(new.types)}"
            if _accepts(new.types, old.types):
                yield f"{change} (it still accepts what it did)", "MV709"
            else:
                yield f"{change}: {breaking} that send {_type_words(old.types)}", "MV706"
        if old.description != new.description:
            yield f"the description of parameter {name!r} changed", "MV709"


def _type_words(types: frozenset[str]) -> str:
    return " | ".join(sorted(types))


def _by_key(entries: object, key: str) -> dict[str, JSONDict]:
    """A group's entries by name (or URI), ignoring what a hand edit may have left malformed."""
    items: Iterable[object] = entries if isinstance(entries, list) else []
    return {str(item[key]): item for item in items if isinstance(item, dict) and item.get(key) is not None}


def missing_snapshot(path: Path) -> Finding:
    """There is no snapshot file to compare with."""
    return finding(
        "MV701",
        f"there is no tools snapshot at {path} to compare with",
        "run once with --update-snapshot to write it, and commit it",
    )


def compare_snapshot(snapshot: JsonDocument | Finding, listing: Listing) -> list[Finding]:
    """Compare the listing with the snapshot (read, or why it could not be): breaking changes are
    errors, additions info. Findings carry a line when the snapshot lies in the project."""
    if not isinstance(snapshot, JsonDocument):
        return [snapshot]
    old, text, label, file = snapshot.data, snapshot.text, snapshot.label, snapshot.file
    if old.get("snapshot_version") != SNAPSHOT_VERSION:
        return [
            finding(
                "MV702",
                f"{label} is not an mcp-verify tools snapshot (snapshot_version {old.get('snapshot_version')!r}, "
                f"expected {SNAPSHOT_VERSION})",
                "rewrite it with --update-snapshot",
                file=file,
            )
        ]
    comparison = _Comparison(text, file)
    comparison.groups(old, snapshot_of(listing))
    return comparison.findings
