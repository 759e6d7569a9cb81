"""One self-contained HTML page: a table of targets x steps, then each target's steps and findings,
expandable (``<details>``). No script, no external resource: it reads the same opened from a CI
artifact, a mail attachment or a browser that blocks everything."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from .._types import Severity, Status
from . import _overview
from ._safe import visible
from .text import MARKS, first_line

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._report import Report
    from .._types import Finding

_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1f2328;background:#fff}
h1{font-size:1.5rem;margin:0 0 .5rem}h2{font-size:1.2rem;margin:2rem 0 .5rem}h3{font-size:1rem;margin:1rem 0 .3rem}
table{border-collapse:collapse;margin:.5rem 0}
th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;vertical-align:top}
thead th{background:#f6f8fa}
td.pass,span.pass{background:#dafbe1}td.fail,span.fail{background:#ffebe9}
td.warn,span.warn{background:#fff8c5}td.skip,span.skip{background:#f6f8fa;color:#59636e}
span.pass,span.fail,span.warn,span.skip{padding:0 .4rem;border-radius:.3rem}
p.tally{font-size:1.1rem;font-weight:600}
details{margin:.3rem 0}summary{cursor:pointer}
section.target{border-top:1px solid #d0d7de;padding:.5rem 0}
details.finding{margin-left:1rem}.error>summary{color:#b3261e}.warning>summary{color:#8a6100}
pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;white-space:pre-wrap}
td.seconds{text-align:right;font-variant-numeric:tabular-nums}
td[data-status],th[scope=row]{white-space:nowrap}
footer{margin-top:2rem;color:#59636e}
"""


def _text(value: object) -> str:
    return escape(visible(str(value)))


def _status(status: Status | str, title: str = "") -> str:
    """A cell: its mark and word, the step's message as its tooltip."""
    value = Status(status)
    tip = f' title="{_text(title)}"' if title else ""
    return f'<td class="{value.value}" data-status="{value.value}"{tip}>{MARKS[value]} {value.value}</td>'


def _table(reports: Sequence[Report], names: list[str], labels: list[str]) -> list[str]:
    head = "".join(f'<th scope="col">{_text(name)}</th>' for name in names)
    rows = [
        '<table id="targets">',
        f'<thead><tr><th scope="col">target</th><th scope="col">result</th>{head}'
        '<th scope="col">seconds</th><th scope="col">first problem</th></tr></thead>',
        "<tbody>",
    ]
    for number, (report, label) in enumerate(zip(reports, labels, strict=True), 1):
        steps = {step.name: step for step in report.steps}
        cells = "".join(
            _status(steps[name].status, steps[name].message) if name in steps else "<td></td>" for name in names
        )
        note = _overview.note(report)
        rows.append(
            f'<tr data-target="{_text(report.project)}"><th scope="row"><a href="#target-{number}">'
            f"{_text(label)}</a></th>{_status(_overview.verdict(report))}{cells}"
            f'<td class="seconds">{report.seconds:.1f}</td><td>{_text(note)}</td></tr>'
        )
    return [*rows, "</tbody></table>"]


def _finding(finding: Finding) -> str:
    lines = finding.message.splitlines() or [""]
    where = f"{finding.file}:{finding.line}" if finding.file and finding.line else finding.file
    body = [f"<pre>{_text(finding.message)}</pre>"] if len(lines) > 1 else []
    body += [f"<p>hint: {_text(finding.hint)}</p>"] if finding.hint else []
    body += [f"<p>file: <code>{_text(where)}</code></p>"] if where else []
    body += [f"<p><code>mcp-verify --explain {_text(finding.code)}</code></p>"]
    return (
        f'<details class="finding {finding.severity.value}"><summary>{finding.severity.value} '
        f"<strong>{_text(finding.code)}</strong> {_text(finding.step)}: {_text(lines[0])}</summary>"
        + "".join(body)
        + "</details>"
    )


def _details(number: int, report: Report, label: str) -> list[str]:
    verdict = _overview.verdict(report)
    errors = sum(finding.severity == Severity.ERROR for finding in report.findings)
    warnings = sum(finding.severity == Severity.WARNING for finding in report.findings)
    parts = [
        f'<section class="target" id="target-{number}">',
        f"<details{' open' if verdict == 'fail' else ''}><summary>"
        f'<span class="{verdict}">{MARKS[Status(verdict)]} {verdict.upper()}</span> '
        f"<strong>{_text(label)}</strong> · {errors} error{'s' * (errors != 1)} · "
        f"{warnings} warning{'s' * (warnings != 1)} · {report.seconds:.1f} s</summary>",
        '<table class="steps"><thead><tr><th scope="col">step</th><th scope="col">status</th>'
        '<th scope="col">seconds</th><th scope="col">message</th></tr></thead><tbody>',
    ]
    parts += [
        f'<tr><th scope="row">{_text(step.name)}</th>{_status(step.status)}'
        f'<td class="seconds">{step.seconds:.1f}</td><td>{_text(step.message)}</td></tr>'
        for step in report.steps
    ]
    parts.append("</tbody></table>")
    if report.findings:
        parts += ["<h3>Findings</h3>", *(_finding(finding) for finding in report.findings)]
    if report.listing is not None and report.listing.tools:
        parts += ["<h3>Tools</h3>", "<ul>"]
        parts += [
            f"<li><code>{_text(tool.get('name'))}</code> {_text(first_line(tool.get('description')))}</li>"
            for tool in report.listing.tools
        ]
        parts.append("</ul>")
    stderr = report.server.stderr_tail.strip() if report.server is not None else ""
    if stderr and not report.ok:
        parts += ["<h3>Server stderr (last lines)</h3>", f"<pre>{_text(stderr)}</pre>"]
    return [*parts, "</details>", "</section>"]


def render(reports: Sequence[Report]) -> str:
    """The whole page: the verdict, the table of targets x steps, each target's details."""
    names, labels = _overview.columns(reports), _overview.labels(reports)
    tally = _overview.tally(reports)
    failed = any(_overview.verdict(report) == "fail" for report in reports)
    versions = sorted({report.version for report in reports if report.version})
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>mcp-verify: {_text(tally)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<h1>mcp-verify report</h1>",
        f'<p class="tally"><span class="{"fail" if failed else "pass"}">{"FAIL" if failed else "PASS"}</span> '
        f"{_text(tally)}</p>",
        *_table(reports, names, labels),
        "<h2>Targets</h2>",
    ]
    for number, (report, label) in enumerate(zip(reports, labels, strict=True), 1):
        lines += _details(number, report, label)
    lines += [
        f"<footer>mcp-verify {_text(', '.join(versions))} · {len(reports)} report{'s' * (len(reports) != 1)}</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(lines) + "\n"
