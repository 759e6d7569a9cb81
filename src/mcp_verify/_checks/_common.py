"""Small text helpers the check families share: naming a few of many, a path into a document."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

PathPart = str | int
_MAX_LISTED = 5
_TOML_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")


def some(names: Sequence[str], limit: int = _MAX_LISTED) -> str:
    """A few names of a possibly long list, for a one-line message."""
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def dotted(path: Sequence[PathPart]) -> str:
    """``["project", "classifiers", 0]`` as ``project.classifiers[0]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text or "the top level"


def toml_line(text: str, path: Sequence[PathPart], value: object = None) -> int | None:
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


def json_line(text: str, key: str, value: object = None, start: int = 0) -> int | None:
    """The line of ``"key": value`` in JSON text (of ``"key"`` alone when the value is written otherwise)."""
    key_pattern = re.escape(json.dumps(key)) + r"\s*:\s*"
    match = None
    if value is not None:
        match = re.compile(key_pattern + re.escape(json.dumps(value, ensure_ascii=False))).search(text, start)
    match = match or re.compile(key_pattern).search(text, start)
    return text.count("\n", 0, match.start()) + 1 if match else None
