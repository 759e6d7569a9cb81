"""Bytecode for a fresh environment from a content-addressed store, so its first start does not compile.

Run as a script by the environment's own interpreter (its magic number and cache tag are the
ones that count), with the standard library only: ``python -I _bytecode.py STORE SITE-PACKAGES...``.

Each ``.py`` file a distribution's RECORD lists is keyed by the sha256 that RECORD gives for it.
The store keeps one hash-checked ``.pyc`` per key: the interpreter checks it against the source
it sits beside on every import, so a stale or mismatched entry is recompiled, never trusted. A
key missing from the store is compiled once; afterwards each environment only gets hard links.
What a server then runs is exactly what it runs after ``pip install``, which compiles bytecode too.
"""

from __future__ import annotations

import csv
import errno
import os
import py_compile
import shutil
import sys
import tempfile
from importlib.util import cache_from_source
from pathlib import Path


def _sources(site_packages: Path, record: Path) -> list[tuple[Path, str]]:
    """The ``.py`` files of one distribution inside ``site_packages``, with their RECORD hashes."""
    found = []
    with record.open(newline="", encoding="utf-8") as file:
        for row in csv.reader(file):
            if len(row) < 2 or not row[0].endswith(".py") or not row[1].startswith("sha256="):
                continue
            relative = Path(row[0])
            if not relative.is_absolute() and ".." not in relative.parts:  # scripts live outside
                found.append((site_packages / relative, row[1].removeprefix("sha256=")))
    return found


def _compile(source: Path, stored: Path) -> bool:
    """Compile ``source`` into the store; false when it cannot be (a syntax error, an unwritable store)."""
    temporary = None
    try:
        stored.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=stored.parent, suffix=".tmp")
        os.close(handle)
        py_compile.compile(
            str(source),
            cfile=temporary,
            dfile=str(source),
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
        )
        os.replace(temporary, stored)  # atomic: another run may be storing the same key
    except (py_compile.PyCompileError, OSError):
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        return False
    return True


def _link(stored: Path, target: Path) -> None:
    try:
        os.link(stored, target)
    except FileExistsError:
        pass
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        shutil.copyfile(stored, target)  # the store is on another filesystem


def add_bytecode(store: Path, site_packages: Path) -> tuple[int, int]:
    """Give every installed ``.py`` file its bytecode; return how many were linked and compiled.

    A distribution whose first module already has bytecode is taken as done (an earlier pass,
    or an installer that compiles), which keeps a second pass after the final install cheap.
    """
    if sys.implementation.cache_tag is None:  # an implementation that does not cache bytecode
        return 0, 0
    linked = compiled = 0
    tag = store / sys.implementation.cache_tag
    made: set[Path] = set()
    for record in site_packages.glob("*.dist-info/RECORD"):
        sources = _sources(site_packages, record)
        if not sources or Path(cache_from_source(str(sources[0][0]))).exists():
            continue
        for source, digest in sources:
            stored = tag / digest[:2] / f"{digest}.pyc"
            if not stored.exists():
                if not source.is_file() or not _compile(source, stored):
                    continue
                compiled += 1
            target = Path(cache_from_source(str(source)))
            if target.parent not in made:
                target.parent.mkdir(exist_ok=True)
                made.add(target.parent)
            _link(stored, target)
            linked += 1
    return linked, compiled


def main(arguments: list[str]) -> None:
    store, *directories = map(Path, arguments)
    counts = [add_bytecode(store, directory) for directory in directories]
    print(sum(linked for linked, _ in counts), sum(compiled for _, compiled in counts))


if __name__ == "__main__":
    main(sys.argv[1:])
