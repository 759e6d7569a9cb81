"""Every release of the field corpus, verified both ways, against the truth established by hand.

Each ``field/releases/*.toml`` holds a published release's truth, found without mcp-verify
(``field/by_hand.py``, ../shared/field-method.md). It is verified as a user would: as its unpacked
sdist (downloaded from PyPI, its sha256 checked) and with ``--from-index``. Both verdicts must be
the truth's, both must list its tools, a failure must name its cause, the unpacked sdist must be
byte-identical afterwards, and the two runs must report the same finding codes: the same release,
the same findings. Where a report says which protocol eras the server speaks, they must be the
truth's too.

It needs PyPI and takes long, so it is skipped unless asked: ``pytest --field tests/test_field.py``
(or ``MCP_VERIFY_FIELD=1``), or ``nox -s field``; the agreement table is printed at the end.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tarfile
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from .conftest import MARK_VARIABLE, ROOT, mcp_verify, processes_with, tree_digest

if TYPE_CHECKING:
    from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

PYPI = "https://pypi.org"
RELEASES = sorted((ROOT / "field" / "releases").glob("*.toml"))
TIMEOUT = "60"
"""Seconds for launch, handshake and listing: some releases import a lot, and the corpus runs beside other work."""

ONE_MODE_ONLY: dict[str, str] = {}
"""Finding codes that may legitimately appear in one mode only, each with the reason.

Empty: an unpacked sdist is the release, and ``--from-index`` fetches the same release, so every
finding about it must come out the same both ways (issue 21, item 10).
"""

pytestmark = [pytest.mark.field, pytest.mark.network, pytest.mark.timeout(3600)]


@dataclass(frozen=True)
class Outcome:
    """What one mode of mcp-verify said of a release."""

    mode: str
    ok: bool | None
    """None: no report at all."""
    tools: list[str]
    codes: frozenset[str]
    errors: str
    """The error findings, shortened, or why there is no report."""
    text: str
    """Findings and steps as JSON, where a failure's cause must appear."""
    eras: list[str] | None
    """The protocol eras the report names, where it names them."""

    @property
    def verdict(self) -> str:
        return "no report" if self.ok is None else "pass" if self.ok else "fail"


def fetch_sdist(name: str, version: str, into: Path) -> Path:
    """The release's sdist from PyPI, its sha256 checked, unpacked untouched; return its directory."""
    with urllib.request.urlopen(f"{PYPI}/pypi/{name}/json", timeout=60) as response:
        files = json.load(response)["releases"][version]
    sdist = next(item for item in files if item["packagetype"] == "sdist")
    archive = into / sdist["filename"]
    url = urllib.parse.urljoin(f"{PYPI}/pypi/{name}/json", sdist["url"])  # a mirror may answer with relative URLs
    with urllib.request.urlopen(url, timeout=120) as response:
        archive.write_bytes(response.read())
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == sdist["digests"]["sha256"], archive.name
    with tarfile.open(archive) as tar:
        tar.extractall(into / "unpacked", filter="data")
    (root,) = (into / "unpacked").iterdir()
    return root


def options(truth: dict[str, Any]) -> list[str]:
    """The arguments, environment, script and Python the truth was established with."""
    chosen = [f"--arg={argument}" for argument in truth.get("args", [])]
    chosen += [f"--env={key}={value}" for key, value in truth.get("env", {}).items()]
    if truth.get("script") and len(truth.get("scripts", [])) > 1:
        chosen += ["--script", truth["script"]]
    if truth.get("python", "3.11") != f"{sys.version_info.major}.{sys.version_info.minor}":
        chosen += ["--python", truth["python"]]
    return chosen


def verify(mode: str, target: list[str], truth: dict[str, Any], work: Path) -> Outcome:
    """One run of mcp-verify as a user starts it; no process and no temporary file may outlive it."""
    marker = uuid.uuid4().hex
    report_file = work / f"{mode}.json"
    tmp = work / f"tmp-{mode}"
    result = mcp_verify(
        *target,
        *options(truth),
        "--timeout",
        TIMEOUT,
        "--env",
        f"{MARK_VARIABLE}={marker}",
        "--format",
        "json",
        "-o",
        str(report_file),
        tmp=tmp,
        cwd=work,
    )
    assert processes_with(marker) == [], f"{mode}: server processes left running"
    assert list(tmp.iterdir()) == [], f"{mode}: left behind {list(tmp.iterdir())}"
    assert "Traceback (most recent call last)" not in result.stderr, result.stderr
    if not report_file.exists():
        why = f"exit {result.returncode}: {result.stderr.strip()[-300:]}"
        return Outcome(mode, None, [], frozenset(), why, "", None)
    report = json.loads(report_file.read_text())
    errors = [f"{f['code']} {f['message'][:90]}" for f in report["findings"] if f["severity"] == "error"]
    protocol = report.get("protocol") or {}
    return Outcome(
        mode,
        report["ok"],
        sorted(tool["name"] for tool in report["tools"]),
        frozenset(finding["code"] for finding in report["findings"]),
        "; ".join(errors)[:300],
        json.dumps([report["findings"], report["steps"]], ensure_ascii=False),
        protocol.get("eras") if isinstance(protocol, dict) else None,
    )


def disagreements(truth: dict[str, Any], outcome: Outcome) -> list[str]:
    """How one mode's report departs from the truth (empty: it agrees)."""
    found = []
    if outcome.verdict != truth["verdict"]:
        found.append(f"verdict {outcome.verdict}, truth {truth['verdict']}: {outcome.errors}")
    if truth["tools"] and outcome.tools != sorted(truth["tools"]):
        missing, extra = (
            sorted(set(truth["tools"]) - set(outcome.tools)),
            sorted(set(outcome.tools) - set(truth["tools"])),
        )
        found.append(f"tools differ: missing {missing}, not in the truth {extra}")
    if truth["verdict"] == "fail" and truth.get("must_contain") and truth["must_contain"] not in outcome.text:
        found.append(f"the cause is not named: no {truth['must_contain']!r} in the findings or steps")
    if outcome.eras is not None and "eras" in truth and sorted(outcome.eras) != sorted(truth["eras"]):
        found.append(f"protocol eras {outcome.eras}, truth {truth['eras']}")
    return [f"{outcome.mode}: {line}" for line in found]


def code_differences(as_sdist: Outcome, from_index: Outcome) -> tuple[list[str], list[str]]:
    """Finding codes only the unpacked sdist's report has, and only the index's, less those ONE_MODE_ONLY explains."""
    if as_sdist.ok is None or from_index.ok is None:
        return [], []
    return (
        sorted(as_sdist.codes - from_index.codes - ONE_MODE_ONLY.keys()),
        sorted(from_index.codes - as_sdist.codes - ONE_MODE_ONLY.keys()),
    )


def table_row(truth: dict[str, Any], outcomes: list[Outcome], only: tuple[list[str], list[str]], agree: bool) -> str:
    """This release's row of the agreement table (conftest prints the table after the run)."""
    cells = [f"{o.verdict}, {len(o.tools)} tools" for o in outcomes]
    codes = (
        "same"
        if only == ([], [])
        else f"sdist only {', '.join(only[0]) or '-'}; index only {', '.join(only[1]) or '-'}"
    )
    truth_cell = f"{truth['verdict']}, {len(truth['tools'])} tools"
    eras = ", ".join(truth.get("eras", [])) or "none"
    release = f"{truth['name']} {truth['version']}"
    return f"| {release} | {truth_cell} | {eras} | {' | '.join(cells)} | {codes} | {'yes' if agree else 'no'} |"


@pytest.mark.parametrize("entry", RELEASES, ids=[path.stem for path in RELEASES])
def test_release_both_ways(entry: Path, tmp_path: Path, record_property: Any) -> None:
    truth = tomllib.loads(entry.read_text(encoding="utf-8"))
    tree = fetch_sdist(truth["name"], truth["version"], tmp_path)
    before = tree_digest(tree)
    as_sdist = verify("sdist", [str(tree)], truth, tmp_path)
    untouched = tree_digest(tree) == before
    spec = f"{truth['name']}=={truth['version']}"
    from_index = verify("index", ["--from-index", spec, "--index-url", f"{PYPI}/simple"], truth, tmp_path)
    problems = disagreements(truth, as_sdist) + disagreements(truth, from_index)
    only = code_differences(as_sdist, from_index)
    if only != ([], []):
        problems.append(f"finding codes differ: only as unpacked sdist {only[0]}, only with --from-index {only[1]}")
    if not untouched:
        problems.append("sdist: the unpacked sdist changed")
    record_property("field_row", table_row(truth, [as_sdist, from_index], only, not problems))
    assert not problems, "\n".join(problems)
