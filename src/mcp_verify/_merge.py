"""``mcp-verify merge REPORT...``: the reports of several runs (the shards of a CI matrix, a
``--resume`` directory) read back and joined into one, each target once.

A report file is what ``--format json`` or ``--format jsonl`` wrote: one report, ``{"ok": ...,
"projects": [...]}``, or one of those a line. Reports are read back into ``Report`` values, so
each format renders a merged report with the same formatter as a run's own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._exceptions import UsageError
from ._files import read_given
from ._report import Report

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

MAX_REPORT = 256 * 1024 * 1024
"""The largest report file read."""
_SUFFIXES = (".json", ".jsonl")


def read_reports(path: Path) -> list[Report]:
    """The reports in one file, in order; a file that holds none is a usage error naming why."""
    text = read_given(path, MAX_REPORT, str(path))
    reports = []
    for line, document in _documents(path, text):
        where = f"{path}{f', line {line}' if line else ''}"
        items = document.get("projects", [document]) if isinstance(document, dict) else [document]
        for item in items if isinstance(items, list) else [items]:
            try:
                if not isinstance(item, dict):
                    raise TypeError(f"a JSON {type(item).__name__}")
                reports.append(Report.from_dict(item))
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                raise UsageError(f"{where}: not a report of mcp-verify ({type(error).__name__}: {error})") from None
    return reports


def _documents(path: Path, text: str) -> Iterable[tuple[int, object]]:
    """The JSON document of a file, or of each of its lines (JSON lines); line 0: the whole file."""
    try:
        yield 0, json.loads(text)
        return
    except RecursionError:
        raise UsageError(f"{path}: nested too deeply to be a report") from None
    except json.JSONDecodeError as whole:
        lines = [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
        if len(lines) < 2:
            raise UsageError(f"{path}: not valid JSON ({whole.msg} at line {whole.lineno})") from None
    for number, line in lines:
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as error:
            raise UsageError(
                f"{path}, line {number}: not a complete JSON report ({error.msg}); a run cut short while writing it?"
            ) from None
        except RecursionError:
            raise UsageError(f"{path}, line {number}: nested too deeply to be a report") from None


def _files(paths: Sequence[Path]) -> list[Path]:
    """The files given, and the ``.json`` / ``.jsonl`` files under each directory given (a ``--resume``
    DIR, or the artifacts of every job of a matrix, each in a directory of its own)."""
    files = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                child
                for child in path.rglob("*")
                if child.suffix in _SUFFIXES and not child.name.startswith(".") and child.is_file()
            )
            if not found:
                raise UsageError(f"{path}: a directory without .json or .jsonl reports")
            files += found
        elif path.exists():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or directory")
    return files


def identity(report: Report) -> tuple[object, ...]:
    """What makes two reports the same verification: the target, its leg, and the runner's system and Python."""
    runner = report.platform or {}
    return (report.project, report.python, report.resolution, runner.get("os"), runner.get("python"))


@dataclass
class Merged:
    """The reports joined, each verification once, and what was said about the duplicates."""

    reports: list[Report] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def merge(paths: Sequence[Path]) -> Merged:
    """Every report of every file, in the order first seen; a verification reported twice (a shard
    run again, overlapping lists) is kept once: the later one, said in a note when they differ."""
    if not paths:
        raise UsageError("merge: give the report files (or directories of them) to merge")
    kept: dict[tuple[object, ...], tuple[Report, Path]] = {}
    notes = []
    for path in _files(paths):
        for report in read_reports(path):
            key = identity(report)
            if key in kept and kept[key][0].to_dict() != report.to_dict():
                notes.append(f"{report.project}: reported by {kept[key][1]} and {path}, differently: kept {path}")
            kept[key] = (report, path)
    return Merged([report for report, _ in kept.values()], notes)
