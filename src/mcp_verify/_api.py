"""The Python API: ``verify(*paths, **options) -> list[Report]``, with exactly the CLI's semantics.

The CLI is a thin layer over ``averify``: the rules that turn options into legs (``strict`` adds
the cp1252 encoding leg, ``resolution="both"`` makes two), the private temporary directory and the
kept environments all live here, so a script gets what the command line gets.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import anyio

from ._batch import Resume, Selection, default_jobs, select
from ._build import BuildEnvironments
from ._bundle import declared_options, peek_manifest, user_config
from ._compat import unwrapped
from ._exceptions import UsageError
from ._files import private_tmpdir, remove_tree
from ._options import RESOLUTIONS, Options, options, path_text
from ._pipeline import Shared, legs, verify_target
from ._sandbox import sandbox
from ._steps import silent
from ._subprocess import kill_all
from ._threads import in_daemon_thread
from ._venv import find_python, resolve_installer

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from ._pipeline.plan import Leg
    from ._report import Report
    from ._sandbox import Sandbox
    from ._steps import Progress
    from ._targets import Target
    from ._types import Installer


def verify(
    *paths: str | os.PathLike[str],
    progress: Progress | None = None,
    finished: Finished | None = None,
    **settings: Any,
) -> list[Report]:
    """Verify each PATH (a project, a directory of built artifacts, a .whl or .tar.gz): one report per
    project and leg, in the order given.

    Keyword arguments are the fields of ``Options``. ``finished`` is called with each target's
    reports as soon as they are ready, in the order targets finish. Raises ``UsageError`` for what
    the command line answers with exit 2; a release that fails verification is a report with
    ``ok`` false.
    """
    return anyio.run(partial(averify, *paths, progress=progress, finished=finished, **settings))


async def averify(
    *paths: str | os.PathLike[str],
    progress: Progress | None = None,
    finished: Finished | None = None,
    **settings: Any,
) -> list[Report]:
    """``verify`` for callers that already run an event loop (asyncio or trio, through anyio)."""
    return await verify_options(paths, options(settings), progress, finished)


async def verify_options(
    paths: Sequence[str | os.PathLike[str]],
    chosen: Options,
    progress: Progress | None = None,
    finished: Finished | None = None,
) -> list[Report]:
    """``averify`` with the options already checked (the command line checks them as it spells them)."""
    selection = select([path_text(path, "PATH") for path in paths], chosen)
    if not selection.listed:
        raise UsageError(
            "nothing to verify: give a PATH, --targets FILE, --from-registry FILE or --from-index NAME==VERSION"
        )
    resume = Resume(chosen.resume) if chosen.resume is not None else None
    targets = selection.targets
    _check_user_config(targets, chosen.user_config)
    for python in chosen.pythons:
        find_python(python)
    installer = resolve_installer(chosen.installer)
    resolutions = RESOLUTIONS[chosen.resolution]
    if "lowest" in resolutions and installer != "uv":
        raise UsageError("--resolution lowest needs uv (pip cannot resolve to the lowest versions)")
    kept = Path(tempfile.gettempdir()) if chosen.keep_env else None  # before the run's own, removed at its end
    if not targets:  # a shard that got none of them
        return []
    with private_tmpdir() as root, _killing_leftovers():
        jail = sandbox(root) if chosen.sandbox else None
        run = _Run(selection, chosen, progress or silent, finished or _nobody, resume)
        try:
            return await run.all(installer, kept, legs(chosen.pythons, resolutions), jail)
        finally:
            if jail is not None:
                jail.close()


def _check_user_config(targets: Sequence[Target], given: Mapping[str, str]) -> None:
    """Before anything runs: each ``--user-config`` key is some bundle's, and each bundle has its required ones."""
    manifests = {target.label: peek_manifest(target.bundle) for target in targets if target.bundle is not None}
    if given and not manifests:
        raise UsageError("--user-config gives values to an MCP bundle's user_config, and no PATH is a bundle")
    declared = {key for manifest in manifests.values() for key in declared_options(manifest)}
    for key in given:
        if key not in declared:
            raise UsageError(f"--user-config {key}: no bundle declares such a user_config key")
    for label, manifest in manifests.items():
        user_config(manifest, given, label)


class Finished(Protocol):
    """Told each target's reports as soon as they are ready (``--format jsonl`` streams them)."""

    def __call__(self, reports: Sequence[Report]) -> None: ...


def _nobody(reports: Sequence[Report]) -> None:
    """The default: nobody is told before the end."""


class _Run:
    """The targets of one run, verified concurrently; reports keep the order given."""

    def __init__(
        self, selection: Selection, chosen: Options, progress: Progress, finished: Finished, resume: Resume | None
    ) -> None:
        self.selection = selection
        self.chosen = chosen
        self.progress = progress
        self.finished = finished
        self.resume = resume
        self.results: dict[int, list[Report]] = {}

    async def all(
        self, installer: Installer, kept: Path | None, planned: Sequence[Leg], jail: Sandbox | None
    ) -> list[Report]:
        """At most ``jobs`` targets in flight; of those, as many build (and as many run a server) as
        there are CPUs, so the next target builds while this one's server is probed."""
        targets = self.selection.targets
        jobs = max(1, min(self.chosen.jobs or default_jobs(), len(targets)))
        slots = max(1, min(jobs, os.cpu_count() or 1))
        admitted = anyio.CapacityLimiter(jobs)
        directory = Path(tempfile.mkdtemp(prefix="mcp-verify-builds-"))
        try:
            with unwrapped(), BuildEnvironments(directory, installer, jail) as builds:
                shared = Shared(
                    builds,
                    anyio.CapacityLimiter(slots),
                    anyio.CapacityLimiter(slots),
                    planned,
                    kept_in=kept,
                    sandbox=jail,
                    tolerant=self.selection.tolerant,
                )
                async with anyio.create_task_group() as group:
                    # the MCP client is slow to import: let that happen while the builds run
                    group.start_soon(in_daemon_thread, partial(import_module, "mcp_verify._probe"))
                    for index, target in enumerate(targets):
                        group.start_soon(self.one, index, target, shared, admitted)
        finally:
            with anyio.CancelScope(shield=True):
                await remove_tree(directory)
        return [report for index in range(len(targets)) for report in self.results[index]]

    async def one(self, index: int, target: Target, shared: Shared, admitted: anyio.CapacityLimiter) -> None:
        """One target: its reports read back from ``--resume``, or verified once admitted and stored there."""
        reports = self.resume.load(target) if self.resume is not None else None
        if reports is None:
            async with admitted:
                reports = await verify_target(target, self.chosen, self.progress, shared)
            if self.resume is not None:
                self.resume.save(target, reports)
        self.results[index] = reports
        self.finished(reports)


@contextmanager
def _killing_leftovers() -> Iterator[None]:
    """On any way out, kill what build threads may still run (their groups are not ours to await)."""
    try:
        yield
    finally:
        kill_all()
