"""The ``mcp-verify`` command: options in, exit code out; the work is in :mod:`mcp_verify._api`."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import anyio
import click

from ._api import VerifyOptions, verify_many
from ._compat import unwrapped
from ._exceptions import UsageError
from ._format import FORMATTERS
from ._format.github import summary
from ._types import Status
from ._version import __version__

if TYPE_CHECKING:
    from ._types import Report, StepResult

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
_MARKS = {Status.PASS: "✓", Status.FAIL: "✗", Status.WARN: "!", Status.SKIP: "-"}


def _error(message: str, code: int) -> NoReturn:
    click.echo(f"mcp-verify: error: {message}", err=True)
    sys.exit(code)


def _parse_env(pairs: tuple[str, ...]) -> dict[str, str]:
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--env")
        env[key] = value
    return env


class _Progress:
    """Step progress on stderr: a line per finished step (and a live line in a terminal)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.live = sys.stderr.isatty()

    def __call__(self, project: str, step: StepResult, done: bool) -> None:
        if self.quiet:
            return
        if not done:
            if self.live:
                click.echo(f"\r\033[K{project}: {step.name} …", err=True, nl=False)
            return
        prefix = "\r\033[K" if self.live else ""
        click.echo(f"{prefix}{project}: {_MARKS[step.status]} {step.name} {step.seconds:.1f}s {step.message}", err=True)


def _write_atomically(path: Path, content: str) -> None:
    """Write the report so a reader never sees half of it (as pypa/build writes its own)."""
    directory = path.resolve().parent
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


async def _run_interruptible(paths: list[str], options: VerifyOptions, progress: _Progress) -> list[Report] | int:
    """Run the verification; on SIGINT/SIGTERM cancel it (servers killed, temp dirs removed) and say which."""
    received: list[int] = []
    reports: list[Report] = []

    async def on_signal(scope: anyio.CancelScope) -> None:
        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async for signum in signals:
                received.append(signum)
                scope.cancel()
                return

    with unwrapped():
        async with anyio.create_task_group() as group:
            if sys.platform != "win32":
                group.start_soon(on_signal, group.cancel_scope)
            reports = await verify_many(paths, options, progress)
            group.cancel_scope.cancel()
    return 128 + received[0] if received else reports


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(FORMATTERS)),
    default="text",
    show_default=True,
    help="Report format: text for people; json, junit or github for CI.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to FILE.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds for launching, handshaking and listing together.",
)
@click.option("--script", metavar="NAME", help="Console script to launch when the wheel has several.")
@click.option("--arg", "args", multiple=True, metavar="ARG", help="Argument for the server (repeatable).")
@click.option("--env", "env", multiple=True, metavar="KEY=VALUE", help="Environment for the server (repeatable).")
@click.option(
    "--installer",
    type=click.Choice(["auto", "uv", "pip"]),
    default="auto",
    show_default=True,
    help="auto uses uv when it is available, else virtualenv + pip.",
)
@click.option(
    "--python",
    "python",
    metavar="PYTHON",
    default=sys.executable,
    show_default="this interpreter",
    help="Interpreter for the throwaway environment (a path or a version such as 3.12).",
)
@click.option("--keep-env", is_flag=True, help="Keep the virtual environment and print its path.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@click.version_option(__version__, "-V", "--version", prog_name="mcp-verify")
def main(
    paths: tuple[str, ...],
    output_format: str,
    output: Path | None,
    timeout: float,
    script: str | None,
    args: tuple[str, ...],
    env: tuple[str, ...],
    installer: str,
    python: str,
    keep_env: bool,
    strict: bool,
    quiet: bool,
) -> None:
    """Build, install, launch and handshake the MCP server project at each PATH.

    Exit status: 0 every project verified, 1 a project failed, 2 usage error, 3 internal error.
    """
    options = VerifyOptions(
        timeout=timeout,
        script=script,
        args=args,
        env=_parse_env(env),
        installer=installer,
        python=python,
        keep_env=keep_env,
        strict=strict,
    )
    try:
        outcome = anyio.run(_run_interruptible, list(paths), options, _Progress(quiet))
    except UsageError as error:
        _error(str(error), EXIT_USAGE)
    except KeyboardInterrupt:
        sys.exit(128 + signal.SIGINT)
    except Exception:
        click.echo(traceback.format_exc(), err=True)
        _error("internal error: this is a bug in mcp-verify, please report it with the traceback above", EXIT_INTERNAL)
    if isinstance(outcome, int):
        sys.exit(outcome)
    document = FORMATTERS[output_format](outcome)
    if output is not None:
        _write_atomically(output, document)
    else:
        click.echo(document, nl=False)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if output_format == "github" and step_summary:
        with open(step_summary, "a", encoding="utf-8") as file:
            file.write(summary(outcome))
    sys.exit(EXIT_OK if all(report.ok for report in outcome) else EXIT_FAIL)
