"""Many targets in one run: which ones (PATHs, ``--targets``, ``--from-index``, ``--from-registry``,
without duplicates), this runner's share of them (``--shard K/N``), those an earlier run already
verified (``--resume DIR``), how many run at once (``--jobs``), and the CI matrix that spreads them.

A CI system already spreads work over machines; mcp-verify only plans for it: the share of a
target depends on its canonical spelling alone, so every runner of a matrix computes the same
shares from the same list, and ``merge`` joins what they report.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psutil

from ._exceptions import UsageError
from ._files import write_text_atomically
from ._format import json as json_format
from ._lists import read_server_list, read_targets
from ._merge import read_reports
from ._targets import Target, resolve_targets

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from ._options import Options
    from ._report import Report

MEMORY_PER_JOB = 512 * 1024**2
"""Memory one target in flight may take at its peak: its build backend or installer, then its server
(measured: ten copies of the weather example with four in flight peaked at 268-348 MB all together;
512 MB each leaves room for heavier servers)."""
MAX_MATRIX = 256
"""Jobs one GitHub Actions matrix may generate."""


def default_jobs(cpus: int | None = None, available: int | None = None) -> int:
    """Targets in flight: two per CPU (one building while one's server is probed), at most one per
    ``MEMORY_PER_JOB`` of the memory available now, and at least one."""
    cpus = cpus or os.cpu_count() or 1
    available = psutil.virtual_memory().available if available is None else available
    return max(1, min(2 * cpus, available // MEMORY_PER_JOB))


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N``: the K-th of N shares, counted from 1."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise UsageError(f"--shard {text}: expected K/N with 1 <= K <= N, e.g. 2/4")
    return int(match[1]), int(match[2])


def shard_of(key: str, shards: int) -> int:
    """The share (1..N) a target belongs to: a hash of its canonical spelling, never its position,
    so that adding or removing a target never moves another one."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards + 1


@dataclass(frozen=True)
class Selection:
    """The targets of one run, and whether a target's own problem is its failure or the run's."""

    targets: list[Target]
    tolerant: bool
    """Several targets were asked for (or a list was read): a bad one fails alone (MV901)."""
    listed: int
    """How many targets the run was given, before the shard."""


def several(paths: Sequence[str], chosen: Options) -> bool:
    """Whether a run is one of several targets: more than one given, a list read, or a shard of one. Its
    reports keep the shape of several even when one is left, and a target's own problem fails only it."""
    return bool(chosen.targets or chosen.from_registry or chosen.shard) or len(paths) + len(chosen.from_index) > 1


def select(paths: Sequence[str], chosen: Options) -> Selection:
    """Every target asked for, the first spelling of each kept, then this runner's shard of them."""
    tolerant = several(paths, chosen)
    targets = resolve_targets(paths, tolerant=tolerant)
    targets += [Target(label=spec, index_spec=spec) for spec in chosen.from_index]
    if chosen.targets is not None:
        targets += read_targets(chosen.targets)
    if chosen.from_registry is not None:
        targets += read_server_list(chosen.from_registry)
    first: dict[str, Target] = {}
    for target in targets:
        first.setdefault(target.key, target)
    unique = list(first.values())
    if chosen.shard is not None:
        number, shards = parse_shard(chosen.shard)
        unique = [target for target in unique if shard_of(target.key, shards) == number]
    return Selection(unique, tolerant, len(targets))


class Resume:
    """``--resume DIR``: each target's reports in a file of its own, named by its canonical spelling,
    written in one step as the target finishes; a target whose file is there and reads as reports is
    not verified again. A file cut short (a run killed while writing it) never reads as one."""

    def __init__(self, directory: Path) -> None:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UsageError(f"--resume {directory}: cannot be made ({error.strerror or error})") from None
        if not directory.is_dir() or not os.access(directory, os.W_OK):
            raise UsageError(f"--resume {directory}: not a writable directory")
        self.directory = directory

    def file(self, target: Target) -> Path:
        """``<readable part>-<hash>.json``: the hash keeps names apart that the readable part would merge."""
        readable = re.sub(r"[^A-Za-z0-9._-]+", "-", target.key).strip("-.")[:60] or "target"
        return self.directory / f"{readable}-{hashlib.sha256(target.key.encode()).hexdigest()[:12]}.json"

    def load(self, target: Target) -> list[Report] | None:
        path = self.file(target)
        if not path.is_file():
            return None
        try:
            reports = read_reports(path)
        except UsageError:
            return None  # unreadable or not a report: verified again, and the file replaced
        return reports or None

    def save(self, target: Target, reports: Sequence[Report]) -> None:
        write_text_atomically(self.file(target), json_format.render(reports))


def matrix(targets: Sequence[Target], pythons: Sequence[str], systems: Sequence[str], shards: int | None) -> str:
    """The JSON a GitHub Actions ``strategy.matrix`` takes: a job per target, Python and OS, or per
    shard, Python and OS (``--shards``: only the shards that hold a target), within GitHub's limit of
    256 jobs."""
    pythons = list(pythons) or [f"{sys.version_info.major}.{sys.version_info.minor}"]
    systems = list(systems) or ["ubuntu-latest"]
    if shards is not None:
        used = sorted({shard_of(target.key, shards) for target in targets})
        document: dict[str, object] = {
            "shard": [f"{number}/{shards}" for number in used],
            "python": pythons,
            "os": systems,
        }
        jobs = len(used) * len(pythons) * len(systems)
    else:
        document = {
            "include": [
                {"target": target.label, "args": _arguments(target), "python": python, "os": system}
                for target in targets
                for python in pythons
                for system in systems
            ]
        }
        jobs = len(targets) * len(pythons) * len(systems)
    if jobs > MAX_MATRIX:
        raise UsageError(
            f"the matrix would have {jobs} jobs, and GitHub Actions runs at most {MAX_MATRIX} per matrix: "
            "use --shards N"
        )
    return json.dumps(document)


def _arguments(target: Target) -> str:
    """The mcp-verify arguments that verify this one target (the composite action's ``args``)."""
    if target.server_json is not None or target.skipped is not None:
        raise UsageError(f"{target.label}: registry entries are verified by shard (--shards N), not a job each")
    return f"--from-index {target.index_spec}" if target.index_spec is not None else target.label
