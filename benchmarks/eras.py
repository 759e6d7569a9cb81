"""What connecting as a current client costs, and what a flood on stdout costs, in one invocation, as ratios.

1. The auto sequence against the handshake alone (``--era legacy``, what mcp-verify did before it knew
   eras), interleaved ``--repeat`` times:

   - on a handshake-only server (raw JSON-RPC): the same single server start, plus the one round trip
     of ``server/discover`` before ``initialize``: the ratio of whole runs, and the seconds of the
     launch + handshake + list steps of each, which is where that round trip lands;
   - on a dual-era server (the weather example, mcp 2.x): the auto run also verifies the handshake on a
     second server started beside the first, so both eras are judged: the ratio shows what that costs.

2. The peak resident memory of mcp-verify itself while a server writes 0, 1, 12 and 40 lines of 30 MiB
   on stdout before it serves: flat, since only a prefix of each line is kept.

    python benchmarks/eras.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import ROOT, peak_rss_mb, verify_command

sys.path.insert(0, str(ROOT))
from tests.rawserver import make_project

TOOL = {"name": "echo", "description": "Echo the arguments.", "inputSchema": {"type": "object"}}
MIB = 1024 * 1024
CONNECTING = ("launch", "handshake", "list")


def verified(command: list[str]) -> tuple[float, float]:
    """Run ``command`` (JSON on stdout): its whole time, and the seconds of its connecting steps."""
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    report = json.loads(result.stdout)
    return seconds, sum(step["seconds"] for step in report["steps"] if step["name"] in CONNECTING)


def compare(name: str, project: Path, repeat: int) -> None:
    runs: dict[str, list[tuple[float, float]]] = {"legacy": [], "auto": []}
    verified(verify_command(project))  # warm the caches
    for _ in range(repeat):
        runs["legacy"].append(verified([*verify_command(project), "--era", "legacy"]))
        runs["auto"].append(verified(verify_command(project)))
    whole = {era: statistics.median(seconds for seconds, _ in values) for era, values in runs.items()}
    steps = {era: statistics.median(connecting for _, connecting in values) for era, values in runs.items()}
    print(f"\n{name}: {repeat} runs each, medians")
    print(f"  --era legacy  {whole['legacy']:6.2f} s whole, {steps['legacy']:6.3f} s launch + handshake + list")
    print(f"  auto          {whole['auto']:6.2f} s whole, {steps['auto']:6.3f} s launch + handshake + list")
    ratio, extra = whole["auto"] / whole["legacy"], steps["auto"] - steps["legacy"]
    print(f"  auto / legacy {ratio:6.2f} whole, {extra:+.3f} s connecting")


def flood(work: Path) -> None:
    print("\npeak RSS of mcp-verify itself while the server writes N lines of 30 MiB on stdout")
    for count in (0, 1, 12, 40):
        project = make_project(work, f"flood-{count}", {"tools": [TOOL], "flood": [count, 30 * MIB]})
        own, _ = peak_rss_mb(verify_command(project), check=False)
        print(f"  {count:>3} lines ({count * 30:>5} MiB)  {own:6.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-eras-") as directory:
        work = Path(directory)
        compare("handshake-only raw server", make_project(work, "raw-legacy", {"tools": [TOOL]}), options.repeat)
        compare(
            "dual-era mcp 2.x server (examples/weather-server)", ROOT / "examples" / "weather-server", options.repeat
        )
        flood(work)


if __name__ == "__main__":
    main()
