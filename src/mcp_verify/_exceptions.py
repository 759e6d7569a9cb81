"""Errors of the pipeline: each carries the finding that explains it to the user."""

from __future__ import annotations

from ._types import Finding, Severity


class VerifyError(Exception):
    """A stage could not go on; ``str()`` is the message the user reads."""

    step = "verify"

    def __init__(
        self, code: str, message: str, hint: str | None = None, *, file: str | None = None, line: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.file = file
        self.line = line

    def __str__(self) -> str:
        return self.message

    def finding(self) -> Finding:
        return Finding(self.code, Severity.ERROR, self.step, self.message, self.hint, self.file, self.line)


class BuildError(VerifyError):
    step = "build"


class WheelError(VerifyError):
    step = "inspect"


class InstallError(VerifyError):
    step = "install"


class LaunchError(VerifyError):
    step = "launch"


class ServerExited(LaunchError):
    """The server exited (or closed stdout) before the probe was done with it."""

    def __init__(self, step: str, message: str, returncode: int | None, stderr: str) -> None:
        super().__init__("MV201", message)
        self.step = step
        self.returncode = returncode
        self.stderr = stderr


class HandshakeError(VerifyError):
    step = "handshake"


class ListError(VerifyError):
    step = "list"


class UsageError(Exception):
    """The user asked for something impossible (exit 2); ``str()`` is the one-line message."""


class CommandFailed(Exception):
    """A helper command (installer, build hook) exited non-zero; carries its output for the message."""

    def __init__(self, command: list[str], returncode: int, output: str) -> None:
        super().__init__(f"{' '.join(command)} exited with {returncode}")
        self.command = command
        self.returncode = returncode
        self.output = output
