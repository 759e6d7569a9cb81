"""The ``mcp-verify`` command: options in, exit code out; the work is in :mod:`mcp_verify._api`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import sys
import tempfile
import traceback
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import anyio
import click

from ._api import verify_options
from ._batch import several
from ._boundary import InputError, read_env_file
from ._catalogue import CATALOGUE, code_ranges
from ._checks.profiles import clients as profile_clients
from ._checks.profiles import sources as profile_sources
from ._compat import unwrapped
from ._exceptions import UsageError
from ._files import write_text_atomically
from ._format import FORMATTERS, render
from ._format._safe import visible
from ._format.github import summary
from ._format.text import MARKS
from ._options import INSTALLERS, RESOLUTIONS, TRANSPORTS, options
from ._platform import INTERRUPTS, legible
from ._subprocess import kill_all
from ._types import ERA_MODES
from ._version import __version__

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._api import Finished
    from ._options import Options
    from ._report import Report
    from ._types import StepResult

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _error(message: str, code: int) -> NoReturn:
    click.echo(f"mcp-verify: error: {visible(message)}", err=True)
    sys.exit(code)


def _parse_env(pairs: tuple[str, ...], option: str = "--env") -> dict[str, str]:
    """``KEY=VALUE`` pairs; a malformed one is named by its position, never echoed (it may be a secret)."""
    env = {}
    for position, pair in enumerate(pairs, start=1):
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{option}: entry {position} of {len(pairs)} is not KEY=VALUE (its text is not shown)")
        env[key] = value
    return env


def _read_env_file(path: Path | None) -> dict[str, str]:
    """Variables from a ``.env`` file; a line it cannot read is named by its number, never shown."""
    if path is None:
        return {}
    try:
        return read_env_file(path, what=f"--env-file {path}:", environ=os.environ)
    except InputError as error:
        raise UsageError(str(error)) from None


class _Progress:
    """Step progress on stderr: a line per finished step, and in a terminal a live line per project
    that is inside a step, so that several projects at once never look stuck."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.live = sys.stderr.isatty()
        self.running: dict[str, str] = {}
        """Project to the step it is in, as shown in the live lines."""
        self.shown = 0

    def __call__(self, project: str, step: StepResult, done: bool) -> None:
        if self.quiet:
            return
        if done:
            self.running.pop(project, None)
            line = visible(f"{project}: {MARKS[step.status]} {step.name} {step.seconds:.1f}s {step.message}")
        else:
            self.running[project] = step.name
            line = None
        if not self.live:
            if line is not None:
                click.echo(line, err=True)
            return
        width = max(20, shutil.get_terminal_size().columns - 1)  # a wrapped line would break the redraw
        erase = f"\033[{self.shown}F\033[J" if self.shown else ""
        live = "".join(visible(f"{name}: {current} …")[:width] + "\n" for name, current in self.running.items())
        click.echo(erase + (line + "\n" if line is not None else "") + live, err=True, nl=False)
        self.shown = len(self.running)


async def _interruptible(
    paths: tuple[str, ...], chosen: Options, progress: _Progress, finished: Finished | None
) -> list[Report] | int:
    """Run the verification; on SIGINT/SIGTERM cancel it (servers killed, temp dirs removed) and say which.

    The signal handlers stay installed until the clean-up is over, and further signals are then
    ignored: a second signal never kills mcp-verify halfway through removing what it made, nor
    turns its exit status into a death by signal.
    """
    received: list[int] = []
    reports: list[Report] = []
    if not INTERRUPTS:  # pragma: no cover - Windows: no POSIX signals to receive
        return await verify_options(paths, chosen, progress, finished)
    with anyio.open_signal_receiver(*INTERRUPTS) as signals, unwrapped():
        async with anyio.create_task_group() as group:
            work = anyio.CancelScope()

            async def on_signal() -> None:
                async for signum in signals:
                    if not received:
                        received.append(signum)
                        kill_all()  # build hooks first: the build thread must return before the cancel lands
                        work.cancel()

            group.start_soon(on_signal)
            with work:
                reports = await verify_options(paths, chosen, progress, finished)
            group.cancel_scope.cancel()
    if received:  # cleaned up, and the receiver gave the signals their defaults back: ignore them now
        for signum in INTERRUPTS:
            signal.signal(signum, signal.SIG_IGN)
    return 128 + received[0] if received else reports


def _run(paths: tuple[str, ...], chosen: Options, quiet: bool, finished: Finished | None = None) -> list[Report]:
    """Run the verification and turn every way it can end into the contract's exit codes."""
    try:
        outcome = anyio.run(_interruptible, paths, chosen, _Progress(quiet), finished)
    except UsageError as error:
        _error(str(error), EXIT_USAGE)
    except KeyboardInterrupt:
        sys.exit(128 + signal.SIGINT)
    except Exception:
        click.echo(visible(traceback.format_exc()), err=True)
        _error("internal error: this is a bug in mcp-verify, please report it with the traceback above", EXIT_INTERNAL)
    if isinstance(outcome, int):
        sys.exit(outcome)
    return outcome


def check_output(path: Path) -> None:
    """Refuse, before the run, a report file that cannot be written: it would be lost after the run."""
    if path.is_dir():
        raise UsageError(f"-o {path}: is a directory")
    if path.exists():
        if not os.access(path, os.W_OK):
            raise UsageError(f"-o {path}: not writable")
        if stat.S_ISREG(path.stat().st_mode) and not os.access(path.parent, os.W_OK):
            raise UsageError(f"-o {path}: its directory is not writable (the report replaces the file in one step)")
        return
    ancestor = path.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"-o {path}: {ancestor} is not a directory")
    try:
        handle, probe = tempfile.mkstemp(prefix=".mcp-verify-", dir=ancestor)
    except OSError as error:
        raise UsageError(f"-o {path}: cannot write in {ancestor} ({error.strerror or error})") from None
    os.close(handle)
    os.unlink(probe)


def _deliver(document: str, output: Path | None) -> bool:
    """Write the report where asked; if that fails after all, say so and print it instead. True: written."""
    if output is None:
        click.echo(document, nl=False)
        return True
    try:
        if output.exists() and not stat.S_ISREG(output.stat().st_mode):
            with output.open("w", encoding="utf-8") as file:  # a device or a pipe: never replaced
                file.write(document)
        else:
            write_text_atomically(output, document)
    except OSError as error:
        click.echo(
            f"mcp-verify: error: cannot write the report to {output} ({error.strerror or error}); here it is:", err=True
        )
        click.echo(document, nl=False)
        return False
    return True


class _Lines:
    """``--format jsonl``: each target's reports written and flushed as the target finishes."""

    def __init__(self, output: Path | None) -> None:
        self.output = output
        self.file: TextIO | None = None
        """``output``, opened when the first target finishes: a usage error leaves an earlier report as it was."""
        self.failed: OSError | None = None

    def _write(self, lines: str) -> None:
        if self.output is None:
            click.echo(lines, nl=False)
            sys.stdout.flush()
            return
        if self.file is None:
            self.file = self.output.open("w", encoding="utf-8")
        self.file.write(lines)
        self.file.flush()

    def __call__(self, reports: Sequence[Report]) -> None:
        if self.failed is None:
            try:
                self._write(FORMATTERS["jsonl"](reports))
            except OSError as error:
                self.failed = error

    def close(self, reports: Sequence[Report]) -> bool:
        """Done; if writing failed on the way, say so and print the whole report instead. True: written."""
        try:
            self._write("")
            if self.file is not None:
                self.file.close()
        except OSError as error:
            self.failed = self.failed or error
        if self.failed is None:
            return True
        click.echo(
            f"mcp-verify: error: cannot write the report to {self.output} ({self.failed}); here it is:", err=True
        )
        click.echo(FORMATTERS["jsonl"](reports), nl=False)
        return False


def step_summary(output_format: str, reports: Sequence[Report]) -> None:
    """With ``--format github`` on GitHub Actions, the Markdown job summary too."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if output_format == "github" and path:
        with open(path, "a", encoding="utf-8") as file:
            file.write(summary(reports))


def _explain(code: str) -> NoReturn:
    entry = CATALOGUE.get(code.strip().upper())
    if entry is None:
        _error(f"--explain {code}: no such finding code (the codes are {code_ranges()}; see the README)", EXIT_USAGE)
    click.echo(entry.explain(), nl=False)
    rules = profile_sources(entry.code)
    if rules:
        click.echo("\nThe rules, as data (src/mcp_verify/_data/client_profiles.toml):\n" + "\n".join(rules))
    sys.exit(EXIT_OK)


def _client_config(paths: tuple[str, ...], chosen: Options, install_dir: Path | None, quiet: bool) -> NoReturn:
    from ._config import client_config, server_home  # noqa: PLC0415 - only for --client-config

    if len(paths) != 1 or chosen.from_index:
        _error("--client-config verifies exactly one PATH", EXIT_USAGE)
    chosen = replace(chosen, install_dir=install_dir or server_home(Path(paths[0])), pythons=chosen.pythons[:1])
    reports = _run(paths, chosen, quiet)
    report = reports[0]
    if not report.ok:
        click.echo(FORMATTERS["text"](reports), err=True, nl=False)
        sys.exit(EXIT_FAIL)
    click.echo(json.dumps(client_config(report, env_names=sorted(chosen.env)), indent=2))
    sys.exit(EXIT_OK)


format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(list(FORMATTERS)),
    default="text",
    show_default=True,
    help="Report format: text for people; json, jsonl (a line per target, as each finishes), junit or github for "
    "CI; html, one self-contained page.",
)
"""``--format``, the same for verifying and for ``merge``."""

_HELP = """Build, install, launch and handshake the MCP server at each PATH, and report.

PATH is a project directory (pyproject.toml or setup.py), a directory of built artifacts such as
dist/, .whl / .tar.gz files, which are verified as they are, without rebuilding, or an MCP
bundle (.mcpb, or a directory holding manifest.json), installed and started as its host does.

\b
Modes:
  mcp-verify PATH...                 verify, and report (--format, -o)
  mcp-verify BUNDLE.mcpb             verify an MCP bundle (--user-config KEY=VALUE)
  mcp-verify --from-index NAME==V    verify a published release
  mcp-verify --targets FILE          verify many targets (--jobs N, --shard K/N, --resume DIR)
  mcp-verify --from-registry FILE    verify the PyPI release of each entry of an MCP Registry server list
  mcp-verify merge REPORT...         merge the JSON reports of several runs (CI shards) into one
  mcp-verify matrix PATH...          print the strategy.matrix JSON of a GitHub Actions workflow
  mcp-verify --client-config PATH    verify, keep the environment, print the client configuration
  mcp-verify config PATH             the same (unless ./config exists: then it is a PATH)
  mcp-verify --explain MV204         explain a finding code

Exit status: 0 every project verified, 1 a project failed, 2 usage error, 3 internal error.
"""


class _Command(click.Command):
    """``mcp-verify merge ...`` and ``mcp-verify matrix ...`` are commands of their own (unless a PATH of
    that name exists: then it is a PATH)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        given = list(sys.argv[1:] if args is None else args)
        command: click.Command = self
        if given and given[0] in {"merge", "matrix"} and not Path(given[0]).exists():
            from ._commands import COMMANDS  # noqa: PLC0415 - only for those commands

            command, prog_name, given = COMMANDS[given[0]], f"{prog_name or 'mcp-verify'} {given[0]}", given[1:]
        return click.Command.main(command, given, prog_name, complete_var, standalone_mode, **extra)


@click.command(
    "mcp-verify",
    cls=_Command,
    help=_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.argument("paths", nargs=-1, metavar="PATH...")
@format_option
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report to FILE.")
@click.option("--explain", metavar="CODE", help="Print what a finding code means and how to fix it, and exit.")
@click.option(
    "--client-config",
    is_flag=True,
    help="Verify one server, keep its environment, and print its client configuration (mcpServers JSON).",
)
@click.option(
    "--install-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --client-config: where to keep the server's environment (default: mcp-verify's data directory).",
)
@click.option(
    "--timeout",
    type=float,
    help="Seconds for launching, handshaking and listing together, and for each call (default 30).",
)
@click.option("--script", metavar="NAME", help="Console script to launch when the wheel has several.")
@click.option("--arg", "args", multiple=True, metavar="ARG", help="Argument for the server (repeatable).")
@click.option("--env", "env", multiple=True, metavar="KEY=VALUE", help="Environment for the server (repeatable).")
@click.option(
    "--env-file",
    type=click.Path(path_type=Path),
    help="Environment for the server from a .env file (--env wins).",
)
@click.option(
    "--installer",
    type=click.Choice(INSTALLERS),
    default="auto",
    show_default=True,
    help="auto uses uv when it is available, else virtualenv + pip.",
)
@click.option(
    "--python",
    "pythons",
    multiple=True,
    metavar="PYTHON",
    help="Interpreter for the environment: a path or a version such as 3.12 (repeatable; default: this one, "
    "or one the release's Requires-Python admits).",
)
@click.option(
    "--resolution",
    type=click.Choice(list(RESOLUTIONS)),
    default="highest",
    show_default=True,
    help="Install the newest allowed dependencies, the lowest allowed direct ones (uv), or both.",
)
@click.option(
    "--build-timeout",
    type=float,
    default=900.0,
    show_default=True,
    metavar="SECONDS",
    help="Limit for building, and separately for installing (a hang ends, named).",
)
@click.option(
    "--startup-budget",
    type=float,
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="Warn when the server takes longer than this to answer initialize.",
)
@click.option(
    "--encoding",
    metavar="CODEC",
    help="Also start the server with this stdio encoding, e.g. cp1252 as a Windows console (on in --strict).",
)
@click.option(
    "--era",
    type=click.Choice(ERA_MODES),
    default="auto",
    show_default=True,
    help="Connect as a current client (auto: server/discover, the handshake as its fallback), or in one era.",
)
@click.option(
    "--protocols",
    is_flag=True,
    help="Also offer every protocol version the mcp client supports, both eras, one server start each.",
)
@click.option(
    "--dist-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the built sdist and wheel here, for the upload step.",
)
@click.option(
    "--from-index",
    "from_index",
    multiple=True,
    metavar="NAME[==VERSION]",
    help="Download a published release (sdist and wheel) from the index and verify it (repeatable).",
)
@click.option("--index-url", metavar="URL", help="Index for --from-index (default: uv's or pip's setting, else PyPI).")
@click.option(
    "--server-json",
    type=click.Path(path_type=Path),
    help="MCP Registry server.json to check against the built artifacts (default: the project's).",
)
@click.option(
    "--snapshot",
    type=click.Path(path_type=Path),
    help="Compare the listed tools, prompts and resources with this JSON snapshot (breaking changes fail).",
)
@click.option("--update-snapshot", is_flag=True, help="Write the --snapshot file from what the server lists.")
@click.option("--keep-env", is_flag=True, help="Keep the virtual environment and print its path.")
@click.option(
    "--sandbox",
    is_flag=True,
    help="Run the build hooks and the server under bubblewrap: loopback only, no home, nothing writable "
    "outside the run.",
)
@click.option(
    "--strict/--no-strict",
    default=None,
    help="Fail on warnings too, and add the cp1252 encoding leg (default: [tool.mcp-verify] strict, else off).",
)
@click.option(
    "--call",
    "calls",
    multiple=True,
    metavar='TOOL[={"arg":1}]',
    help="Call a tool once the server is listed, with arguments as a JSON object (repeatable); "
    "checked against its inputSchema first.",
)
@click.option("--exercise", is_flag=True, help="Read every listed static resource and get every prompt.")
@click.option(
    "--user-config",
    "user_config",
    multiple=True,
    metavar="KEY=VALUE",
    help="For an MCP bundle: a value of its manifest's user_config, as a user gives it to the host (repeatable).",
)
@click.option(
    "--transport",
    type=click.Choice(TRANSPORTS),
    default="stdio",
    show_default=True,
    help="http: start the server on a free local port ({port} in --arg and --env values) and talk streamable HTTP.",
)
@click.option(
    "--url",
    default="/mcp",
    show_default=True,
    metavar="PATH",
    help="With --transport http: the path the server serves MCP at (or a whole URL with {port}).",
)
@click.option(
    "--client",
    "clients",
    multiple=True,
    type=click.Choice(profile_clients()),
    help="Make this client's limits errors instead of warnings (repeatable); a directory "
    "(claude-directory, openai-apps) is checked only when named.",
)
@click.option(
    "--targets",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    metavar="FILE",
    help="Targets one a line: a path relative to FILE, or NAME[==VERSION] on the index; # comments (- reads stdin).",
)
@click.option(
    "--from-registry",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="An MCP Registry server list (GET /v0/servers): verify the PyPI release each entry names.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Targets verified at once (default: two per CPU, at most one per 512 MB of available memory).",
)
@click.option("--shard", metavar="K/N", help="Verify only the K-th of N stable shares of the targets (CI matrices).")
@click.option(
    "--resume",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write each target's JSON report into DIR as it finishes; skip targets already reported there.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@click.version_option(__version__, "-V", "--version", prog_name="mcp-verify")
def main(
    paths: tuple[str, ...],
    output_format: str,
    output: Path | None,
    explain: str | None,
    client_config: bool,
    install_dir: Path | None,
    quiet: bool,
    env: tuple[str, ...],
    env_file: Path | None,
    **settings: Any,
) -> None:
    legible(sys.stdout)
    legible(sys.stderr)
    if explain is not None:
        _explain(explain)
    if paths[:1] == ("config",) and not Path("config").exists():
        client_config, paths = True, paths[1:]
    try:
        settings["env"] = {**_read_env_file(env_file), **_parse_env(env)}
        settings["user_config"] = _parse_env(settings["user_config"], "--user-config")
        chosen = options(settings, "cli")
        many = several(paths, chosen)
        if output is not None:
            check_output(output)
    except UsageError as error:
        _error(str(error), EXIT_USAGE)
    if client_config:
        _client_config(paths, chosen, install_dir, quiet)
    lines = _Lines(output) if output_format == "jsonl" else None
    reports = _run(paths, chosen, quiet, lines)
    if not reports and not quiet:
        click.echo("mcp-verify: no target falls in this shard: nothing verified", err=True)
    if lines is not None:
        written = lines.close(reports)
    else:
        written = _deliver(render(output_format, reports, several=many), output)
    step_summary(output_format, reports)
    sys.exit(EXIT_OK if written and all(report.ok for report in reports) else EXIT_FAIL)
