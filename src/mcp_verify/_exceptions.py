"""Errors: a stage that cannot go on raises a ``VerifyError`` carrying the finding that says why.

``str()`` of every error is the one line the user reads. ``UsageError`` is the user's mistake
(exit 2); a ``VerifyError`` ends up in the report (exit 1); anything else is a bug (exit 3).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ._catalogue import finding as _finding

if TYPE_CHECKING:
    from typing_extensions import Self


class VerifyError(Exception):
    """A stage could not go on; ``finding`` says why, ``str()`` is its message."""

    def __init__(
        self,
        code: str,
        message: str,
        hint: str | None = None,
        *,
        step: str | None = None,
        file: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.finding = _finding(code, message, hint, step=step, file=file, line=line)

    def __str__(self) -> str:
        return self.finding.message

    @property
    def code(self) -> str:
        return self.finding.code

    @property
    def step(self) -> str:
        return self.finding.step

    @property
    def message(self) -> str:
        return self.finding.message

    def at(self, step: str) -> Self:
        """This error, as found in ``step`` (an error of one kind can stop several steps)."""
        self.finding = replace(self.finding, step=step)
        return self


class BuildError(VerifyError):
    """The sdist or the wheel could not be built, downloaded or unpacked."""


class WheelError(VerifyError):
    """The wheel cannot be read or installed safely."""


class InstallError(VerifyError):
    """The environment could not be made, or the wheel not installed."""


class LaunchError(VerifyError):
    """The server could not be started, or died before it answered."""


class HandshakeError(VerifyError):
    """The server did not complete the initialize handshake."""


class ListError(VerifyError):
    """The server could not be listed (it exited or stopped answering while listing)."""


class ServerExited(LaunchError):
    """The server exited (or closed stdout) before the probe was done with it."""

    def __init__(self, step: str, message: str, returncode: int | None, stderr: str) -> None:
        super().__init__("MV201", message, step=step)
        self.returncode = returncode
        self.stderr = stderr


class UsageError(Exception):
    """The user asked for something impossible (exit 2); ``str()`` is the one-line message."""


class CommandFailed(Exception):
    """A helper command (installer, build hook) exited non-zero; carries its output for the message."""

    def __init__(self, command: list[str], returncode: int, output: str) -> None:
        super().__init__(f"{' '.join(command)} exited with {returncode}")
        self.command = command
        self.returncode = returncode
        self.output = output


__all__ = [
    "BuildError",
    "CommandFailed",
    "HandshakeError",
    "InstallError",
    "LaunchError",
    "ListError",
    "ServerExited",
    "UsageError",
    "VerifyError",
    "WheelError",
]
