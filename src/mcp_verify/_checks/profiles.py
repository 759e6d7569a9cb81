"""Client profiles: the limits real clients impose beyond the specification, as data, each with its
source (``_data/client_profiles.toml``). A violation is a warning; a client named with ``--client``
has its rules turned into errors. Codes: MV420-MV424."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._catalogue import finding
from .._data import load_toml
from .._types import Severity
from ._common import some

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence

    from .._types import Finding, JSONDict, Listing

_CODES = {
    "tool-name": "MV420",
    "qualified-name": "MV421",
    "description": "MV422",
    "instructions": "MV422",
    "tool-count": "MV423",
    "schema-root": "MV424",
    "property-keys": "MV424",
}


@dataclass(frozen=True)
class Rule:
    """One limit of one client, and where it is documented."""

    client: str
    id: str
    kind: str
    consequence: str
    references: tuple[str, ...]
    pattern: str | None = None
    format: str | None = None
    allowed: str | None = None
    max_length: int | None = None
    max_count: int | None = None
    forbidden: tuple[str, ...] = ()


def rules() -> list[Rule]:
    """Every rule of every profile."""
    table: list[dict[str, Any]] = load_toml("client_profiles.toml")["rule"]
    return [
        Rule(**{**row, "references": tuple(row["references"]), "forbidden": tuple(row.get("forbidden", ()))})
        for row in table
    ]


def clients() -> list[str]:
    """The clients with a profile, as ``--client`` takes them."""
    return sorted({rule.client for rule in rules()})


def check_profiles(
    listing: Listing, instructions: str | None, server: str, strict_clients: Collection[str] = ()
) -> list[Finding]:
    """Every rule of every profile over the listing: warnings, errors for ``strict_clients``."""
    findings = []
    for rule in rules():
        problems = _CHECKS[rule.kind](rule, listing, instructions, server)
        if problems:
            severity = Severity.ERROR if rule.client in strict_clients else None
            message = f"{rule.client}: {some(problems, 3)}; {rule.consequence} (source: {rule.references[0]})"
            findings.append(finding(_CODES[rule.kind], message, severity=severity))
    return findings


def _names(listing: Listing) -> list[str]:
    return [str(tool.get("name", "")) for tool in listing.tools]


def _tool_name(rule: Rule, listing: Listing, instructions: str | None, server: str) -> list[str]:
    assert rule.pattern is not None
    pattern = re.compile(rule.pattern)
    return [f"tool name {name!r} does not match {rule.pattern}" for name in _names(listing) if not pattern.search(name)]


def _qualified(rule: Rule, listing: Listing, instructions: str | None, server: str) -> list[str]:
    assert rule.format is not None
    assert rule.max_length is not None
    built = []
    for name in _names(listing):
        qualified = rule.format.format(server=server, tool=name)
        if rule.allowed:
            qualified = "".join(character if re.fullmatch(rule.allowed, character) else "_" for character in qualified)
        built.append(qualified)
    problems = [
        f"{qualified!r} ({len(qualified)} characters, at most {rule.max_length})"
        for qualified in built
        if len(qualified) > rule.max_length
    ]
    clipped = Counter(qualified[: rule.max_length] for qualified in built)
    problems += [f"two tools become {name!r}" for name, count in clipped.items() if count > 1]
    return problems


def _description(rule: Rule, listing: Listing, instructions: str | None, server: str) -> list[str]:
    assert rule.max_length is not None
    return [
        f"tool {tool.get('name')!r}'s description has {len(description)} characters (kept: {rule.max_length})"
        for tool in listing.tools
        if isinstance(description := tool.get("description"), str) and len(description) > rule.max_length
    ]


def _instructions(rule: Rule, listing: Listing, instructions: str | None, server: str) -> list[str]:
    assert rule.max_length is not None
    if instructions is None or len(instructions) <= rule.max_length:
        return []
    return [f"the instructions have {len(instructions)} characters (kept: {rule.max_length})"]


def _count(rule: Rule, listing: Listing, instructions: str | None, server: str) -> list[str]:
    assert rule.max_count is not None
    count = len(listing.tools)
    return [f"{count} tools (at most {rule.max_count})"] if count > rule.max_count else []


def _schemas(listing: Listing) -> list[tuple[str, JSONDict]]:
    return [
        (str(tool.get("name")), schema) for tool in listing.tools if isinstance(schema := tool.get("inputSchema"), dict)
    ]


def _schema_root(rule: Rule, listing: Listing, instructions: str | None, server: str) -> list[str]:
    return [
        f"tool {name!r}'s inputSchema has {key} at its root"
        for name, schema in _schemas(listing)
        for key in rule.forbidden
        if key in schema
    ]


def _property_keys(rule: Rule, listing: Listing, instructions: str | None, server: str) -> list[str]:
    assert rule.pattern is not None
    pattern = re.compile(rule.pattern)
    found = []
    for name, schema in _schemas(listing):
        properties = schema.get("properties")
        keys: Sequence[str] = list(properties) if isinstance(properties, dict) else []
        found += [f"tool {name!r} has a parameter {key!r}" for key in keys if not pattern.search(key)]
    return [f"{problem} that does not match {rule.pattern}" for problem in found]


_CHECKS: dict[str, Callable[[Rule, Listing, str | None, str], list[str]]] = {
    "tool-name": _tool_name,
    "qualified-name": _qualified,
    "description": _description,
    "instructions": _instructions,
    "tool-count": _count,
    "schema-root": _schema_root,
    "property-keys": _property_keys,
}
