"""The steps of one report while they run: timing, progress lines, and the one place that decides
which step failed and what was skipped because of it."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ._exceptions import UsageError, VerifyError
from ._types import STEPS, Severity, Status, StepResult

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from ._types import Finding

ORDER: tuple[str, ...] = (
    "build",
    "inspect",
    "registry",
    "install",
    "launch",
    "handshake",
    "list",
    "calls",
    "shutdown",
    "snapshot",
)
"""Where each step stands in a report; the pipeline's own steps and the checks that run beside them."""


class Progress(Protocol):
    """Told when each step starts (``done`` false) and ends, so long runs never look stuck."""

    def __call__(self, project: str, step: StepResult, done: bool) -> None: ...


def silent(project: str, step: StepResult, done: bool) -> None:
    """The default progress: nothing."""


@dataclass
class Step:
    """A step being run: the pipeline sets its message, a check may mark it ``warn``."""

    name: str
    status: Status = Status.SKIP
    seconds: float = 0.0
    message: str = ""

    def result(self) -> StepResult:
        return StepResult(self.name, self.status, round(self.seconds, 3), self.message)


class StepLog:
    """The steps of one report, in report order; optional ones exist once ``expect`` names them."""

    def __init__(self, label: str, progress: Progress = silent, extra: Iterable[str] = ()) -> None:
        self.label = label
        self.progress = progress
        wanted = set(STEPS) | set(extra)
        self._steps = {name: Step(name) for name in ORDER if name in wanted}

    def fork(self, label: str) -> StepLog:
        """A copy for one leg of a target (its build and inspect steps are shared history)."""
        log = StepLog(label, self.progress)
        log._steps = {
            name: Step(step.name, step.status, step.seconds, step.message) for name, step in self._steps.items()
        }
        return log

    def expect(self, name: str) -> None:
        """Add an optional step (a check that will run), skipped until it does; a step of a name of its
        own (``read notes://all``) goes before shutdown, in the order added."""
        self._steps.setdefault(name, Step(name))
        last = ORDER.index("shutdown") - 0.5
        rank = {key: float(ORDER.index(key)) if key in ORDER else last for key in self._steps}
        self._steps = dict(sorted(self._steps.items(), key=lambda item: rank[item[0]]))

    def __contains__(self, name: str) -> bool:
        return name in self._steps

    def __getitem__(self, name: str) -> Step:
        return self._steps[name]

    @contextmanager
    def run(self, name: str) -> Iterator[Step]:
        """Time a step and tell the progress; it passes unless it raises or something marked it otherwise."""
        step = self._steps[name]
        self.progress(self.label, step.result(), False)
        started = time.perf_counter()
        try:
            yield step
            if step.status == Status.SKIP:
                step.status = Status.PASS
        except (VerifyError, UsageError) as error:  # shown failed at once; ``failed`` records the finding
            step.status = Status.FAIL
            step.message = _first_line(str(error))
            raise
        finally:
            step.seconds = time.perf_counter() - started
            self.progress(self.label, step.result(), True)

    def record(self, name: str, findings: Iterable[Finding], message: str, seconds: float = 0.0) -> None:
        """A step that only checks, or that ran out of sight: ``warn`` when it found anything but advice."""
        step = self._steps[name]
        step.seconds = seconds
        found = list(findings)
        step.status = Status.WARN if any(f.severity != Severity.INFO for f in found) else Status.PASS
        worst = next((f for f in found if f.severity == Severity.ERROR), None) or next(
            (f for f in found if f.severity == Severity.WARNING), None
        )
        step.message = message
        if worst is not None:
            step.message = _first_line(worst.message)
            if len(found) > 1:
                step.message += f" (and {len(found) - 1} more)"
        self.progress(self.label, step.result(), True)

    def warn(self, name: str, message: str | None = None) -> None:
        """Mark a step whose work was done as having a problem that a finding explains."""
        step = self._steps[name]
        if step.status != Status.FAIL:
            step.status = Status.WARN
            if message:
                step.message = message

    def stopped(self) -> str:
        """The step that failed (``build`` when none has yet): where a target's own usage problem is found."""
        return next((step.name for step in self._steps.values() if step.status == Status.FAIL), "build")

    def failed(self, error: VerifyError) -> None:
        """Record the step an error stopped (if ``run`` did not already)."""
        step = self._steps[error.step] if error.step in self._steps else self._steps["build"]
        step.status = Status.FAIL
        step.message = step.message or _first_line(error.message)

    def results(self) -> tuple[StepResult, ...]:
        """The steps as the report shows them: after the first failure, every later step is skipped."""
        failed = next((step.name for step in self._steps.values() if step.status == Status.FAIL), None)
        results = []
        after_failure = False
        for step in self._steps.values():
            if after_failure:
                results.append(StepResult(step.name, Status.SKIP, 0.0, f"skipped: {failed} failed"))
                continue
            if step.status == Status.SKIP and not step.message:
                step.message = "skipped"
            results.append(step.result())
            after_failure = step.status == Status.FAIL
        return tuple(results)


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""
