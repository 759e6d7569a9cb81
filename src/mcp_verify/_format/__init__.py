"""Output formats: each module turns reports into text and does nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from . import github, html, json, jsonl, junit, text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._report import Report


class Formatter(Protocol):
    """Render the reports of one run (one or several projects) as a document."""

    def __call__(self, reports: Sequence[Report]) -> str: ...


FORMATTERS: dict[str, Formatter] = {
    "text": text.render,
    "json": json.render,
    "junit": junit.render,
    "github": github.render,
    "jsonl": jsonl.render,
    "html": html.render,
}


def render(output_format: str, reports: Sequence[Report], *, several: bool = False) -> str:
    """The reports of a run in ``output_format``; a JSON report of a run of several targets keeps its
    shape, ``{"ok": ..., "projects": [...]}``, even when one report is left (a shard, a merge)."""
    if output_format == "json":
        return json.render(reports, several=several)
    return FORMATTERS[output_format](reports)


__all__ = ["FORMATTERS", "Formatter", "render"]
