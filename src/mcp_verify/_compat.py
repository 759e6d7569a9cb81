"""Differences between the supported Pythons, in one place."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

__all__ = ["tomllib", "unwrapped"]

if sys.version_info >= (3, 11):
    from builtins import BaseExceptionGroup
else:  # pragma: no cover - exercised on 3.10 only
    from exceptiongroup import BaseExceptionGroup


def unwrap_group(error: BaseException) -> BaseException:
    """The one real error inside a task group's exception group (cancellations are noise)."""
    while isinstance(error, BaseExceptionGroup):
        real: list[BaseException] = [
            leaf for leaf in error.exceptions if not isinstance(leaf, BaseExceptionGroup) or leaf.exceptions
        ]
        if len(real) != 1:
            break
        error = real[0]
    return error


@contextmanager
def unwrapped() -> Iterator[None]:
    """Let an error raised inside a task group out as itself, not as a one-member exception group."""
    try:
        yield
    except BaseExceptionGroup as group:
        raise unwrap_group(group) from None
