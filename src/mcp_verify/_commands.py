"""``mcp-verify merge`` and ``mcp-verify matrix``: the commands a CI matrix runs around the shards."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._batch import matrix, select
from ._exceptions import UsageError
from ._format import render
from ._merge import merge as merge_reports
from ._options import options
from .cli import EXIT_FAIL, EXIT_OK, EXIT_USAGE, _deliver, _error, check_output, format_option, step_summary

_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.command(
    "merge",
    context_settings=_SETTINGS,
    help="Merge the JSON reports of several runs (the shards of a CI matrix, a --resume directory) into one "
    "report. REPORT is what --format json or jsonl wrote, or a directory of such files. A verification "
    "reported twice is kept once. Exit status: 0 every target verified, 1 one failed, 2 usage error.",
)
@click.argument("reports", nargs=-1, metavar="REPORT...", type=click.Path(path_type=Path))
@format_option
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the merged report to FILE.")
def merge(reports: tuple[Path, ...], output_format: str, output: Path | None) -> None:
    try:
        if output is not None:
            check_output(output)
        merged = merge_reports(reports)
    except UsageError as error:
        _error(str(error), EXIT_USAGE)
    for note in merged.notes:
        click.echo(f"mcp-verify merge: {note}", err=True)
    written = _deliver(render(output_format, merged.reports, several=True), output)
    step_summary(output_format, merged.reports)
    sys.exit(EXIT_OK if written and all(report.ok for report in merged.reports) else EXIT_FAIL)


@click.command(
    "matrix",
    context_settings=_SETTINGS,
    help="Print the JSON a GitHub Actions strategy.matrix takes: a job per target, Python and OS, or with "
    "--shards N a job per shard (of those that hold a target), Python and OS. Each job then runs "
    "mcp-verify on matrix.args, or with --shard matrix.shard.",
)
@click.argument("paths", nargs=-1, metavar="PATH...")
@click.option("--targets", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), metavar="FILE")
@click.option("--from-index", "from_index", multiple=True, metavar="NAME[==VERSION]")
@click.option(
    "--from-registry",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="An MCP Registry server list (with --shards).",
)
@click.option("--shards", type=click.IntRange(min=1), metavar="N", help="A job per shard instead of per target.")
@click.option("--python", "pythons", multiple=True, metavar="VERSION", help="Python of the runner (repeatable).")
@click.option(
    "--os", "systems", multiple=True, metavar="RUNNER", help="runs-on label, e.g. ubuntu-latest (repeatable)."
)
def matrix_command(
    paths: tuple[str, ...],
    targets: Path | None,
    from_index: tuple[str, ...],
    from_registry: Path | None,
    shards: int | None,
    pythons: tuple[str, ...],
    systems: tuple[str, ...],
) -> None:
    try:
        chosen = options({"targets": targets, "from_index": from_index, "from_registry": from_registry}, "cli")
        selection = select(paths, chosen)
        if not selection.listed:
            raise UsageError("nothing to plan: give a PATH, --targets FILE, --from-registry FILE or --from-index")
        click.echo(matrix(selection.targets, pythons, systems, shards))
    except UsageError as error:
        _error(str(error), EXIT_USAGE)


COMMANDS: dict[str, click.Command] = {"merge": merge, "matrix": matrix_command}
