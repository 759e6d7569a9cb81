"""Files: those the user keeps (reports, snapshots) written so that no reader sees half of one,
and the throwaway trees of a run removed quickly."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from functools import partial
from typing import TYPE_CHECKING

import anyio.to_thread

from ._exceptions import CommandFailed
from ._subprocess import run

if TYPE_CHECKING:
    from pathlib import Path


def write_text_atomically(path: Path, text: str) -> None:
    """Replace ``path`` in one step, so an interrupted run never leaves half a file behind.

    The file keeps its mode (a new one gets 0o644, not mkstemp's 0o600) and LF line ends, so a
    committed snapshot does not change in ``git diff`` for anything but its content.
    """
    target = path.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


async def remove_tree(path: Path) -> None:
    """Remove a directory tree, whatever is in it.

    ``rm -rf`` where there is one: ``shutil.rmtree`` spends a quarter of a second of Python per
    virtual environment, in every verification. ``shutil.rmtree`` where there is none, or it failed.
    """
    rm = shutil.which("rm") if os.name == "posix" else None
    if rm is not None:
        with contextlib.suppress(CommandFailed, OSError):
            await run([rm, "-rf", "--", str(path)])
            return
    await anyio.to_thread.run_sync(partial(shutil.rmtree, path, ignore_errors=True))
