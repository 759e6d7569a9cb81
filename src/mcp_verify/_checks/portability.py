"""Where a tool's schema uses a construct that some clients refuse, though it is legal JSON Schema.

The walk visits the positions JSON Schema treats as subschemas, and only those (not ``default``,
``examples`` or ``const``, which hold instance data), and names each position as the Inspector's
strict mode does (``modelcontextprotocol/inspector:core/json/schemaLint.ts``):
``inputSchema.properties.data``, ``inputSchema.anyOf[1].items``. Which construct a client refuses,
and on what evidence, is data: the ``schema-construct`` rules of ``_data/client_profiles.toml``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

CONSTRUCTS = {
    "type-union": "`type` is an array",
    "union-with-siblings": "anyOf/oneOf with other keywords beside it (pydantic writes Optional this way)",
    "ref": "a `$ref`, or `$defs` to refer to",
    "boolean-schema": "a bare true or false where a schema is expected",
    "boolean-property": "a bare true or false as a property's schema, at the root",
    "array-without-items": "an array without `items`",
    "untyped": "a schema with no `type`",
    "dialect-2020-12": "a `$schema` of draft 2020-12 or 2019-09 at the root",
}
"""Every construct a rule can name, with what it is in words."""

_BOOLEAN_VALUED = frozenset({"additionalProperties", "unevaluatedProperties", "additionalItems", "unevaluatedItems"})
"""Keywords whose value is idiomatically ``true`` or ``false`` ("anything else" / "nothing else")."""
_SUBSCHEMA = (
    "items",
    "contains",
    "not",
    "propertyNames",
    "if",
    "then",
    "else",
    "additionalProperties",
    "unevaluatedProperties",
    "additionalItems",
    "unevaluatedItems",
    "contentSchema",
)
_SUBSCHEMA_ARRAYS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "dependencies", "$defs", "definitions")
_VALUE_POSITIONS = frozenset({"properties", "items", "prefixItems", "anyOf", "oneOf", "allOf"})
"""Where a schema describes a value a model must produce (so a client needs its type)."""
_UNIONS = ("anyOf", "oneOf")
_TYPES = frozenset({"null", "boolean", "object", "array", "number", "string", "integer"})
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
MAX_DEPTH = 64
"""Deeper schemas are not walked: a server's schema is untrusted input."""


@dataclass(frozen=True)
class Construct:
    """One use of a construct: which, where (the schema path), and what exactly."""

    name: str
    path: str
    detail: str


def constructs(schema: object, field: str) -> list[Construct]:
    """Every construct of ``CONSTRUCTS`` in ``schema`` (a tool's ``field``: inputSchema or outputSchema)."""
    found: list[Construct] = []
    _walk(schema, field, None, 0, found)
    return found


def _child(parent: str, key: str) -> str:
    return f"{parent}.{key}" if _IDENTIFIER.fullmatch(key) else f"{parent}[{json.dumps(key)}]"


def _each_subschema(node: dict[str, object], path: str, visit: Callable[[object, str, str], None]) -> None:
    """``visit(child, path, keyword)`` for every subschema position of ``node``."""
    for keyword in _SUBSCHEMA_MAPS:
        children = node.get(keyword)
        if isinstance(children, dict):
            for name, child in children.items():
                visit(child, _child(_child(path, keyword), str(name)), keyword)
    for keyword in _SUBSCHEMA_ARRAYS:
        children = node.get(keyword)
        if isinstance(children, list):
            for index, child in enumerate(children):
                visit(child, f"{_child(path, keyword)}[{index}]", keyword)
    for keyword in _SUBSCHEMA:
        if keyword not in node:
            continue
        child = node[keyword]
        if keyword == "items" and isinstance(child, list):  # draft-04 tuples
            for index, item in enumerate(child):
                visit(item, f"{_child(path, keyword)}[{index}]", "prefixItems")
        else:
            visit(child, _child(path, keyword), keyword)


def _walk(node: object, path: str, keyword: str | None, depth: int, found: list[Construct]) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(node, bool):
        if keyword is not None and keyword not in _BOOLEAN_VALUED:
            found.append(Construct("boolean-schema", path, f"a bare {str(node).lower()} where a schema is expected"))
            if keyword == "properties" and depth == 1:
                found.append(
                    Construct("boolean-property", path, f"a bare {str(node).lower()} as the property's schema")
                )
        return
    if not isinstance(node, dict):
        return  # not a schema at all: MV413 names that
    found += _node(node, path, keyword)
    _each_subschema(node, path, lambda child, where, under: _walk(child, where, under, depth + 1, found))


def _node(node: dict[str, object], path: str, keyword: str | None) -> list[Construct]:
    """The constructs of one schema object, leaving its subschemas to the walk."""
    found = []
    kind = node.get("type")
    if isinstance(kind, list) and kind and all(item in _TYPES for item in kind) and len(set(kind)) == len(kind):
        found.append(Construct("type-union", path, f"`type` is {json.dumps(kind)}"))
    union = next((key for key in _UNIONS if isinstance(node.get(key), list)), None)
    beside = sorted(key for key in node if key not in _UNIONS)
    if union is not None and beside:
        found.append(Construct("union-with-siblings", path, f"{union} beside {', '.join(beside)}"))
    if isinstance(node.get("$ref"), str):
        found.append(Construct("ref", path, f"`$ref` {node['$ref']!r}"))
    found += [
        Construct("ref", _child(path, key), f"`{key}`")
        for key in ("$defs", "definitions")
        if isinstance(node.get(key), dict) and node[key]
    ]
    arrays = kind == "array" or (isinstance(kind, list) and "array" in kind)
    if arrays and "items" not in node:
        found.append(Construct("array-without-items", path, "an array without `items`"))
    dialect = node.get("$schema")
    if keyword is None and isinstance(dialect, str) and ("2020-12" in dialect or "2019-09" in dialect):
        found.append(Construct("dialect-2020-12", _child(path, "$schema"), f"`$schema` {dialect!r}"))
    typed = "type" in node or any(key in node for key in ("anyOf", "oneOf", "allOf", "$ref"))
    if keyword in _VALUE_POSITIONS and not typed:
        found.append(Construct("untyped", path, "no `type`"))
    return found
