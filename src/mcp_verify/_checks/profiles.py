"""Client profiles: the limits real clients and directories impose beyond the specification, as
data, each with its source (``_data/client_profiles.toml``). A violation is a warning; a client
named with ``--client`` has its rules turned into errors, and a directory's review (``opt_in``) is
checked only when it is named. Codes: MV420-MV425, MV427."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._catalogue import finding
from .._data import load_toml
from .._types import Severity
from ._common import some
from .portability import CONSTRUCTS, Construct, constructs

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence

    from .._types import CallResult, Finding, JSONDict, Listing

_CODES = {
    "tool-name": "MV420",
    "qualified-name": "MV421",
    "qualified-collision": "MV421",
    "description": "MV422",
    "instructions": "MV422",
    "tool-count": "MV423",
    "schema-root": "MV424",
    "property-keys": "MV424",
    "schema-construct": "MV424",
    "annotations": "MV425",
    "result-size": "MV427",
}
CLAUDE_CODE_IMAGE_TOKENS = 1600
"""What Claude Code's own first estimate counts for an image block (cli.js, beside MCPContentTooLargeError)."""


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
    clip: bool = False
    construct: str | None = None
    schemas: tuple[str, ...] = ("inputSchema",)
    title: bool = False
    hints: tuple[str, ...] = ()
    all_hints: bool = False
    max_tokens: int | None = None
    override_meta: str | None = None
    override_max_chars: int | None = None
    opt_in: bool = False
    """A directory's review: checked only when the directory is named with ``--client``."""
    advisory: bool = False
    """The client only warns: a warning even when the client is named."""

    def severity(self, named: Collection[str]) -> Severity | None:
        """An error for a client named with ``--client``, unless the client itself only warns."""
        return Severity.ERROR if self.client in named and not self.advisory else None

    def applies(self, named: Collection[str]) -> bool:
        return not self.opt_in or self.client in named


_LISTS = ("references", "forbidden", "schemas", "hints")


def rules() -> list[Rule]:
    """Every rule of every profile."""
    table: list[dict[str, Any]] = load_toml("client_profiles.toml")["rule"]
    return [Rule(**{**row, **{key: tuple(row[key]) for key in _LISTS if key in row}}) for row in table]


def clients() -> list[str]:
    """The clients with a profile, as ``--client`` takes them."""
    return sorted({rule.client for rule in rules()})


def check_profiles(
    listing: Listing, instructions: str | None, server: str, strict_clients: Collection[str] = ()
) -> list[Finding]:
    """Every rule of every profile over the listing: warnings, errors for ``strict_clients``."""
    findings = []
    walked: list[tuple[str, str, Construct]] | None = None
    for rule in rules():
        if rule.kind == "schema-construct" and rule.applies(strict_clients):
            walked = _walked(listing) if walked is None else walked
            problems = [
                f"tool {name!r} {found.path}: {found.detail}"
                for name, field, found in walked
                if found.name == rule.construct and field in rule.schemas
            ]
            findings += _finding(rule, problems, strict_clients)
        elif rule.kind in _CHECKS and rule.applies(strict_clients):
            findings += _finding(rule, _CHECKS[rule.kind](rule, listing, instructions, server), strict_clients)
    return findings


def _walked(listing: Listing) -> list[tuple[str, str, Construct]]:
    """Every construct of every tool's schemas, walked once for all the rules that look for one."""
    return [
        (str(tool.get("name")), field, found)
        for tool in listing.tools
        for field in ("inputSchema", "outputSchema")
        if field in tool
        for found in constructs(tool[field], field)
    ]


def _finding(rule: Rule, problems: Sequence[str], named: Collection[str], step: str | None = None) -> list[Finding]:
    if not problems:
        return []
    message = f"{rule.client}: {some(problems, 3)}; {rule.consequence} (source: {rule.references[0]})"
    return [finding(_CODES[rule.kind], message, severity=rule.severity(named), step=step)]


def sources(code: str) -> list[str]:
    """Each rule behind ``code``, with what breaks and where that is documented, for ``--explain``."""
    lines = []
    for rule in rules():
        if _CODES.get(rule.kind) == code:
            what = f"{rule.id}: {CONSTRUCTS[rule.construct]}" if rule.construct else rule.id
            named = " (checked only when named with --client)" if rule.opt_in else ""
            lines.append(f"- {rule.client} ({what}){named}: {rule.consequence}. Source: {'; '.join(rule.references)}")
    return lines


def _names(listing: Listing) -> list[str]:
    return [str(tool.get("name", "")) for tool in listing.tools]


def _tool_name(rule: Rule, listing: Listing, instructions: str | None, server: str) -> list[str]:
    assert rule.pattern is not None
    pattern = re.compile(rule.pattern)
    return [f"tool name {name!r} does not match {rule.pattern}" for name in _names(listing) if not pattern.search(name)]


def _built(rule: Rule, listing: Listing, server: str) -> dict[str, str]:
    """Each tool's name as the client builds it (characters outside ``allowed`` replaced), by tool name."""
    assert rule.format is not None
    built = {}
    for name in _names(listing):
        qualified = rule.format.format(server=server, tool=name)
        if rule.allowed:
            qualified = "".join(character if re.fullmatch(rule.allowed, character) else "_" for character in qualified)
        built[name] = qualified
    return built


def _qualified(rule: Rule, listing: Listing, instructions: str | None, server: str) -> list[str]:
    assert rule.max_length is not None
    return [
        f"{qualified!r} ({len(qualified)} characters, at most {rule.max_length})"
        for qualified in _built(rule, listing, server).values()
        if len(qualified) > rule.max_length
    ]


def _collision(rule: Rule, listing: Listing, instructions: str | None, server: str) -> list[str]:
    """Tools of different names that end up with one name once the client has rewritten (and cut) them."""
    tools: dict[str, list[str]] = {}
    for name, qualified in _built(rule, listing, server).items():
        tools.setdefault(qualified[: rule.max_length] if rule.clip else qualified, []).append(name)
    return [
        f"tools {' and '.join(map(repr, names))} both become {qualified!r}"
        for qualified, names in tools.items()
        if len(names) > 1
    ]


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


def _annotations(rule: Rule, listing: Listing, instructions: str | None, server: str) -> list[str]:
    """The tools without the title or the hints the directory's review asks for, every one named, by what
    they lack (a hint counts only inside ``annotations``)."""
    untitled, unhinted, beside = [], [], []
    for tool in listing.tools:
        name = repr(tool.get("name"))
        given = tool.get("annotations")
        annotations: JSONDict = given if isinstance(given, dict) else {}
        titles = (tool.get("title"), annotations.get("title"))
        if rule.title and not any(isinstance(title, str) and title.strip() for title in titles):
            untitled.append(name)
        missing = [hint for hint in rule.hints if not isinstance(annotations.get(hint), bool)]
        if missing and (rule.all_hints or len(missing) == len(rule.hints)):
            unhinted.append(name)
            beside += [f"{name} ({hint})" for hint in missing if hint in tool]
    needed = ", ".join(rule.hints) if rule.all_hints else " or ".join(rule.hints)
    groups = (
        ("no title (title or annotations.title)", untitled),
        (f"{'not all of' if rule.all_hints else 'none of'} {needed} in annotations", unhinted),
        ("hints beside annotations, where they do not count", beside),
    )
    found = "; ".join(f"{what}: {', '.join(names)}" for what, names in groups if names)
    return [found] if found else []


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
    "qualified-collision": _collision,
    "description": _description,
    "instructions": _instructions,
    "tool-count": _count,
    "schema-root": _schema_root,
    "property-keys": _property_keys,
    "annotations": _annotations,
}
"""The listing's rule kinds, by kind (``schema-construct`` rules share one walk of the schemas, and
``result-size`` rules are held to the calls: ``check_results``)."""


def check_results(
    results: Sequence[CallResult], tools: Sequence[JSONDict], strict_clients: Collection[str] = ()
) -> list[Finding]:
    """Every call's result against each client's caps on a result's size (MV427); a call over a client's
    larger cap is not reported again under its smaller one."""
    metas = {str(tool.get("name")): tool.get("_meta") for tool in tools}
    sized = [rule for rule in rules() if rule.kind == "result-size" and rule.applies(strict_clients)]
    reported: set[tuple[str, int]] = set()
    findings = []
    for rule in sorted(sized, key=lambda rule: -(rule.max_tokens or 0)):
        problems = []
        for index, result in enumerate(results):
            if result.result is None or (rule.client, index) in reported:
                continue
            meta = metas.get(result.tool)
            override = meta.get(rule.override_meta) if isinstance(meta, dict) and rule.override_meta else None
            found = _oversize(rule, result.tool, result.result, override)
            if found:
                reported.add((rule.client, index))
                problems += found
        findings += _finding(rule, problems, strict_clients, step="calls")
    return findings


def result_size(result: JSONDict) -> tuple[int, int, int]:
    """(estimated tokens, characters of text, images) of a CallToolResult's content, as Claude Code's own
    first estimate counts it: a quarter of each text block's characters, rounded, and 1,600 per image
    (an embedded resource's text counts as text)."""
    tokens = characters = images = 0
    content = result.get("content")
    for block in content if isinstance(content, list) else []:
        if not isinstance(block, dict):
            continue
        resource = block.get("resource")
        text = (
            block.get("text")
            if block.get("type") == "text"
            else resource.get("text")
            if isinstance(resource, dict)
            else None
        )
        if isinstance(text, str):
            tokens += (len(text) + 2) // 4  # JavaScript's Math.round(length / 4): halves round up
            characters += len(text)
        elif block.get("type") == "image":
            tokens += CLAUDE_CODE_IMAGE_TOKENS
            images += 1
    return tokens, characters, images


def _oversize(rule: Rule, tool: str, result: JSONDict, override: object) -> list[str]:
    assert rule.max_tokens is not None
    tokens, characters, images = result_size(result)
    if isinstance(override, int) and not isinstance(override, bool) and rule.override_max_chars and not images:
        cap = min(override, rule.override_max_chars)
        if characters > cap:
            return [
                f"tool {tool!r} answered {characters:,} characters of text, over the {cap:,} "
                f"its _meta {rule.override_meta} allows"
            ]
        return []
    if tokens <= rule.max_tokens:
        return []
    pictures = f" and {images} images at {CLAUDE_CODE_IMAGE_TOKENS:,}" if images else ""
    return [
        f"tool {tool!r} answered about {tokens:,} tokens ({characters:,} characters of text / 4{pictures}), "
        f"over {rule.max_tokens:,}"
    ]
