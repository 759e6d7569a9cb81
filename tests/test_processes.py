"""Issue 21.3: a server's family is known by what it cannot shed, not by traits it controls.

Each server here leaves processes behind that shed everything a census could recognise: a double
fork, a session (or only a process group) of their own, ``chdir("/")``, an empty environment, and
for one a kernel thread's name. Several servers run in one invocation, so each survivor must be
reported by the server that started it (MV503, pid and command), killed, and nothing else touched.
They carry no process marker (their environment is empty): each is found by a tag in its arguments.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from .conftest import LINUX_ONLY, run_batch
from .hostile import TOOL
from .rawserver import make_project

pytestmark = [pytest.mark.slow, LINUX_ONLY]  # the keeper is a child subreaper; elsewhere the sweep knows less

HOW = {"raw-shed-a": ("setsid", "setpgid"), "raw-shed-b": ("rename",), "raw-shed-none": ()}


def living(tag: str) -> list[int]:
    """Processes (not zombies) with ``tag`` among their arguments."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if f"0.{tag}".encode() in arguments and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def shed(tmp_path_factory):
    base = tmp_path_factory.mktemp("processes")
    tags = {name: [str(random.randrange(10**8, 10**9)) for _ in hows] for name, hows in HOW.items()}
    escapes = {name: [list(pair) for pair in zip(HOW[name], tags[name], strict=True)] for name in HOW}
    projects = [make_project(base, name, {"tools": [TOOL], "escapes": escapes[name]}) for name in HOW]
    batch = run_batch(projects, base=base)
    left = {tag: living(tag) for each in tags.values() for tag in each}
    return batch, tags, left


def survivors(report):
    return next((item["message"] for item in report["findings"] if item["code"] == "MV503"), "")


def test_every_survivor_is_named_by_the_server_that_started_it(shed):
    batch, tags, _ = shed
    assert batch.result.returncode == 0, batch.result.stdout + batch.result.stderr
    for name, own in tags.items():
        message = survivors(batch.reports[name])
        others = [tag for other, each in tags.items() if other != name for tag in each]
        for tag in own:
            assert f"0.{tag}" in message, (name, message)
        assert not any(tag in message for tag in others), (name, message)
        if own:
            count = len(own)
            assert f"{count} process{'es' * (count != 1)} started by the server" in message
        else:
            assert message == ""


def test_survivors_are_named_by_pid_and_command_even_renamed(shed):
    batch, tags, _ = shed
    setsid, setpgid = tags["raw-shed-a"]
    message = survivors(batch.reports["raw-shed-a"])
    for tag in (setsid, setpgid):
        assert f"sleep 3600 0.{tag}" in message
    [renamed] = tags["raw-shed-b"]
    named = survivors(batch.reports["raw-shed-b"]).split(": ", 1)[1]
    pid, _, command = named.partition(" ")
    assert pid.isdigit()
    assert command == f"[kworker/u8:2] 3600 0.{renamed}"


def test_nothing_that_shed_its_traits_is_left_running(shed):
    batch, _, left = shed
    assert not any(left.values()), left
    assert list(batch.tmp.iterdir()) == []
