"""The MCP Registry's own validators, ported: what ``mcp-publisher publish`` is refused for, checked
before the package goes to PyPI (MV614-MV627).

Ported from ``modelcontextprotocol/registry`` at ``29e32c39dcb5e0e2b43974089d959fcc4794eb6d``
(v1.8.0, 2026-07-13): ``internal/validators/validators.go`` (``ValidateServerJSON`` with
``ValidationSchemaVersionAndSemantic``, what the publish endpoint runs), ``schema.go``
(``validateServerJSONSchema``), ``utils.go`` (URL and path rules) and ``registries/mcpb.go`` and
``registries/pypi.go`` (the offline half of ``ValidatePackage``: the HEAD request and the PyPI
lookup are not made). Each finding names the registry function it comes from. A bundle's
``fileSha256`` is compared with the bundle built or given, which the registry never sees.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .._data import SERVER_JSON_URL, SERVER_JSON_VERSION, SERVER_JSON_VERSIONS

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from .._types import Finding
    from ._common import PathPart
    from .registry import ServerJson

Found = tuple[tuple["PathPart", ...], "Finding"]
"""A finding and the path in server.json it is about (the schema check does not repeat it)."""

_VERSION = r"v?\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z.-]+)?"
_RANGES = (
    re.compile(rf"^\s*(?:\^|~|>=|<=|>|<|=)\s*{_VERSION}\s*$"),
    re.compile(rf"^\s*{_VERSION}\s-\s*{_VERSION}\s*$"),
    re.compile(rf"^\s*(?:{_VERSION}\s*)(?:\|\|\s*{_VERSION}\s*)+$"),
)
_WILDCARD = re.compile(r"^\s*(?:v?\d+|x|X|\*)(?:\.(?:\d+|x|X|\*)){1,2}(?:-[0-9A-Za-z.-]+)?\s*$")
_REPOSITORIES = {
    "github": re.compile(r"^https?://(www\.)?github\.com/[\w.-]+/[\w.-]+/?$", re.ASCII),
    "gitlab": re.compile(r"^https?://(www\.)?gitlab\.com/[\w.-]+/[\w.-]+/?$", re.ASCII),
}
_SUBFOLDER = re.compile(r"^[a-zA-Z0-9\-_./]+$")
_SCHEMA_VERSION = re.compile(r"/schemas/([A-Za-z0-9_~.-]+)/server\.schema\.json")
_TEMPLATE = re.compile(r"\{([^}]+)\}")
_PORT_TEMPLATE = re.compile(r":(\{[^}]+\})(/|$)")
_KNOWN_TEMPLATES = {
    "{host}": "example.com",
    "{port}": "8080",
    "{path}": "api",
    "{protocol}": "http",
    "{scheme}": "http",
}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_MCPB_HOSTS = frozenset({"github.com", "www.github.com", "gitlab.com", "www.gitlab.com"})
_GITHUB_RELEASE = re.compile(
    r"^/([a-zA-Z0-9]([a-zA-Z0-9\-]{0,37}[a-zA-Z0-9])?)/([a-zA-Z0-9._\-]+)/releases/download/([^/]+)/([^/]+)$"
)
_GITLAB_RELEASES = (
    re.compile(r"^/([a-zA-Z0-9._\-]+(?:/[a-zA-Z0-9._\-]+)*)/-/releases/([^/]+)/downloads/([^/]+)$"),
    re.compile(r"^/([a-zA-Z0-9._\-]+(?:/[a-zA-Z0-9._\-]+)*)/-/package_files/([0-9]+)/download$"),
)
_PUBLISHER_PROVIDED = "io.modelcontextprotocol.registry/publisher-provided"
MAX_PUBLISHER_PROVIDED = 4 * 1024
_PYPI = "https://pypi.org"


def looks_like_range(version: str) -> bool:
    """``looksLikeVersionRange``: comparator, hyphen and OR ranges, and dotted wildcards."""
    trimmed = version.strip()
    if not trimmed:
        return False
    if any(pattern.match(trimmed) for pattern in _RANGES):
        return True
    return bool(_WILDCARD.match(trimmed)) and any(mark in trimmed for mark in "xX*")


def _scheme(url: str) -> str | None:
    """The scheme of an absolute URL, as Go's ``url.Parse`` reads one (None: relative)."""
    match = _SCHEME.match(url)
    return match[0][:-1].lower() if match else None


def valid_url(url: str) -> bool:
    """``IsValidURL``: http or https with a host, once ``{variables}`` stand for placeholders."""
    test = url
    for template, value in _KNOWN_TEMPLATES.items():
        test = test.replace(template, value)
    test = _TEMPLATE.sub("placeholder", _PORT_TEMPLATE.sub(r":8080\2", test))
    try:
        parts = urlsplit(test)
        parts.port  # noqa: B018 - an invalid port raises, as url.Parse fails
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _remote_url(url: str) -> bool:
    """``IsValidRemoteURL``: https, and not the local machine."""
    if not valid_url(url) or _scheme(url) != "https":
        return False
    host = urlsplit(_TEMPLATE.sub("placeholder", url)).hostname or ""
    return host not in ("localhost", "127.0.0.1") and not host.endswith(".localhost")


def valid_subfolder(path: str) -> bool:
    """``IsValidSubfolderPath``: relative, clean, no empty, ``.`` or ``..`` segment."""
    return (
        not path.startswith("/")
        and not path.endswith("/")
        and bool(_SUBFOLDER.match(path))
        and all(segment not in ("", ".", "..") for segment in path.split("/"))
    )


def check_schema_version(server: ServerJson) -> Iterator[Found]:
    """``validateServerJSONSchema``: $schema present, a version the registry has, the current one (MV614, MV615)."""
    schema = server.get("$schema")
    assumed = f"mcp-verify checked the file against the current schema, {SERVER_JSON_VERSION}"
    if not isinstance(schema, str) or not schema:
        message = f"{server.label} has no $schema, which the registry requires (schema-field-required); {assumed}"
        yield ("$schema",), server.finding("MV614", message, f'add "$schema": "{SERVER_JSON_URL}"', "name")
        return
    match = _SCHEMA_VERSION.search(schema)
    version = match[1] if match else None
    if version not in SERVER_JSON_VERSIONS:
        why = (
            f"names the schema version {version!r}, which the registry does not have (schema-version-not-available)"
            if version
            else "is not a .../schemas/<version>/server.schema.json URL (schema-version-extraction-error)"
        )
        message = f"{server.label} $schema {schema!r} {why}; {assumed}"
        yield ("$schema",), server.finding("MV614", message, f'set "$schema": "{SERVER_JSON_URL}"', "$schema", schema)
    elif schema != SERVER_JSON_URL:
        message = (
            f"{server.label} $schema {schema!r} is not the current schema {SERVER_JSON_URL} "
            f"(schema-version-deprecated); {assumed}"
        )
        yield ("$schema",), server.finding("MV615", message, f'set "$schema": "{SERVER_JSON_URL}"', "$schema", schema)


def check_semantics(server: ServerJson) -> Iterator[Found]:
    """``ValidateServerJSON``'s semantic rules, field by field (MV616-MV623)."""
    yield from _version(server, ("version",), server.get("version"))
    yield from _website(server)
    yield from _icons(server)
    yield from _repository(server)
    title = server.get("title")
    if isinstance(title, str) and title and not title.strip():
        yield (
            ("title",),
            server.finding(
                "MV623",
                f"{server.label} title is only white space (validateTitle)",
                "give a real title, or none",
                "title",
            ),
        )
    yield from _publisher_provided(server)
    packages = server.get("packages")
    for index, package in enumerate(packages if isinstance(packages, list) else []):
        if isinstance(package, dict):
            yield from _package(server, index, package)
    remotes = server.get("remotes")
    for index, remote in enumerate(remotes if isinstance(remotes, list) else []):
        if isinstance(remote, dict):
            yield from _remote(server, index, remote)


def _version(server: ServerJson, path: tuple[PathPart, ...], version: object) -> Iterator[Found]:
    if not isinstance(version, str):
        return
    where = _dotted(server, path)
    in_packages = path[0] == "packages"
    if version == "latest":
        message = f"{where} is 'latest', which the registry reserves (validateVersion: reserved-version-string)"
    elif looks_like_range(version):
        message = f"{where} {version!r} is a range, not a version (validateVersion: version-looks-like-range)"
    else:
        return
    hint = "write the exact version being released, e.g. 1.4.0"
    yield path, server.finding("MV616", message, hint, "version", version, in_packages=in_packages)


def _dotted(server: ServerJson, path: tuple[PathPart, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return f"{server.label} {text.lstrip('.')}"


def _https(url: str) -> str | None:
    """Why ``url`` is not an absolute https URL, or None."""
    scheme = _scheme(url)
    if scheme is None:
        return "is not absolute (it has no scheme)"
    return None if scheme == "https" else f"uses {scheme}, not https"


def _website(server: ServerJson) -> Iterator[Found]:
    url = server.get("websiteUrl")
    if not isinstance(url, str) or not url:
        return
    problem = _https(url)
    bad = next((character for character in url if character in "\"'<> \t\n\r"), None)
    if problem is None and bad is not None:
        problem = f"contains the character {bad!r} at position {url.index(bad)}"
    if problem is not None:
        message = f"{server.label} websiteUrl {url!r} {problem} (validateWebsiteURL)"
        yield ("websiteUrl",), server.finding("MV617", message, "use an https URL", "websiteUrl", url)


def _icons(server: ServerJson) -> Iterator[Found]:
    icons = server.get("icons")
    for index, icon in enumerate(icons if isinstance(icons, list) else []):
        src = icon.get("src") if isinstance(icon, dict) else None
        problem = _https(src) if isinstance(src, str) else None
        if problem is not None:
            message = f"{server.label} icons[{index}].src {src!r} {problem} (validateIcon)"
            yield ("icons", index, "src"), server.finding("MV618", message, "host the icon over https", "src", src)


def _repository(server: ServerJson) -> Iterator[Found]:
    repository = server.get("repository")
    if not isinstance(repository, dict):
        return
    url, source, subfolder = (repository.get(key) or "" for key in ("url", "source", "subfolder"))
    if not (url or source):
        return
    pattern = _REPOSITORIES.get(source) if isinstance(source, str) else None
    if pattern is None or not isinstance(url, str) or not pattern.match(url):
        why = (
            f"source {source!r} is neither github nor gitlab"
            if pattern is None
            else f"url {url!r} is not https://{source}.com/<owner>/<repo>"
        )
        message = f"{server.label} repository: {why} (validateRepository: invalid-repository-url)"
        hint = 'use "repository": {"url": "https://github.com/<owner>/<repo>", "source": "github"}'
        yield ("repository", "url"), server.finding("MV619", message, hint, "repository")
    if isinstance(subfolder, str) and subfolder and not valid_subfolder(subfolder):
        message = (
            f"{server.label} repository.subfolder {subfolder!r} is not a clean relative path (invalid-subfolder-path)"
        )
        yield ("repository", "subfolder"), server.finding("MV619", message, "write it as path/to/server", "subfolder")


def _publisher_provided(server: ServerJson) -> Iterator[Found]:
    meta = server.get("_meta")
    provided = meta.get(_PUBLISHER_PROVIDED) if isinstance(meta, dict) else None
    if provided is None:
        return
    try:
        size = len(json.dumps(provided, separators=(",", ":"), ensure_ascii=False).encode())
    except RecursionError:  # nested deeper than Python serializes: not measured here
        return
    if size > MAX_PUBLISHER_PROVIDED:
        message = (
            f"{server.label} _meta.{_PUBLISHER_PROVIDED} is {size:,} bytes, over the registry's 4 KB "
            "(validatePublisherExtensions)"
        )
        yield ("_meta",), server.finding("MV623", message, "keep the publisher data under 4 KB", "_meta")


def _package(server: ServerJson, index: int, package: dict[str, Any]) -> Iterator[Found]:
    """``validatePackageField``: identifier, version, arguments and transport of one package."""
    here: tuple[PathPart, ...] = ("packages", index)
    identifier = package.get("identifier")
    if isinstance(identifier, str) and " " in identifier:
        message = (
            f"{server.label} packages[{index}].identifier {identifier!r} contains spaces (package-name-has-spaces)"
        )
        yield (
            (*here, "identifier"),
            server.finding(
                "MV621", message, "use the package's exact name", "identifier", identifier, in_packages=True
            ),
        )
    yield from _version(server, (*here, "version"), package.get("version"))
    for key in ("runtimeArguments", "packageArguments"):
        arguments = package.get(key)
        for position, argument in enumerate(arguments if isinstance(arguments, list) else []):
            if isinstance(argument, dict) and argument.get("type") == "named":
                yield from _named(server, (*here, key, position), argument)
    transport = package.get("transport")
    if isinstance(transport, dict):
        yield from _transport(server, (*here, "transport"), transport, _variables(package))


def _named(server: ServerJson, path: tuple[PathPart, ...], argument: dict[str, Any]) -> Iterator[Found]:
    """``validateNamedArgumentName`` and ``validateArgumentValueFields``."""
    name = argument.get("name")
    where = _dotted(server, path)
    hint = 'write {"type": "named", "name": "--port", "value": "8080"}'
    if not isinstance(name, str) or not name:
        yield (
            (*path, "name"),
            server.finding(
                "MV620", f"{where} has no name (named-argument-name-required)", hint, "type", "named", in_packages=True
            ),
        )
        return
    if any(character in name for character in "<> $"):
        message = f"{where}.name {name!r} holds more than a name: <, >, $ or a space (invalid-named-argument-name)"
        yield (*path, "name"), server.finding("MV620", message, hint, "name", name, in_packages=True)
    for key in ("value", "default"):
        value = argument.get(key)
        if isinstance(value, str) and value and value.startswith(name):
            message = (
                f"{where}.{key} {value!r} starts with the argument's name {name!r} (argument-{key}-starts-with-name)"
            )
            yield (*path, key), server.finding("MV620", message, hint, key, value, in_packages=True)


def _variables(package: dict[str, Any]) -> set[str]:
    """``collectAvailableVariables``: environment variable names, arguments' names and value hints."""
    names = set()
    for variable in package.get("environmentVariables") or []:
        if isinstance(variable, dict) and isinstance(variable.get("name"), str):
            names.add(variable["name"])
    for key in ("runtimeArguments", "packageArguments"):
        for argument in package.get(key) or []:
            if isinstance(argument, dict):
                names |= {argument[field] for field in ("name", "valueHint") if isinstance(argument.get(field), str)}
    return names


def _templated(url: str, available: set[str]) -> bool:
    """``IsValidTemplatedURL``."""
    return valid_url(url) and all(name in available for name in _TEMPLATE.findall(url))


def _transport(
    server: ServerJson, path: tuple[PathPart, ...], transport: dict[str, Any], available: set[str]
) -> Iterator[Found]:
    """``validatePackageTransport``."""
    kind, url = transport.get("type"), transport.get("url") or ""
    field, problem = "url", None
    if kind == "stdio" and url:
        problem = f"has a url ({url!r}), which stdio takes none of (stdio-transport-url-not-empty)"
    elif kind in ("streamable-http", "sse") and (not isinstance(url, str) or not url):
        problem = f"of type {kind} has no url (streamable-transport-url-required)"
    elif kind in ("streamable-http", "sse") and not _templated(url, available):
        defined = ", ".join(sorted(available)) or "none"
        problem = (
            f"url {url!r} is not an http(s) URL whose {{variables}} are the package's arguments or environment "
            f"variables ({defined}) (invalid-templated-url)"
        )
    elif kind not in ("stdio", "streamable-http", "sse"):
        field, problem = "type", f"type {kind!r} is not stdio, streamable-http or sse (unsupported-transport-type)"
    if problem is not None:
        message = f"{_dotted(server, path)} {problem}"
        yield (*path, field), server.finding("MV622", message, "fix the transport named", "transport", in_packages=True)


def _remote(server: ServerJson, index: int, remote: dict[str, Any]) -> Iterator[Found]:
    """``validateRemoteTransport``."""
    kind, url = remote.get("type"), remote.get("url") or ""
    variables = remote.get("variables")
    available = set(variables) if isinstance(variables, dict) else set()
    if kind not in ("streamable-http", "sse"):
        problem = f"type {kind!r} is not streamable-http or sse (unsupported-remote-transport-type)"
    elif not isinstance(url, str) or not url:
        problem = "has no url (remote-transport-url-required)"
    elif not _remote_url(url):
        problem = f"url {url!r} is not an https URL of a host other than the local machine (invalid-remote-url)"
    elif not _templated(url, available):
        problem = f"url {url!r} uses {{variables}} its variables do not define (invalid-templated-url)"
    else:
        return
    yield (
        ("remotes", index),
        server.finding("MV622", f"{server.label} remotes[{index}] {problem}", "fix the remote named", "remotes"),
    )


def check_packages(server: ServerJson, bundles: Mapping[str, str]) -> Iterator[Found]:
    """The offline half of ``ValidatePackage`` for mcpb and pypi entries (MV624, MV627), and an mcpb entry's
    hash and version against the bundle built or given (MV625, MV626)."""
    packages = server.get("packages")
    for index, package in enumerate(packages if isinstance(packages, list) else []):
        if not isinstance(package, dict):
            continue
        if package.get("registryType") == "mcpb":
            yield from _mcpb(server, index, package, bundles)
        elif package.get("registryType") == "pypi":
            yield from _pypi(server, index, package)


def _mcpb_refusal(identifier: object, package: dict[str, Any]) -> str | None:
    """Why ``ValidateMCPB`` (offline part) refuses an mcpb entry, or None."""
    if not package.get("fileSha256"):
        return "has no fileSha256, which mcpb packages must carry"
    if not isinstance(identifier, str) or not identifier:
        return "has no identifier"
    if package.get("registryBaseUrl"):
        return "has a registryBaseUrl, which mcpb packages must not have (the identifier is the full download URL)"
    parts = urlsplit(identifier)
    host = parts.netloc.lower()
    if host not in _MCPB_HOSTS:
        return f"identifier is hosted on {host or 'no host'!r}: only GitHub and GitLab release assets are allowed"
    github = host.endswith("github.com")
    if github and not _GITHUB_RELEASE.match(parts.path):
        return "identifier is not a GitHub release asset (/owner/repo/releases/download/tag/file)"
    if not github and not any(pattern.match(parts.path) for pattern in _GITLAB_RELEASES):
        return "identifier is not a GitLab release asset (/owner/repo/-/releases/tag/downloads/file)"
    if parts.scheme != "https":
        return "identifier does not use https"
    if "mcp" not in identifier.lower():
        return "identifier does not contain 'mcp'"
    return None


def _mcpb(server: ServerJson, index: int, package: dict[str, Any], bundles: Mapping[str, str]) -> Iterator[Found]:
    identifier, digest = package.get("identifier"), package.get("fileSha256")
    where = f"{server.label} packages[{index}] (mcpb)"
    refusal = _mcpb_refusal(identifier, package)
    if refusal is not None:
        hint = "point the identifier at the .mcpb asset of a GitHub or GitLab release, and give its fileSha256"
        yield (
            ("packages", index, "identifier"),
            server.finding(
                "MV624",
                f"{where} {refusal} (ValidateMCPB, registries/mcpb.go)",
                hint,
                "registryType",
                "mcpb",
                in_packages=True,
            ),
        )
        return
    assert isinstance(identifier, str)
    name = unquote(urlsplit(identifier).path.rsplit("/", 1)[-1])
    if isinstance(digest, str) and len(set(digest)) == 1:
        yield from _hash(server, index, f"{where} fileSha256 is a placeholder ({digest[:8]}…)", digest)
    elif name in bundles and bundles[name] != digest:
        said = f"{where} fileSha256 {digest!r} is not the sha256 of {name} built or given ({bundles[name]})"
        yield from _hash(server, index, said, digest)
    version = package.get("version") or server.get("version")
    if isinstance(version, str) and version and version not in urlsplit(identifier).path:
        message = f"{where} identifier {identifier!r} does not carry the version {version}: a stale release URL?"
        yield (
            ("packages", index, "identifier"),
            server.finding(
                "MV626",
                message,
                f"point it at the assets of the release of {version}",
                "identifier",
                identifier,
                in_packages=True,
            ),
        )


def _hash(server: ServerJson, index: int, message: str, digest: object) -> Iterator[Found]:
    yield (
        ("packages", index, "fileSha256"),
        server.finding(
            "MV625",
            message,
            "write the sha256 of the exact .mcpb uploaded (sha256sum file.mcpb)",
            "fileSha256",
            digest,
            in_packages=True,
        ),
    )


def _pypi(server: ServerJson, index: int, package: dict[str, Any]) -> Iterator[Found]:
    """``ValidatePyPI``'s preconditions (registries/pypi.go)."""
    where = f"{server.label} packages[{index}] (pypi)"
    base = package.get("registryBaseUrl")
    if "fileSha256" in package:
        message = f"{where} has a fileSha256, which PyPI packages must not have (ValidatePyPI)"
        yield (
            ("packages", index, "fileSha256"),
            server.finding("MV627", message, "remove fileSha256 from the pypi entry", "fileSha256", in_packages=True),
        )
    if base and base != _PYPI:
        message = (
            f"{where} registryBaseUrl {base!r} is not {_PYPI} (ValidatePyPI: registry type and base URL do not match)"
        )
        yield (
            ("packages", index, "registryBaseUrl"),
            server.finding(
                "MV627",
                message,
                "remove registryBaseUrl, or set it to https://pypi.org",
                "registryBaseUrl",
                base,
                in_packages=True,
            ),
        )
