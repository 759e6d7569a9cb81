"""MCP Apps: a tool that names a UI resource must get one a host can render (MV461-MV465).

The MCP Apps extension (SEP-1865, ``modelcontextprotocol/ext-apps:specification/2026-01-26/apps.mdx``)
links a tool to a view with ``_meta.ui.resourceUri`` (earlier ``_meta["ui/resourceUri"]``,
deprecated). The URI MUST use ``ui://``, the resource MUST exist and hosts fetch it with
``resources/read``, whose content MUST have the mimeType ``text/html;profile=mcp-app``. The
HTML usually ships as package data, which an editable install finds in the checkout and an
installed wheel does not: the reads are made on the installed wheel, and a read that fails for a
file the project has and the wheel lacks says so.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from .._catalogue import finding
from ._common import some

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._types import Exercised, Finding, JSONDict, Listing

UI_MIME_TYPE = "text/html;profile=mcp-app"
UI_SCHEME = "ui://"
FLAT_KEY = "ui/resourceUri"
MAX_VIEWS = 20
"""UI resources checked (and read) per server at most: a server's listing is untrusted input."""
_HTML = (".html", ".htm")


def _links(tool: JSONDict) -> tuple[str | None, str | None]:
    """The UI resource a tool names: (``_meta.ui.resourceUri``, ``_meta["ui/resourceUri"]``)."""
    meta = tool.get("_meta")
    if not isinstance(meta, dict):
        return None, None
    ui = meta.get("ui")
    nested = ui.get("resourceUri") if isinstance(ui, dict) else None
    flat = meta.get(FLAT_KEY)
    return (nested if isinstance(nested, str) else None), (flat if isinstance(flat, str) else None)


def linked(listing: Listing) -> dict[str, list[str]]:
    """Each UI resource URI the tools name (the nested key first), with the tools that name it."""
    found: dict[str, list[str]] = {}
    for tool in listing.tools:
        nested, flat = _links(tool)
        uri = nested or flat
        if uri is not None:
            found.setdefault(uri, []).append(str(tool.get("name")))
    return found


def to_read(listing: Listing) -> list[str]:
    """The ``ui://`` resources to read, as a host would before rendering."""
    return [uri for uri in list(linked(listing))[:MAX_VIEWS] if uri.startswith(UI_SCHEME)]


def check_apps(
    listing: Listing, reads: Sequence[Exercised], shipped: Sequence[str], project_files: Sequence[str] = ()
) -> list[Finding]:
    """The links of every tool to its view, the listing and the read of each view, against the files
    ``shipped`` (the wheel's, or the bundle's) and the project's."""
    findings = [item for tool in listing.tools for item in _keys(tool)]
    listed = {str(item.get("uri")): item for item in listing.resources}
    by_uri = {item.name: item for item in reads}
    for uri, tools in list(linked(listing).items())[:MAX_VIEWS]:
        users = f"tool{'s' if len(tools) > 1 else ''} {some([repr(tool) for tool in tools], 3)}"
        if not uri.startswith(UI_SCHEME):
            findings.append(
                finding(
                    "MV461",
                    f"{users} name{'' if len(tools) > 1 else 's'} the UI resource {uri!r}, which is not a ui:// URI",
                )
            )
            continue
        findings += _listing(uri, users, listed.get(uri))
        if uri in by_uri:
            findings += _read(uri, users, by_uri[uri], shipped, project_files)
    return findings


def _keys(tool: JSONDict) -> list[Finding]:
    nested, flat = _links(tool)
    label = f"tool {tool.get('name')!r}"
    if flat is not None and nested is None:
        return [
            finding("MV465", f'{label} names its UI resource {flat!r} only with the deprecated _meta["{FLAT_KEY}"]')
        ]
    if flat is not None and nested is not None and flat != nested:
        return [
            finding(
                "MV465",
                f'{label} names two UI resources: _meta.ui.resourceUri {nested!r} and _meta["{FLAT_KEY}"] {flat!r}',
            )
        ]
    return []


def _listing(uri: str, users: str, item: JSONDict | None) -> list[Finding]:
    if item is None:
        return [finding("MV462", f"{uri}, the UI resource of {users}, is not in resources/list")]
    mime = item.get("mimeType")
    if mime != UI_MIME_TYPE:
        said = f"mimeType {mime!r}" if isinstance(mime, str) else "no mimeType"
        return [finding("MV462", f"{uri}, the UI resource of {users}, is listed with {said}, not {UI_MIME_TYPE!r}")]
    return []


def _read(uri: str, users: str, read: Exercised, shipped: Sequence[str], project_files: Sequence[str]) -> list[Finding]:
    if read.error is not None:
        lost = _lost_html(uri, read.error, shipped, project_files)
        if lost:
            return [
                finding(
                    "MV464",
                    f"reading {uri}, the UI resource of {users}, failed ({read.error}), and the project's "
                    f"{some(lost, 3)} is not in the wheel",
                    f"include {some(lost, 3)} in the wheel as package data (an editable install hides this)",
                )
            ]
        return [finding("MV463", f"reading {uri}, the UI resource of {users}, failed: {read.error}")]
    contents = (read.result or {}).get("contents")
    views = [item for item in contents if isinstance(item, dict)] if isinstance(contents, list) else []
    for view in views:
        if view.get("mimeType") == UI_MIME_TYPE and (_has(view, "text") or _has(view, "blob")):
            return []
    if not views:
        return [finding("MV463", f"reading {uri}, the UI resource of {users}, answered no contents")]
    said = ", ".join(sorted({repr(view.get("mimeType")) for view in views}))
    return [
        finding(
            "MV463",
            f"reading {uri}, the UI resource of {users}, answered mimeType {said} "
            f"(or no text), not {UI_MIME_TYPE!r} with its HTML",
        )
    ]


def _has(view: JSONDict, key: str) -> bool:
    value = view.get(key)
    return isinstance(value, str) and bool(value.strip())


def _lost_html(uri: str, error: str, shipped: Sequence[str], project_files: Sequence[str]) -> list[str]:
    """The project's HTML files the wheel lacks that the failed read is about: named by the error or the URI."""
    hints = (error, uri)
    files = set(shipped)
    lost = []
    for path in project_files:
        if path.endswith(_HTML) and any(PurePosixPath(path).name in hint for hint in hints):
            parts = path.split("/")
            if not any("/".join(parts[index:]) in files for index in range(len(parts))):
                lost.append(path)
    return lost
