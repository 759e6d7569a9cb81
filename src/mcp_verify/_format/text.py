"""The report a person reads at a glance: steps, artifacts, what the server offers, findings, verdict."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .._types import Status
from . import _overview
from ._safe import visible

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._report import Report
    from .._types import Protocol, Wheel

MAX_FILES = 40
MARKS = {Status.PASS: "✓", Status.FAIL: "✗", Status.WARN: "!", Status.SKIP: "-"}
_STDERR_LINES = 12


def _cut(line: str, width: int = 160) -> str:
    """Step lines stay one line: the findings below carry the whole message."""
    return line if len(line) <= width else line[: width - 1] + "…"


def _wheel_files(wheel: Wheel) -> list[str]:
    """Package files one per line, the .dist-info folded into one line, long lists cut with a count."""
    dist_info = [name for name in wheel.files if ".dist-info/" in name]
    lines = [name for name in wheel.files if ".dist-info/" not in name]
    if len(lines) > MAX_FILES:
        lines = [*lines[:MAX_FILES], f"… and {len(lines) - MAX_FILES} more files"]
    if dist_info:
        folder = dist_info[0].split("/", 1)[0]
        lines.append(f"{folder}/{{{','.join(name.split('/', 1)[1] for name in dist_info)}}}")
    return lines


def _parameters(schema: dict[str, Any]) -> str:
    properties = schema.get("properties") or {}
    if not isinstance(properties, dict):
        return ""
    required = set(schema.get("required") or [])
    parts = []
    for name, prop in properties.items():
        kind = prop.get("type", "any") if isinstance(prop, dict) else "any"
        parts.append(f"{name}{'' if name in required else '?'}: {kind}")
    return f"({', '.join(parts)})"


def first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def _table(rows: list[tuple[str, str]]) -> list[str]:
    width = max((len(name) for name, _ in rows), default=0)
    return [f"    {name.ljust(width)}  {detail}".rstrip() for name, detail in rows]


def _listing(report: Report) -> list[str]:
    listing = report.listing
    if listing is None:
        return []
    sections = {
        "tools": [
            (tool["name"], f"{first_line(tool.get('description'))} {_parameters(tool.get('inputSchema', {}))}".strip())
            for tool in listing.tools
        ],
        "resources": [
            (res["uri"], first_line(res.get("description")) or res.get("name", "")) for res in listing.resources
        ],
        "resource templates": [
            (res["uriTemplate"], first_line(res.get("description")) or res.get("name", ""))
            for res in listing.resource_templates
        ],
        "prompts": [
            (
                prompt["name"],
                f"({', '.join(arg['name'] for arg in prompt.get('arguments') or [])}) "
                f"{first_line(prompt.get('description'))}".strip(),
            )
            for prompt in listing.prompts
        ],
    }
    lines = []
    for title, rows in sections.items():
        if rows:
            lines += ["", f"  {title}", *_table(rows)]
    return lines


def _findings(report: Report) -> list[str]:
    lines = ["", "  findings"] if report.findings else []
    for finding in report.findings:
        message = finding.message.splitlines() or [""]
        lines.append(f"    {finding.severity.value:<7} {finding.code} {finding.step}: {message[0]}")
        lines += [f"{'':16}{line}" for line in message[1:]]
        if finding.hint:
            lines.append(f"{'':16}hint: {finding.hint}")
    return lines


def _verdict(report: Report) -> str:
    seconds = f"({report.seconds:.1f}s)"
    if report.skipped is not None:
        return f"SKIP  {report.project}: {report.skipped}"
    if report.ok:
        server = report.server
        who = f"{server.name} {server.version}" if server and server.name else report.project
        return f"PASS  {who} is ready to publish {seconds}"
    errors = len(report.errors)
    warnings = len(report.findings) - errors
    counted = f"{errors} error{'s' * (errors != 1)}"
    if report.strict and warnings:
        counted += f", {warnings} warning{'s' * (warnings != 1)} (--strict)"
    return f"FAIL  {report.project}: {counted} {seconds}"


def _calls(report: Report) -> list[str]:
    """One line per tool call: the tool, its arguments, and what it answered."""
    lines = ["", "  calls"] if report.calls else []
    for call in report.calls:
        mark = MARKS[Status.PASS if call.ok else Status.FAIL]
        arguments = json.dumps(call.arguments, ensure_ascii=False)
        answer = call.error or _answer(call.result)
        lines.append(_cut(f"    {mark} {call.tool} {arguments}  {call.seconds:.1f}s  {answer}"))
    return lines


def _answer(result: dict[str, Any] | None) -> str:
    if not result:
        return ""
    content = result.get("content")
    texts = [item.get("text", "") for item in content if isinstance(item, dict)] if isinstance(content, list) else []
    shown = " ".join(text for text in texts if isinstance(text, str)).replace("\n", " ")
    return ("error: " if result.get("isError") else "→ ") + shown


def _versions(rows: list[dict[str, Any]]) -> list[str]:
    """``--protocols``: each version offered, on a server of its own, and what the server answered."""
    if not rows:
        return []
    table = [("offered", "era", "answered", "")]
    for row in rows:
        mark = MARKS[Status.PASS if row.get("accepted") else Status.FAIL]
        table.append((str(row.get("offered")), str(row.get("era", "")), str(row.get("answered") or "-"), mark))
    widths = [max(len(cells[column]) for cells in table) for column in range(3)]
    shown = [
        f"{'':21}{'  '.join(cell.ljust(width) for cell, width in zip(cells, widths, strict=False))}  {cells[3]}"
        for cells in table
    ]
    errors = [f"{'':23}{row['offered']}: {first_line(str(row['error']))}" for row in rows if row.get("error")]
    return [_cut(line.rstrip()) for line in [*shown, *errors]]


def _eras(protocol: Protocol) -> str:
    """One line under the handshake step: each protocol era tried, how, and with what outcome."""
    parts = []
    for leg in protocol.legs:
        mark = MARKS[Status.PASS if leg.ok else Status.FAIL]
        if leg.ok:
            how = "this connection" if leg.same_process else "own start"
            if leg.same_process and protocol.fallback and leg.era == "legacy":
                how = "fell back on this connection"
            parts.append(f"{leg.era} {mark} {leg.version} ({how})")
        else:
            parts.append(f"{leg.era} {mark} ({first_line(leg.message)})")
    return " · ".join(parts)


def render_one(report: Report) -> str:
    """One project's report."""
    leg = ", ".join(
        f"{name} {value}" for name, value in (("python", report.python), ("resolution", report.resolution)) if value
    )
    lines = [f"mcp-verify {report.version} · {report.project}" + (f" · {leg}" if leg else ""), ""]
    for step in report.steps:
        seconds = f"{step.seconds:.1f}s" if step.status != Status.SKIP else ""
        lines.append(f"  {MARKS[step.status]} {step.name:<10} {seconds:>5}  {_cut(step.message)}".rstrip())
        if step.name == "handshake" and report.protocol is not None and report.protocol.legs:
            lines.append(_cut(f"{'':21}eras: {_eras(report.protocol)}"))
    for name, outcome in report.legs.items():
        lines.append(f"  {MARKS[Status(outcome['status'])]} {name:<10} {'':>5}  {_cut(outcome['message'])}")
    lines += _versions(report.legs.get("protocols", {}).get("versions") or [])
    lines += _calls(report)
    if report.wheel is not None:
        lines += ["", "  wheel", *(f"    {line}" for line in _wheel_files(report.wheel))]
        for group, entries in report.wheel.entry_points.items():
            lines += ["", f"  entry points [{group}]", *_table(list(entries.items()))]
    lines += _listing(report)
    lines += _findings(report)
    if not report.ok and report.server is not None and report.server.stderr_tail.strip():
        tail = report.server.stderr_tail.strip().splitlines()[-_STDERR_LINES:]
        lines += ["", "  server stderr (last lines)", *(f"    {line}" for line in tail)]
    lines += ["", _verdict(report)]
    return "\n".join(lines) + "\n"


def summary(reports: Sequence[Report]) -> list[str]:
    """A row per report: its verdict, a mark per step, its time and the first problem, then the tally."""
    names = _overview.columns(reports)
    labels = [_cut(label, 60) for label in _overview.labels(reports)]
    width = max(map(len, ["target", *labels]))
    lines = ["", f"  {'':6} {'target'.ljust(width)}  {' '.join(names)}"]
    for report, label in zip(reports, labels, strict=True):
        marks = _overview.statuses(report)
        cells = " ".join(MARKS[marks[name]].ljust(len(name)) if name in marks else " " * len(name) for name in names)
        note = _overview.note(report)
        row = f"  {_overview.verdict(report).upper():6} {label.ljust(width)}  {cells} {report.seconds:6.1f}s  {note}"
        lines.append(_cut(row.rstrip(), 200))
    return [*lines, "", _overview.tally(reports)]


def render(reports: Sequence[Report]) -> str:
    """Every project's report, then, when there are several, a table of them; nothing raw from a server."""
    if not reports:  # a shard that got no target
        return _overview.tally(reports) + "\n"
    text = "\n".join(render_one(report) for report in reports)
    if len(reports) > 1:
        text += "\n".join(summary(reports)) + "\n"
    return visible(text)
