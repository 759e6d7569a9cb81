"""The boundary: every byte from outside (a release's files, the user's files, an option's text) read
and parsed within bounds, so that a hostile input ends in a finding or a usage error that names it,
never in a traceback, a hang or an exhausted machine.

A file is refused unless it is a regular file, before a byte of it is read (``/dev/zero``, a FIFO
and a directory are never opened), and read up to a size limit. Text is UTF-8. ``json`` and
``tomllib`` recurse: a document nested 100 000 levels deep raises ``RecursionError`` inside them,
and one nested a few thousand deep gets through them and breaks whatever walks it next; here both
are an ``InputError`` like every other reason, and so is a document deeper than the depth limit.
The caller turns the error into a finding (exit 1) or a usage error (exit 2); ``str()`` is the line.
"""

from __future__ import annotations

import json
import os
import re
import stat
from typing import TYPE_CHECKING, Any, NoReturn

from ._compat import tomllib

if TYPE_CHECKING:
    import tarfile
    from collections.abc import Mapping
    from pathlib import Path

MIB = 1024 * 1024
DOCUMENT_LIMIT = 4 * MIB
"""JSON and TOML documents: pyproject.toml, server.json, a snapshot, a manifest (real ones are kilobytes)."""
TEXT_LIMIT = 16 * MIB
"""Longer texts: core metadata and readmes, which carry a project's whole description."""
ENV_FILE_LIMIT = MIB
DEPTH_LIMIT = 100
"""Nesting of arrays and objects (tables); real documents stay under 20."""
ARCHIVE_BYTES = 1024 * MIB
ARCHIVE_MEMBERS = 100_000
"""An sdist's bounds: real ones hold megabytes in hundreds of files (PyPI takes 100 MB a file)."""

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_TOML_POSITION = re.compile(r"line (?P<line>\d+), column (?P<column>\d+)")


class InputError(ValueError):
    """Outside data that cannot be read or parsed within the bounds; ``str()`` names it and says why.

    A ``ValueError``, so that code which already treats unparsable text as not JSON keeps doing so.
    """

    def __init__(self, what: str, problem: str, *, line: int | None = None) -> None:
        super().__init__(f"{what} {problem}")
        self.what = what
        self.problem = problem
        self.line = line
        """The line the problem is on, when the parser knows it."""


def _limit(size: int) -> str:
    for unit, scale in (("GiB", 1024 * MIB), ("MiB", MIB)):
        if size >= scale:
            return f"{size // scale} {unit}"
    return f"{size // 1024} KiB"


def kind(mode: int) -> str:
    """What a file that is not a regular one is, as messages name it."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_bytes(path: Path, *, what: str, limit: int = DOCUMENT_LIMIT) -> bytes:
    """A regular file's bytes, at most ``limit``; anything else is refused before it is opened.

    The file is checked again once open: one swapped for a FIFO in between is still not read.
    """
    try:
        if not stat.S_ISREG(mode := os.stat(path).st_mode):
            raise InputError(what, f"is {kind(mode)}, not a regular file")
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        raise InputError(what, f"cannot be read: {error.strerror or error}") from None
    with open(descriptor, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise InputError(what, f"is {kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise InputError(what, f"is larger than {_limit(limit)} ({info.st_size} bytes)")
        try:
            data = file.read(limit + 1)
        except OSError as error:
            raise InputError(what, f"cannot be read: {error.strerror or error}") from None
    if len(data) > limit:
        raise InputError(what, f"is larger than {_limit(limit)}")
    return data


def tar_members(archive: tarfile.TarFile, *, what: str) -> list[tarfile.TarInfo]:
    """An archive's members, read up to ``ARCHIVE_MEMBERS`` of them and ``ARCHIVE_BYTES`` declared:
    a tar has no index, so a bomb is only found by reading it, and is given up on as soon as it is."""
    members: list[tarfile.TarInfo] = []
    total = 0
    for member in archive:
        members.append(member)
        total += member.size
        if len(members) > ARCHIVE_MEMBERS:
            raise InputError(what, f"has more than {ARCHIVE_MEMBERS} members")
        if total > ARCHIVE_BYTES:
            raise InputError(what, f"unpacks to more than {_limit(ARCHIVE_BYTES)}")
    return members


def decode(data: bytes, *, what: str) -> str:
    """UTF-8 text; where it is not, the byte and its line are named."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            what, f"is not UTF-8 text ({error.reason} at byte {error.start}, line {line})", line=line
        ) from None


def read_text(path: Path, *, what: str, limit: int = DOCUMENT_LIMIT) -> str:
    """A regular file's UTF-8 text, at most ``limit`` bytes of it."""
    return decode(read_bytes(path, what=what, limit=limit), what=what)


def too_deep(value: object, limit: int = DEPTH_LIMIT) -> bool:
    """Whether arrays and objects nest more than ``limit`` levels, found level by level (no recursion)."""
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, dict) else node)
            if isinstance(child, (dict, list))
        ]
    return False


def _size(text: str | bytes, limit: int) -> int:
    """Bytes (of UTF-8, for text), counted exactly only where the length in characters cannot tell."""
    if isinstance(text, bytes) or not limit // 4 < len(text) <= limit:
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def loads_json(text: str | bytes, *, what: str, max_bytes: int = DOCUMENT_LIMIT, max_depth: int = DEPTH_LIMIT) -> Any:
    """Strict JSON (no ``NaN``), at most ``max_bytes`` long and ``max_depth`` deep, or an ``InputError``.

    ``text`` as bytes must be UTF-8.
    """
    if _size(text, max_bytes) > max_bytes:
        raise InputError(what, f"is larger than {_limit(max_bytes)}")
    if isinstance(text, bytes):
        text = decode(text, what=what)
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise InputError(what, f"is nested more than {max_depth} levels deep") from None
    except json.JSONDecodeError as error:
        raise InputError(
            what, f"is not valid JSON: {error.msg} (at line {error.lineno}, column {error.colno})", line=error.lineno
        ) from None
    except ValueError as error:
        raise InputError(what, f"is not valid JSON: {error}") from None
    if too_deep(value, max_depth):
        raise InputError(what, f"is nested more than {max_depth} levels deep")
    return value


def loads_toml(text: str, *, what: str, max_depth: int = DEPTH_LIMIT) -> dict[str, Any]:
    """TOML at most ``max_depth`` deep, or an ``InputError`` (with the line of a syntax error)."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except RecursionError:
        raise InputError(what, f"is nested more than {max_depth} levels deep") from None
    except tomllib.TOMLDecodeError as error:
        where = _TOML_POSITION.search(str(error))
        raise InputError(what, f"is not valid TOML: {error}", line=int(where["line"]) if where else None) from None
    if too_deep(data, max_depth):
        raise InputError(what, f"is nested more than {max_depth} levels deep")
    return data


def read_json(path: Path, *, what: str, limit: int = DOCUMENT_LIMIT, max_depth: int = DEPTH_LIMIT) -> Any:
    """A JSON file, bounded as ``read_text`` and ``loads_json`` bound it."""
    return loads_json(read_text(path, what=what, limit=limit), what=what, max_bytes=limit, max_depth=max_depth)


def read_toml(path: Path, *, what: str, limit: int = DOCUMENT_LIMIT) -> tuple[dict[str, Any], str]:
    """A TOML file's data and text, bounded as ``read_text`` and ``loads_toml`` bound it."""
    text = read_text(path, what=what, limit=limit)
    return loads_toml(text, what=what), text


# .env files -----------------------------------------------------------------------------------------

_BLANK = re.compile(r"[ \t\r\f\v]*(?:#[^\n]*)?(?:\n|\Z)")
_ASSIGNMENT = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*")
_QUOTED = {"'": re.compile(r"'([^']*)'"), '"': re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)}
_BARE = re.compile(r"[^\n]*")
_END = re.compile(r"[ \t\r]*(?:#[^\n]*)?(?:\n|\Z)")
_COMMENT = re.compile(r"[ \t]+#.*")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\"}
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_VARIABLE = re.compile(r"\$\{([^}:]*)(?::-([^}]*))?\}")


def parse_env(text: str, *, what: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables of a ``.env`` file, in the syntax python-dotenv reads; a line it cannot read is an
    ``InputError`` naming its number, never its text (a value may be a secret).

    ``NAME=VALUE`` a line, optionally after ``export``; blank lines and ``#`` comments are skipped, and
    so is `` # …`` after an unquoted value. ``'…'`` is literal; ``"…"`` knows ``\\n \\t \\r \\" \\\\``;
    both may span lines. ``${NAME}`` and ``${NAME:-default}`` in unquoted and double-quoted values are
    replaced by an earlier variable of the file, else one of ``environ``, else the default or nothing.
    """
    if "\0" in text:
        _malformed(what, text.count("\n", 0, text.index("\0")) + 1, "holds a NUL character")
    values: dict[str, str] = {}
    position, line = 0, 1
    while position < len(text):
        blank = _BLANK.match(text, position)
        if blank is not None and blank.end() > position:
            line += blank.group().count("\n")
            position = blank.end()
            continue
        assignment = _ASSIGNMENT.match(text, position)
        if assignment is None:
            _malformed(what, line, "is not NAME=VALUE")
        position = assignment.end()
        quote = text[position : position + 1]
        value_match = (_QUOTED.get(quote) or _BARE).match(text, position)
        if value_match is None:
            _malformed(what, line, f"opens a {quote} quote that is never closed")
        position = value_match.end()
        end = _END.match(text, position)
        if end is None:
            _malformed(what, line, "has text after the closing quote")
        if quote == "'":
            value = value_match[1]
        elif quote == '"':
            value = _expand(_ESCAPE.sub(lambda m: _ESCAPES.get(m[1], m[0]), value_match[1]), values, environ)
        else:
            value = _expand(_COMMENT.sub("", value_match[0]).strip(), values, environ)
        values[assignment[1]] = value
        line += text.count("\n", assignment.start(), end.end())
        position = end.end()
    return values


def _expand(value: str, defined: Mapping[str, str], environ: Mapping[str, str]) -> str:
    def variable(match: re.Match[str]) -> str:
        name, default = match[1], match[2] or ""
        return defined.get(name, environ.get(name, default))

    return _VARIABLE.sub(variable, value)


def _malformed(what: str, line: int, problem: str) -> NoReturn:
    raise InputError(what, f"line {line} {problem} (its text is not shown)", line=line)


def read_env_file(path: Path, *, what: str, environ: Mapping[str, str]) -> dict[str, str]:
    """A ``.env`` file's variables (see ``parse_env``), read within ``ENV_FILE_LIMIT``."""
    return parse_env(read_text(path, what=what, limit=ENV_FILE_LIMIT), what=what, environ=environ)
