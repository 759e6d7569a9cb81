"""The values the stages hand on, and the pieces of a report: small, frozen, typed.

Each stage takes values and returns one: build → ``Artifacts``, inspect → ``Sdist`` and ``Wheel``,
install → ``Environment``, probe → ``ServerInfo``, ``Listing``, ``Shutdown``. Checks are pure
functions of these values; the ``Report`` is assembled from them at the end.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

JSONDict = dict[str, Any]
Installer = Literal["uv", "pip"]

STEPS: tuple[str, ...] = ("build", "inspect", "install", "launch", "handshake", "list", "shutdown")
"""The pipeline's steps, in the order they run; checks beside them (``registry``, ``snapshot``) are
steps too, placed where they run."""


class Status(str, enum.Enum):
    """How a step ended: ``fail`` stops the pipeline, ``warn`` means its work was done but a check found a problem."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"


class Severity(str, enum.Enum):
    """How much a finding matters: errors fail a verification, warnings too with ``strict``."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One thing mcp-verify found; ``code`` is an entry of the catalogue (``mcp-verify --explain CODE``)."""

    code: str
    severity: Severity
    step: str
    message: str
    hint: str | None = None
    file: str | None = None
    """The file the finding is about, relative to the project, where one is known."""
    line: int | None = None


@dataclass(frozen=True)
class StepResult:
    """What one step did, how long it took, and in one line why it ended as it did."""

    name: str
    status: Status
    seconds: float = 0.0
    message: str = ""


# what to verify ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """``[tool.mcp-verify]``: how the project asks to be verified (the command line wins)."""

    script: str | None = None
    args: tuple[str, ...] = ()
    timeout: float | None = None
    strict: bool | None = None
    env: tuple[str, ...] = ()
    """Names of variables the server needs; their values come from --env or --env-file."""
    calls: tuple[Call, ...] = ()


@dataclass(frozen=True)
class Project:
    """The files of a project (or an unpacked sdist) that checks read, each read once."""

    path: Path
    pyproject: dict[str, Any] = field(default_factory=dict)
    """pyproject.toml, parsed; empty when there is none (a setup.py project)."""
    text: str = ""
    """pyproject.toml as written, for line numbers."""
    has_pyproject: bool = True
    unpacked_sdist: bool = False
    """The directory is an unpacked sdist (it has PKG-INFO): pip builds its wheel straight from it."""
    files: tuple[str, ...] = ()
    """The files a build could ship (relative, POSIX): no hidden files, caches, bytecode or virtualenvs."""
    settings: Settings = field(default_factory=Settings)
    """``[tool.mcp-verify]``, read when the project is (a mistake in it is a usage error)."""
    server_json: Path | None = None
    """The project's ``server.json``, when it has one."""
    readme_text: str | None = None
    """The text of the file ``[project].readme`` names, when it is there."""

    @property
    def table(self) -> dict[str, Any]:
        """``[project]``, or empty."""
        table = self.pyproject.get("project")
        return table if isinstance(table, dict) else {}

    @property
    def build_requires(self) -> list[str]:
        build_system = self.pyproject.get("build-system")
        requires = build_system.get("requires", []) if isinstance(build_system, dict) else []
        return [str(requirement) for requirement in requires] if isinstance(requires, list) else []

    @property
    def declared_dependencies(self) -> list[str] | None:
        """``[project].dependencies`` when they are static (known before the build), else None."""
        table = self.table
        if not table or "dependencies" in (table.get("dynamic") or []):
            return None
        dependencies = table.get("dependencies", [])
        return [str(item) for item in dependencies] if isinstance(dependencies, list) else None

    @property
    def readme(self) -> str | None:
        """The file ``[project].readme`` names."""
        readme = self.table.get("readme")
        if isinstance(readme, dict):
            readme = readme.get("file")
        return readme if isinstance(readme, str) else None


@dataclass(frozen=True)
class JsonDocument:
    """A JSON object from a file the user or the release controls, with its text for line numbers."""

    data: JSONDict
    text: str
    label: str
    """How messages name the file."""
    file: str | None = None
    """The file relative to the project, for findings; None when it lies outside."""


# build -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Artifacts:
    """The sdist and the wheel to verify, and how they were had."""

    wheel: Path
    sdist: Path | None = None
    detail: str = ""
    """How they were had, in words, for the build step's line: built, downloaded, or given."""
    chatter: tuple[str, ...] = ()
    """Warnings the build backend printed (its output is captured, not shown)."""


@dataclass
class Copied:
    """What copying the project left out or changed, for the findings of the inspect step."""

    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(path, why) of files that cannot be packaged: FIFOs, sockets, devices, unreadable or too long."""
    links_out: list[tuple[str, str]] = field(default_factory=list)
    """(link, target) of symbolic links that lead out of the project."""


@dataclass(frozen=True)
class Signature:
    """What a bundle's signature block says, read without a network (no trust store is asked)."""

    problem: str | None = None
    """Why the signature does not hold (unreadable, content changed after signing, not made by the
    certificate's key); None when it holds."""
    declared: bool = True
    """The zip's end record counts the block as its comment, as strict zip readers require."""
    subject: str | None = None
    issuer: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    valid_now: bool | None = None
    """The certificate's validity covers the time of the run."""
    self_signed: bool | None = None
    fingerprint: str | None = None
    """SHA-256 of the signing certificate."""
    signed_at: str | None = None
    """The signingTime the signer put in the signature."""
    digest_matches: bool | None = None
    """The signed digest is that of the bundle's bytes (None: the signature carries no digest)."""
    verifies: bool | None = None
    """The signature was made by the certificate's key (None: an algorithm not checked here)."""


@dataclass(frozen=True)
class Bundle:
    """An unpacked bundle: where it is, its manifest, and each member as it was stored."""

    root: Path
    manifest: JSONDict
    text: str
    filename: str
    sha256: str
    size: int
    members: tuple[Member, ...] = ()
    packed: bool = True
    """A ``.mcpb`` file; false for a directory holding ``manifest.json``."""
    heads: dict[str, bytes] = field(default_factory=dict)
    """The first bytes of each file the manifest names as an icon (hosts show PNG only)."""
    signature: Signature | None = None
    """The block ``mcpb sign`` appends; None: unsigned."""

    @property
    def server(self) -> JSONDict:
        server = self.manifest.get("server")
        return server if isinstance(server, dict) else {}

    @property
    def type(self) -> str:
        return str(self.server.get("type", ""))

    @property
    def manifest_version(self) -> object:
        """``manifest_version``, or ``dxt_version`` as bundles before 0.3 name it (None: neither)."""
        return self.manifest.get("manifest_version", self.manifest.get("dxt_version"))

    @property
    def files(self) -> list[str]:
        return sorted(member.name for member in self.members)


# inspect -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metadata:
    """The core metadata fields a release engineer reads in METADATA."""

    name: str
    version: str
    summary: str | None
    requires_python: str | None
    requires_dist: list[str]
    description: str | None = None


@dataclass(frozen=True)
class Artifact:
    """A built distribution as it would be uploaded."""

    filename: str
    sha256: str
    size: int
    files: list[str]


@dataclass(frozen=True)
class Member:
    """One file of an archive: its name as stored, its size, and what else a check needs to know."""

    name: str
    size: int
    sha256: str | None = None
    """Of the content (wheels only: for the RECORD check)."""
    link: str | None = None
    """The target of a symbolic or hard link (sdists, and links inside a bundle directory)."""
    note: str | None = None
    """What its content shows, for files whose name alone cannot tell: ``private key``, ``local paths``."""
    compressed: int | None = None
    """Its size as stored in the archive (bundles: hosts refuse members compressed too far)."""


@dataclass(frozen=True)
class Sdist(Artifact):
    """An sdist: its files, and each member as stored (for the safety checks)."""

    members: tuple[Member, ...] = ()
    description: str | None = None
    """The long description in its PKG-INFO ("" without one); None when it has no PKG-INFO. PyPI takes a
    release's description from the first file uploaded, which may be the sdist."""


@dataclass(frozen=True)
class Wheel(Artifact):
    """A wheel with its parsed entry points and metadata."""

    entry_points: dict[str, dict[str, str]] = field(default_factory=dict)
    metadata: Metadata | None = None
    members: tuple[Member, ...] = ()
    record: tuple[tuple[str, str, str], ...] | None = None
    """RECORD's rows (path, hash, size) as written; None when the wheel has no RECORD."""
    sources: dict[str, str] = field(default_factory=dict)
    """The text of each ``.py`` file of the wheel that imports mcp (for the dependency check)."""

    @property
    def console_scripts(self) -> dict[str, str]:
        return self.entry_points.get("console_scripts", {})


# install -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Environment:
    """The throwaway virtual environment the wheel was installed into."""

    path: str
    python: str
    python_version: str
    scripts_dir: str
    installer: str
    packages: dict[str, str]
    """Installed distributions, canonical name to version."""


@dataclass(frozen=True)
class Installed:
    """What the hints may cite: the wheel's own requirements, and what the environment holds."""

    requires_dist: Sequence[str] = ()
    packages: dict[str, str] = field(default_factory=dict)
    """Distribution (canonical name) to version."""
    modules: dict[str, str] = field(default_factory=dict)
    """Top-level importable name to the distribution that installs it."""
    requires: dict[str, list[str]] = field(default_factory=dict)
    """Each installed distribution's requirements, by canonical name, for who brought whom."""

    def requirement(self, name: str) -> str | None:
        """The wheel's own requirement on ``name`` as written (of no extra), if it has one."""
        for text in self.requires_dist:
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            if canonicalize_name(requirement.name) == name and "extra" not in str(requirement.marker or ""):
                return text
        return None

    def chain(self, name: str) -> list[str]:
        """How ``name`` came to be installed: the wheel's own requirement that pulls it in, shortest first."""
        direct: list[str] = []
        for text in self.requires_dist:
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            if "extra" not in str(requirement.marker or ""):
                direct.append(str(canonicalize_name(requirement.name)))
        paths = [[dist] for dist in direct]
        seen = set(direct)
        while paths:
            path = paths.pop(0)
            if path[-1] == name:
                return path
            for child in self.requires.get(path[-1], []):
                if child not in seen:
                    seen.add(child)
                    paths.append([*path, child])
        return []


@dataclass(frozen=True)
class ImportCost:
    """Where an import's time went: a top-level package, its cumulative seconds, and its own seconds."""

    package: str
    cumulative: float
    own: float


# probe -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LaunchSpec:
    """How to start the server, as a desktop client would."""

    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    """Added to the minimal environment mcp's stdio client passes by default."""
    cwd: str | None = None
    timeout: float = 30.0
    """For launching, handshaking and listing together."""
    wrapper: tuple[str, ...] = ()
    """A command the server runs under (``--sandbox``: bubblewrap), not part of what a client runs."""
    endpoint: str | None = None
    """Streamable HTTP: the URL the server serves MCP at (the port is in it); None: stdio."""
    port: int | None = None
    """Streamable HTTP: the port it was told to listen on, waited for before connecting."""
    era: str = "auto"
    """How to connect: ``auto`` as a current client does, or one era alone (``legacy``, ``modern``)."""
    socket: str | None = None
    """Streamable HTTP under ``--sandbox``: the UNIX socket that leads to the port (its network is private)."""


@dataclass(frozen=True)
class StrayLine:
    """A line on the server's stdout that is not a JSON-RPC message."""

    text: str
    step: str
    """The step during which it arrived (``shutdown``: after stdin closed, e.g. a buffered ``print()``)."""
    is_json: bool = False


@dataclass(frozen=True)
class Shutdown:
    """How the server stopped after its stdin was closed."""

    how: str
    """``stdin-eof``, ``sigterm``, ``sigkill``, or ``exited`` (it had ended before stdin closed)."""
    seconds: float
    returncode: int | None = None
    survivors: tuple[str, ...] = ()
    """Processes the server started that were still running after it exited (then killed), as ``pid command``."""
    last_words: str = ""
    """The exception line of what the server wrote on stderr while it stopped, if anything."""


@dataclass(frozen=True)
class ServerInfo:
    """The running server as the handshake described it."""

    command: list[str]
    pid: int
    name: str | None = None
    version: str | None = None
    protocol_version: str | None = None
    capabilities: JSONDict = field(default_factory=dict)
    instructions: str | None = None
    stderr_tail: str = ""
    shutdown: str | None = None
    """How the server stopped: ``stdin-eof``, ``sigterm``, ``sigkill`` or ``exited``."""
    exit_code: int | None = None
    startup_seconds: float | None = None
    """From spawn to the initialize response: what a desktop client waits before it can use the server."""
    ready_seconds: float | None = None
    """From spawn to everything listed."""


MODERN = "modern"
"""The protocol era of 2026-07-28 on: no handshake, every request carries its version in ``_meta``."""
LEGACY = "legacy"
"""The handshake era (``initialize``), 2024-11-05 to 2025-11-25."""
ERA_MODES = ("auto", LEGACY, MODERN)
"""How mcp-verify connects, as the mcp client's ``mode``: ``auto`` (``server/discover`` first, the
handshake where a current client falls back), or one era alone."""


@dataclass(frozen=True)
class Discovery:
    """What the server did with ``server/discover``, the request a current client opens with."""

    outcome: str
    """``result`` (a DiscoverResult), ``error`` (a JSON-RPC error), ``silent``, ``exited`` or ``garbage``
    (it wrote something that is not a JSON-RPC message and never answered)."""
    message: str
    """What happened, in words."""
    version: str = ""
    """The protocol version the probe named in its ``_meta``."""
    result: JSONDict | None = None
    """The result as the server sent it."""
    error: JSONDict | None = None
    """The error it answered: ``code``, ``message`` (and ``data``)."""

    @property
    def supported_versions(self) -> list[str]:
        versions = (self.result or {}).get("supportedVersions")
        return [v for v in versions if isinstance(v, str)] if isinstance(versions, list) else []


@dataclass(frozen=True)
class EraLeg:
    """One protocol era tried on a server: the connection a current client made, or one of its own."""

    era: str
    ok: bool
    message: str
    version: str | None = None
    listing: Listing | None = None
    same_process: bool = False
    """Tried on the connection the auto sequence fell back on, not on a server started for it."""
    exercised: tuple[Exercised, ...] = ()
    """With ``--exercise``, on a server started for this era: what only this era has (subscribe, setLevel)."""


@dataclass(frozen=True)
class AuthDoor:
    """What a server that answered 401 shows a client that wants to log in (mcp-verify never does)."""

    url: str
    """The server's MCP endpoint, as the client reached it."""
    challenge: str
    """The WWW-Authenticate header of the 401, as sent ("" when there was none)."""
    metadata_url: str | None
    """The ``resource_metadata`` the challenge names, if it names one."""
    tried: tuple[tuple[str, str], ...] = ()
    """Each protected-resource metadata URL tried, in the client's order, with what it gave."""
    document: JSONDict | None = None
    """The first protected-resource metadata document found (RFC 9728)."""
    resource_allowed: bool | None = None
    """Whether the document's ``resource`` covers the server's URL, by the mcp client's own rule."""


@dataclass(frozen=True)
class HttpDoors:
    """Streamable HTTP: how the server stands where clients and proxies reach it."""

    listening: tuple[str, ...] = ()
    """The addresses it listens on."""
    foreign_host: str | None = None
    """What a request with the Host header a reverse proxy forwards got."""
    redirects: tuple[str, ...] = ()
    """The redirects it answered requests with."""
    authorization: AuthDoor | None = None
    """Its door, when it answered 401."""


@dataclass(frozen=True)
class Protocol:
    """Which protocol eras the server speaks, how a client of each era fares, and why the client chose as it did."""

    mode: str
    """How mcp-verify connected (``auto``, ``legacy``, ``modern``)."""
    connected: str | None
    """The era of the connection the verification ran on (a current client's choice in ``auto``)."""
    version: str | None
    """The protocol version of that connection."""
    discovery: Discovery | None = None
    """What ``server/discover`` got (None in ``legacy`` mode)."""
    fallback: str | None = None
    """Why the client fell back to the handshake, when it did."""
    legs: tuple[EraLeg, ...] = ()
    """Each era tried: the connection's own, and the other era on a server started for it."""
    results: tuple[tuple[str, JSONDict], ...] = ()
    """(method, result as sent) of every result of the modern connection, for its envelope rules."""
    version_check: str | None = None
    """What the server answered to a request whose ``_meta`` names a version it cannot support."""
    http: tuple[str, ...] = ()
    """What went wrong at the HTTP layer of the modern connection (status, header), one line each."""
    doors: HttpDoors | None = None
    """Streamable HTTP: where it listens, which Hosts it answers, its redirects, its authorization door."""

    @property
    def eras(self) -> tuple[str, ...]:
        """The eras the server was seen to speak, newest first."""
        spoken = {leg.era for leg in self.legs if leg.ok}
        return tuple(era for era in (MODERN, LEGACY) if era in spoken)

    def leg(self, era: str) -> EraLeg | None:
        return next((leg for leg in self.legs if leg.era == era), None)


@dataclass(frozen=True)
class ListProblem:
    """A list call that did not give a list a client accepts."""

    method: str
    message: str
    rejected: tuple[str, ...] = ()
    """When the client library rejects the result: each offending item, named, with why."""


@dataclass(frozen=True)
class Listing:
    """Everything the server offers, as the MCP wire format spells it (raw, even where a client rejects it)."""

    tools: list[JSONDict] = field(default_factory=list)
    resources: list[JSONDict] = field(default_factory=list)
    resource_templates: list[JSONDict] = field(default_factory=list)
    prompts: list[JSONDict] = field(default_factory=list)


# using the server ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """A tool call to make once the server is listed (``--call``, or ``[[tool.mcp-verify.calls]]``)."""

    tool: str
    arguments: JSONDict = field(default_factory=dict)
    expect: str | None = None
    """A text the result's text content must contain."""


@dataclass(frozen=True)
class CallResult:
    """What a call gave: the result as the wire format spells it, or why there is none."""

    tool: str
    arguments: JSONDict
    ok: bool
    seconds: float
    result: JSONDict | None = None
    error: str | None = None
    """The request's failure (an error response, no answer), when there is no result."""


@dataclass(frozen=True)
class Exercised:
    """One request of ``--exercise``: what was asked, and the error if it failed."""

    kind: str
    """``resource``, ``prompt``, ``template`` (one instantiation read), ``completion``, ``subscribe``,
    ``logging`` (``logging/setLevel``) or ``unknown`` (a method no server has)."""
    name: str
    """What was asked: the resource's URI, the prompt's name, the template, the completion's reference."""
    seconds: float
    error: str | None = None
    guessed: bool = False
    """The request was filled with placeholder values (nothing better was offered), so its failure may be theirs."""
    answered: bool = True
    """The server answered at all (false: it died or stayed silent)."""
    result: JSONDict | None = None
    """The result as the wire format spells it (a resource's contents), when there is one."""

    @property
    def step(self) -> str:
        """The step the request is reported in."""
        return f"{EXERCISE_VERBS[self.kind]} {self.name}"


EXERCISE_VERBS = {
    "resource": "read",
    "prompt": "get",
    "template": "read",
    "completion": "complete",
    "subscribe": "subscribe",
    "logging": "logging/setLevel",
    "unknown": "call",
}
"""The verb of each kind of request of ``--exercise``, before its name in the step's name."""
