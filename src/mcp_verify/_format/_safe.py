"""What a terminal, a CI log or an XML parser must never receive raw from a server or a project.

A server's name, its tool descriptions and its stderr are text an attacker chooses: escape
sequences in them clear the screen, move the cursor, hide text or retitle the window. Every
text-like output shows such characters as ``\\x1b`` instead of sending them.
"""

from __future__ import annotations

import re

_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufffe\uffff\ud800-\udfff"
    "\U000e0000-\U000e007f]"
)
"""C0 controls but tab and newline, DEL, C1 controls, the invisible or bidirectional format characters,
the tag characters (they spell text nobody sees), and what XML forbids (lone surrogates, U+FFFE, U+FFFF)."""
_UNSAFE_JSON = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
"""What ``json.dumps(ensure_ascii=False)`` leaves raw (it escapes C0 itself)."""


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def visible(text: str) -> str:
    """``text`` with every control and invisible format character written out, e.g. ``\\x1b``."""
    return _INVISIBLE.sub(_escape, text)


def json_safe(document: str) -> str:
    """A JSON document with the characters JSON may carry raw but a terminal must not get escaped."""
    return _UNSAFE_JSON.sub(lambda match: f"\\u{ord(match[0]):04x}", document)
