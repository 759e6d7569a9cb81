"""Run mcp-verify on every release of the field corpus, both ways, and print the agreement table.

Each release in ``field/releases/*.toml`` holds its truth, established by hand (``by_hand.py``,
../shared/field-method.md). Each is verified twice, as a user would: as its unpacked sdist
(downloaded from PyPI, its sha256 checked) and with ``--from-index``. A row agrees when both
verdicts are the truth's, both list exactly its tools, a failure names its cause, the unpacked
sdist is byte-identical afterwards, and both ways report the same finding codes: an unpacked
sdist is the release it was unpacked from.

Needs the network (PyPI). ``nox -s field``, or ``python field/run.py [NAME ...] [--jobs N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomllib

HERE = Path(__file__).resolve().parent
PYPI = "https://pypi.org"


@dataclass(frozen=True)
class Outcome:
    """What one mode of mcp-verify said of a release, judged against the truth."""

    mode: str
    ok: bool | None
    tools: list[str]
    cause_named: bool
    untouched: bool
    problem: str
    codes: tuple[str, ...] = ()
    """The codes of its findings, each once, sorted."""


def _sdist(name: str, version: str, into: Path) -> Path:
    """Download the release's sdist from PyPI, check its sha256, unpack it untouched; return its directory."""
    with urllib.request.urlopen(f"{PYPI}/pypi/{name}/json", timeout=60) as response:
        files = json.load(response)["releases"][version]
    sdist = next(item for item in files if item["packagetype"] == "sdist")
    archive = into / sdist["filename"]
    url = urllib.parse.urljoin(f"{PYPI}/pypi/{name}/json", sdist["url"])  # a mirror may answer with relative URLs
    with urllib.request.urlopen(url, timeout=120) as response:
        archive.write_bytes(response.read())
    if hashlib.sha256(archive.read_bytes()).hexdigest() != sdist["digests"]["sha256"]:
        raise RuntimeError(f"{archive.name}: sha256 differs from PyPI's")
    with tarfile.open(archive) as tar:
        tar.extractall(into / "unpacked", filter="data")
    (root,) = (into / "unpacked").iterdir()
    return root


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _options(truth: dict[str, Any]) -> list[str]:
    options = [f"--arg={argument}" for argument in truth.get("args", [])]
    options += [f"--env={key}={value}" for key, value in truth.get("env", {}).items()]
    if truth.get("script") and len(truth.get("scripts", [])) > 1:
        options += ["--script", truth["script"]]
    if truth.get("python", "3.11") != f"{sys.version_info.major}.{sys.version_info.minor}":
        options += ["--python", truth["python"]]
    return options


def _verify(target: list[str], truth: dict[str, Any], work: Path, mode: str) -> Outcome:
    report_file = work / f"{mode}.json"
    command = [
        sys.executable,
        "-m",
        "mcp_verify",
        *target,
        *_options(truth),
        "--format",
        "json",
        "-o",
        str(report_file),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False, cwd=work)
    if not report_file.exists():
        return Outcome(mode, None, [], False, True, f"exit {result.returncode}: {result.stderr.strip()[-300:]}")
    report = json.loads(report_file.read_text())
    text = json.dumps(report["findings"], ensure_ascii=False)
    cause = truth.get("must_contain", "")
    return Outcome(
        mode,
        report["ok"],
        sorted(tool["name"] for tool in report["tools"]),
        not cause or cause in text or cause in json.dumps(report["steps"], ensure_ascii=False),
        True,
        ""
        if report["ok"]
        else "; ".join(f["code"] + " " + f["message"][:90] for f in report["findings"] if f["severity"] == "error")[
            :240
        ],
        tuple(sorted({finding["code"] for finding in report["findings"]})),
    )


def check(path: Path) -> tuple[dict[str, Any], list[Outcome]]:
    """Verify one release both ways."""
    truth = tomllib.loads(path.read_text())
    with tempfile.TemporaryDirectory(prefix="mcp-verify-field-") as scratch:
        work = Path(scratch)
        try:
            tree = _sdist(truth["name"], truth["version"], work)
        except (OSError, RuntimeError, StopIteration, ValueError) as error:
            failed = Outcome("sdist", None, [], False, True, f"cannot fetch the sdist: {error}")
            return truth, [failed]
        before = _digest(tree)
        as_sdist = _verify([str(tree)], truth, work, "sdist")
        as_sdist = Outcome(**{**as_sdist.__dict__, "untouched": _digest(tree) == before})
        spec = f"{truth['name']}=={truth['version']}"
        from_index = _verify(["--from-index", spec, "--index-url", f"{PYPI}/simple"], truth, work, "index")
    return truth, [as_sdist, from_index]


def agrees(truth: dict[str, Any], outcome: Outcome) -> bool:
    expected = truth["verdict"] == "pass"
    tools_match = (truth["verdict"] == "fail" and not truth["tools"]) or outcome.tools == sorted(truth["tools"])
    return outcome.ok is expected and tools_match and outcome.cause_named and outcome.untouched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these releases (file names without .toml)")
    parser.add_argument("--jobs", type=int, default=2)
    arguments = parser.parse_args()
    files = sorted((HERE / "releases").glob("*.toml"))
    if arguments.names:
        files = [path for path in files if path.stem in arguments.names]
    with ThreadPoolExecutor(max_workers=arguments.jobs) as pool:
        results = list(pool.map(check, files))
    rows = ["| release | truth | unpacked sdist | --from-index | agree |", "|---|---|---|---|---|"]
    agreed = 0
    for truth, outcomes in results:
        shown = []
        for outcome in outcomes:
            verdict = "error" if outcome.ok is None else "pass" if outcome.ok else "fail"
            mark = "✓" if agrees(truth, outcome) else "✗"
            shown.append(f"{mark} {verdict}, {len(outcome.tools)} tools")
        same_codes = len({outcome.codes for outcome in outcomes}) == 1
        both = len(outcomes) == 2 and all(agrees(truth, outcome) for outcome in outcomes) and same_codes
        agreed += both
        truth_text = f"{truth['verdict']}, {len(truth['tools'])} tools"
        rows.append(
            f"| {truth['name']} {truth['version']} | {truth_text} | {' | '.join(shown)} | {'yes' if both else 'no'} |"
        )
        for outcome in outcomes:
            if not agrees(truth, outcome):
                rows.append(f"|  ↳ {outcome.mode}: {outcome.problem or 'tools ' + str(outcome.tools)} | | | | |")
        if not same_codes:
            shown = "; ".join(f"{outcome.mode}: {' '.join(outcome.codes)}" for outcome in outcomes)
            rows.append(f"|  ↳ finding codes differ: {shown} | | | | |")
    print("\n".join(rows))
    print(
        f"\n{agreed} of {len(results)} releases: right verdict, exact tools, cause named, "
        "both ways agreeing on the finding codes"
    )
    sys.exit(0 if agreed == len(results) else 1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    main()
