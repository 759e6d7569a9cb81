"""How the server behaved: its stdout to the end, ping, each list call, its shutdown, its start-up time.

Codes: MV204, MV206, MV210, MV302 (stdout and start), MV305 (ping), MV401, MV418 (list calls),
MV501-MV504 (shutdown).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from .._catalogue import finding
from ._common import some

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._types import Finding, ImportCost, ListProblem, Shutdown, StrayLine

_SHOWN_LINE = 200
_WHEN = {
    "launch": "before it answered initialize",
    "handshake": "during the handshake",
    "list": "while listing",
    "shutdown": "when it exited after stdin closed (a print() is block-buffered on a pipe until then)",
}


def _quoted(line: str) -> str:
    return repr(line if len(line) <= _SHOWN_LINE else line[:_SHOWN_LINE] + "…")


def check_stdout(strays: Sequence[StrayLine], oversized: Sequence[str]) -> list[Finding]:
    """Anything but JSON-RPC on stdout, at any time up to EOF (MV204, MV302), and lines too long to read (MV206)."""
    findings = []
    text = [stray for stray in strays if not stray.is_json]
    garbage = [stray for stray in strays if stray.is_json]
    if text:
        first = text[0]
        more = f" (and {len(text) - 1} more line{'s' * (len(text) > 2)})" if len(text) > 1 else ""
        findings.append(
            finding(
                "MV204",
                f"the server wrote non-JSON-RPC text to stdout {_WHEN.get(first.step, '')}: {_quoted(first.text)}"
                f"{more}; stdout is reserved for the MCP protocol",
                "print diagnostics to stderr (print(..., file=sys.stderr) or logging), never to stdout",
                step=first.step,
            )
        )
    if garbage:
        findings.append(
            finding(
                "MV302",
                f"the server wrote JSON that is not a JSON-RPC message to stdout: {_quoted(garbage[0].text)}",
                step=garbage[0].step,
            )
        )
    if oversized:
        findings.append(
            finding(
                "MV206",
                f"the server wrote {len(oversized)} line(s) of more than 32 MiB on stdout; they were not read",
                step=oversized[0],
            )
        )
    return findings


def check_identity(reported: str | None, version: str) -> list[Finding]:
    """serverInfo.version that is not the release's version (MV306): FastMCP reports its own unless told.

    An empty one is as wrong: clients show it, and logs record it, as no version at all.
    """
    if reported is None or _same(reported, version):
        return []
    said = f"version {reported!r}" if reported.strip() else f"an empty version ({reported!r})"
    return [finding("MV306", f"the server reports {said} in serverInfo, the release is {version}")]


def _same(one: str, other: str) -> bool:
    try:
        return Version(one) == Version(other)
    except InvalidVersion:
        return one == other


def check_ping(problem: str | None) -> list[Finding]:
    """A server that does not answer ping: the specification's MUST, a warning (MV305)."""
    if problem is None:
        return []
    return [finding("MV305", f"the server does not answer ping: {problem}")]


def check_lists(problems: Sequence[ListProblem]) -> list[Finding]:
    """Each list call that failed (MV401) or that the client library rejects (MV418), on its own."""
    findings = []
    for problem in problems:
        if problem.rejected:
            findings.append(
                finding(
                    "MV418",
                    f"the mcp client library rejects the {problem.method} result, so clients get no list at all: "
                    f"{some(list(problem.rejected), 3)}",
                )
            )
        elif problem.message.startswith("the mcp client library rejects"):
            findings.append(finding("MV418", f"{problem.method}: {problem.message}"))
        else:
            findings.append(
                finding(
                    "MV401",
                    f"{problem.method} failed: {problem.message}",
                    "clients cannot see what the server offers there: the server advertises the capability, "
                    "so the call must work",
                )
            )
    return findings


def check_shutdown(shutdown: Shutdown | None) -> list[Finding]:
    """SIGTERM or SIGKILL needed (MV501, MV502), processes left running (MV503), an error at exit (MV504)."""
    if shutdown is None:
        return []
    findings = []
    if shutdown.how == "sigterm":
        findings.append(finding("MV501", "the server did not exit when its stdin closed; it needed SIGTERM"))
    elif shutdown.how == "sigkill":
        findings.append(finding("MV502", "the server ignored stdin EOF and SIGTERM; it had to be killed with SIGKILL"))
    if shutdown.survivors:
        count = len(shutdown.survivors)
        findings.append(
            finding(
                "MV503",
                f"{count} process{'es' * (count != 1)} started by the server {'were' if count != 1 else 'was'} still "
                f"running after it exited (killed by mcp-verify): {some(list(shutdown.survivors), 3)}",
            )
        )
    code = shutdown.returncode
    if shutdown.how in {"stdin-eof", "exited"} and code not in (None, 0):
        ended = f"exited with code {code}" if code is not None and code > 0 else f"was killed by signal {-(code or 0)}"
        words = f": {shutdown.last_words}" if shutdown.last_words else ""
        when = "after its stdin closed" if shutdown.how == "stdin-eof" else "before its stdin was closed"
        findings.append(finding("MV504", f"the server {ended} {when}{words}"))
    return findings


def check_startup(startup: float | None, budget: float, costs: Sequence[ImportCost], package: str) -> list[Finding]:
    """Slower than the budget to answer initialize (MV210), with where the import time went."""
    if startup is None or startup <= budget:
        return []
    slowest = ", ".join(f"{cost.package} {cost.cumulative:.1f} s" for cost in costs if cost.package != package)
    own = next((cost for cost in costs if cost.package == package), None)
    where = f"; slowest imports: {slowest}" if slowest else ""
    if own is not None:
        where += f"; importing {package} took {own.cumulative:.1f} s in all, {own.own:.1f} s of it in its own code"
        rest = startup - own.cumulative
        if rest >= max(0.5, startup / 4):  # imports measured apart, so a loaded machine blurs the split
            where += f"; the rest went into starting the server ({rest:.1f} s)"
    message = f"the server took {startup:.1f} s to answer initialize, over the budget of {budget:g} s{where}"
    return [finding("MV210", message)]
