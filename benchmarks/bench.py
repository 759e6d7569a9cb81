"""Time mcp-verify against doing the same by hand, in one invocation, as ratios (issue: performance).

Pipelines, each repeated ``--repeat`` times on one example project, caches warm:

- ``verify``    ``mcp-verify PROJECT`` (sdist, wheel from sdist, inspect, install, launch, list)
- ``uv``        ``uv build`` + ``uv venv`` + ``uv pip install`` + a bare handshake with the mcp client
- ``naive``     ``python -m build`` + ``python -m venv`` + ``pip install`` + the same bare handshake
- ``many``      ``mcp-verify`` on N generated copies of the project (each its own distribution name) in
                one run, ``--jobs`` left to its default
- ``jobs1``     the same N in one run with ``--jobs 1``
- ``sequence``  the same N, one ``mcp-verify`` run after the other

Prints median / min / max seconds and the median CPU seconds (of all the processes a pipeline
ran, and per target), the ratios against the goals, and the peak memory: of the mcp-verify process
itself, and of it with every process it started (builds, installers, servers) together. Wall-clock
numbers depend on the machine: only the ratios, taken in one run, are comparable.

    python benchmarks/bench.py [--repeat 5] [--project examples/weather-server] [--targets 10]
                               [--only verify,many,jobs1,sequence] [--skip-naive] [--era legacy]
"""

from __future__ import annotations

import argparse
import contextlib
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

import psutil

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
GOALS = {
    "verify / uv": ("<=", 0.8),
    "naive / verify": (">=", 5.0),
    "many / verify": ("<=", 3.0),
    "sequence / many": (">=", 1.0),
    "jobs1 / many": (">=", 1.0),
}


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


def peak_rss_mb(command: list[str], *, check: bool = True) -> tuple[float, float]:
    """Run ``command``; return its own peak resident memory (VmHWM) and the peak of its whole process
    tree (the sum of the RSS of it and every descendant, polled), in MB."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    own = tree = 0
    status = Path(f"/proc/{process.pid}/status")
    parent = psutil.Process(process.pid)
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    own = max(own, int(line.split()[1]) * 1024)
            family = [parent, *parent.children(recursive=True)]
        except (OSError, psutil.Error):
            family = []
        total = 0
        for member in family:
            with contextlib.suppress(psutil.Error):
                total += member.memory_info().rss
        tree = max(tree, total)
        time.sleep(0.05)
    if check and process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command)
    return own / 1024**2, tree / 1024**2


def verify_command(*projects: Path, jobs: int | None = None, era: str = "auto") -> list[str]:
    chosen = ["--jobs", str(jobs)] if jobs is not None else []
    return [sys.executable, "-m", "mcp_verify", "-q", "--format", "json", "--era", era, *chosen, *map(str, projects)]


def generate(project: Path, work: Path, count: int) -> list[Path]:
    """``count`` copies of ``project``, each its own distribution (``NAME-bench-3``), as a monorepo holds them.

    Hatchling finds the package by the distribution's name: a renamed copy names its package.
    """
    packages = [path for path in (project / "src").glob("*/__init__.py")] if (project / "src").is_dir() else []
    copies = []
    for index in range(count):
        copy = work / f"{project.name}-{index}"
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "dist", "build"))
        pyproject = copy / "pyproject.toml"
        text = pyproject.read_text()
        name = next(line.split("=", 1)[1].strip().strip('"') for line in text.splitlines() if line.startswith("name"))
        text = text.replace(f'name = "{name}"', f'name = "{name}-bench-{index}"', 1)
        if "hatchling" in text and "[tool.hatch.build.targets.wheel]" not in text and len(packages) == 1:
            text += f'\n[tool.hatch.build.targets.wheel]\npackages = ["src/{packages[0].parent.name}"]\n'
        pyproject.write_text(text)
        copies.append(copy)
    return copies


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
    parser.add_argument("--targets", type=int, default=10, help="how many generated projects the many-target runs have")
    parser.add_argument("--only", help="the pipelines to run, comma-separated (default: all)")
    parser.add_argument("--skip-naive", action="store_true", help="leave out the slow naive pipeline")
    parser.add_argument(
        "--era", default="auto", choices=("auto", "legacy", "modern"), help="how mcp-verify connects (its --era)"
    )
    options = parser.parse_args()
    project = options.project.resolve()
    count = options.targets
    times: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}

    with tempfile.TemporaryDirectory(prefix="bench-projects-") as generated:
        copies = generate(project, Path(generated), count)
        pipelines: dict[str, Callable[[Path], None]] = {
            "verify": lambda work: run_verify(verify_command(project, era=options.era)),
            "uv": lambda work: uv_pipeline(project, work),
            "naive": lambda work: naive_pipeline(project, work),
            "many": lambda work: run_verify(verify_command(*copies, era=options.era)),
            "jobs1": lambda work: run_verify(verify_command(*copies, jobs=1, era=options.era)),
            "sequence": lambda work: one_by_one(copies, options.era),
        }
        chosen = (
            options.only.split(",")
            if options.only
            else [n for n in pipelines if n != "naive" or not options.skip_naive]
        )
        pipelines = {name: pipelines[name] for name in chosen}
        print("warming caches …", file=sys.stderr)
        run_verify(verify_command(project))
        if "uv" in pipelines:
            with tempfile.TemporaryDirectory() as work:
                uv_pipeline(project, Path(work))
        # interleave the pipelines so that a load change on the machine hits all of them alike
        for _ in range(options.repeat):
            for name, action in pipelines.items():
                timed(name, action, times, cpu)
        memory = {"verify": peak_rss_mb(verify_command(project))}
        if "many" in pipelines:
            memory["many"] = peak_rss_mb(verify_command(*copies))

    medians = {name: statistics.median(values) for name, values in times.items()}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load {load:.1f}"
    )
    print(f"project: {project.relative_to(ROOT) if project.is_relative_to(ROOT) else project}, {options.repeat} runs")
    print(f"\n{'pipeline':<9} {'median':>8} {'min':>8} {'max':>8} {'cpu':>8} {'cpu/target':>10}")
    for name, values in times.items():
        targets = count if name in {"many", "jobs1", "sequence"} else 1
        median_cpu = statistics.median(cpu[name])
        print(
            f"{name:<9} {medians[name]:8.2f} {min(values):8.2f} {max(values):8.2f} {median_cpu:8.2f} "
            f"{median_cpu / targets:10.2f}"
        )
    pairs = {
        "verify / uv": ("verify", "uv"),
        "naive / verify": ("naive", "verify"),
        "many / verify": ("many", "verify"),
        "sequence / many": ("sequence", "many"),
        "jobs1 / many": ("jobs1", "many"),
    }
    print(f"\n{'ratio':<16} {'measured':>8}  goal")
    for name, (top, bottom) in pairs.items():
        if top in medians and bottom in medians:
            value = medians[top] / medians[bottom]
            op, goal = GOALS[name]
            met = value <= goal if op == "<=" else value >= goal
            print(f"{name:<16} {value:8.2f}  {op} {goal}  {'met' if met else 'NOT met'}")
    for name, (own, tree) in memory.items():
        what = "one project" if name == "verify" else f"{count} projects"
        print(f"peak RSS, {what}: mcp-verify itself {own:.0f} MB, with every process it started {tree:.0f} MB")


def one_by_one(projects: list[Path], era: str = "auto") -> None:
    for project in projects:
        run_verify(verify_command(project, era=era))


def run_verify(command: list[str]) -> None:
    """mcp-verify as the benchmark runs it: every target must pass, or the times measure a failure."""
    run(command)


if __name__ == "__main__":
    main()
