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
from typing import TYPE_CHECKING, Any

import anyio

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
from ._targets import Target, resolve_targets
from ._threads import in_daemon_thread
from ._venv import find_python, resolve_installer

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from ._report import Report
    from ._sandbox import Sandbox
    from ._steps import Progress


def verify(*paths: str | os.PathLike[str], progress: Progress | None = None, **settings: Any) -> list[Report]:
    """Verify each PATH (a project, a directory of built artifacts, a .whl or .tar.gz): one report per
    project and leg, in the order given.

    Keyword arguments are the fields of ``Options``. Raises ``UsageError`` for what the command
    line answers with exit 2; a release that fails verification is a report with ``ok`` false.
    """
    return anyio.run(partial(averify, *paths, progress=progress, **settings))


async def averify(*paths: str | os.PathLike[str], progress: Progress | None = None, **settings: Any) -> list[Report]:
    """``verify`` for callers that already run an event loop (asyncio or trio, through anyio)."""
    return await verify_options(paths, options(settings), progress)


async def verify_options(
    paths: Sequence[str | os.PathLike[str]], chosen: Options, progress: Progress | None = None
) -> list[Report]:
    """``averify`` with the options already checked (the command line checks them as it spells them)."""
    targets = resolve_targets([path_text(path, "PATH") for path in paths])
    targets += [Target(label=spec, index_spec=spec) for spec in chosen.from_index]
    if not targets:
        raise UsageError("nothing to verify: give a PATH or --from-index NAME==VERSION")
    _check_user_config(targets, chosen.user_config)
    for python in chosen.pythons:
        find_python(python)
    installer = resolve_installer(chosen.installer)
    resolutions = RESOLUTIONS[chosen.resolution]
    if "lowest" in resolutions and installer != "uv":
        raise UsageError("--resolution lowest needs uv (pip cannot resolve to the lowest versions)")
    kept = Path(tempfile.gettempdir()) if chosen.keep_env else None  # before the run's own, removed at its end
    with private_tmpdir() as root, _killing_leftovers():
        jail = sandbox(root) if chosen.sandbox else None
        try:
            return await _verify_all(targets, chosen, progress or silent, installer, kept, resolutions, jail)
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


async def _verify_all(
    targets: list[Target],
    chosen: Options,
    progress: Progress,
    installer: Any,
    kept: Path | None,
    resolutions: Sequence[str],
    jail: Sandbox | None,
) -> list[Report]:
    """Verify the targets concurrently (bounded by the CPU count); reports keep the given order."""
    results: dict[int, list[Report]] = {}
    slots = max(1, min(len(targets), os.cpu_count() or 1))
    directory = Path(tempfile.mkdtemp(prefix="mcp-verify-builds-"))

    async def one(index: int, target: Target, shared: Shared) -> None:
        results[index] = await verify_target(target, chosen, progress, shared)

    try:
        with unwrapped(), BuildEnvironments(directory, installer, jail) as builds:
            shared = Shared(
                builds,
                anyio.CapacityLimiter(slots),
                anyio.CapacityLimiter(slots),
                legs(chosen.pythons, resolutions),
                kept_in=kept,
                sandbox=jail,
            )
            async with anyio.create_task_group() as group:
                # the MCP client is slow to import: let that happen while the builds run
                group.start_soon(in_daemon_thread, partial(import_module, "mcp_verify._probe"))
                for index, target in enumerate(targets):
                    group.start_soon(one, index, target, shared)
    finally:
        with anyio.CancelScope(shield=True):
            await remove_tree(directory)
    return [report for index in range(len(targets)) for report in results[index]]


@contextmanager
def _killing_leftovers() -> Iterator[None]:
    """On any way out, kill what build threads may still run (their groups are not ours to await)."""
    try:
        yield
    finally:
        kill_all()
