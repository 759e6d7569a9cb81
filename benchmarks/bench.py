"""Time mcp-verify against doing the same by hand, in one invocation, as ratios (issue: performance).

Pipelines, each repeated ``--repeat`` times on one example project, caches warm:

- ``verify``  ``mcp-verify PROJECT`` (sdist, wheel from sdist, inspect, install, launch, list)
- ``uv``      ``uv build`` + ``uv venv`` + ``uv pip install`` + a bare handshake with the mcp client
- ``naive``   ``python -m build`` + ``python -m venv`` + ``pip install`` + the same bare handshake
- ``ten``     ``mcp-verify`` on ten copies of the project at once

Prints median / min / max seconds and the median CPU seconds (of all the processes a pipeline
ran), the ratios against the goals, and the peak RSS of the mcp-verify process itself (not the
servers it starts). Wall-clock numbers depend on the machine:
only the ratios, taken in one run, are comparable.

    python benchmarks/bench.py [--repeat 5] [--project examples/weather-server] [--skip-naive]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parent.parent
HANDSHAKE = """
import sys, anyio
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

async def main():
    params = StdioServerParameters(command=sys.argv[1])
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        print(len((await session.list_tools()).tools), "tools", file=sys.stderr)

anyio.run(main)
"""
GOALS = {"verify / uv": ("<=", 0.8), "naive / verify": (">=", 5.0), "ten / verify": ("<=", 3.0)}


def run(command: list[str], **kwargs: object) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload]


def uv_bin() -> str:
    try:
        import uv  # noqa: PLC0415 - optional: the uv extra, else uv on PATH

        return str(uv.find_uv_bin())
    except ImportError:
        found = shutil.which("uv")
        if found is None:
            sys.exit("the uv baseline needs uv: pip install 'mcp-verify[uv]'")
        return found


def handshake(script: Path) -> None:
    run([sys.executable, "-c", HANDSHAKE, str(script)])


def uv_pipeline(project: Path, work: Path) -> None:
    uv = uv_bin()
    source = work / "src"
    shutil.copytree(project, source)
    run([uv, "build", "--quiet", "--out-dir", str(work / "dist"), str(source)])
    run([uv, "venv", "--quiet", str(work / "venv")], cwd=work)
    wheel = next((work / "dist").glob("*.whl"))
    run([uv, "pip", "install", "--quiet", "--python", str(work / "venv" / "bin" / "python"), str(wheel)], cwd=work)
    handshake(next(path for path in (work / "venv" / "bin").iterdir() if path.name == script_name(wheel)))


def naive_pipeline(project: Path, work: Path) -> None:
    source = work / "src"
    shutil.copytree(project, source)
    run([sys.executable, "-m", "build", "--outdir", str(work / "dist"), str(source)])
    run([sys.executable, "-m", "venv", str(work / "venv")])
    wheel = next((work / "dist").glob("*.whl"))
    run([str(work / "venv" / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)])
    handshake(work / "venv" / "bin" / script_name(wheel))


def script_name(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt"))
        text = archive.read(name).decode()
    section = text.split("[console_scripts]", 1)[1]
    return next(line.split("=")[0].strip() for line in section.splitlines() if "=" in line)


def peak_rss_mb(command: list[str], *, check: bool = True) -> float:
    """Run ``command`` and return its own peak resident memory (VmHWM), polled from /proc."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.02)
    if check and process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command)
    return peak / 1024


def verify_command(*projects: Path) -> list[str]:
    return [sys.executable, "-m", "mcp_verify", "-q", "--format", "json", *map(str, projects)]


def children_cpu() -> float:
    """CPU seconds of every finished child process (and the descendants each of them waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(
    name: str, action: Callable[[Path], None], times: dict[str, list[float]], cpu: dict[str, list[float]]
) -> None:
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as work:
        started, cpu_before = time.perf_counter(), children_cpu()
        action(Path(work))
        seconds, cpu_seconds = time.perf_counter() - started, children_cpu() - cpu_before
    times.setdefault(name, []).append(seconds)
    cpu.setdefault(name, []).append(cpu_seconds)
    print(f"  {name:<7} {seconds:6.2f} s, {cpu_seconds:6.2f} s of CPU", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--project", type=Path, default=ROOT / "examples" / "weather-server")
    parser.add_argument("--skip-naive", action="store_true", help="leave out the slow naive pipeline")
    options = parser.parse_args()
    project = options.project.resolve()
    times: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}

    def ten(work: Path) -> None:
        copies = [work / f"copy-{index}" for index in range(10)]
        for copy in copies:
            shutil.copytree(project, copy)
        run(verify_command(*copies))

    print("warming caches …", file=sys.stderr)
    run(verify_command(project))
    with tempfile.TemporaryDirectory() as work:
        uv_pipeline(project, Path(work))
    pipelines = {
        "verify": lambda work: run(verify_command(project)),
        "uv": lambda work: uv_pipeline(project, work),
        **({} if options.skip_naive else {"naive": lambda work: naive_pipeline(project, work)}),
        "ten": ten,
    }
    # interleave the pipelines so that a load change on the machine hits all of them alike
    for _ in range(options.repeat):
        for name, action in pipelines.items():
            timed(name, action, times, cpu)
    rss = peak_rss_mb(verify_command(project))
    with tempfile.TemporaryDirectory() as work:
        copies = [Path(work) / f"copy-{index}" for index in range(10)]
        for copy in copies:
            shutil.copytree(project, copy)
        rss_ten = peak_rss_mb(verify_command(*copies))

    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"project: {project.relative_to(ROOT) if project.is_relative_to(ROOT) else project}, {options.repeat} runs")
    print(f"\n{'pipeline':<8} {'median':>8} {'min':>8} {'max':>8} {'cpu':>8}")
    for name, values in times.items():
        print(
            f"{name:<8} {medians[name]:8.2f} {min(values):8.2f} {max(values):8.2f} {statistics.median(cpu[name]):8.2f}"
        )
    ratios = {
        "verify / uv": medians["verify"] / medians["uv"],
        "ten / verify": medians["ten"] / medians["verify"],
    }
    if "naive" in medians:
        ratios["naive / verify"] = medians["naive"] / medians["verify"]
    print(f"\n{'ratio':<15} {'measured':>8}  goal")
    for name, value in ratios.items():
        op, goal = GOALS[name]
        met = value <= goal if op == "<=" else value >= goal
        print(f"{name:<15} {value:8.2f}  {op} {goal}  {'met' if met else 'NOT met'}")
    print(f"\npeak RSS of mcp-verify itself: {rss:.0f} MB for one project, {rss_ten:.0f} MB for ten (goal < 100 MB)")


if __name__ == "__main__":
    main()
