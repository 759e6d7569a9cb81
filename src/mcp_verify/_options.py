"""The options of a verification: the keyword arguments of ``verify`` and the CLI's options, as one
frozen value checked once, before anything runs.

Three front doors take options: the command line, ``[tool.mcp-verify]`` and the Python API. They
share the rules here (numbers finite and in range, the right types, a string never taken for a
list), and a mistake is a ``UsageError`` that names the option as that door spells it: ``--timeout``,
``[tool.mcp-verify] timeout`` or ``timeout``. A value that may be a secret is never shown.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from ._boundary import InputError, kind, loads_json
from ._checks.profiles import clients as profile_clients
from ._exceptions import UsageError
from ._types import ERA_MODES, Call

if TYPE_CHECKING:
    from collections.abc import Callable

Door = Literal["cli", "config", "api"]
RESOLUTIONS = {"highest": ("highest",), "lowest": ("lowest",), "both": ("highest", "lowest")}
INSTALLERS = ("auto", "uv", "pip")
TRANSPORTS = ("stdio", "http")
MAX_SECONDS = 24 * 3600.0
"""The longest any time limit may be: a day (a longer one is a mistake, and some waits overflow)."""


@dataclass(frozen=True)
class Options:
    """Everything a verification can be asked: the keyword arguments of ``verify`` and the CLI's options."""

    timeout: float | None = None
    """Seconds for launching, handshaking and listing together, and for each call (default 30, or the
    project's ``[tool.mcp-verify] timeout``)."""
    script: str | None = None
    """The console script to launch when the wheel has several."""
    args: Sequence[str] = ()
    """Arguments for the server."""
    env: Mapping[str, str] = field(default_factory=dict)
    """Environment for the server, beside the minimal one clients pass; never shown in a report."""
    installer: str = "auto"
    """``auto`` (uv when available), ``uv`` or ``pip``."""
    pythons: Sequence[str] = ()
    """Interpreters (paths or versions such as ``3.12``); one report each. None: this one, unless the
    release's Requires-Python rules it out."""
    resolution: str = "highest"
    """``highest``, ``lowest`` (the lowest allowed direct dependencies, needs uv) or ``both``."""
    strict: bool | None = None
    """Warnings fail too, and the server is also started with the cp1252 encoding of a Windows console
    (default: the project's ``[tool.mcp-verify] strict``, else off)."""
    encoding: str | None = None
    """Also start the server with this stdio encoding (``cp1252`` by default under ``strict``)."""
    era: str = "auto"
    """How to connect: ``auto`` as a current client does (``server/discover``, then the handshake where the
    client falls back, and the other era on a server started for it), or ``legacy`` / ``modern`` alone."""
    protocols: bool = False
    """Also offer every protocol version the mcp client supports, both eras, one server start each."""
    build_timeout: float = 900.0
    """Seconds the build may take, and (apart) the installation."""
    startup_budget: float = 10.0
    """Seconds to answer initialize before a warning."""
    keep_env: bool = False
    """Keep each environment (in the system's temporary directory) and say where."""
    install_dir: Path | None = None
    """Install into this directory and keep it (``--client-config`` uses this)."""
    dist_dir: Path | None = None
    """Keep the built sdist and wheel here, for the upload step."""
    server_json: Path | None = None
    """The MCP Registry's server.json to check (default: the release's own, if it has one)."""
    snapshot: Path | None = None
    """A committed JSON snapshot of the tools, prompts and resources to compare with."""
    update_snapshot: bool = False
    """Write ``snapshot`` from what the server lists instead of comparing."""
    sandbox: bool = False
    """Run build hooks and servers under bubblewrap: loopback only, no home, private ``/tmp`` and ``/run``,
    nothing writable outside the run's directory (README "Untrusted releases")."""
    calls: Sequence[str | Call] = ()
    """Tool calls to make once the server is listed: ``TOOL`` or ``TOOL={"arg": 1}`` (default: the
    project's ``[[tool.mcp-verify.calls]]``)."""
    transport: str = "stdio"
    """``stdio``, or ``http``: streamable HTTP on a free local port (``{port}`` in args and env values)."""
    url: str = "/mcp"
    """For ``http``: the path the server serves MCP at, or a whole URL with ``{port}``."""
    user_config: Mapping[str, str] = field(default_factory=dict)
    """For an MCP bundle: values of its manifest's user_config, as a user types them in the host."""
    exercise: bool = False
    """Read every listed static resource and get every prompt."""
    clients: Sequence[str] = ()
    """Clients whose profile's rules are errors, not warnings (``claude-desktop``, ``claude-code``...)."""
    from_index: Sequence[str] = ()
    """Releases (``NAME`` or ``NAME==VERSION``) to download from the index and verify."""
    index_url: str | None = None
    """The index for ``from_index`` (default: uv's and pip's settings, else PyPI)."""
    targets: Path | None = None
    """A file of targets, one a line: a path relative to the file, or ``NAME[==VERSION]`` on the index."""
    from_registry: Path | None = None
    """An MCP Registry server list (``GET /v0/servers``): the PyPI release each entry names, with its server.json."""
    shard: str | None = None
    """``K/N``: only the K-th of N stable shares of the targets (by a hash of each one's canonical spelling)."""
    jobs: int | None = None
    """Targets verified at once (default: two per CPU, at most one per 512 MB of available memory)."""
    resume: Path | None = None
    """A directory: each target's report is written there as it finishes; targets reported there are skipped."""

    @property
    def env_dir(self) -> Path | None:
        return self.install_dir


def options(given: Mapping[str, Any], door: Door = "api") -> Options:
    """The options, each checked by its rule; a usage error names the first that is wrong as ``door`` spells it."""
    unknown = sorted(set(given) - set(RULES))
    if unknown:
        raise UsageError(f"unknown option{'s' * (len(unknown) > 1)}: {', '.join(unknown)}")
    return Options(**{name: RULES[name](value, spelled(name, door)) for name, value in given.items()})


# how each door names an option ----------------------------------------------------------------------

_FLAGS = {
    "args": "--arg",
    "env": "--env",
    "pythons": "--python",
    "clients": "--client",
    "calls": "--call",
    "user_config": "--user-config",
}
"""The command line's spelling where it is not ``--`` and the name with dashes."""


def spelled(option: str, door: Door) -> str:
    """How ``door`` names ``option``: ``--timeout``, ``[tool.mcp-verify] timeout`` or ``timeout``."""
    if door == "cli":
        return _FLAGS.get(option, "--" + option.replace("_", "-"))
    return f"[tool.mcp-verify] {option}" if door == "config" else option


# the rules ----------------------------------------------------------------------------------------


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _typed(value: object) -> str:
    """The value and its type, for a message about the wrong type."""
    return f"{_shown(value)} (of type {type(value).__name__})"


def _refuse(where: str, problem: str) -> UsageError:
    return UsageError(f"{where}: {problem}")


def seconds(value: object, where: str) -> float:
    """A time limit: a number (not a bool, not a string) greater than 0 and at most ``MAX_SECONDS``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _refuse(f"{where} {_typed(value)}", "expected a number of seconds")
    if not 0 < value <= MAX_SECONDS:  # NaN fails every comparison
        raise _refuse(f"{where} {_shown(value)}", f"expected a number of seconds above 0 and at most {MAX_SECONDS:g}")
    return float(value)


def text(value: object, where: str, *, empty: bool = False) -> str:
    """A string without NUL (no program can be given one), and not empty unless ``empty``."""
    if not isinstance(value, str):
        raise _refuse(f"{where} {_typed(value)}", "expected a string")
    if "\0" in value:
        raise _refuse(where, "the value holds a NUL character")
    if not value and not empty:
        raise _refuse(where, "the value is empty")
    return value


def strings(value: object, where: str, *, empty: bool = False) -> tuple[str, ...]:
    """A list of strings: a string alone is refused, never split into its characters."""
    if isinstance(value, (str, bytes, bytearray)) or not isinstance(value, Sequence):
        raise _refuse(f"{where} {_typed(value)}", "expected a list of strings (give [...], even for one)")
    return tuple(text(item, f"{where} (item {index + 1})", empty=empty) for index, item in enumerate(value))


def count(value: object, where: str) -> int:
    """A whole number of at least 1 (a count of things at once)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _refuse(f"{where} {_typed(value)}", "expected a whole number of at least 1")
    return value


def _shard(value: object, where: str) -> str:
    """``K/N``: the K-th of N shares, 1 <= K <= N."""
    given = text(value, where)
    share, _, shares = given.partition("/")
    if not (share.isdigit() and shares.isdigit() and 1 <= int(share) <= int(shares)):
        raise _refuse(f"{where} {_shown(given)}", "expected K/N with 1 <= K <= N, e.g. 2/4")
    return given


def flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise _refuse(f"{where} {_typed(value)}", "expected true or false")
    return value


def variables(value: object, where: str) -> dict[str, str]:
    """Names to string values (an environment); a value is never shown, it may be a secret."""
    if not isinstance(value, Mapping):
        raise _refuse(where, f"expected a mapping of names to strings, not {type(value).__name__}")
    found = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key or "=" in key or "\0" in key:
            raise _refuse(where, f"{_shown(key)} is not a variable name")
        if not isinstance(item, str):
            raise _refuse(where, f"the value of {key} is of type {type(item).__name__}, not a string")
        if "\0" in item:
            raise _refuse(where, f"the value of {key} holds a NUL character")
        found[key] = item
    return found


def name_list(value: object, where: str) -> tuple[str, ...]:
    """Names of variables (``[tool.mcp-verify] env``)."""
    names = strings(value, where)
    bad = next((name for name in names if "=" in name), None)
    if bad is not None:
        raise _refuse(where, f"{_shown(bad)} is not a variable name")
    return names


def _choice(choices: Sequence[str]) -> Callable[[object, str], str]:
    def rule(value: object, where: str) -> str:
        if not isinstance(value, str) or value not in choices:
            raise _refuse(f"{where} {_shown(value)}", f"expected one of {', '.join(choices)}")
        return value

    return rule


def _optional(rule: Callable[[object, str], Any]) -> Callable[[object, str], Any]:
    return lambda value, where: None if value is None else rule(value, where)


def path_text(value: object, where: str) -> str:
    """A path as given (a string or an ``os.PathLike`` of one), kept as written for reports."""
    return text(os.fspath(value) if isinstance(value, os.PathLike) else value, where)


def _path(value: object, where: str) -> Path:
    return Path(path_text(value, where))


def _regular_file(value: object, where: str, *, missing: bool = False) -> Path:
    """A file to read: a regular one (a device or a FIFO would be read forever, or replaced when written);
    ``missing``: or none yet (a snapshot to write)."""
    path = _path(value, where)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if missing:
            return path
        raise _refuse(f"{where} {path}", "no such file") from None
    except OSError as error:
        raise _refuse(f"{where} {path}", f"{error.strerror or error}") from None
    if not stat.S_ISREG(mode):
        raise _refuse(f"{where} {path}", f"{kind(mode)}, not a regular file")
    return path


def _url(value: object, where: str) -> str:
    """A path the server serves MCP at (``/mcp``), or a whole ``http(s)://host[:port]/path`` URL."""
    url = text(value, where)
    if any(character.isspace() or not character.isprintable() for character in url):
        raise _refuse(f"{where} {_shown(url)}", "a URL or path holds no space or control character")
    try:
        parts = urlsplit(url.replace("{port}", "1"))
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as error:
        raise _refuse(f"{where} {_shown(url)}", f"not a valid URL ({error})") from None
    if not parts.scheme and not parts.netloc and "://" not in url:
        return url
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise _refuse(f"{where} {_shown(url)}", "expected a path such as /mcp, or an http(s)://HOST[:PORT]/PATH URL")
    return url


def _codec(value: object, where: str) -> str:
    encoding = text(value, where)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise _refuse(f"{where} {_shown(encoding)}", "not a codec Python knows") from None
    return encoding


def _clients(value: object, where: str) -> tuple[str, ...]:
    known = profile_clients()
    for client in (chosen := strings(value, where)):
        if client not in known:
            raise _refuse(f"{where} {client}", f"no such client profile (they are: {', '.join(known)})")
    return chosen


def _calls(value: object, where: str) -> tuple[Call, ...]:
    if isinstance(value, (str, bytes, bytearray)) or not isinstance(value, Sequence):
        raise _refuse(f"{where} {_typed(value)}", "expected a list of calls (give [...], even for one)")
    return tuple(call if isinstance(call, Call) else parse_call(text(call, where), where) for call in value)


RULES: dict[str, Callable[[object, str], Any]] = {
    "timeout": _optional(seconds),
    "script": _optional(text),
    "args": lambda value, where: strings(value, where, empty=True),
    "env": variables,
    "installer": _choice(INSTALLERS),
    "pythons": strings,
    "resolution": _choice(tuple(RESOLUTIONS)),
    "strict": _optional(flag),
    "encoding": _optional(_codec),
    "era": _choice(ERA_MODES),
    "protocols": flag,
    "build_timeout": seconds,
    "startup_budget": seconds,
    "keep_env": flag,
    "install_dir": _optional(_path),
    "dist_dir": _optional(_path),
    "server_json": _optional(_regular_file),
    "snapshot": _optional(lambda value, where: _regular_file(value, where, missing=True)),
    "update_snapshot": flag,
    "sandbox": flag,
    "calls": _calls,
    "transport": _choice(TRANSPORTS),
    "url": _url,
    "user_config": variables,
    "exercise": flag,
    "clients": _clients,
    "from_index": strings,
    "index_url": _optional(lambda value, where: text(value, where, empty=True)),
    "targets": _optional(_regular_file),
    "from_registry": _optional(_regular_file),
    "shard": _optional(_shard),
    "jobs": _optional(count),
    "resume": _optional(_path),
}
"""One rule per field of ``Options``: it checks a value as any door gives it and returns it as stored."""


def parse_call(given: str, where: str = "--call") -> Call:
    """``TOOL`` or ``TOOL={"arg": 1}``, as ``--call`` takes it; the arguments are bounded JSON."""
    tool, equals, arguments = given.partition("=")
    tool = tool.strip()
    if not tool:
        raise _refuse(f"{where} {_shown(given)}", "give TOOL, or TOOL={...} with the arguments as a JSON object")
    if not equals:
        return Call(tool)
    try:
        value = loads_json(arguments, what="the text after =")
    except InputError as error:
        raise _refuse(f"{where} {tool}", str(error)) from None
    if not isinstance(value, dict):
        raise _refuse(f"{where} {tool}", f"the arguments must be a JSON object, not {type(value).__name__}")
    return Call(tool, value)
