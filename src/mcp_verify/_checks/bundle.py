"""MCP bundles: the manifest against its schema and what hosts accept, what the bundle carries, and
the manifest's promises against what the server lists. Codes MV801-MV818.

Where the specification, the schema validator (``mcpb validate``) and the hosts disagree, the
hosts win, and the finding says so (the sources are in docs/research/mcpb.md).
"""

from __future__ import annotations

import copy
import posixpath
import re
from typing import TYPE_CHECKING, Any

from jsonschema import Draft7Validator
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from .._catalogue import finding
from .._data import MCPB_SCHEMA, load_json
from .._types import Artifact, Severity
from ._common import dotted, some
from .contents import shipped

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._types import Bundle, Finding, Listing

LARGE_BUNDLE = 50 * 1000 * 1000
_VERSIONS = ("0.1", "0.2", "0.3", "0.4")
_PEP_440_COMMAS = re.compile(r"[<>=!~]=?\s*[\d.*]+\s*,")
_COMPILED = re.compile(r"\.(?:cpython-(\d)(\d+)[^/]*?-([\w]+)-([\w-]+)|abi3)?\.(?:so|pyd|dylib)$")
_ALL_PLATFORMS = ("darwin", "win32", "linux")
_PYTHON_MINORS = range(8, 15)


def schema_for(version: str) -> dict[str, Any]:
    """The manifest schema of one manifest_version, derived from the vendored 0.4 as the versions differ."""
    schema = copy.deepcopy(load_json("mcpb-manifest-0.4.schema.json"))
    properties = schema["properties"]
    for key in ("manifest_version", "dxt_version"):
        properties[key]["const"] = version
    if version < "0.4":
        properties["server"]["properties"]["type"]["enum"].remove("uv")
    if version < "0.3":
        for key in ("icons", "localization", "_meta"):
            properties.pop(key, None)
    if version < "0.2":
        properties.pop("privacy_policies", None)
    return schema


def check_manifest(bundle: Bundle, imports: Sequence[str] = ()) -> list[Finding]:
    """The manifest as mcpb validate and the hosts read it (MV802-MV808), and the files it names (MV805,
    MV818, MV819). ``imports``: what the entry point imports that neither Python nor the bundle has."""
    manifest = bundle.manifest
    version = bundle.manifest_version
    if version not in _VERSIONS:
        return [
            finding(
                "MV802",
                f"manifest.json: manifest_version {version!r} is none the hosts know ({', '.join(_VERSIONS)})",
            )
        ]
    findings = _schema(manifest, str(version))
    findings += _server(bundle, imports)
    findings += _compatibility(manifest)
    return findings


def _schema(manifest: dict[str, Any], version: str) -> list[Finding]:
    findings = []
    for error in sorted(
        Draft7Validator(schema_for(version)).iter_errors(manifest), key=lambda e: list(e.absolute_path)
    ):
        where = dotted(list(error.absolute_path))
        if error.validator == "additionalProperties":
            known = set(error.schema.get("properties", {})) if isinstance(error.schema, dict) else set()
            extra = [key for key in error.instance if key not in known] if isinstance(error.instance, dict) else []
            findings.append(
                finding(
                    "MV803",
                    f"manifest.json: {where} has unknown key{'s' * (len(extra) > 1)} {', '.join(map(repr, extra))}: "
                    f"Claude Desktop refuses the bundle (Unrecognized key(s) in object), as mcpb validate does "
                    f"({MCPB_SCHEMA}, manifest_version {version})",
                )
            )
        elif (
            error.validator == "required"
            and "mcp_config" in error.message
            and manifest.get("server", {}).get("type") == "uv"
        ):
            findings.append(
                finding(
                    "MV804",
                    "manifest.json: a uv bundle without server.mcp_config: the specification calls it optional and "
                    "Claude Desktop runs uv bundles itself, but mcpb validate and mcpb pack refuse it",
                )
            )
        else:
            findings.append(
                finding("MV802", f"manifest.json: {where}: {error.message} ({MCPB_SCHEMA}, manifest_version {version})")
            )
    return findings


def _server(bundle: Bundle, imports: Sequence[str]) -> list[Finding]:
    """The entry point is there, and what the server type implies is true of the files (MV805, MV818, MV804, MV807)."""
    findings: list[Finding] = []
    server, files = bundle.server, set(bundle.files)
    entry = server.get("entry_point")
    if isinstance(entry, str) and entry and posixpath.normpath(entry.replace("\\", "/")) not in files:
        findings.append(finding("MV805", f"server.entry_point {entry!r} is not in the bundle", step="inspect"))
    kind = server.get("type")
    vendored = sorted(
        {name.split("/", 2)[0] + "/" + name.split("/", 2)[1] for name in files if re.match(r"server/(lib|venv)/", name)}
    )
    if kind == "uv":
        findings.append(
            finding(
                "MV804",
                "server.type 'uv' (manifest_version 0.4, experimental): Claude Desktop supports it, but Claude Code's "
                "plugin loader and older hosts refuse the bundle",
            )
        )
        if "pyproject.toml" not in files:
            findings.append(
                finding("MV818", "a uv bundle without pyproject.toml: the host has nothing to install from")
            )
        if vendored:
            findings.append(
                finding(
                    "MV819",
                    f"a uv bundle that also ships {', '.join(vendored)}: the host installs from pyproject.toml and "
                    "ignores it (and it may be for another platform)",
                )
            )
    elif kind == "python" and imports and not vendored and not any(name.startswith("lib/") for name in files):
        findings.append(
            finding(
                "MV819",
                f"a python bundle whose entry point imports {some(imports)} with nothing bundled (no server/lib, "
                "no server/venv): the host runs the user's Python, where they are not installed",
            )
        )
    config = server.get("mcp_config")
    args = [str(arg) for arg in config.get("args", [])] if isinstance(config, dict) else []
    command = str(config.get("command", "")) if isinstance(config, dict) else ""
    if command == "uvx" or (command == "uv" and args[:1] == ["tool"]) or "--from" in args:
        findings.append(
            finding(
                "MV807",
                f"mcp_config runs {' '.join([command, *args[:4]])}…: arguments written for uvx, which fetches a "
                "package from an index, while a bundle's host runs what the bundle carries",
            )
        )
    return findings


def _compatibility(manifest: dict[str, Any]) -> list[Finding]:
    """``runtimes`` in the range syntax hosts read (node-semver, not PEP 440 commas) (MV808)."""
    compatibility = manifest.get("compatibility")
    runtimes = compatibility.get("runtimes") if isinstance(compatibility, dict) else None
    findings = []
    for runtime, spec in (runtimes or {}).items() if isinstance(runtimes, dict) else []:
        if isinstance(spec, str) and _PEP_440_COMMAS.search(spec):
            spaced = re.sub(r"\s*,\s*", " ", spec)
            findings.append(
                finding(
                    "MV808",
                    f"compatibility.runtimes.{runtime} {spec!r} uses PEP 440 commas: Claude Desktop reads node-semver "
                    f"ranges and finds no match (write {spaced!r}; the specification's own example uses commas)",
                )
            )
    return findings


def check_contents(bundle: Bundle) -> list[Finding]:
    """What the bundle carries: secrets, caches (MV160, MV161), large files (MV163), its size (MV810),
    compiled extensions that do not cover what compatibility claims (MV809)."""
    artifact = Artifact(bundle.filename, bundle.sha256, bundle.size, bundle.files)
    findings = shipped(artifact, bundle.members)
    if bundle.size > LARGE_BUNDLE:
        findings.append(
            finding(
                "MV810",
                f"{bundle.filename} is {bundle.size / 1e6:.0f} MB: every user downloads it, and stores refuse "
                "large bundles",
            )
        )
    return findings + _compiled(bundle)


def _compiled(bundle: Bundle) -> list[Finding]:
    """Compiled extensions against what ``compatibility`` claims: an error where it claims more than
    they cover; a warning where it claims nothing (hosts then offer the bundle everywhere)."""
    compatibility = bundle.manifest.get("compatibility")
    compatibility = compatibility if isinstance(compatibility, dict) else {}
    claimed = compatibility.get("platforms")
    runtimes = compatibility.get("runtimes")
    python_range = runtimes.get("python") if isinstance(runtimes, dict) else None
    built: set[str] = set()
    pythons: set[str] = set()
    for name in bundle.files:
        match = _COMPILED.search(name)
        if not match or not name.startswith(("server/", "lib/")):
            continue
        if name.endswith(".pyd"):
            built.add("win32")
        elif name.endswith(".dylib") or "darwin" in name:
            built.add("darwin")
        elif name.endswith(".so"):
            built.add("linux")
        if match.group(1):
            pythons.add(f"{match.group(1)}.{match.group(2)}")
    if not built:
        return []
    findings = []
    platforms = set(claimed) if isinstance(claimed, list) and claimed else set(_ALL_PLATFORMS)
    missing = sorted(platforms - built)
    if missing:
        claims = (
            f"compatibility claims {', '.join(sorted(platforms))}" if claimed else "compatibility names no platforms"
        )
        findings.append(
            finding(
                "MV809",
                f"the bundle's compiled extensions are built for {', '.join(sorted(built))} only, but {claims}: "
                f"users on {', '.join(missing)} get an ImportError",
                severity=None if claimed else Severity.WARNING,
            )
        )
    if len(pythons) == 1:
        (python,) = pythons
        others = _other_pythons(python_range, python)
        if others is None or others:
            claims = (
                f"compatibility.runtimes.python {python_range!r} admits {', '.join(others)}"
                if others
                else "compatibility.runtimes names no Python"
            )
            findings.append(
                finding(
                    "MV809",
                    f"the bundle's compiled extensions are built for CPython {python} only, but {claims}: "
                    "a host with another Python cannot import them",
                    severity=None if others else Severity.WARNING,
                )
            )
    return findings


def _other_pythons(spec: object, built: str) -> list[str] | None:
    """The Python 3 minors a ``runtimes.python`` range admits besides ``built`` (None: no range given).
    Hosts read node-semver (``>=3.10 <4``); PEP 440 commas are read too."""
    if not isinstance(spec, str) or not spec.strip():
        return None
    try:
        specifiers = SpecifierSet(re.sub(r"[\s,]+", ",", spec.strip()))
    except InvalidSpecifier:
        return None
    return [f"3.{minor}" for minor in _PYTHON_MINORS if f"3.{minor}" != built and f"3.{minor}" in specifiers]


def check_versions(bundle: Bundle, pyproject_version: str | None, package_version: str | None) -> list[Finding]:
    """The manifest's version, the bundled pyproject's and the package's ``__version__`` agree (MV811)."""
    written = bundle.manifest.get("version")
    others = {"the bundled pyproject.toml": pyproject_version, "the package's __version__": package_version}
    differ = [f"{where} says {version!r}" for where, version in others.items() if version and version != written]
    if not differ or not isinstance(written, str):
        return []
    return [finding("MV811", f"manifest.json says version {written!r}, but {' and '.join(differ)}")]


def check_promises(bundle: Bundle, listing: Listing) -> list[Finding]:
    """The manifest's tools and prompts against what the server lists (MV814 missing, MV815 added)."""
    findings = []
    for kind, items, generated in (
        ("tool", listing.tools, "tools_generated"),
        ("prompt", listing.prompts, "prompts_generated"),
    ):
        promised = bundle.manifest.get(f"{kind}s")
        if not isinstance(promised, list) or bundle.manifest.get(generated) is True:
            continue
        named = {str(item.get("name")) for item in promised if isinstance(item, dict)}
        listed = {str(item.get("name")) for item in items}
        if named - listed:
            findings.append(
                finding(
                    "MV814",
                    f"manifest.json promises {kind}s the server does not list: {some(sorted(named - listed))}",
                )
            )
        if listed - named:
            findings.append(
                finding(
                    "MV815",
                    f"the server lists {kind}s manifest.json does not name: {some(sorted(listed - named))}",
                )
            )
    return findings
