"""Issue 13, hostile input: mcp-verify keeps every promise against inputs built to break it.

mcp-verify runs code it did not write (build backends, servers, downloaded releases) and prints
what they say. Whatever they do, each run owes: its exit code (1 for a broken release, 2 for a
usage error, never 3), a one-line cause naming the specific thing, no traceback, no raw control
character in any text-like output (stdout, stderr, every report file; JSON escapes them by
nature), JUnit that parses, no ``--env`` value anywhere, nothing left running, the input tree
untouched, the temporary directory empty and nothing written outside.

The inputs come from ``hostile.py``'s generators. Runs are "jobs", started together in a thread
pool as soon as the first test of this module runs (only the jobs the selected tests need), so
that waiting (a slow index, a timeout) overlaps with work. Several inputs share one run where a
usage error of one cannot hide the others (``Batch``); if the shared run dies anyway (exit 2 or
3), every input is run alone, so that each test still sees its own input's outcome.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import signal
import stat
import subprocess
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from . import hostile
from .conftest import LINUX_ONLY, MARK_VARIABLE, ROOT, command, drain_terminal, environment, processes_with

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

pytestmark = LINUX_ONLY
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Raw control characters no text-like output may carry: C0 but tab and newline, DEL, C1."""
FORMATS = ("json", "text", "junit", "github")
SUFFIX = {"json": "json", "text": "txt", "junit": "xml", "github": "log"}
TRACEBACK = "Traceback (most recent call last)"
GIB = 2**30


# -- one run of the real command ------------------------------------------------------------------


def digest(path: Path) -> str:
    """Every entry under ``path`` (not following links): name, type, mode, size, mtime, small files' bytes."""
    sha = hashlib.sha256()

    def add(entry: Path) -> None:
        info = entry.lstat()
        sha.update(f"{entry.relative_to(path)}\0{info.st_mode}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
        if stat.S_ISLNK(info.st_mode):
            sha.update(os.readlink(entry).encode())
        elif stat.S_ISREG(info.st_mode) and info.st_size <= 2**20:
            try:
                sha.update(entry.read_bytes())
            except OSError as error:
                sha.update(str(error.errno).encode())

    add(path)
    if path.is_dir() and not path.is_symlink():
        for directory, dirs, files in os.walk(path):
            for name in sorted(dirs + files):
                add(Path(directory, name))
    return sha.hexdigest()


def alive(pid: int) -> bool:
    """Running, not a zombie (waiting for us to reap it does not count)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def kill_marked(marker: str) -> None:
    """SIGKILL what a run left behind: only processes with its own marker, each by its id."""
    for _ in range(50):
        pids = processes_with(marker)
        if not pids:
            return
        for pid in pids:
            with suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)


@dataclass(repr=False)
class Outcome:
    """One finished invocation of ``mcp-verify``."""

    argv: list[str]
    returncode: int | None
    """None: it was still running at its time limit (and was killed)."""
    stdout: str
    stderr: str
    files: dict[str, str]
    """The report files it wrote, by name (``json``, ``text``, ``junit``, ``github``, ``summary``, …)."""
    tmpdir: Path
    left_in_tmp: list[str]
    leftovers: list[int]
    """Processes with the run's marker still alive after it exited (killed since)."""
    seconds: float
    changed: list[str]
    """Watched inputs whose digest changed."""
    marker: str
    ended: float = 0.0
    """``time.monotonic()`` when it exited."""
    peak_rss: int = 0
    """Largest resident set of mcp-verify or of any process it waited for, in bytes."""
    extra: Any = None
    """What ``during`` returned."""

    def document(self) -> Any:
        text = self.files.get("json")
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None

    def __repr__(self) -> str:
        return f"<mcp-verify {' '.join(self.argv)[:160]}: exit {self.returncode}>"

    def show(self) -> str:
        return (
            f"exit {self.returncode} after {self.seconds:.1f}s\n"
            f"--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}"
        )


def _drain(stream: Any, into: list[bytes]) -> None:
    with suppress(OSError, ValueError):
        while chunk := stream.read(65536):
            into.append(chunk)


def execute(
    argv: list[str],
    *,
    work: Path,
    files: dict[str, Path] | None = None,
    watch: Iterable[Path] = (),
    env: dict[str, str] | None = None,
    tmp: Path | None = None,
    limit: float = 300.0,
    tty: bool = False,
    during: Callable[[subprocess.Popen[bytes], str], Any] | None = None,
    address_space: int | None = None,
) -> Outcome:
    """Run ``python -m mcp_verify ARGV`` as a user would, with its own TMPDIR and a process marker.

    ``during(process, marker)`` runs while it does (to send signals); ``address_space`` caps its
    virtual memory, so that a run that would eat the machine fails instead.
    """
    import pty  # noqa: PLC0415 - POSIX only, like the rest of this module
    import resource  # noqa: PLC0415

    work.mkdir(parents=True, exist_ok=True)
    tmp = tmp or work / "tmp"
    marker = uuid.uuid4().hex
    argv = [*argv, "--env", f"{MARK_VARIABLE}={marker}"]
    watched = {path: digest(path) for path in watch}
    out: list[bytes] = []
    err: list[bytes] = []
    controller = terminal = None
    if tty:
        controller, terminal = pty.openpty()
    started = time.monotonic()
    process = subprocess.Popen(
        command(*argv),
        cwd=ROOT,
        env=environment(tmp, env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal if tty else subprocess.PIPE,
        start_new_session=True,
    )
    if terminal is not None:
        os.close(terminal)
    if address_space is not None:
        resource.prlimit(process.pid, resource.RLIMIT_AS, (address_space, address_space))
    readers = [threading.Thread(target=_drain, args=(process.stdout, out), daemon=True)]
    if controller is not None:
        readers.append(threading.Thread(target=drain_terminal, args=(controller, err), daemon=True))
    else:
        readers.append(threading.Thread(target=_drain, args=(process.stderr, err), daemon=True))
    for reader in readers:
        reader.start()
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)

    timer = threading.Timer(limit, expire)
    timer.start()
    try:
        extra = during(process, marker) if during is not None else None
    finally:
        _, status, usage = os.wait4(process.pid, 0)
        timer.cancel()
    ended = time.monotonic()
    seconds = ended - started
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join(10)
    if controller is not None:
        os.close(controller)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()
    time.sleep(0.2)  # a process killed a moment ago may not have been reaped by its parent yet
    leftovers = processes_with(marker)
    kill_marked(marker)
    texts = {}
    for name, path in (files or {}).items():
        if path.is_file():
            texts[name] = path.read_bytes().decode("utf-8", errors="replace")
    return Outcome(
        argv=argv,
        returncode=None if expired.is_set() else process.returncode,
        stdout=b"".join(out).decode("utf-8", errors="replace"),
        stderr=b"".join(err).decode("utf-8", errors="replace"),
        files=texts,
        tmpdir=tmp,
        left_in_tmp=sorted(os.listdir(tmp)),
        leftovers=leftovers,
        seconds=seconds,
        changed=[str(path) for path, before in watched.items() if digest(path) != before],
        marker=marker,
        ended=ended,
        peak_rss=usage.ru_maxrss * 1024,
        extra=extra,
    )


def run_format(
    paths: list[Path],
    output_format: str,
    *,
    work: Path,
    args: Iterable[str] = (),
    watch: Iterable[Path] = (),
    env: dict[str, str] | None = None,
    limit: float = 300.0,
    more_files: dict[str, Path] | None = None,
) -> Outcome:
    """``mcp-verify PATHS --format FORMAT -o FILE ARGS`` (and GITHUB_STEP_SUMMARY for github)."""
    work.mkdir(parents=True, exist_ok=True)
    report = work / f"report.{SUFFIX[output_format]}"
    files = {output_format: report, **(more_files or {})}
    env = dict(env or {})
    if output_format == "github":
        files["summary"] = work / "summary.md"
        env["GITHUB_STEP_SUMMARY"] = str(files["summary"])
    argv = [*map(str, paths), "--format", output_format, "-o", str(report), *args]
    return execute(argv, work=work, files=files, watch=watch, env=env, limit=limit)


# -- what every run owes ----------------------------------------------------------------------------


def raw_controls(text: str) -> list[str]:
    """Each raw control character with what surrounds it, for a readable failure."""
    return [repr(text[max(0, m.start() - 40) : m.end() + 40]) for m in CONTROL.finditer(text)][:5]


def xml_text(document: str) -> str:
    """Every text and attribute value of an XML document, decoded."""
    root = ET.fromstring(document.encode())
    parts = []
    for element in root.iter():
        parts += [element.text or "", element.tail or "", *element.attrib.values()]
    return "\n".join(parts)


def assert_promises(outcome: Outcome, exits: Iterable[int] = (0, 1), *, alone_in_tmp: bool = True) -> None:
    """What every run owes, whatever it was given (``alone_in_tmp``: no other run shares its TMPDIR)."""
    assert outcome.returncode is not None, f"still running after its time limit\n{outcome.show()}"
    assert outcome.returncode in set(exits), outcome.show()
    assert TRACEBACK not in outcome.stderr, f"a traceback\n{outcome.show()}"  # a server's may be in a report
    for name, text in [("stdout", outcome.stdout), ("stderr", outcome.stderr), *outcome.files.items()]:
        found = raw_controls(text)
        assert not found, f"raw control characters in {name}: {found}"
    for name, text in outcome.files.items():
        if name == "junit" or text.startswith("<?xml"):
            try:
                ET.fromstring(text.encode())
            except ET.ParseError as error:
                pytest.fail(f"the JUnit report does not parse: {error}")
    if alone_in_tmp:
        assert outcome.left_in_tmp == [], f"left in TMPDIR: {outcome.left_in_tmp}"
    assert outcome.leftovers == [], f"still running after the run: {outcome.leftovers}"
    assert outcome.changed == [], f"inputs changed: {outcome.changed}"


def reports_of(document: Any) -> list[dict[str, Any]]:
    if document is None:
        return []
    return document.get("projects", [document])


@dataclass
class Case:
    """One input's outcome: its report (from a shared run or its own), and the run it came from."""

    name: str
    label: str
    report: dict[str, Any] | None
    outcome: Outcome
    alone: bool

    @property
    def exit_code(self) -> int | None:
        if self.alone or self.report is None:
            return self.outcome.returncode
        return 0 if self.report["ok"] else 1

    def findings(self, *severities: str) -> list[dict[str, Any]]:
        found = self.report["findings"] if self.report else []
        return [finding for finding in found if not severities or finding["severity"] in severities]

    def lines(self, *severities: str) -> list[str]:
        """The lines a cause may be told in: finding messages, and a usage error's line on stderr."""
        lines = [line for f in self.findings(*severities) for line in (f["message"] or "").splitlines()]
        if self.report is None:
            lines += self.outcome.stderr.splitlines()
        return lines

    def show(self) -> str:
        codes = [f"{f['severity']} {f['code']}: {f['message'][:300]}" for f in self.findings()]
        return f"{self.name}: exit {self.exit_code}\nfindings: {json.dumps(codes, indent=1)}\n{self.outcome.show()}"


def strings(data: Any) -> Iterator[str]:
    """Every string in decoded JSON data, keys too."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from strings(item)


def matches(line: str, token: str | re.Pattern[str]) -> bool:
    return bool(token.search(line)) if isinstance(token, re.Pattern) else token in line


def assert_named(case: Case, *tokens: str | re.Pattern[str], severities: Iterable[str] = ("error",)) -> str:
    """One line of an error finding (or of a usage error) names every token."""
    for line in case.lines(*severities):
        if all(matches(line, token) for token in tokens):
            return line
    pytest.fail(f"no one line names {tokens}\n{case.show()}")


def boundary(name: str) -> re.Pattern[str]:
    """``name`` as a whole path component (``.env`` is not ``.env.production``, ``.git`` not ``.gitignore``)."""
    return re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])")


# -- control characters made visible -----------------------------------------------------------------

_NAMED = {0: "0", 7: "a", 8: "b", 9: "t", 10: "n", 11: "v", 12: "f", 13: "r", 27: "e"}


def visible_char(character: str) -> str:
    """A regular expression for the ways a control character can be shown: ``\\x1b``, ``\\u001b``,
    ``\\033``, ``\\e``, ``^[``, ``␛``, ``<U+001B>``, ``M-^[`` (C1, as ``cat -v``)."""
    code = ord(character)
    forms = [
        rf"\\[xX]{code:02x}",
        rf"\\u00{code:02x}",
        rf"\\U000000{code:02x}",
        rf"\\u\{{0*{code:x}\}}",
        rf"\\0?{code:03o}",
        rf"<(?:U\+|0x)?0*{code:x}>",
        rf"U\+00{code:02x}",
    ]
    if code in _NAMED:
        forms.append(rf"\\{_NAMED[code]}")
    if code < 32:
        forms += [re.escape("^" + chr(code + 64)), chr(0x2400 + code)]
    elif code == 127:
        forms += [re.escape("^?"), "\u2421"]
    elif 0x80 <= code < 0xA0:
        forms.append(re.escape("M-^" + chr(code - 0x80 + 64)))
    return "(?i:" + "|".join(forms) + ")"


def visible(text: str) -> re.Pattern[str]:
    """``text`` as a text-like output must show it: every control character made visible."""
    return re.compile("".join(visible_char(c) if CONTROL.match(c) else re.escape(c) for c in text))


# -- the jobs, run in the background ------------------------------------------------------------------

JOBS: dict[str, tuple[str, Callable[[Jobs], Any]]] = {}
"""Job name to (pool, function). ``cpu`` jobs work; ``wait`` jobs mostly wait (timeouts, slow indexes).
A test reads job ``NAME`` through the fixture ``NAME_job``, which is how the jobs to start are known."""


def job(pool: str = "cpu") -> Callable[[Callable[[Jobs], Any]], Callable[[Jobs], Any]]:
    def register(function: Callable[[Jobs], Any]) -> Callable[[Jobs], Any]:
        JOBS[function.__name__] = (pool, function)
        return function

    return register


class Jobs:
    """The session's jobs: each started once, in its pool, its result kept for every test that reads it."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.pools = {"cpu": ThreadPoolExecutor(3, "hostile-cpu"), "wait": ThreadPoolExecutor(8, "hostile-wait")}
        self.futures: dict[str, Future[Any]] = {}
        self.lock = threading.Lock()

    def start(self, name: str) -> Future[Any]:
        with self.lock:
            if name not in self.futures:
                pool, function = JOBS[name]
                self.futures[name] = self.pools[pool].submit(function, self)
            return self.futures[name]

    def get(self, name: str) -> Any:
        return self.start(name).result()

    def directory(self, name: str) -> Path:
        path = self.base / f"{name}-{uuid.uuid4().hex[:8]}"
        path.mkdir(parents=True)
        return path

    def close(self) -> None:
        for pool in self.pools.values():
            pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Jobs]:
    started = Jobs(tmp_path_factory.mktemp("hostile"))
    yield started
    started.close()


@pytest.fixture(scope="module", autouse=True)
def _start_jobs(request: pytest.FixtureRequest, jobs: Jobs) -> None:
    """Start, at once, every job a selected test of this module reads: waits and work overlap.

    The jobs that mostly wait go first, then the others in the order they are defined (longest first)."""
    fixtures = {name for item in request.session.items for name in getattr(item, "fixturenames", ())}
    needed = {name.removesuffix("_job") for name in fixtures if name.removesuffix("_job") in JOBS}
    for name in sorted(needed, key=lambda name: (JOBS[name][0] != "wait", list(JOBS).index(name))):
        jobs.start(name)


@dataclass
class Batch:
    """Several inputs verified by one run per format; an input's own run where the shared one died."""

    inputs: dict[str, Path]
    runs: dict[str, Outcome]
    alone: dict[str, Outcome] = field(default_factory=dict)

    def case(self, name: str) -> Case:
        label = str(self.inputs[name])
        if name in self.alone:
            outcome = self.alone[name]
            reports = reports_of(outcome.document())
            return Case(name, label, reports[0] if reports else None, outcome, alone=True)
        outcome = self.runs["json"]
        report = next((r for r in reports_of(outcome.document()) if r["project"] == label), None)
        return Case(name, label, report, outcome, alone=False)


def batch(
    work: Path,
    inputs: dict[str, Path],
    formats: Iterable[str] = ("json",),
    *,
    args: Iterable[str] = (),
    watch: Iterable[Path] = (),
    env: dict[str, str] | None = None,
    more_files: dict[str, dict[str, Path]] | None = None,
) -> Batch:
    """Run every format over all inputs; if the JSON run has no report for them, run each input alone."""
    args, watch = list(args), list(watch)
    runs = {
        output_format: run_format(
            list(inputs.values()),
            output_format,
            work=work / f"run-{output_format}",
            args=args,
            watch=watch,
            env=env,
            more_files=(more_files or {}).get(output_format),
        )
        for output_format in formats
    }
    result = Batch(inputs, runs)
    labels = {report["project"] for report in reports_of(runs["json"].document())}
    if runs["json"].returncode in (0, 1) and labels >= {str(path) for path in inputs.values()}:
        return result
    with ThreadPoolExecutor(2) as pool:
        alone = {
            name: pool.submit(run_format, [path], "json", work=work / f"alone-{name}", args=args, watch=[path], env=env)
            for name, path in inputs.items()
        }
        result.alone = {name: future.result() for name, future in alone.items()}
    return result


# -- jobs: artifacts ----------------------------------------------------------------------------------

ARTIFACTS: dict[str, tuple[Callable[[Path, Path], Path], tuple[str | re.Pattern[str], ...]]] = {
    # name: (generator(directory, canary directory), what the one-line cause names)
    "good": (lambda d, c: hostile.good_wheel(d), ()),
    "entry-points-latin1": (lambda d, c: hostile.wheel_with_latin1_entry_points(d), ("entry_points.txt",)),
    "wheel-dotdot-member": (
        lambda d, c: hostile.wheel_with_member(
            d, "mvt-h-dotdot", hostile.escaping_member(c / "dotdot-escaped.txt", absolute=False)
        ),
        ("dotdot-escaped.txt",),
    ),
    "wheel-absolute-member": (
        lambda d, c: hostile.wheel_with_member(
            d, "mvt-h-absolute", hostile.escaping_member(c / "absolute-escaped.txt", absolute=True)
        ),
        ("absolute-escaped.txt",),
    ),
    "wheel-encrypted-metadata": (
        lambda d, c: hostile.wheel_with_encrypted_metadata(d),
        ("METADATA", re.compile("encrypt", re.IGNORECASE)),
    ),
    "wheel-undecodable-name": (lambda d, c: hostile.wheel_with_undecodable_member_name(d), ("BADN",)),
    "wheel-record-hash": (lambda d, c: hostile.wheel_with_lying_record(d, "hash"), ("RECORD", "server.py")),
    "wheel-record-size": (lambda d, c: hostile.wheel_with_lying_record(d, "size"), ("RECORD", "__init__.py")),
    "sdist-garbage": (lambda d, c: hostile.garbage_sdist_next_to_wheel(d), ("mvt_h_garbage-1.0.0.tar.gz",)),
    "sdist-truncated": (lambda d, c: hostile.truncated_sdist_next_to_wheel(d), ("mvt_h_truncated-1.0.0.tar.gz",)),
    "sdist-absolute-member": (
        lambda d, c: hostile.sdist_with_member(d, "mvt-h-sdist-abs", f"{c}/abs-member.txt", wheel=True),
        ("abs-member.txt",),
    ),
    "sdist-dotdot-member": (
        lambda d, c: hostile.sdist_with_member(d, "mvt-h-sdist-dotdot", "../dotdot-member.txt", wheel=True),
        ("dotdot-member.txt",),
    ),
    "sdist-alone-absolute-member": (
        lambda d, c: hostile.sdist_with_member(d, "mvt-h-alone-abs", f"{c}/abs-member.txt", wheel=False),
        ("abs-member.txt",),
    ),
    "sdist-alone-dotdot-member": (
        lambda d, c: hostile.sdist_with_member(d, "mvt-h-alone-dotdot", "../dotdot-member.txt", wheel=False),
        ("dotdot-member.txt",),
    ),
    "secrets": (lambda d, c: hostile.artifacts_with_secrets(d), ()),
}


@dataclass
class Artifacts:
    batch: Batch
    canary: Path


@job()
def artifacts(jobs: Jobs) -> Artifacts:
    work = jobs.directory("artifacts")
    inputs_root, canary = work / "inputs", work / "canary"
    canary.mkdir()
    inputs = {name: generate(inputs_root / name, canary) for name, (generate, _) in ARTIFACTS.items()}
    return Artifacts(batch(work, inputs, ("json", "text"), watch=[inputs_root]), canary)


WHATEVER_THE_INSTALLER = ("wheel-dotdot-member", "wheel-record-hash", "wheel-record-size")


@job()
def artifacts_pip(jobs: Jobs) -> Artifacts:
    """The wheels whose lies uv and pip judge differently, installed with pip."""
    work = jobs.directory("artifacts-pip")
    inputs_root, canary = work / "inputs", work / "canary"
    canary.mkdir()
    inputs = {name: ARTIFACTS[name][0](inputs_root / name, canary) for name in WHATEVER_THE_INSTALLER}
    return Artifacts(batch(work, inputs, args=["--installer", "pip"], watch=[inputs_root]), canary)


# -- jobs: servers and projects ---------------------------------------------------------------------

ESCAPES = {
    "server": lambda d: hostile.good_wheel(d, "mvt-h-esc-server", hostile.ESCAPE_SERVER),
    "crash": lambda d: hostile.good_wheel(d, "mvt-h-esc-crash", hostile.ESCAPE_CRASH),
    "stray": lambda d: hostile.good_wheel(d, "mvt-h-esc-stray", hostile.ESCAPE_STRAY),
    "names": hostile.artifacts_with_escapes,
}


@job()
def escapes(jobs: Jobs) -> Batch:
    work = jobs.directory("escapes")
    inputs = {name: generate(work / "inputs" / name) for name, generate in ESCAPES.items()}
    return batch(work, inputs, FORMATS, watch=[work / "inputs"])


@job()
def terminal(jobs: Jobs) -> Outcome:
    """The escape server, with mcp-verify's stderr (its progress) on a pseudo-terminal."""
    work = jobs.directory("tty")
    path = hostile.good_wheel(work / "inputs", "mvt-h-esc-tty", hostile.ESCAPE_SERVER)
    report = work / "report.txt"
    return execute([str(path), "-o", str(report)], work=work, files={"text": report}, watch=[path], tty=True)


@dataclass
class Secrets:
    values: tuple[str, str]
    """The value given with --env, the value given in the --env-file."""
    batch: Batch


@job()
def env(jobs: Jobs) -> Secrets:
    work = jobs.directory("env")
    values = (f"mvt-env-{uuid.uuid4().hex}", f"mvt-file-{uuid.uuid4().hex}")
    env_file = work / "server.env"
    env_file.write_text(f"# the server's secrets\n{hostile.SECRET_FROM_FILE}={values[1]}\n")
    inputs = {
        "echo": hostile.good_wheel(work / "inputs" / "echo", "mvt-h-env-echo", hostile.ENV_ECHO),
        "crash": hostile.good_wheel(work / "inputs" / "crash", "mvt-h-env-crash", hostile.ENV_CRASH),
    }
    snapshot = work / "snapshot.json"
    args = ["--env", f"{hostile.SECRET_FROM_ENV}={values[0]}", "--env-file", str(env_file)]
    result = batch(
        work,
        inputs,
        FORMATS,
        args=[*args, "--snapshot", str(snapshot), "--update-snapshot"],
        watch=[work / "inputs"],
        more_files={"json": {"snapshot": snapshot}},
    )
    return Secrets(values, result)


@job()
def daemon(jobs: Jobs) -> Outcome:
    work = jobs.directory("daemon")
    path = hostile.good_wheel(work / "inputs", "mvt-h-daemon", hostile.DAEMON)
    return run_format([path], "json", work=work, watch=[path])


TIMEOUT_METHODS = ("initialize", "ping", "tools/list")


@job("wait")
def timeouts(jobs: Jobs) -> Batch:
    work = jobs.directory("timeouts")
    inputs = {
        method: hostile.good_wheel(
            work / "inputs" / method.replace("/", "-"), f"mvt-h-deaf-{index}", hostile.ignoring(method)
        )
        for index, method in enumerate(TIMEOUT_METHODS)
    }
    return batch(work, inputs, args=["--timeout", "6"], watch=[work / "inputs"])


HUGE_LINE = 100_000_000


@job()
def huge_line(jobs: Jobs) -> Outcome:
    work = jobs.directory("huge-line")
    path = hostile.good_wheel(work / "inputs", "mvt-h-huge-line", hostile.huge_line(HUGE_LINE))
    return execute(
        [str(path), "--format", "json", "-o", str(work / "report.json"), "--timeout", "30"],
        work=work,
        files={"json": work / "report.json"},
        watch=[path],
        limit=120,
        address_space=4 * GIB,
    )


TREES = {
    "secrets": hostile.project_with_secrets,
    "symlink": lambda root: hostile.project_with_outside_symlink(root, root.parent / "outside"),
    "large": hostile.project_with_large_file,
}


@job()
def trees(jobs: Jobs) -> Batch:
    work = jobs.directory("trees")
    inputs = {name: generate(work / "inputs" / name) for name, generate in TREES.items()}
    return batch(work, inputs, watch=[work / "inputs"])


def alone_in_a_tree(jobs: Jobs, name: str, generate: Callable[[Path], Path]) -> Case:
    """A tree that may make a usage error: verified by a run of its own, bounded in time."""
    work = jobs.directory(name)
    project = generate(work / "inputs")
    outcome = execute(
        [str(project), "--format", "json", "-o", str(work / "report.json")],
        work=work,
        files={"json": work / "report.json"},
        watch=[work / "inputs"],
        limit=180,
    )
    reports = reports_of(outcome.document())
    return Case(name, str(project), reports[0] if reports else None, outcome, alone=True)


@job()
def fifo(jobs: Jobs) -> Case:
    return alone_in_a_tree(jobs, "fifo", hostile.project_with_fifo)


@job()
def socket(jobs: Jobs) -> Case:
    return alone_in_a_tree(jobs, "socket", hostile.project_with_socket)


@job()
def overlong(jobs: Jobs) -> Case:
    return alone_in_a_tree(jobs, "overlong", hostile.project_with_overlong_path)


@job()
def unreadable(jobs: Jobs) -> Case:
    return alone_in_a_tree(jobs, "unreadable", hostile.project_with_unreadable_file)


# -- jobs: indexes -------------------------------------------------------------------------------


@dataclass
class Download:
    outcome: Outcome
    served: hostile.Served


@job()
def nul_index(jobs: Jobs) -> Download:
    work = jobs.directory("nul-index")
    with hostile.nul_filename_index(work / "files") as served:
        spec = f"{hostile.NUL_PROJECT}=={hostile.VERSION}"
        outcome = run_format(
            [], "json", work=work, args=["--from-index", spec, "--index-url", served.url], watch=[work / "files"]
        )
    return Download(outcome, served)


SLOW_DEADLINE = 120
"""Seconds within which a run against an index that never finishes a page must end (with --build-timeout 30)."""


@job("wait")
def slow_index(jobs: Jobs) -> Download:
    work = jobs.directory("slow-index")
    with hostile.slow_index() as served:
        args = ["--from-index", f"{hostile.SLOW_PROJECT}==1.0.0", "--index-url", served.url, "--build-timeout", "30"]
        outcome = run_format([], "json", work=work, args=args, limit=SLOW_DEADLINE + 5)
    return Download(outcome, served)


def interrupt_download(jobs: Jobs, name: str, signals: int) -> Download:
    """SIGTERM (``signals`` times, 0.3 s apart) once the slow index has been asked for the page."""
    work = jobs.directory(name)

    def terminate(process: subprocess.Popen[bytes], marker: str) -> float | None:
        if not served.requested.wait(120):
            return None
        time.sleep(0.5)
        sent = time.monotonic()
        for _ in range(signals):
            if alive(process.pid):
                os.kill(process.pid, signal.SIGTERM)
            time.sleep(0.3)
        while alive(process.pid) and time.monotonic() < sent + 20:
            time.sleep(0.05)
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # still running 20 s after SIGTERM: the test fails
        return sent

    with hostile.slow_index() as served:
        spec = f"{hostile.SLOW_PROJECT}==1.0.0"
        argv = ["--from-index", spec, "--index-url", served.url, "--format", "json"]
        outcome = execute(argv, work=work, during=terminate, limit=150)
    return Download(outcome, served)


@job("wait")
def sigterm(jobs: Jobs) -> Download:
    return interrupt_download(jobs, "sigterm", 1)


@job("wait")
def two_sigterms(jobs: Jobs) -> Download:
    return interrupt_download(jobs, "two-sigterms", 2)


@job()
def huge_page(jobs: Jobs) -> Download:
    work = jobs.directory("huge-page")
    with hostile.huge_page_index() as served:
        args = ["--from-index", f"{hostile.HUGE_PROJECT}==1.0.0", "--index-url", served.url]
        report = work / "report.json"
        outcome = execute(
            [*args, "--format", "json", "-o", str(report)],
            work=work,
            files={"json": report},
            limit=150,
            address_space=2 * GIB,
        )
    return Download(outcome, served)


# -- jobs: run directories and -o ----------------------------------------------------------------------


@dataclass
class Stale:
    killed: Outcome
    stale: list[str]
    """What the killed run left in TMPDIR."""
    next_run: Outcome


@job()
def stale(jobs: Jobs) -> Stale:
    """kill -9 a run while its server runs, then run again with the same TMPDIR."""
    work = jobs.directory("stale")
    tmp = work / "tmp"
    slow = hostile.good_wheel(work / "inputs" / "slow", "mvt-h-stale-slow", hostile.slow_start(5))
    good = hostile.good_wheel(work / "inputs" / "good", "mvt-h-stale-good")

    def kill_when_serving(process: subprocess.Popen[bytes], marker: str) -> None:
        deadline = time.monotonic() + 120
        while not processes_with(marker) and alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)

    killed = execute([str(slow), "--timeout", "60"], work=work / "killed", tmp=tmp, during=kill_when_serving)
    stale = sorted(os.listdir(tmp))
    next_run = execute(
        [str(good), "--format", "json", "-o", str(work / "next.json")],
        work=work / "next",
        tmp=tmp,
        files={"json": work / "next.json"},
        watch=[good],
    )
    return Stale(killed, stale, next_run)


@dataclass
class Concurrent:
    first: Outcome
    second: Outcome
    seen: list[str]
    """The first run's directory, as seen while both ran."""


@job()
def concurrent(jobs: Jobs) -> Concurrent:
    """A second run in the same TMPDIR while the first one's server is still starting: both must pass."""
    work = jobs.directory("concurrent")
    tmp = work / "tmp"
    slow = hostile.good_wheel(work / "inputs" / "slow", "mvt-h-live-slow", hostile.slow_start(6))
    good = hostile.good_wheel(work / "inputs" / "good", "mvt-h-live-good")
    second: list[Outcome] = []
    seen: list[str] = []

    def run_second(process: subprocess.Popen[bytes], marker: str) -> None:
        deadline = time.monotonic() + 120
        while not processes_with(marker) and alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        seen.extend(os.listdir(tmp))
        second.append(execute([str(good)], work=work / "second", tmp=tmp, watch=[good]))

    first = execute([str(slow), "--timeout", "60"], work=work / "first", tmp=tmp, during=run_second, watch=[slow])
    return Concurrent(first, second[0], seen)


@job()
def dev_stdout(jobs: Jobs) -> Outcome:
    work = jobs.directory("dev-stdout")
    path = hostile.good_wheel(work / "inputs")
    return execute([str(path), "--format", "json", "-o", "/dev/stdout"], work=work, watch=[path])


@dataclass
class Device:
    outcome: Outcome | None
    path: Path
    before: os.stat_result | None


@job()
def chardev(jobs: Jobs) -> Device:
    """-o a character device of our own (a second /dev/null, made with mknod): never the real one."""
    work = jobs.directory("chardev")
    device = work / "devices" / "null"
    device.parent.mkdir()
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except OSError:
        return Device(None, device, None)
    before = device.stat()
    path = hostile.good_wheel(work / "inputs")
    outcome = execute([str(path), "--format", "json", "-o", str(device)], work=work, watch=[path])
    return Device(outcome, device, before)


# -- fixtures: job NAME's result is fixture NAME_job ---------------------------------------------------


@pytest.fixture(scope="session")
def artifacts_job(jobs: Jobs) -> Artifacts:
    return jobs.get("artifacts")


@pytest.fixture(scope="session")
def artifacts_pip_job(jobs: Jobs) -> Artifacts:
    return jobs.get("artifacts_pip")


@pytest.fixture(scope="session")
def escapes_job(jobs: Jobs) -> Batch:
    return jobs.get("escapes")


@pytest.fixture(scope="session")
def terminal_job(jobs: Jobs) -> Outcome:
    return jobs.get("terminal")


@pytest.fixture(scope="session")
def env_job(jobs: Jobs) -> Secrets:
    return jobs.get("env")


@pytest.fixture(scope="session")
def daemon_job(jobs: Jobs) -> Outcome:
    return jobs.get("daemon")


@pytest.fixture(scope="session")
def timeouts_job(jobs: Jobs) -> Batch:
    return jobs.get("timeouts")


@pytest.fixture(scope="session")
def huge_line_job(jobs: Jobs) -> Outcome:
    return jobs.get("huge_line")


@pytest.fixture(scope="session")
def trees_job(jobs: Jobs) -> Batch:
    return jobs.get("trees")


@pytest.fixture(scope="session")
def fifo_job(jobs: Jobs) -> Case:
    return jobs.get("fifo")


@pytest.fixture(scope="session")
def socket_job(jobs: Jobs) -> Case:
    return jobs.get("socket")


@pytest.fixture(scope="session")
def overlong_job(jobs: Jobs) -> Case:
    return jobs.get("overlong")


@pytest.fixture(scope="session")
def unreadable_job(jobs: Jobs) -> Case:
    return jobs.get("unreadable")


@pytest.fixture(scope="session")
def nul_index_job(jobs: Jobs) -> Download:
    return jobs.get("nul_index")


@pytest.fixture(scope="session")
def slow_index_job(jobs: Jobs) -> Download:
    return jobs.get("slow_index")


@pytest.fixture(scope="session")
def sigterm_job(jobs: Jobs) -> Download:
    return jobs.get("sigterm")


@pytest.fixture(scope="session")
def two_sigterms_job(jobs: Jobs) -> Download:
    return jobs.get("two_sigterms")


@pytest.fixture(scope="session")
def huge_page_job(jobs: Jobs) -> Download:
    return jobs.get("huge_page")


@pytest.fixture(scope="session")
def stale_job(jobs: Jobs) -> Stale:
    return jobs.get("stale")


@pytest.fixture(scope="session")
def concurrent_job(jobs: Jobs) -> Concurrent:
    return jobs.get("concurrent")


@pytest.fixture(scope="session")
def dev_stdout_job(jobs: Jobs) -> Outcome:
    return jobs.get("dev_stdout")


@pytest.fixture(scope="session")
def chardev_job(jobs: Jobs) -> Device:
    return jobs.get("chardev")


# == usage errors: quick, one line, nothing run ==============================================================


def usage(tmp_path: Path, *argv: str, watch: Iterable[Path] = ()) -> Outcome:
    outcome = execute(list(argv), work=tmp_path / "run", watch=watch, limit=60)
    assert_promises(outcome, exits=(2,))
    # click's own "Usage: …" and "Try '… --help'" lines may frame it
    lines = [line for line in outcome.stderr.splitlines() if line.strip() and not line.startswith(("Usage:", "Try '"))]
    assert len(lines) == 1, f"a usage error is one line on stderr, before any step runs:\n{outcome.stderr}"
    assert outcome.stdout == ""
    return outcome


def special_file(kind: str, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    if kind == "devnull":
        return Path(os.devnull)
    if kind == "socket":
        return hostile.unix_socket(directory / "verify-me")
    path = directory / ("pkg-1.0-py3-none-any.whl" if kind == "fifo-whl" else "verify-me")
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("kind", ["fifo", "fifo-whl", "socket", "devnull"])
def test_a_special_file_as_path_is_a_usage_error(tmp_path, kind):
    path = special_file(kind, tmp_path / "inputs")
    outcome = usage(tmp_path, str(path), watch=[tmp_path / "inputs"] if kind != "devnull" else ())
    assert str(path) in outcome.stderr
    assert stat.S_ISCHR(Path(os.devnull).stat().st_mode)


def test_a_malformed_env_entry_is_not_echoed(tmp_path):
    secret = f"mvt-secret-{uuid.uuid4().hex}"
    path = hostile.good_wheel(tmp_path / "inputs")
    for entry in (secret, f"={secret}"):
        outcome = usage(tmp_path, str(path), "--env", entry)
        assert secret not in outcome.stderr + outcome.stdout, outcome.stderr
        assert "--env" in outcome.stderr


def test_a_malformed_env_file_line_is_not_echoed(tmp_path):
    secret = f"mvt-secret-{uuid.uuid4().hex}"
    env_file = tmp_path / "server.env"
    env_file.write_text(f"MVT_OK=1\n{secret}\n")
    path = hostile.good_wheel(tmp_path / "inputs")
    outcome = usage(tmp_path, str(path), "--env-file", str(env_file))
    assert secret not in outcome.stderr + outcome.stdout, outcome.stderr
    named = f"{env_file}:2" in outcome.stderr or (str(env_file) in outcome.stderr and "line 2" in outcome.stderr)
    assert named, f"the file and the line are named, not the line's text:\n{outcome.stderr}"


def test_output_under_a_regular_file_is_refused_before_the_run(tmp_path):
    regular = tmp_path / "notes.txt"
    regular.write_text("a file, not a directory\n")
    path = hostile.good_wheel(tmp_path / "inputs")
    outcome = usage(tmp_path, str(path), "--format", "json", "-o", str(regular / "report.json"))
    assert str(regular) in outcome.stderr
    assert regular.read_text() == "a file, not a directory\n"


def test_output_under_proc_is_refused_before_the_run(tmp_path):
    target = f"/proc/mcp-verify-{uuid.uuid4().hex}.json"
    path = hostile.good_wheel(tmp_path / "inputs")
    outcome = usage(tmp_path, str(path), "--format", "json", "-o", target)
    assert "/proc" in outcome.stderr


# == broken artifacts ===============================================================================


@pytest.mark.slow
@pytest.mark.parametrize("output_format", ["json", "text"])
def test_broken_artifacts_keep_every_promise(artifacts_job, output_format):
    run = artifacts_job.batch.runs[output_format]
    assert_promises(run, exits=(1,))


@pytest.mark.slow
@pytest.mark.parametrize("name", [name for name, (_, tokens) in ARTIFACTS.items() if tokens])
def test_a_broken_artifact_fails_naming_its_cause(artifacts_job, name):
    case = artifacts_job.batch.case(name)
    if case.alone:
        assert_promises(case.outcome, exits=(1,))
    assert case.exit_code == 1, case.show()
    assert_named(case, *ARTIFACTS[name][1])


@pytest.mark.slow
@pytest.mark.pip
@pytest.mark.parametrize("name", WHATEVER_THE_INSTALLER)
def test_a_lying_wheel_fails_with_pip_too(artifacts_pip_job, name):
    case = artifacts_pip_job.batch.case(name)
    assert_promises(case.outcome, exits=(1,))
    assert case.exit_code == 1, case.show()
    assert_named(case, *ARTIFACTS[name][1])
    assert list(artifacts_pip_job.canary.iterdir()) == []


@pytest.mark.slow
def test_the_good_wheel_beside_them_passes(artifacts_job):
    case = artifacts_job.batch.case("good")
    assert case.exit_code == 0, case.show()
    assert case.findings("error", "warning") == [], case.show()


@pytest.mark.slow
def test_no_member_is_written_outside(artifacts_job):
    assert list(artifacts_job.canary.iterdir()) == []


SHIPPED_SECRETS = [
    ".env",
    ".mcpregistry_github_token",
    ".mcpregistry_registry_token",
    ".mcp.json",
    "claude_desktop_config.json",
    "id_rsa",
    "key.pem",
    ".git",
    ".pytest_cache",
    ".env.production",
    "id_ed25519",
]


@pytest.mark.slow
@pytest.mark.parametrize("secret", SHIPPED_SECRETS)
def test_a_secret_or_developer_file_in_an_artifact_is_an_error(artifacts_job, secret):
    case = artifacts_job.batch.case("secrets")
    if case.alone:
        assert_promises(case.outcome, exits=(1,))
    assert case.exit_code == 1, case.show()
    assert_named(case, boundary(secret))


# == terminal injection ===============================================================================

# what reaches each text-like output, to be shown with its control characters made visible
VISIBLE = {
    "text": [
        hostile.ESC_SERVER_NAME,
        hostile.ESC_TOOL_NAME,
        hostile.ESC_DESCRIPTION,
        hostile.ESC_PROMPT_NAME,
        hostile.ESC_STDERR,
        hostile.ESC_CRASH,
        hostile.ESC_STRAY,
        hostile.ESC_MEMBER,
    ],
    "junit": [hostile.ESC_TOOL_NAME, hostile.ESC_STDERR, hostile.ESC_CRASH, hostile.ESC_STRAY],
    "github": [hostile.ESC_SERVER_NAME, hostile.ESC_TOOL_NAME, hostile.ESC_CRASH, hostile.ESC_STRAY],
    "summary": [hostile.ESC_DESCRIPTION],
    "progress": [hostile.ESC_SERVER_NAME],  # the handshake step's line; a failed step may say less than its finding
}


@pytest.mark.slow
@pytest.mark.parametrize("output_format", FORMATS)
def test_control_characters_never_reach_an_output_raw(escapes_job, output_format):
    assert_promises(escapes_job.runs[output_format], exits=(1,))


@pytest.mark.slow
@pytest.mark.parametrize("where", list(VISIBLE))
def test_control_characters_are_shown_visibly(escapes_job, where):
    runs = escapes_job.runs
    documents = {
        "text": lambda: runs["text"].files.get("text", ""),
        "junit": lambda: xml_text(runs["junit"].files.get("junit", "<none/>")),
        "github": lambda: runs["github"].files.get("github", ""),
        "summary": lambda: runs["github"].files.get("summary", ""),
        "progress": lambda: runs["text"].stderr,
    }
    document = documents[where]()
    missing = [repr(text) for text in VISIBLE[where] if not visible(text).search(document)]
    assert not missing, f"not shown (with control characters made visible) in {where}: {missing}\n{document[-4000:]}"


@pytest.mark.slow
def test_the_json_report_keeps_what_the_server_said(escapes_job):
    reports = {name: escapes_job.case(name).report for name in ESCAPES}
    server = reports["server"]
    assert server is not None, escapes_job.case("server").show()
    assert server["server"]["name"] == hostile.ESC_SERVER_NAME
    assert server["server"]["version"] == hostile.ESC_SERVER_VERSION
    assert [tool["name"] for tool in server["tools"]] == [hostile.ESC_TOOL_NAME]
    assert server["tools"][0]["description"] == hostile.ESC_DESCRIPTION + hostile.ESC_DESCRIPTION_TAIL
    assert [prompt["name"] for prompt in server["prompts"]] == [hostile.ESC_PROMPT_NAME]
    assert hostile.ESC_STDERR in server["server"]["stderr_tail"]
    # what mcp-verify quotes in its own messages may be quoted raw (JSON escapes it) or made visible already
    for name, said in [("crash", hostile.ESC_CRASH), ("stray", hostile.ESC_STRAY), ("names", hostile.ESC_MEMBER)]:
        shown = visible(said)
        assert any(said in text or shown.search(text) for text in strings(reports[name])), escapes_job.case(name).show()


# mcp-verify's own terminal sequences: redraw the live lines (ESC [nF, ESC [J, ESC [K, ESC [2K, CR),
# colours (but not ESC [8m, hidden text); not ESC [2J (clear the screen), which the server's name has
_OWN_SEQUENCES = re.compile(r"\x1b\[\d*F|\x1b\[0?[JK]|\x1b\[2K|\x1b\[(?!(?:[\d;]*;)?8(?:;[\d;]*)?m)[\d;]*m|\r")


@pytest.mark.slow
def test_a_terminal_gets_no_escape_from_the_server(terminal_job):
    assert terminal_job.returncode == 1, terminal_job.show()
    written = _OWN_SEQUENCES.sub("", terminal_job.stderr)
    assert not raw_controls(written), f"raw control characters on the terminal: {raw_controls(written)}"
    assert visible(hostile.ESC_SERVER_NAME).search(written), written[-3000:]


# == --env values ======================================================================================


@pytest.mark.slow
@pytest.mark.parametrize("output_format", FORMATS)
def test_env_values_appear_in_no_output(env_job, output_format):
    run = env_job.batch.runs[output_format]
    assert_promises(run, exits=(1,))
    for name, text in [("stdout", run.stdout), ("stderr", run.stderr), *run.files.items()]:
        for value in env_job.values:
            assert value not in text, f"the value of an --env variable is in {name}"


@pytest.mark.slow
def test_env_values_did_reach_the_server(env_job):
    report = env_job.batch.case("echo").report
    assert report is not None, env_job.batch.case("echo").show()
    description = report["tools"][0]["description"]
    assert description.startswith("token "), description
    assert "{env:" not in description, "the server did not get the variables: the test proves nothing"
    crash = env_job.batch.case("crash")
    assert_named(crash, "bad credentials")
    assert "snapshot" in env_job.batch.runs["json"].files, "--update-snapshot wrote no snapshot"


# == processes =======================================================================================


@pytest.mark.slow
def test_a_daemon_is_found_killed_and_reported(daemon_job):
    assert daemon_job.leftovers == [], "the double-forked daemon outlived the run"
    assert_promises(daemon_job, exits=(0,))
    report = daemon_job.document()
    codes = [finding["code"] for finding in report["findings"]]
    assert "MV503" in codes, codes
    assert next(step for step in report["steps"] if step["name"] == "shutdown")["status"] == "warn"


UNANSWERED = re.compile(r"timed out|unanswered|no answer|not answer|did not reply", re.I)


@pytest.mark.slow
@pytest.mark.parametrize("method", TIMEOUT_METHODS)
def test_a_timeout_names_the_request_left_unanswered(timeouts_job, method):
    """The finding names the request (a server that never answers ping may be only a warning)."""
    case = timeouts_job.case(method)
    if case.alone:
        assert_promises(case.outcome, exits=(0, 1))
    if method != "ping":
        assert case.exit_code == 1, case.show()
    assert_named(case, method, UNANSWERED, severities=("error", "warning"))


@pytest.mark.slow
def test_a_timeout_batch_keeps_every_promise(timeouts_job):
    assert_promises(timeouts_job.runs["json"], exits=(1,))


TOO_LONG = re.compile(r"too (?:long|large|big)|(?:longer|larger|more) than|exceed|limit|maximum|\bcap", re.I)


@pytest.mark.slow
def test_a_huge_line_is_refused_in_bounded_time(huge_line_job):
    run = huge_line_job
    assert_promises(run, exits=(1,))
    assert run.seconds < 60, f"took {run.seconds:.0f} s"
    report = run.document()
    case = Case("huge-line", report["project"], report, run, alone=True)
    said = [line for line in case.lines("error") if TOO_LONG.search(line) and "timed out" not in line]
    assert said, f"no finding says the line was too long\n{case.show()}"
    assert not [f for f in case.findings() if f["code"] == "MV301"], f"a line too long is not a timeout\n{case.show()}"


# == project trees =================================================================================


@pytest.mark.slow
def test_trees_keep_every_promise(trees_job):
    assert_promises(trees_job.runs["json"], exits=(1,))


@pytest.mark.slow
def test_shipped_secrets_of_a_project_are_errors(trees_job):
    case = trees_job.case("secrets")
    assert case.report is not None, case.show()
    shipped = [*((case.report["sdist"] or {}).get("files") or []), *((case.report["wheel"] or {}).get("files") or [])]
    secrets = [name for name in SHIPPED_SECRETS if any(boundary(name).search(path) for path in shipped)]
    assert {".env", ".mcpregistry_github_token", ".mcp.json", "key.pem"} <= set(secrets), shipped
    assert case.exit_code == 1, case.show()
    for name in secrets:
        assert_named(case, boundary(name))


@pytest.mark.slow
def test_a_symlink_to_outside_the_project_is_named(trees_job):
    case = trees_job.case("symlink")
    assert case.report is not None, case.show()
    assert any(hostile.OUTSIDE_FILE in path for path in case.report["sdist"]["files"]), "the link's files ship"
    assert_named(case, hostile.LINK_NAME, severities=("warning", "error"))


@pytest.mark.slow
def test_a_very_large_file_is_named(trees_job):
    case = trees_job.case("large")
    assert_named(case, hostile.LARGE_NAME, severities=("warning", "error"))


def assert_special_file_named(case: Case, *tokens: str | re.Pattern[str]) -> None:
    """A finding (error or warning) or a usage error names the file and what it is; nothing hangs."""
    assert_promises(case.outcome, exits=(0, 1, 2))
    assert_named(case, *tokens, severities=("error", "warning"))


@pytest.mark.slow
def test_a_fifo_in_the_project_is_named(fifo_job):
    assert_special_file_named(fifo_job, hostile.FIFO_NAME, re.compile(r"fifo|named pipe", re.I))


@pytest.mark.slow
def test_a_socket_in_the_project_is_named(socket_job):
    assert_special_file_named(socket_job, hostile.SOCKET_NAME, re.compile("socket", re.I))


@pytest.mark.slow
def test_an_over_long_path_in_the_project_is_named(overlong_job):
    assert_special_file_named(overlong_job, re.compile(f"{hostile.OVERLONG_TOP}|{hostile.OVERLONG_LEAF}"))


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode: no file is unreadable to root")
def test_an_unreadable_file_in_the_project_is_named(unreadable_job):
    assert_special_file_named(unreadable_job, hostile.UNREADABLE_NAME)


# == --from-index =====================================================================================

NUL_SHOWN = re.compile(r"%00|\\x00|\\0|\\u0000|NUL|null (?:byte|character)", re.I)


@pytest.mark.slow
def test_an_index_file_name_with_nul_is_named(nul_index_job):
    run = nul_index_job.outcome
    assert_promises(run, exits=(1, 2))
    reports = reports_of(run.document())
    case = Case("nul", hostile.NUL_PROJECT, reports[0] if reports else None, run, alone=True)
    assert_named(case, NUL_SHOWN)
    if case.report is not None:
        assert [f["code"] for f in case.findings("error")] == ["MV106"], case.show()


@pytest.mark.slow
def test_a_slow_index_is_given_up_on(slow_index_job):
    run, served = slow_index_job.outcome, slow_index_job.served
    assert run.returncode is not None, f"still waiting after {run.seconds:.0f} s"
    assert run.seconds < SLOW_DEADLINE, f"gave up only after {run.seconds:.0f} s"
    assert_promises(run, exits=(1,))
    report = run.document()
    case = Case("slow", hostile.SLOW_PROJECT, report, run, alone=True)
    line = assert_named(case, f"127.0.0.1:{served.port}")
    assert any(f["code"] == "MV106" and line in f["message"] for f in case.findings()), case.show()


def assert_interrupted_promptly(download: Download) -> None:
    """Exit 143 within seconds of the signal, the temporary directory empty, nothing left running."""
    run = download.outcome
    assert run.extra is not None, f"the index was never asked for the page\n{run.show()}"
    assert run.ended - run.extra < 10, f"still running {run.ended - run.extra:.0f} s after SIGTERM"
    assert run.returncode == 128 + signal.SIGTERM, run.show()
    assert TRACEBACK not in run.stderr
    assert run.left_in_tmp == [], f"left in TMPDIR: {run.left_in_tmp}"
    assert run.leftovers == []


@pytest.mark.slow
def test_sigterm_during_a_download_ends_the_run_and_cleans_up(sigterm_job):
    assert_interrupted_promptly(sigterm_job)


@pytest.mark.slow
def test_a_second_sigterm_during_a_download_still_cleans_up(two_sigterms_job):
    assert_interrupted_promptly(two_sigterms_job)


@pytest.mark.slow
def test_a_huge_index_page_is_capped(huge_page_job):
    run, served = huge_page_job.outcome, huge_page_job.served
    assert_promises(run, exits=(1,))
    assert run.seconds < 120
    assert served.sent, "the page was never asked for"
    assert served.sent[0] < GIB, "mcp-verify read the whole 1 GiB page"
    assert run.peak_rss < GIB, f"peak RSS {run.peak_rss / 2**20:.0f} MiB"
    case = Case("huge-page", hostile.HUGE_PROJECT, run.document(), run, alone=True)
    line = assert_named(case, f"127.0.0.1:{served.port}")
    assert any(f["code"] == "MV106" and line in f["message"] for f in case.findings()), case.show()


# == run directories and -o =================================================================================


@pytest.mark.slow
def test_the_next_run_removes_a_stale_run_directory(stale_job):
    assert stale_job.killed.returncode == -signal.SIGKILL, stale_job.killed.show()
    assert any(name.startswith("mcp-verify-run-") for name in stale_job.stale), stale_job.stale
    assert_promises(stale_job.next_run, exits=(0,))


@pytest.mark.slow
def test_a_live_run_directory_is_left_alone(concurrent_job):
    assert concurrent_job.seen, "the first run's directory was not there while it ran"
    assert_promises(concurrent_job.second, exits=(0,), alone_in_tmp=False)  # the first run is still on
    assert_promises(concurrent_job.first, exits=(0,))


@pytest.mark.slow
def test_output_to_dev_stdout_in_a_pipe_delivers_the_report(dev_stdout_job):
    assert_promises(dev_stdout_job, exits=(0,))
    assert json.loads(dev_stdout_job.stdout)["ok"] is True


@pytest.mark.slow
def test_output_to_a_character_device_keeps_the_device(chardev_job):
    if chardev_job.outcome is None:
        pytest.skip("cannot make a character device here (mknod needs root)")
    after = chardev_job.path.stat()
    assert stat.S_ISCHR(after.st_mode), "the character device was replaced by a regular file"
    assert after.st_rdev == chardev_job.before.st_rdev
    assert sorted(os.listdir(chardev_job.path.parent)) == ["null"], "temporary files beside the device"
    assert_promises(chardev_job.outcome, exits=(0,))


# == arbitrary names and lines (hypothesis: one run per example) ================================================

_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=24)
_MEMBER = st.builds(
    lambda prefix, body: prefix + body, st.sampled_from(["", "pkg/", "./", "../", "/", "pkg/../../"]), _TEXT
).filter(lambda name: not name.endswith("/") and name.strip("./"))


def unsafe(member: str) -> bool:
    return member.startswith("/") or posixpath.normpath(member).split("/")[0] == ".."


_SERVER_STRINGS = st.fixed_dictionaries(
    {"name": _TEXT, "tool": _TEXT, "description": _TEXT, "stderr": _TEXT, "line": _TEXT.filter(lambda s: "\n" not in s)}
)


@pytest.mark.slow
def test_arbitrary_member_names_and_server_strings(tmp_path_factory):
    """Drawn member names (``..``, ``/``, any character) and drawn server strings, a batch run per example.

    The examples run inside this test rather than as a Hypothesis test of pytest's, so that a failure
    is reported as an ordinary one (with the falsifying example) and costs no shrinking.
    """

    @settings(
        max_examples=3,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(members=st.lists(_MEMBER, min_size=3, max_size=3, unique=True), server=_SERVER_STRINGS)
    def verify_example(members: list[str], server: dict[str, str]) -> None:
        work = tmp_path_factory.mktemp("arbitrary")
        inputs = work / "inputs"
        paths = {}
        for index, drawn in enumerate(members):
            name = f"mvt-h-any-{index}"
            member = drawn.replace("pkg/", f"{hostile.module_name(name)}/", 1)
            if member in hostile.wheel_members(name, hostile.PLAIN):
                member += "_"
            paths[member] = hostile.wheel_with_member(inputs / f"member-{index}", name, member)
        tool = {"name": server["tool"], "description": server["description"], "inputSchema": {"type": "object"}}
        behaviour = {"name": server["name"], "tools": [tool], "stderr": server["stderr"] + "\n"}
        listing = hostile.good_wheel(inputs / "listing", "mvt-h-any-listing", behaviour)
        stray = hostile.good_wheel(inputs / "stray", "mvt-h-any-stray", {"write_at_start": [server["line"]]})
        run = run_format([*paths.values(), listing, stray], "text", work=work / "run", watch=[inputs], limit=240)
        assert_promises(run, exits=(0, 1))
        for member, path in paths.items():
            if unsafe(member):
                assert f"FAIL  {path}:" in run.files["text"], f"{member!r} escapes the environment, yet no FAIL"

    verify_example()
