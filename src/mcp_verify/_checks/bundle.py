"""MCP bundles: the manifest against its schema and what hosts accept, what the bundle carries, the
paths and icons it names, its signature, and the manifest's promises against what the server
lists. Codes MV801-MV831.

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
from .._data import MCPB_SCHEMA, load_json, load_toml
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
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_DIRNAME = "${__dirname}"
_SEPARATOR_VARIABLES = re.compile(r"\$\{(?:pathSeparator|/)\}")
_PATH_END = re.compile(r"[\s:;,=]")
_DRIVE = re.compile(r"^[A-Za-z]:")


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
    compiled extensions that do not cover what compatibility claims (MV809), members compressed
    further than a host accepts (MV831)."""
    artifact = Artifact(bundle.filename, bundle.sha256, bundle.size, bundle.files)
    findings = shipped(artifact, bundle.members) + _ratios(bundle)
    if bundle.size > LARGE_BUNDLE:
        findings.append(
            finding(
                "MV810",
                f"{bundle.filename} is {bundle.size / 1e6:.0f} MB: every user downloads it, and stores refuse "
                "large bundles",
            )
        )
    return findings + _compiled(bundle)


def _ratios(bundle: Bundle) -> list[Finding]:
    """Members compressed further than Claude Desktop's unpacker accepts (MV831; the rule is data)."""
    rule = load_toml("mcpb_rules.toml")["unpack"]
    limit = rule["max_ratio"]
    over = [
        f"{member.name} ({member.size // member.compressed}:1)"
        for member in bundle.members
        if member.compressed and member.size > limit * member.compressed
    ]
    if not over:
        return []
    return [
        finding(
            "MV831",
            f"{bundle.filename} holds {some(over)}, compressed over {limit}:1: {rule['host']} refuses to install it "
            f"({rule['says']}; {rule['references'][0]})",
        )
    ]


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


def leaves(path: str) -> bool:
    """Whether a path the manifest gives relative to the bundle root leads out of it: absolute, or
    out with ``..`` (``a/../b`` stays inside)."""
    path = path.replace("\\", "/")
    return path.startswith("/") or bool(_DRIVE.match(path)) or posixpath.normpath(path).split("/")[0] == ".."


def check_paths(bundle: Bundle) -> list[Finding]:
    """Paths of the manifest that lead out of the bundle (MV824): the entry point, and in mcp_config
    (its platform overrides too) what follows ``${__dirname}``, or a command given relative to the
    bundle. A host would read or run a file outside the bundle; mcp-verify reads and runs nothing there."""
    named = []
    entry = bundle.server.get("entry_point")
    if isinstance(entry, str) and entry and leaves(entry):
        named.append(("server.entry_point", entry))
    for where, value in _config_strings(bundle.server.get("mcp_config"), "server.mcp_config"):
        text = _SEPARATOR_VARIABLES.sub("/", value).replace("\\", "/")
        below = [_PATH_END.split(piece, maxsplit=1)[0] for piece in text.split(_DIRNAME)[1:]]
        relative = where.endswith(".command") and _DIRNAME not in text and "/" in text and not text.startswith("/")
        if any(leaves(f".{path}") for path in below) or (relative and leaves(text)):
            named.append((where, value))
    return [
        finding(
            "MV824",
            f"manifest.json: {where} is {value!r}, which leads out of the bundle: a host would read or run a file "
            "outside it, one users do not have; mcp-verify neither reads it nor starts the server",
        )
        for where, value in named
    ]


def _config_strings(config: object, where: str) -> list[tuple[str, str]]:
    """Each string of an mcp_config (command, args, env) and of its platform overrides, with its place."""
    if not isinstance(config, dict):
        return []
    found = [(f"{where}.command", config["command"])] if isinstance(config.get("command"), str) else []
    args, env = config.get("args"), config.get("env")
    found += (
        [(f"{where}.args[{n}]", arg) for n, arg in enumerate(args) if isinstance(arg, str)]
        if isinstance(args, list)
        else []
    )
    found += (
        [(f"{where}.env.{key}", value) for key, value in env.items() if isinstance(value, str)]
        if isinstance(env, dict)
        else []
    )
    overrides = config.get("platform_overrides")
    for platform, override in overrides.items() if isinstance(overrides, dict) else []:
        found += _config_strings(override, f"{where}.platform_overrides.{platform}")
    return found


def icon_fields(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """The icons the manifest names: ``icon``, then each ``icons[].src``, with their places."""
    icon = manifest.get("icon")
    found = [("icon", icon)] if isinstance(icon, str) and icon else []
    icons = manifest.get("icons")
    for number, item in enumerate(icons if isinstance(icons, list) else []):
        source = item.get("src") if isinstance(item, dict) else None
        if isinstance(source, str) and source:
            found.append((f"icons[{number}].src", source))
    return found


def check_icons(bundle: Bundle) -> list[Finding]:
    """The icons as ``mcpb validate`` checks ``icon`` (MV825 where it refuses the bundle, MV826 where it
    warns), and ``icons[]``, which it does not check, by the same rules (MV826: the host shows no icon).
    The rules and their source are data: ``_data/mcpb_rules.toml``."""
    rules = {rule["kind"]: rule for rule in load_toml("mcpb_rules.toml")["icon"]}
    files = set(bundle.files)
    findings = []
    for where, path in icon_fields(bundle.manifest):
        kind = _icon_problem(path, files, bundle.heads)
        if kind is None:
            continue
        rule = rules[kind]
        severity = rule["icon"] if where == "icon" else rule["icons"]
        findings.append(
            finding(
                "MV825" if severity == "error" else "MV826",
                f"manifest.json: {where} {path!r} {rule['says']} ({rule['source']})",
            )
        )
    return findings


def _icon_problem(path: str, files: set[str], heads: dict[str, bytes]) -> str | None:
    """Which icon rule a path breaks, in the order ``mcpb validate`` looks (None: it is a bundled PNG)."""
    if path.startswith(("http://", "https://")):
        return "remote"
    if _DIRNAME in path:
        return "dirname"
    if path.startswith(("/", "\\")) or _DRIVE.match(path):
        return "absolute"
    if leaves(path):
        return "outside"
    name = posixpath.normpath(path)
    if name not in files:
        return "missing"
    return None if heads.get(name, b"").startswith(PNG_SIGNATURE) else "not-png"


def check_signature(bundle: Bundle) -> list[Finding]:
    """The signature block ``mcpb sign`` appends: none (MV828), one that does not hold (MV827), one the
    zip does not declare, which strict zip readers refuse (MV829), a certificate hosts will not trust (MV830)."""
    signature = bundle.signature
    if not bundle.packed:
        return []
    if signature is None:
        return [
            finding(
                "MV828",
                f"{bundle.filename} is unsigned: hosts install it as unverified (mcpb sign adds a signature)",
            )
        ]
    findings = []
    if signature.problem:
        findings.append(finding("MV827", f"{bundle.filename}: the signature does not hold: {signature.problem}"))
    if not signature.declared:
        findings.append(
            finding(
                "MV829",
                f"{bundle.filename}: the signature block follows the zip's end record, whose comment length does not "
                "count it: strict zip readers, Claude Desktop's among them, refuse the file (Invalid comment length; "
                "mcpb 2.1.2's sign writes it so, modelcontextprotocol/mcpb#278)",
            )
        )
    if signature.problem is None and (signature.self_signed or signature.valid_now is False):
        why = (
            "self-signed"
            if signature.self_signed
            else f"valid from {signature.valid_from} to {signature.valid_to}, not now"
        )
        findings.append(
            finding(
                "MV830",
                f"{bundle.filename} is signed by {signature.subject}, with a certificate that is {why}: hosts check "
                "it against the system's trust store and show the bundle as unsigned",
            )
        )
    return findings
