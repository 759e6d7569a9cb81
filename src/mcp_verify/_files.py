"""Files: those the user keeps (reports, snapshots) written so that no reader sees half of one, the
throwaway trees of a run removed quickly, and JSON files read, within bounds, with the line of what is wrong."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import anyio.to_thread
import psutil

from ._boundary import InputError, loads_json, read_text
from ._catalogue import finding
from ._exceptions import CommandFailed, UsageError
from ._platform import remove_command
from ._subprocess import run
from ._types import JsonDocument

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ._types import Finding


RUN_PREFIX = "mcp-verify-run-"
_OWNER = ".owner"
_TMP_VARIABLES = ("TMPDIR", "TEMP", "TMP")
_ORPHAN_AGE = 24 * 3600
"""A run directory without an owner file is taken as abandoned after a day."""


@contextmanager
def private_tmpdir() -> Iterator[Path]:
    """One temporary directory for everything a run and its children create, removed at the end.

    Tools mcp-verify calls (a build backend, uv, pip) leave lock and scratch files in TMPDIR when
    they are cut short; under a directory of its own nothing outlives the run. A run killed with
    SIGKILL cannot clean up: the next run removes its directory, and kills any server of it that
    still runs there, once the process that owned it is gone.
    """
    base = Path(tempfile.gettempdir())
    sweep_stale(base)
    root = Path(tempfile.mkdtemp(prefix=RUN_PREFIX, dir=base))
    (root / _OWNER).write_text(f"{os.getpid()} {psutil.Process().create_time()}\n", encoding="utf-8")
    saved = {name: os.environ.get(name) for name in _TMP_VARIABLES}
    os.environ.update(dict.fromkeys(_TMP_VARIABLES, str(root)))
    tempfile.tempdir = None  # tempfile caches its choice: make it look again
    try:
        yield root
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        tempfile.tempdir = None
        remove_locked(root)


def sweep_stale(base: Path) -> None:
    """Remove the run directories whose owner is gone, after killing what still runs inside them."""
    stale = [directory for directory in base.glob(f"{RUN_PREFIX}*") if directory.is_dir() and _abandoned(directory)]
    if not stale:
        return
    for process in psutil.process_iter(["pid"]):
        with contextlib.suppress(psutil.Error, OSError, ValueError):
            cwd = Path(process.cwd())
            if any(cwd.is_relative_to(directory) for directory in stale):
                process.kill()
    for directory in stale:
        remove_locked(directory)


def _abandoned(directory: Path) -> bool:
    try:
        pid, created = (directory / _OWNER).read_text(encoding="utf-8").split()
    except FileNotFoundError:
        try:
            return time.time() - directory.stat().st_mtime > _ORPHAN_AGE
        except OSError:
            return False
    except (OSError, ValueError):
        return False
    try:
        return abs(psutil.Process(int(pid)).create_time() - float(created)) > 1
    except psutil.NoSuchProcess:
        return True
    except (psutil.Error, ValueError):
        return False


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


def read_given(path: Path, limit: int, label: str) -> str:
    """A text file the user gave (``-``: standard input), at most ``limit`` characters, or a usage error
    that says why not (``label`` names it: the option and the path)."""
    try:
        if str(path) == "-":
            text = sys.stdin.read(limit + 1)
        else:
            with path.open(encoding="utf-8") as file:
                text = file.read(limit + 1)
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{label}: cannot be read ({getattr(error, 'strerror', None) or error})") from None
    if len(text) > limit:
        raise UsageError(f"{label}: larger than {limit // 1024 // 1024} MB")
    return text


async def remove_tree(path: Path) -> None:
    """Remove a directory tree, whatever is in it.

    ``rm -rf`` where there is one: ``shutil.rmtree`` spends a quarter of a second of Python per
    virtual environment, in every verification. ``shutil.rmtree`` where there is none, or it failed.
    """
    command = remove_command(path)
    if command is not None:
        with contextlib.suppress(CommandFailed, OSError):
            await run(command, trusted=True)
            return
    await anyio.to_thread.run_sync(remove_locked, path)


def remove_locked(path: Path) -> None:
    """Remove a tree, even one that code mcp-verify ran locked: a directory with mode 000, a read-only tree.

    Root reads and unlinks through any mode; an ordinary user cannot, until each directory of its
    own is given back its owner's rights (which a directory's owner may always do).
    """
    shutil.rmtree(path, ignore_errors=True)
    if not os.path.lexists(path):
        return
    _unlock(path)
    shutil.rmtree(path, ignore_errors=True)


def _unlock(directory: Path) -> None:
    """Owner's read, write and search rights on ``directory`` and every directory below it (links not followed)."""
    with contextlib.suppress(OSError):
        if not stat.S_ISDIR(directory.lstat().st_mode):
            return
        os.chmod(directory, stat.S_IRWXU)
        with os.scandir(directory) as entries:
            below = [Path(entry.path) for entry in entries if entry.is_dir(follow_symlinks=False)]
        for entry in below:
            _unlock(entry)


def _project_file(path: Path, project: Path) -> str | None:
    """``path`` relative to the project, as findings name files; None when it lies outside."""
    try:
        return path.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return None


def read_json_object(path: Path, code: str, step: str, root: Path | None = None) -> JsonDocument | Finding:
    """A JSON file's object and text, or the error finding (``code``) that says why not, with line and
    column; named relative to ``root`` when it lies inside it. Bounded in size and depth (``_boundary``)."""
    file = _project_file(path, root) if root is not None else None
    label = file or str(path)
    try:
        text = read_text(path, what=label)
        data = loads_json(text, what=label)
    except InputError as error:
        syntax = "fix the syntax at that line and column (strict JSON: no comments, no trailing commas)"
        hint = syntax if "not valid JSON" in error.problem else "fix or remove it"
        return finding(code, str(error), hint, step=step, file=file, line=error.line)
    if not isinstance(data, dict):
        return finding(code, f"{label} holds a JSON {type(data).__name__}, not an object", step=step, file=file)
    return JsonDocument(data, text, label, file)
