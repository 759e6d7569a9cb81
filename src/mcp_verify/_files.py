"""Writing files the user keeps (reports, snapshots) so that no reader ever sees half of one."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from typing import TYPE_CHECKING

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
