"""Invisible characters in what the model reads: names, titles, descriptions, instructions (MV460).

A model reads every code point of a tool description; a person reviewing the server sees none of
the invisible ones. Tag characters (U+E0020-U+E007E) spell ASCII nobody sees, bidirectional
controls reorder what is displayed, zero-width characters split or hide words, and runs of
variation selectors carry bytes. Scanners now refuse servers that carry them. High precision
matters more than recall here: the uses real text needs are not reported (joiners inside emoji
and between the letters of scripts that need them, flag tag sequences, marks beside
right-to-left text, a soft hyphen inside a word). Semantic scanning is not done.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from .._catalogue import finding
from .portability import MAX_DEPTH

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .._types import Finding, JSONDict, Listing

MAX_FINDINGS = 20
"""Fields reported one by one; beyond them, one finding counts the rest."""

_ZWJ, _ZWNJ, _MONGOLIAN_SEPARATOR = 0x200D, 0x200C, 0x180E
_SOFT_HYPHEN, _BLACK_FLAG, _CANCEL_TAG = 0x00AD, 0x1F3F4, 0xE007F
_MARKS = frozenset({0x200E, 0x200F, 0x061C})
"""LRM, RLM, ALM: they order neutrals beside right-to-left text and reorder nothing themselves."""
_OPENERS = {0x202A: "E", 0x202B: "E", 0x2066: "I", 0x2067: "I", 0x2068: "I"}
_CLOSERS = {0x202C: "E", 0x2069: "I"}
_OVERRIDES = frozenset({0x202D, 0x202E})
"""LRO and RLO force a display order: the Trojan Source characters, never needed in a description."""
_HANGUL_FILLERS = frozenset({0x115F, 0x1160, 0x3164, 0xFFA0})
_DISPLAYED_FORMAT = frozenset({0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06DD, 0x070F, 0x0890, 0x0891})
"""Format characters a script displays (prepended concatenation marks: Arabic number signs...)."""
_SKIN_TONES = range(0x1F3FB, 0x1F400)
_JOINING = frozenset({"Lo", "Mn", "Mc"})
"""Letters and marks of scripts without case (Arabic, Persian, Indic, Mongolian...), where joiners are spelling."""
_PICTOGRAPHIC = (
    (0x00A9, 0x00A9),
    (0x00AE, 0x00AE),
    (0x203C, 0x203C),
    (0x2049, 0x2049),
    (0x2122, 0x2122),
    (0x2139, 0x2139),
    (0x2194, 0x21AA),
    (0x231A, 0x23FF),
    (0x24C2, 0x24C2),
    (0x25AA, 0x25FE),
    (0x2600, 0x27BF),
    (0x2934, 0x2935),
    (0x2B05, 0x2B55),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3299),
    (0x1F000, 0x1FAFF),
    (0x1FC00, 0x1FFFD),
)
"""Extended_Pictographic (Unicode emoji-data.txt), by the ranges that hold it."""


def _variation_selector(code: int) -> bool:
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _tag(code: int) -> bool:
    return 0xE0000 <= code <= 0xE007F


def _pictographic(code: int) -> bool:
    return any(low <= code <= high for low, high in _PICTOGRAPHIC)


def _suspect(character: str) -> bool:
    code = ord(character)
    return (
        unicodedata.category(character) == "Cf" or _tag(code) or _variation_selector(code) or code in _HANGUL_FILLERS
    ) and code not in _DISPLAYED_FORMAT


def hidden_characters(text: str) -> list[int]:
    """The offsets of the characters of ``text`` nobody sees and real text does not need."""
    suspects = [] if text.isascii() else [offset for offset, character in enumerate(text) if _suspect(character)]
    if not suspects:
        return []
    right_to_left = any(unicodedata.bidirectional(character) in ("R", "AL") for character in text)
    balanced = _balanced(text)
    return [offset for offset in suspects if not _needed(text, offset, right_to_left=right_to_left, balanced=balanced)]


def _needed(text: str, offset: int, *, right_to_left: bool, balanced: bool) -> bool:
    """Whether the character at ``offset`` does a job real text needs there."""
    code = ord(text[offset])
    before = text[offset - 1] if offset else ""
    after = text[offset + 1] if offset + 1 < len(text) else ""
    if code in (_ZWJ, _ZWNJ, _MONGOLIAN_SEPARATOR) and _between(before, after, _JOINING):
        return True
    if code == _ZWJ:
        return _emoji_before(text, offset) and bool(after) and _pictographic(ord(after))
    if _variation_selector(code):  # one selector after a visible character: a presentation choice
        visible = (
            bool(before) and not _suspect(before) and not before.isspace() and unicodedata.category(before) != "Cc"
        )
        return visible and not (after and _variation_selector(ord(after)))
    if _tag(code):
        return _flag_tag(text, offset)
    if code in _MARKS:
        return right_to_left
    if code in _OPENERS or code in _CLOSERS:
        return right_to_left and balanced
    if code == _SOFT_HYPHEN:
        return before.isalpha() and after.isalpha()
    if code in (0x115F, 0x1160):
        return bool(after) and 0x1100 <= ord(after) <= 0x11FF  # a conjoining jamo sequence
    return False


def _between(before: str, after: str, categories: frozenset[str]) -> bool:
    return bool(before and after) and {unicodedata.category(before), unicodedata.category(after)} <= categories


def _emoji_before(text: str, offset: int) -> bool:
    """An emoji ends right before ``offset`` (a presentation selector or a skin tone may close it)."""
    index = offset - 1
    while index >= 0 and (ord(text[index]) == 0xFE0F or ord(text[index]) in _SKIN_TONES):
        index -= 1
    return index >= 0 and _pictographic(ord(text[index]))


def _flag_tag(text: str, offset: int) -> bool:
    """Part of a flag's tag sequence: U+1F3F4, tag digits or small letters, the cancel tag (England's flag)."""
    start = offset
    while start > 0 and _tag(ord(text[start - 1])):
        start -= 1
    end = offset
    while end < len(text) and _tag(ord(text[end])) and ord(text[end]) != _CANCEL_TAG:
        end += 1
    spelled = text[start:end]
    return (
        start > 0
        and ord(text[start - 1]) == _BLACK_FLAG
        and end < len(text)
        and ord(text[end]) == _CANCEL_TAG
        and 0 < len(spelled) <= 7
        and all(0xE0030 <= ord(c) <= 0xE0039 or 0xE0061 <= ord(c) <= 0xE007A for c in spelled)
    )


def _balanced(text: str) -> bool:
    """Every embedding and isolate closed in order, as well-formed bidirectional text has them."""
    open_: list[str] = []
    for character in text:
        code = ord(character)
        if code in _OPENERS or code in _OVERRIDES:
            open_.append(_OPENERS.get(code, "E"))
        elif code in _CLOSERS and (not open_ or open_.pop() != _CLOSERS[code]):
            return False
    return not open_


def _spelled(text: str, offsets: list[int]) -> str:
    """What the hidden characters spell, where they carry text: tag characters as ASCII, and runs of
    variation selectors as the bytes they stand for."""
    tags = "".join(chr(ord(text[i]) - 0xE0000) for i in offsets if 0xE0020 <= ord(text[i]) <= 0xE007E)
    selectors = bytes(
        ord(text[i]) - 0xFE00 if ord(text[i]) <= 0xFE0F else ord(text[i]) - 0xE0100 + 16
        for i in offsets
        if _variation_selector(ord(text[i]))
    )
    decoded = selectors.decode("utf-8", errors="replace") if len(selectors) > 1 else ""
    return tags or (decoded if decoded.isprintable() and "\ufffd" not in decoded else "")


def describe(text: str, offsets: list[int]) -> str:
    """The first hidden character, by offset and code point, how many more, and what they spell."""
    first = text[offsets[0]]
    said = f"U+{ord(first):04X} {unicodedata.name(first, 'an unnamed character')} at offset {offsets[0]}"
    if len(offsets) > 1:
        said += f" and {len(offsets) - 1} more"
    spelled = _spelled(text, offsets)
    if spelled:
        said += f", spelling {spelled[:120]!r}" + ("…" if len(spelled) > 120 else "")
    return said


def _schema_texts(node: object, path: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """The texts of a schema a model reads: titles, descriptions, parameter names, string enum values."""
    if depth > MAX_DEPTH:
        return
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _schema_texts(item, f"{path}[{index}]", depth + 1)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        where = f"{path}.{key}"
        if key in ("title", "description") and isinstance(value, str):
            yield where, value
        elif key == "enum" and isinstance(value, list):
            yield from ((f"{where}[{i}]", item) for i, item in enumerate(value) if isinstance(item, str))
        else:
            if key == "properties" and isinstance(value, dict):
                yield from ((f"{where} (a parameter's name)", str(name)) for name in value)
            yield from _schema_texts(value, where, depth + 1)


def _item_texts(kind: str, item: JSONDict) -> Iterator[tuple[str, str]]:
    label = f"{kind} {item.get('name')!r}" if isinstance(item.get("name"), str) else f"a {kind}"
    for key in ("name", "title", "description"):
        if isinstance(item.get(key), str):
            yield f"{label} {key}", item[key]
    annotations = item.get("annotations")
    if isinstance(annotations, dict) and isinstance(annotations.get("title"), str):
        yield f"{label} annotations.title", annotations["title"]
    for field in ("inputSchema", "outputSchema"):
        yield from ((f"{label} {where}", text) for where, text in _schema_texts(item.get(field), field))
    for index, argument in enumerate(item.get("arguments") or []):
        if isinstance(argument, dict):
            for key in ("name", "title", "description"):
                if isinstance(argument.get(key), str):
                    yield f"{label} arguments[{index}].{key}", argument[key]


def _texts(listing: Listing, instructions: str | None) -> Iterator[tuple[str, str]]:
    if instructions:
        yield "the server's instructions", instructions
    for kind, items in (
        ("tool", listing.tools),
        ("prompt", listing.prompts),
        ("resource", listing.resources),
        ("resource template", listing.resource_templates),
    ):
        for item in items:
            yield from _item_texts(kind, item)


def check_hidden(listing: Listing, instructions: str | None) -> list[Finding]:
    """A warning per field that carries invisible characters, naming the field, the offset and the code point."""
    found = [
        (where, text, offsets) for where, text in _texts(listing, instructions) if (offsets := hidden_characters(text))
    ]
    findings = [
        finding("MV460", f"{where}: hidden character {describe(text, offsets)}")
        for where, text, offsets in found[:MAX_FINDINGS]
    ]
    if len(found) > MAX_FINDINGS:
        findings.append(finding("MV460", f"{len(found) - MAX_FINDINGS} more fields carry hidden characters"))
    return findings
