"""Issue 21, the boundary: outside data read within bounds, and one validation for every front door.

Whatever a file is (100 000 levels deep, larger than any real one, ``/dev/zero``, a FIFO, a
directory), mcp-verify ends with a usage error (exit 2) or a finding (exit 1) whose one line names
the file, with no traceback, under a memory limit, leaving nothing behind. The command line,
``[tool.mcp-verify]`` and ``verify()`` refuse the same bad values, each naming the option as it is
spelled there. An unpacked sdist is the release it was unpacked from: verified as a directory and
through ``--from-index``, it gets the same finding codes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tarfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mcp_verify import UsageError, verify
from mcp_verify._boundary import InputError, parse_env, read_json, read_text, read_toml
from mcp_verify._catalogue import CATALOGUE
from mcp_verify._checks.contents import shipped, wheel_lint
from mcp_verify._checks.server import check_identity
from mcp_verify._options import RULES, Options
from mcp_verify._project import settings
from mcp_verify._types import Member, Sdist, Wheel

from . import hostile, rawserver
from .conftest import PACKAGES, run_batch, tree_digest
from .test_hostile import GIB, TRACEBACK, assert_promises, execute

if TYPE_CHECKING:
    from collections.abc import Callable

DEEP = 100_000
"""Levels of nesting: far past any recursion limit."""
MIB = 2**20
SECRET = f"mvt-secret-{uuid.uuid4().hex}"


def deep_json() -> str:
    return "[" * DEEP + "]" * DEEP


def deep_toml() -> str:
    return "[tool.deep]\nvalue = " + "[" * DEEP + "]" * DEEP + "\n"


# == the parsers, on real files ==================================================================


def special(kind: str, directory: Path) -> Path:
    """A file that is not a regular one: ``/dev/zero``, a FIFO, a directory."""
    if kind == "devzero":
        return Path("/dev/zero")
    path = directory / f"special-{kind}"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    return path


KINDS = {"devzero": "a character device", "fifo": "a FIFO (named pipe)", "directory": "a directory"}
"""How a message names each kind."""


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("read", [read_text, read_json, lambda path, what: read_toml(path, what=what)[0]])
def test_a_file_that_is_not_regular_is_refused_unread(tmp_path, kind, read):
    path = special(kind, tmp_path)
    with pytest.raises(InputError) as caught:
        read(path, what=f"the {kind}")
    assert str(caught.value) == f"the {kind} is {KINDS[kind]}, not a regular file"


@pytest.mark.parametrize(
    ("text", "read", "said"),
    [
        (deep_json(), read_json, "is nested more than 100 levels deep"),
        ("[" * 101 + "]" * 101, read_json, "is nested more than 100 levels deep"),
        (deep_toml(), lambda path, what: read_toml(path, what=what), "is nested more than 100 levels deep"),
        ('{"a": NaN}', read_json, "is not valid JSON: NaN is not a JSON number"),
        ('{"a": 1,}', read_json, "is not valid JSON: Expecting property name enclosed in double quotes"),
        ("a = [1,,]\n", lambda path, what: read_toml(path, what=what), "is not valid TOML: Invalid value"),
        (" " * (4 * MIB + 1), read_json, "is larger than 4 MiB"),
    ],
)
def test_documents_are_bounded_in_depth_and_size(tmp_path, text, read, said):
    path = tmp_path / "document"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        read(path, what="document")
    assert str(caught.value).startswith(f"document {said}")


def test_a_document_within_the_bounds_is_read(tmp_path):
    path = tmp_path / "ok.json"
    path.write_text("[" * 100 + "]" * 100)
    value, depth = read_json(path, what="ok"), 0
    while value is not None:
        value, depth = (value[0] if value else None), depth + 1
    assert depth == 100


def test_text_that_is_not_utf8_names_the_byte_and_line(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b"a = 1\nb = 'caf\xe9'\n")
    with pytest.raises(InputError) as caught:
        read_text(path, what="latin1.toml")
    assert caught.value.line == 2
    assert "is not UTF-8 text (invalid continuation byte at byte 14, line 2)" in str(caught.value)


# == .env files =======================================================================================

ENVIRON = {"HOME": "/home/tester"}


def test_the_env_file_syntax():
    text = (
        "# the server's settings\n"
        "\n"
        "export API_URL=https://example.test/v1  # a comment\n"
        "HASH=abc#def\n"
        "SINGLE='no ${HOME} here'\n"
        'DOUBLE="line\\nnext \\"quoted\\""\n'
        "MULTI='one\n"
        "two'\n"
        "SPACED = a b \r\n"
        "FROM_FILE=${API_URL}/x\n"
        "FROM_ENV=${HOME}/.cache\n"
        "DEFAULT=${MISSING:-fallback}\n"
        "EMPTY=\n"
    )
    assert parse_env(text, what="f", environ=ENVIRON) == {
        "API_URL": "https://example.test/v1",
        "HASH": "abc#def",
        "SINGLE": "no ${HOME} here",
        "DOUBLE": 'line\nnext "quoted"',
        "MULTI": "one\ntwo",
        "SPACED": "a b",
        "FROM_FILE": "https://example.test/v1/x",
        "FROM_ENV": "/home/tester/.cache",
        "DEFAULT": "fallback",
        "EMPTY": "",
    }


MALFORMED_ENV = {
    "colon": (f"OK=1\nAPI_KEY: {SECRET}\n", 2, "is not NAME=VALUE"),
    "no-equals": (f"OK=1\n\n# fine\n{SECRET}\n", 4, "is not NAME=VALUE"),
    "unclosed": (f'OK=1\nTOKEN="{SECRET}\nNEXT=2\n', 2, 'opens a " quote that is never closed'),
    "after-quote": (f"TOKEN='{SECRET}' {SECRET}\n", 1, "has text after the closing quote"),
    "nul": (f"OK=1\nOTHER=2\nTOKEN={SECRET}\x00\n", 3, "holds a NUL character"),
    "bad-name": (f"1TOKEN={SECRET}\n", 1, "is not NAME=VALUE"),
}


@pytest.mark.parametrize("case", list(MALFORMED_ENV))
def test_a_malformed_env_line_is_named_by_number_never_shown(case):
    text, line, problem = MALFORMED_ENV[case]
    with pytest.raises(InputError) as caught:
        parse_env(text, what="--env-file x.env:", environ={})
    assert str(caught.value) == f"--env-file x.env: line {line} {problem} (its text is not shown)"
    assert caught.value.line == line


# == usage errors through the real command, under a memory limit ==================================


def usage_inputs(work: Path) -> dict[str, tuple[list[str], tuple[str, ...]]]:
    """Name: (arguments after PATH, what the one line on stderr names). Nothing may run."""
    work.mkdir(parents=True)
    fifo = special("fifo", work)
    directory = special("directory", work)
    huge = work / "huge.env"
    huge.write_bytes(b"A=" + b"x" * (2 * MIB) + b"\n")
    cases: dict[str, tuple[list[str], tuple[str, ...]]] = {}
    for option in ("--snapshot", "--server-json", "--env-file"):
        for kind, path in (("devzero", Path("/dev/zero")), ("fifo", fifo), ("directory", directory)):
            cases[f"{option[2:]}-{kind}"] = ([option, str(path)], (option, str(path), KINDS[kind]))
    cases["env-file-huge"] = (["--env-file", str(huge)], ("--env-file", str(huge), "larger than 1 MiB"))
    for name, (text, line, problem) in MALFORMED_ENV.items():
        path = work / f"{name}.env"
        path.write_text(text)
        cases[f"env-file-{name}"] = (["--env-file", str(path)], (f"--env-file {path}: line {line}", problem))
    # one argument holds at most 128 KiB (MAX_ARG_STRLEN): 30 000 levels still overflow any recursion limit
    call = "tool=" + "[" * 30_000 + "]" * 30_000
    cases["call-deep"] = (["--call", call], ("--call tool", "nested more than 100 levels"))
    cases["call-nan"] = (["--call", 'tool={"a": NaN}'], ("--call tool", "NaN is not a JSON number"))
    return cases


@pytest.fixture(scope="module")
def usage_runs(tmp_path_factory):
    work = tmp_path_factory.mktemp("usage")
    wheel = hostile.good_wheel(work / "inputs")
    cases = usage_inputs(work / "files")

    def run(name: str) -> Any:
        argv = [str(wheel), *cases[name][0]]
        return execute(argv, work=work / name, watch=[work / "inputs"], limit=60, address_space=GIB)

    with ThreadPoolExecutor(3) as pool:
        outcomes = dict(zip(cases, pool.map(run, cases), strict=True))
    return cases, outcomes


@pytest.mark.parametrize(
    "name",
    [
        *(f"{option}-{kind}" for option in ("snapshot", "server-json", "env-file") for kind in KINDS),
        "env-file-huge",
        *(f"env-file-{name}" for name in MALFORMED_ENV),
        "call-deep",
        "call-nan",
    ],
)
def test_outside_files_and_texts_are_usage_errors_naming_them(usage_runs, name):
    cases, outcomes = usage_runs
    outcome = outcomes[name]
    assert_promises(outcome, exits=(2,))
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"one line on stderr, before anything runs:\n{outcome.stderr}"
    for token in cases[name][1]:
        assert token in lines[0], f"{token!r} not named: {lines[0]}"
    assert SECRET not in outcome.stderr + outcome.stdout
    assert outcome.stdout == ""
    assert outcome.peak_rss < 256 * MIB, f"peak RSS {outcome.peak_rss / MIB:.0f} MiB"


# == findings through the real command: a release's files, bounded ================================


def deep_project(root: Path) -> Path:
    return rawserver.make_project(root, "mvt-b-deep-toml", hostile.PLAIN, settings="\n" + deep_toml())


def huge_project(root: Path) -> Path:
    project = rawserver.make_project(root, "mvt-b-huge-toml", hostile.PLAIN)
    with (project / "pyproject.toml").open("a") as file:
        file.write("# padding\n" * (MIB // 2))
    return project


def deep_sdist(root: Path) -> Path:
    """An sdist alone (its wheel would be built from it) whose pyproject.toml is 100 000 levels deep."""
    name = "mvt-b-deep-sdist"
    members = hostile.sdist_members(name, hostile.PLAIN)
    pyproject = f"{hostile.module_name(name)}-{hostile.VERSION}/pyproject.toml"
    members[pyproject] += ("\n" + deep_toml()).encode()
    return hostile.write_sdist(root, name, members)


def huge_pkg_info(root: Path) -> Path:
    """A good wheel beside an sdist whose PKG-INFO is 20 MiB (20 kB compressed)."""
    name = "mvt-b-pkg-info"
    hostile.raw_wheel(root, name, hostile.PLAIN)
    members = hostile.sdist_members(name, hostile.PLAIN)
    members[f"{hostile.module_name(name)}-{hostile.VERSION}/PKG-INFO"] += b"\n" + b"x" * (20 * MIB)
    hostile.write_sdist(root, name, members)
    return root


def huge_metadata(root: Path) -> Path:
    """A wheel whose METADATA is 20 MiB."""
    name = "mvt-b-metadata"
    members = hostile.wheel_members(name, hostile.PLAIN)
    members[f"{hostile.module_name(name)}-{hostile.VERSION}.dist-info/METADATA"] += b"x" * (20 * MIB)
    hostile.write_wheel(root, name, members)
    return root


def bomb_sdist(root: Path) -> Path:
    """A directory with an sdist alone whose last member says it holds 2 GiB (and holds a megabyte of
    zeros): a bomb is refused at its header, before its data is read or anything is unpacked."""
    name = "mvt-b-bomb"
    base = f"{hostile.module_name(name)}-{hostile.VERSION}"
    blocks = []
    for member, data in hostile.sdist_members(name, hostile.PLAIN).items():
        info = tarfile.TarInfo(member)
        info.size = len(data)
        blocks += [info.tobuf(), data, bytes(-len(data) % tarfile.BLOCKSIZE)]
    bomb = tarfile.TarInfo(f"{base}/zeros.bin")
    bomb.size = 2 * GIB
    blocks += [bomb.tobuf(), bytes(MIB)]
    root.mkdir(parents=True)
    (root / f"{base}.tar.gz").write_bytes(gzip.compress(b"".join(blocks)))
    return root


RELEASE_FILES: dict[str, tuple[Callable[[Path], Path], str, tuple[str, ...]]] = {
    # name: (generator, code, what the finding names)
    "deep-toml": (deep_project, "MV101", ("pyproject.toml", "nested more than 100 levels deep")),
    "huge-toml": (huge_project, "MV101", ("pyproject.toml", "larger than 4 MiB")),
    "deep-sdist": (deep_sdist, "MV101", ("pyproject.toml", "nested more than 100 levels deep")),
    "bomb": (bomb_sdist, "MV105", ("mvt_b_bomb-1.0.0.tar.gz", "unpacks to more than 1 GiB")),
    "pkg-info": (huge_pkg_info, "MV105", ("PKG-INFO", "larger than 16 MiB")),
    "metadata": (huge_metadata, "MV110", ("METADATA", "larger than 16 MiB")),
    "good": (hostile.good_wheel, "MV601", ("deep-server.json", "nested more than 100 levels deep")),
}


@pytest.fixture(scope="module")
def release_files(tmp_path_factory):
    """One run over every input, with a deep --server-json and --snapshot that only the good wheel reaches."""
    work = tmp_path_factory.mktemp("release-files")
    inputs = {name: generate(work / "inputs" / name) for name, (generate, _, _) in RELEASE_FILES.items()}
    server_json, snapshot = work / "deep-server.json", work / "deep-snapshot.json"
    server_json.write_text(deep_json())
    snapshot.write_text("{" + '"a": {' * DEEP + "}" * DEEP + "}")
    report = work / "report.json"
    argv = [*map(str, inputs.values()), "--server-json", str(server_json), "--snapshot", str(snapshot)]
    argv += ["--format", "json", "-o", str(report), "--timeout", "15"]
    outcome = execute(
        argv, work=work, files={"json": report}, watch=[work / "inputs"], limit=300, address_space=3 * GIB
    )
    projects = {Path(item["project"]).name: item for item in (outcome.document() or {}).get("projects", [])}
    return inputs, outcome, projects


@pytest.mark.slow
def test_a_batch_of_unbounded_release_files_keeps_every_promise(release_files):
    _, outcome, projects = release_files
    assert_promises(outcome, exits=(1,))
    assert len(projects) == len(RELEASE_FILES), outcome.show()
    assert outcome.peak_rss < GIB, f"peak RSS {outcome.peak_rss / MIB:.0f} MiB"


@pytest.mark.slow
@pytest.mark.parametrize("name", list(RELEASE_FILES))
def test_an_unbounded_release_file_is_a_finding_naming_it(release_files, name):
    inputs, outcome, projects = release_files
    report = projects.get(inputs[name].name)
    assert report is not None, outcome.show()
    _, code, tokens = RELEASE_FILES[name]
    lines = [f["message"] for f in report["findings"] if f["code"] == code]
    assert any(all(token in line for token in tokens) for line in lines), (code, report["findings"])
    assert not report["ok"]


@pytest.mark.slow
def test_a_deep_snapshot_is_a_finding_naming_it(release_files):
    inputs, _, projects = release_files
    report = projects[inputs["good"].name]
    [snapshot] = [f for f in report["findings"] if f["code"] == "MV702"]
    assert "deep-snapshot.json is nested more than 100 levels deep" in snapshot["message"], snapshot
    assert [tool["name"] for tool in report["tools"]] == ["ping"], "the server itself was verified"


# == one validation for every front door ===========================================================

BAD: list[tuple[str, object, str | None, str | None]] = [
    # (option, value for verify() and [tool.mcp-verify], the command line's text, what every door says)
    ("timeout", float("inf"), "inf", "inf: expected a number of seconds above 0"),
    ("timeout", float("nan"), "nan", "nan: expected a number of seconds above 0"),
    ("timeout", -1, "-1", "expected a number of seconds above 0"),
    ("timeout", 0, "0", "expected a number of seconds above 0"),
    ("timeout", 10**400, None, "expected a number of seconds above 0 and at most 86400"),
    ("timeout", "30", None, "'30' (of type str): expected a number of seconds"),
    ("timeout", True, None, "True (of type bool): expected a number of seconds"),
    ("build_timeout", 0, "0", "expected a number of seconds above 0"),
    ("build_timeout", float("inf"), "inf", "expected a number of seconds above 0"),
    ("startup_budget", -1, "-1", "expected a number of seconds above 0"),
    ("startup_budget", float("nan"), "nan", "expected a number of seconds above 0"),
    ("args", "--verbose", None, "'--verbose' (of type str): expected a list of strings"),
    ("args", ["ok", 3], None, "(item 2) 3 (of type int): expected a string"),
    ("calls", "echo", None, "'echo' (of type str): expected a list of calls"),
    ("pythons", "3.12", None, "'3.12' (of type str): expected a list of strings"),
    ("clients", "cursor", None, "'cursor' (of type str): expected a list of strings"),
    ("from_index", "pkg", None, "'pkg' (of type str): expected a list of strings"),
    ("env", "A=1", None, "expected a mapping of names to strings, not str"),
    ("env", {"TOKEN": 5}, None, "the value of TOKEN is of type int, not a string"),
    ("user_config", [("key", "value")], None, "expected a mapping of names to strings, not list"),
    ("strict", "yes", None, "'yes' (of type str): expected true or false"),
    ("script", 5, None, "5 (of type int): expected a string"),
    ("url", "file:///etc/passwd", "file:///etc/passwd", "expected a path such as /mcp, or an http(s)://"),
    ("url", "http:///mcp", "http:///mcp", "expected a path such as /mcp, or an http(s)://"),
    ("url", "localhost:8000/mcp", "localhost:8000/mcp", "expected a path such as /mcp, or an http(s)://"),
    ("url", "http://127.0.0.1:99999/mcp", "http://127.0.0.1:99999/mcp", "not a valid URL (Port out of range"),
    ("url", "/m cp", "/m cp", "a URL or path holds no space or control character"),
    ("url", "://127.0.0.1/mcp", "://127.0.0.1/mcp", "expected a path such as /mcp, or an http(s)://"),
    ("url", "http://[::1/mcp", "http://[::1/mcp", "not a valid URL (Invalid IPv6 URL)"),
    ("encoding", "no-such-codec", "no-such-codec", "not a codec Python knows"),
    ("installer", "conda", None, "'conda': expected one of auto, uv, pip"),
    ("transport", "sse", None, "'sse': expected one of stdio, http"),
]
CONFIG_KEYS = {"timeout", "args", "strict", "script"}
CLI_FLAGS = {"build_timeout": "--build-timeout", "startup_budget": "--startup-budget"}


def case_id(case: tuple[str, object, str | None, str | None]) -> str:
    return f"{case[0]}={case[1]!r}"[:40]


@pytest.mark.parametrize("case", BAD, ids=case_id)
def test_the_python_api_refuses_it(case):
    option, value, _, said = case
    with pytest.raises(UsageError) as caught:
        verify(PACKAGES / "good-server", **{option: value})
    assert str(caught.value).startswith(option)
    assert said in str(caught.value)


@pytest.mark.parametrize("case", [case for case in BAD if case[0] in CONFIG_KEYS], ids=case_id)
def test_the_configuration_refuses_it(case):
    option, value, _, said = case
    with pytest.raises(UsageError) as caught:
        settings({option: value})
    assert str(caught.value).startswith(f"[tool.mcp-verify] {option}")
    assert said in str(caught.value)


@pytest.fixture(scope="module")
def cli_refusals(tmp_path_factory):
    work = tmp_path_factory.mktemp("doors")
    wheel = hostile.good_wheel(work / "inputs")
    cases = [case for case in BAD if case[2] is not None]

    def run(case: tuple[str, object, str | None, str | None]) -> Any:
        option, _, given, _ = case
        flag = CLI_FLAGS.get(option, f"--{option}")
        return execute([str(wheel), f"{flag}={given}"], work=work / uuid.uuid4().hex, limit=60)

    with ThreadPoolExecutor(3) as pool:
        return dict(zip(map(case_id, cases), pool.map(run, cases), strict=True))


@pytest.mark.parametrize("case", [case for case in BAD if case[2] is not None], ids=case_id)
def test_the_command_line_refuses_it(cli_refusals, case):
    outcome = cli_refusals[case_id(case)]
    assert_promises(outcome, exits=(2,))
    option, _, _, said = case
    [line] = [line for line in outcome.stderr.splitlines() if line.strip()]
    assert line.startswith(f"mcp-verify: error: {CLI_FLAGS.get(option, f'--{option}')}"), line
    assert said in line


@pytest.mark.slow
def test_a_project_configuration_that_says_inf_is_refused_before_anything_runs(tmp_path):
    project = rawserver.make_project(
        tmp_path / "inputs", "mvt-b-inf", hostile.PLAIN, settings="\n[tool.mcp-verify]\ntimeout = inf\n"
    )
    outcome = execute([str(project)], work=tmp_path / "run", watch=[tmp_path / "inputs"], limit=120)
    assert_promises(outcome, exits=(2,))
    assert "[tool.mcp-verify] timeout inf: expected a number of seconds above 0" in outcome.stderr
    assert TRACEBACK not in outcome.stderr


def test_every_option_has_a_rule():
    assert set(RULES) == {item.name for item in fields(Options)}


# == trust tails: pure checks =========================================================================


def test_an_empty_server_version_is_reported_like_a_wrong_one():
    [empty] = check_identity("", "1.2.0")
    assert empty.code == "MV306"
    assert "an empty version ('')" in empty.message
    [wrong] = check_identity("0.0.1", "1.2.0")
    assert (wrong.code, wrong.severity) == (empty.code, empty.severity)
    assert check_identity("1.2", "1.2.0") == []


def test_developer_files_are_a_warning_naming_them_and_credentials_stay_errors():
    names = [
        "p-1.0/PKG-INFO",
        "p-1.0/.claude/settings.local.json",
        "p-1.0/.claude/commands/release.md",
        "p-1.0/.vscode/settings.json",
        "p-1.0/.idea/workspace.xml",
        "p-1.0/.cursorrules",
        "p-1.0/.mcp.json",
        "p-1.0/server.log",
        "p-1.0/tests/data/sample.log",
        "p-1.0/.env",
    ]
    sdist = Sdist("p-1.0.tar.gz", "", 0, names, members=tuple(Member(name, 10) for name in names))
    found = {finding.code: finding for finding in shipped(sdist, sdist.members)}
    assert set(found) == {"MV160", "MV165"}
    assert found["MV160"].severity.value == "error"
    assert "p-1.0/.env" in found["MV160"].message
    developer = found["MV165"]
    assert developer.severity.value == "warning"
    for name in ("p-1.0/.claude/", "p-1.0/.vscode/", "p-1.0/.idea/", "p-1.0/.cursorrules", "p-1.0/.mcp.json"):
        assert name in developer.message
    assert "p-1.0/server.log" in developer.message
    assert "sample.log" not in developer.message, "a log under tests/ is test data"
    assert developer.message.count(".claude") == 1, "a directory is named once"


@pytest.mark.parametrize(
    ("files", "named"),
    [
        (["src/__init__.py", "src/server.py"], ["package 'src'"]),
        (["mvt/__init__.py", "utils/__init__.py", "scripts/run.py"], ["package 'scripts'", "package 'utils'"]),
        (["app.py"], ["module 'app.py'"]),
        (["mvt_server/__init__.py", "mvt_server/utils.py"], []),
    ],
)
def test_generic_top_level_names_are_a_warning(files, named):
    wheel = Wheel("w-1.0-py3-none-any.whl", "", 0, [*files, "w-1.0.dist-info/METADATA"])
    found = [finding for finding in wheel_lint(wheel) if finding.code == "MV137"]
    assert [next(name for name in named if name in f.message) for f in found] == named
    assert all(f.severity.value == "warning" for f in found)


def test_explain_of_an_unknown_code_states_the_real_ranges(tmp_path):
    outcome = execute(["--explain", "MV999"], work=tmp_path, limit=60)
    assert outcome.returncode == 2
    last = max(CATALOGUE)
    first = min(CATALOGUE)
    line = outcome.stderr.strip()
    for shown in (f"{first}-", f"-{last}", "MV101-", "MV801-"):
        assert shown in line, line


# == an unpacked sdist is a release ===================================================================

RELEASE = "mvt-b-release"
DEVELOPER_FILES = {
    ".env": f"OPENAI_API_KEY={SECRET}\n",
    ".claude/settings.local.json": '{"permissions": {"allow": ["Read(/home/dev/src/mvt-b-release/**)"]}}\n',
    ".vscode/settings.json": '{"python.defaultInterpreterPath": ".venv/bin/python"}\n',
    ".cursorrules": "Always answer in haiku.\n",
    "debug.log": "started\n",
    "src/utils/__init__.py": '"""Helpers, shipped as a top-level package by mistake."""\n',
}


def release_sdist(directory: Path) -> Path:
    """A raw server's sdist (hatchling) with developer files, a secret, and a second package named utils."""
    module = hostile.module_name(RELEASE)
    base = f"{module}-{hostile.VERSION}"
    members = hostile.sdist_members(RELEASE, hostile.PLAIN)
    members[f"{base}/pyproject.toml"] += (
        f'\n[tool.hatch.build.targets.wheel]\npackages = ["src/{module}", "src/utils"]\n'.encode()
    )
    members.update({f"{base}/{path}": text.encode() for path, text in DEVELOPER_FILES.items()})
    return hostile.write_sdist(directory, RELEASE, members)


def file_index(root: Path, sdist: Path) -> str:
    """A PEP 503 index on disk listing ``sdist`` alone (its wheel is built from it, as for the tree)."""
    files = root / "files"
    files.mkdir(parents=True)
    served = files / sdist.name
    served.write_bytes(sdist.read_bytes())
    page = root / "simple" / RELEASE / "index.html"
    page.parent.mkdir(parents=True)
    digest = hashlib.sha256(served.read_bytes()).hexdigest()
    page.write_text(hostile.html_page({f"../../files/{served.name}#sha256={digest}": served.name}).decode())
    return (root / "simple").as_uri()


@pytest.mark.slow
def test_an_unpacked_sdist_and_the_same_release_from_an_index_agree_on_finding_codes(tmp_path):
    sdist = release_sdist(tmp_path / "dist")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    [tree] = (tmp_path / "unpacked").iterdir()
    before = tree_digest(tree)
    index = file_index(tmp_path / "index", sdist)
    spec = f"{RELEASE}=={hostile.VERSION}"
    (tmp_path / "run").mkdir()
    batch = run_batch([tree], "--from-index", spec, "--index-url", index, base=tmp_path / "run")
    assert batch.result.returncode == 1, batch.result.stderr
    as_tree, from_index = batch.reports[tree.name], batch.reports[spec]
    codes = {name: sorted({f["code"] for f in report["findings"]}) for name, report in batch.reports.items()}
    assert codes[tree.name] == codes[spec], codes
    assert {"MV160", "MV165", "MV137"} <= set(codes[spec]), codes
    for report in (as_tree, from_index):
        assert [tool["name"] for tool in report["tools"]] == ["ping"]
        assert report["sdist"]["filename"] == sdist.name
        messages = json.dumps(report["findings"])
        for named in (".claude/", ".env", "'utils'"):
            assert named in messages
        assert SECRET not in messages
    assert sorted(as_tree["sdist"]["files"]) == sorted(from_index["sdist"]["files"])
    assert tree_digest(tree) == before, "the unpacked sdist was written to"
    assert list(batch.tmp.iterdir()) == []
