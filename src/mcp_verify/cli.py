"""The ``mcp-verify`` command: options in, exit code out; the work is in :mod:`mcp_verify._api`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import traceback
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import anyio
import click

from ._api import VerifyOptions, verify_many
from ._compat import unwrapped
from ._config import client_config, server_home
from ._exceptions import UsageError
from ._files import write_text_atomically
from ._format import FORMATTERS
from ._format.github import summary
from ._format.text import MARKS
from ._subprocess import kill_all
from ._version import __version__

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from ._types import Report, StepResult

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
_TMP_VARIABLES = ("TMPDIR", "TEMP", "TMP")


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
            line = f"{project}: {MARKS[step.status]} {step.name} {step.seconds:.1f}s {step.message}"
        else:
            self.running[project] = step.name
            line = None
        if not self.live:
            if line is not None:
                click.echo(line, err=True)
            return
        width = max(20, shutil.get_terminal_size().columns - 1)  # a wrapped line would break the redraw
        erase = f"\033[{self.shown}F\033[J" if self.shown else ""
        live = "".join(f"{name}: {current} …"[:width] + "\n" for name, current in self.running.items())
        click.echo(erase + (line + "\n" if line is not None else "") + live, err=True, nl=False)
        self.shown = len(self.running)


async def _run_interruptible(paths: list[str], options: VerifyOptions, progress: _Progress) -> list[Report] | int:
    """Run the verification; on SIGINT/SIGTERM cancel it (servers killed, temp dirs removed) and say which."""
    received: list[int] = []
    reports: list[Report] = []

    async def on_signal(scope: anyio.CancelScope) -> None:
        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async for signum in signals:
                received.append(signum)
                kill_all()  # build hooks first: the build thread must return before the cancel lands
                scope.cancel()
                return

    with unwrapped():
        async with anyio.create_task_group() as group:
            if sys.platform != "win32":
                group.start_soon(on_signal, group.cancel_scope)
            reports = await verify_many(paths, options, progress)
            group.cancel_scope.cancel()
    return 128 + received[0] if received else reports


def _read_env_file(path: Path | None) -> dict[str, str]:
    """``KEY=VALUE`` lines as in a ``.env`` file: comments, blank lines, ``export`` and quotes allowed."""
    if path is None:
        return {}
    env = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip().removeprefix("export ").strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{path}:{number}: {raw!r} is not KEY=VALUE", param_hint="--env-file")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        env[key.strip()] = value
    return env


def _options(settings: dict[str, Any]) -> VerifyOptions:
    """The verification options from the command line (shared by ``verify`` and ``config``)."""
    strict = settings["strict"]
    return VerifyOptions(
        timeout=settings["timeout"],
        script=settings["script"],
        args=settings["args"],
        env={**_read_env_file(settings["env_file"]), **_parse_env(settings["env"])},
        installer=settings["installer"],
        pythons=settings["pythons"],
        resolutions=("highest", "lowest") if settings["resolution"] == "both" else (settings["resolution"],),
        keep_env=settings["keep_env"],
        # made before the run's private temporary directory, which is removed at its end
        env_dir=Path(tempfile.mkdtemp(prefix="mcp-verify-env-")) if settings["keep_env"] else None,
        strict=strict,
        dist_dir=settings["dist_dir"],
        build_timeout=settings["build_timeout"],
        startup_budget=settings["startup_budget"],
        encoding=settings["encoding"] or ("cp1252" if strict else None),
        protocols=settings["protocols"],
        server_json=settings["server_json"],
        snapshot=settings["snapshot"],
        update_snapshot=settings["update_snapshot"],
        from_index=settings["from_index"],
        index_url=settings["index_url"],
    )


_VERIFY_OPTIONS = [
    click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=30.0,
        show_default=True,
        help="Seconds for launching, handshaking and listing together.",
    ),
    click.option("--script", metavar="NAME", help="Console script to launch when the wheel has several."),
    click.option("--arg", "args", multiple=True, metavar="ARG", help="Argument for the server (repeatable)."),
    click.option("--env", "env", multiple=True, metavar="KEY=VALUE", help="Environment for the server (repeatable)."),
    click.option(
        "--env-file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Environment for the server from a .env-style file (--env wins).",
    ),
    click.option(
        "--installer",
        type=click.Choice(["auto", "uv", "pip"]),
        default="auto",
        show_default=True,
        help="auto uses uv when it is available, else virtualenv + pip.",
    ),
    click.option(
        "--python",
        "pythons",
        multiple=True,
        metavar="PYTHON",
        help="Interpreter for the environment: a path or a version such as 3.12 (repeatable; default: this one).",
    ),
    click.option(
        "--resolution",
        type=click.Choice(["highest", "lowest", "both"]),
        default="highest",
        show_default=True,
        help="Install the newest allowed dependencies, the lowest allowed direct ones (uv), or both.",
    ),
    click.option(
        "--build-timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=900.0,
        show_default=True,
        metavar="SECONDS",
        help="Limit for building, and separately for installing (a hang ends, named).",
    ),
    click.option(
        "--startup-budget",
        type=click.FloatRange(min=0),
        default=10.0,
        show_default=True,
        metavar="SECONDS",
        help="Warn when the server takes longer than this to answer initialize.",
    ),
    click.option(
        "--encoding",
        metavar="CODEC",
        help="Also start the server with this stdio encoding, e.g. cp1252 as a Windows console (on in --strict).",
    ),
    click.option(
        "--protocols",
        is_flag=True,
        help="Also offer every protocol version the mcp client supports, one server start each, and report.",
    ),
    click.option(
        "--dist-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Keep the built sdist and wheel here, for the upload step.",
    ),
    click.option(
        "--from-index",
        "from_index",
        multiple=True,
        metavar="NAME[==VERSION]",
        help="Download a published release (sdist and wheel) from the index and verify it (repeatable).",
    ),
    click.option(
        "--index-url", metavar="URL", help="Index for --from-index (default: uv's or pip's setting, else PyPI)."
    ),
    click.option(
        "--server-json",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="MCP Registry server.json to check against the built artifacts (default: the project's).",
    ),
    click.option(
        "--snapshot",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Compare the listed tools, prompts and resources with this JSON snapshot (breaking changes fail).",
    ),
    click.option("--update-snapshot", is_flag=True, help="Write the --snapshot file from what the server lists."),
    click.option("--keep-env", is_flag=True, help="Keep the virtual environment and print its path."),
    click.option("--strict", is_flag=True, help="Fail on warnings too, and add the cp1252 encoding leg."),
    click.option("-q", "--quiet", is_flag=True, help="No progress on stderr."),
]


def _verify_options(function: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(_VERIFY_OPTIONS):
        function = option(function)
    return function


@contextmanager
def _private_tmpdir() -> Iterator[None]:
    """One temporary directory for everything this run and its children create, removed at the end.

    Tools mcp-verify calls (a build backend, uv, pip) leave lock and scratch files in TMPDIR when
    they are cut short; under a directory of its own nothing outlives the run.
    """
    root = tempfile.mkdtemp(prefix="mcp-verify-run-")
    saved = {name: os.environ.get(name) for name in _TMP_VARIABLES}
    os.environ.update(dict.fromkeys(_TMP_VARIABLES, root))
    tempfile.tempdir = None  # tempfile caches its choice: make it look again
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        tempfile.tempdir = None
        shutil.rmtree(root, ignore_errors=True)


def _run(paths: tuple[str, ...], options: VerifyOptions, quiet: bool) -> list[Report]:
    """Run the verification and turn every way it can end into the contract's exit codes."""
    try:
        with _private_tmpdir():
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
    return outcome


class _DefaultToVerify(click.Group):
    """``mcp-verify PATH...`` is ``mcp-verify verify PATH...``; other commands are named."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-V", "--version")):
            args = ["verify", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultToVerify, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="mcp-verify")
def main() -> None:
    """Prove an MCP server project is releasable."""


@main.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("paths", nargs=-1, metavar="PATH...")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(FORMATTERS)),
    default="text",
    show_default=True,
    help="Report format: text for people; json, junit or github for CI.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to FILE.")
@_verify_options
def verify(paths: tuple[str, ...], output_format: str, output: Path | None, **settings: Any) -> None:
    """Build, install, launch and handshake the MCP server at each PATH.

    PATH is a project directory (with pyproject.toml), a directory of built artifacts such as
    dist/, or .whl / .tar.gz files, which are verified as they are, without rebuilding.

    Exit status: 0 every project verified, 1 a project failed, 2 usage error, 3 internal error.
    Also: mcp-verify config PATH prints the client configuration for a verified server.
    """
    reports = _run(paths, _options(settings), settings["quiet"])
    document = FORMATTERS[output_format](reports)
    if output is not None:
        write_text_atomically(output, document)
    else:
        click.echo(document, nl=False)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if output_format == "github" and step_summary:
        with open(step_summary, "a", encoding="utf-8") as file:
            file.write(summary(reports))
    sys.exit(EXIT_OK if all(report.ok for report in reports) else EXIT_FAIL)


@main.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("path", metavar="PATH")
@click.option(
    "--install-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to keep the server's environment (default: mcp-verify's data directory).",
)
@_verify_options
def config(path: str, install_dir: Path | None, **settings: Any) -> None:
    """Verify the server at PATH, keep its environment, and print its client configuration as JSON.

    The JSON has the mcpServers entry for Claude Desktop (and the clients that share its form):
    a uvx command for the published package and the absolute command of the local install, and
    where the configuration file lives on macOS, Windows and Linux.
    """
    options = replace(
        _options(settings), env_dir=install_dir or server_home(Path(path)), pythons=settings["pythons"][:1]
    )
    reports = _run((path,), options, settings["quiet"])
    report = reports[0]
    if not report.ok:
        click.echo(FORMATTERS["text"](reports), err=True, nl=False)
        sys.exit(EXIT_FAIL)
    click.echo(json.dumps(client_config(report, env_names=sorted(options.env)), indent=2))
