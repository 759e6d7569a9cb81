"""MCP bundles verified as hosts install and start them: hand-made python bundles (raw servers,
one mistake each, signed ones among them) in one run of the real command, the example uv bundles,
and hostile bundles in another run, under memory and file-size limits and traced."""

from __future__ import annotations

import hashlib
import json
import re
import resource
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcp_verify._bundle import bounded_json, leaves_bundle, open_bundle, peek_manifest
from mcp_verify._bundle_signature import Block, read_signature
from mcp_verify._checks.bundle import check_contents, check_icons, check_paths, check_signature
from mcp_verify._exceptions import BuildError
from mcp_verify._types import Bundle, Member, Signature

from .bundles import (
    MANIFEST,
    OUTSIDE,
    TOOL,
    certificate,
    changed_after_signing,
    hostile_bundles,
    make_bundle,
    manifest,
    mcp_config,
    png,
    sign,
)
from .conftest import EXAMPLES, mcp_verify, processes_with, run_batch, tree_digest

if TYPE_CHECKING:
    from pathlib import Path

USER_CONFIG = {
    "api_base": {"type": "string", "title": "API base URL", "description": "Where the API is.", "required": True},
    "api_key": {"type": "string", "title": "API key", "description": "Yours.", "required": True, "sensitive": True},
    "region": {"type": "string", "title": "Region", "description": "Optional.", "required": False},
}
CONFIGURED = {
    # the server lists a tool whose description carries what it was given: a test sees what arrived
    "tools": [{**TOOL, "description": "base={env:API_BASE} key={env:API_KEY} region={env:REGION}"}],
}
CONFIGURED_MANIFEST = manifest(
    user_config=USER_CONFIG,
    server=mcp_config(
        env={
            "API_BASE": "${user_config.api_base}",
            "API_KEY": "${user_config.api_key}",
            "REGION": "${user_config.region}",
        }
    ),
)
BUNDLES: dict[str, dict[str, Any]] = {
    "good": {},
    "directory": {"packed": False},
    "unknown-key": {"written": manifest(homepage_url="https://example.com", skills=["weather"])},
    "missing-tool": {"written": manifest(tools=[*MANIFEST["tools"], {"name": "forecast", "description": "d"}])},
    "extra-tool": {"behaviour": {"tools": [TOOL, {**TOOL, "name": "reverse"}]}},
    "generated-tools": {
        "written": manifest(tools_generated=True),
        "behaviour": {"tools": [{**TOOL, "name": "made_at_run_time"}]},
    },
    "no-entry-point": {"written": manifest(server={**MANIFEST["server"], "entry_point": "server/server.py"})},
    "uv-on-path": {
        "written": manifest(server=mcp_config("uv", ["run", "--no-project", "${__dirname}/server/main.py"]))
    },
    "version-drift": {"files": {"pyproject.toml": '[project]\nname = "raw-bundle"\nversion = "1.1.0"\n'}},
    "user-config": {"written": CONFIGURED_MANIFEST, "behaviour": CONFIGURED},
    "needs-packages": {"files": {"server/main.py": "import httpx\nimport mcp.server\n"}},
    # a link and a `..` that stay inside the bundle: nothing to refuse
    "inside-links": {
        "packed": False,
        "links": {"server/start.py": "main.py", "here": "."},
        "files": {"server/\udcffnotes.txt": "a name that is not UTF-8"},
        "written": manifest(
            server={**mcp_config(args=["${__dirname}/server/../server/start.py"]), "entry_point": "server/start.py"}
        ),
    },
    "icon-missing": {"written": manifest(icon="assets/icon.png")},
    "icons-not-shown": {
        "written": manifest(
            icon="https://example.com/icon.png",
            icons=[
                {"src": "icon.png", "size": "16x16"},
                {"src": "dark.jpg", "size": "16x16", "theme": "dark"},
                {"src": "${__dirname}/icon.png", "size": "16x16"},
            ],
        ),
        "files": {"dark.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"},
    },
    "signed": {},
    "signed-declared": {},
    "squeezed": {"files": {"server/silence.wav": bytes(100_000)}},
}
SIGNED = {"signed": False, "signed-declared": True}
"""Bundles signed as mcpb sign 2.1.2 does (False), and with the block declared in the zip (True)."""
GIVEN = ["--user-config", "api_base=https://api.example.net/v2", "--user-config", "api_key=sk-live-8f2d1c9b7a"]


class Made:
    """One run of mcp-verify over bundles made under ``made``: its reports by file name, and what
    it left behind."""

    def run(self, made: Path, paths: list[Path], *args: str, base: Path, **popen: Any) -> None:
        self.digest = tree_digest(made)
        ran = run_batch(paths, *args, base=base, **popen)
        self.result, self.reports, self.marker, self.tmp = ran.result, ran.reports, ran.marker, ran.tmp
        self.after = tree_digest(made)

    def assert_left_nothing(self) -> None:
        assert "Traceback" not in self.result.stderr
        assert list(self.tmp.iterdir()) == []
        assert processes_with(self.marker) == []
        assert self.after == self.digest, "a bundle, or what lies beside it, was written to"


class Batch(Made):
    """One run of mcp-verify over every hand-made bundle; its reports by bundle name."""

    def __init__(self, base: Path) -> None:
        made = base / "made"
        self.bundles = {name: make_bundle(made, name, **spec) for name, spec in BUNDLES.items()}
        self.keys = certificate(base / "keys")
        for name, declare in SIGNED.items():
            sign(self.bundles[name], self.keys, declare=declare)
        self.bundles["signed-changed"] = changed_after_signing(made, "signed-changed", self.keys)
        self.run(made, list(self.bundles.values()), *GIVEN, base=base)

    def __call__(self, name: str) -> dict[str, Any]:
        return self.reports[self.bundles[name].name]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    return Batch(tmp_path_factory.mktemp("bundles"))


def codes(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {finding["code"]: finding for finding in report["findings"]}


def tools(report: dict[str, Any]) -> list[str]:
    return [tool["name"] for tool in report["tools"]]


def test_the_run_leaves_nothing_behind(batch: Batch) -> None:
    assert batch.result.returncode == 1, batch.result.stderr
    batch.assert_left_nothing()


@pytest.mark.parametrize("name", ["good", "directory"])
def test_a_good_python_bundle_passes_with_exactly_its_tools(batch: Batch, name: str) -> None:
    report = batch(name)
    assert report["ok"] is True, report["findings"]
    assert tools(report) == ["echo"]
    assert [finding for finding in report["findings"] if finding["severity"] != "info"] == []
    summary = report["bundle"]
    assert summary["server_type"] == "python"
    assert summary["manifest_version"] == "0.3"
    assert "mcpb-manifest 0.4" in summary["schema"]
    install = next(step for step in report["steps"] if step["name"] == "install")
    assert "bare Python" in install["message"]


def test_an_unknown_manifest_key_is_named(batch: Batch) -> None:
    report = batch("unknown-key")
    assert report["ok"] is False
    unknown = codes(report)["MV803"]
    assert unknown["severity"] == "error"
    assert "'homepage_url'" in unknown["message"]
    assert "'skills'" in unknown["message"]
    assert tools(report) == ["echo"], "the server is still started and listed"


def test_a_promised_tool_the_server_lacks_is_an_error_and_an_added_one_a_warning(batch: Batch) -> None:
    missing = batch("missing-tool")
    assert missing["ok"] is False
    assert "forecast" in codes(missing)["MV814"]["message"]
    assert "MV815" not in codes(missing)
    extra = batch("extra-tool")
    assert extra["ok"] is True
    assert codes(extra)["MV815"]["severity"] == "warning"
    assert "reverse" in codes(extra)["MV815"]["message"]
    assert tools(extra) == ["echo", "reverse"]


def test_tools_generated_means_there_is_nothing_to_compare(batch: Batch) -> None:
    report = batch("generated-tools")
    assert report["ok"] is True
    assert {"MV814", "MV815"}.isdisjoint(codes(report))
    assert tools(report) == ["made_at_run_time"]


def test_a_missing_entry_point_is_named(batch: Batch) -> None:
    report = batch("no-entry-point")
    assert report["ok"] is False
    assert "'server/server.py'" in codes(report)["MV805"]["message"]


def test_a_bundle_relying_on_uv_from_the_path_is_named(batch: Batch) -> None:
    report = batch("uv-on-path")
    assert report["ok"] is False
    relies = codes(report)["MV806"]
    assert relies["severity"] == "error"
    assert "'uv'" in relies["message"]
    assert "ENOENT" in relies["message"]


def test_a_version_that_disagrees_with_the_bundled_pyproject_is_named(batch: Batch) -> None:
    report = batch("version-drift")
    assert report["ok"] is False
    drift = codes(report)["MV811"]
    assert "'1.0.0'" in drift["message"]
    assert "'1.1.0'" in drift["message"]


def test_user_config_reaches_the_server_as_a_host_passes_it(batch: Batch) -> None:
    report = batch("user-config")
    (tool,) = report["tools"]
    assert "base=https://api.example.net/v2" in tool["description"], "a given value reaches the server"
    assert "key=[redacted]" in tool["description"], "a sensitive value never reaches the report"
    assert "sk-live-8f2d1c9b7a" not in json.dumps(report)
    assert "region=${user_config.region}" in tool["description"], "a blank optional one arrives as literal text"
    literal = codes(report)["MV813"]
    assert literal["severity"] == "warning"
    assert "${user_config.region}" in literal["message"]
    assert report["ok"] is True


def test_imports_a_host_python_does_not_have_are_named(batch: Batch) -> None:
    report = batch("needs-packages")
    assert report["ok"] is False
    assert "httpx, mcp" in codes(report)["MV819"]["message"]
    failed = [finding for finding in report["findings"] if finding["step"] == "launch"]
    assert failed, "started on a bare Python, the server fails to import"
    assert "httpx" in failed[0]["message"]


def test_a_required_user_config_not_given_is_a_usage_error(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path, "configured", CONFIGURED, written=CONFIGURED_MANIFEST)
    result = mcp_verify(str(bundle), "--user-config", "api_key=sk-live-8f2d1c9b7a", tmp=tmp_path / "tmp")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "'api_base'" in result.stderr
    assert "--user-config api_base=" in result.stderr
    assert "Traceback" not in result.stderr
    assert list((tmp_path / "tmp").iterdir()) == []


def test_user_config_for_a_key_the_bundle_does_not_declare_is_a_usage_error(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path, "configured", CONFIGURED, written=CONFIGURED_MANIFEST)
    result = mcp_verify(str(bundle), *GIVEN, "--user-config", "reigon=eu", tmp=tmp_path / "tmp")
    assert result.returncode == 2
    assert "reigon" in result.stderr


def test_user_config_without_a_bundle_is_a_usage_error(tmp_path: Path) -> None:
    result = mcp_verify(str(EXAMPLES / "weather-server"), *GIVEN, tmp=tmp_path / "tmp")
    assert result.returncode == 2
    assert "--user-config" in result.stderr


def test_a_bundle_in_dist_is_found_beside_the_wheel_and_sdist(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    make_bundle(tmp_path / "src", "raw-bundle")
    (tmp_path / "src" / "raw-bundle.mcpb").rename(dist / "raw-bundle-1.0.0.mcpb")
    result = mcp_verify("dist", "--format", "json", tmp=tmp_path / "tmp", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["bundle"]["filename"] == "raw-bundle-1.0.0.mcpb"
    assert tools(report) == ["echo"]


@pytest.fixture(scope="module")
def example_bundles(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The uv bundles built from examples/weather-server by its script: installed with uv as Claude Desktop does."""
    out = tmp_path_factory.mktemp("example-bundles")
    script = EXAMPLES / "bundles" / "make_bundles.py"
    subprocess.run([sys.executable, str(script), str(out)], check=True, capture_output=True)
    return out / "weather.mcpb", out / "weather-broken.mcpb"


@pytest.mark.slow
def test_the_example_bundle_passes_with_exactly_its_tools(example_bundles: tuple[Path, Path], tmp_path: Path) -> None:
    result = mcp_verify(str(example_bundles[0]), "--format", "json", tmp=tmp_path / "tmp")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert tools(report) == ["get_forecast", "get_alerts"]
    assert report["bundle"]["server_type"] == "uv"
    assert {finding["code"] for finding in report["findings"] if finding["severity"] != "info"} == {"MV804"}
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.slow
def test_the_broken_example_bundle_fails_naming_each_mistake(
    example_bundles: tuple[Path, Path], tmp_path: Path
) -> None:
    result = mcp_verify(str(example_bundles[1]), tmp=tmp_path / "tmp", env={"NO_COLOR": "1"})
    assert result.returncode == 1
    for code, words in [("MV803", "'homepage_url'"), ("MV814", "get_radar"), ("MV811", "'0.4.0'")]:
        assert code in result.stdout
        assert words in result.stdout
    assert list((tmp_path / "tmp").iterdir()) == []


COMPILED = "server/lib/pydantic_core/_pydantic_core.cpython-311-x86_64-linux-gnu.so"


@pytest.mark.parametrize(
    ("compatibility", "expected"),
    [
        ({"platforms": ["linux"], "runtimes": {"python": ">=3.11 <3.12"}}, []),
        ({"platforms": ["linux", "darwin"], "runtimes": {"python": ">=3.11,<3.12"}}, [("error", "users on darwin")]),
        ({"platforms": ["linux"], "runtimes": {"python": ">=3.10 <4"}}, [("error", "admits 3.10, 3.12")]),
        ({}, [("warning", "users on darwin, win32"), ("warning", "names no Python")]),
    ],
)
def test_compiled_extensions_are_held_to_what_compatibility_claims(
    tmp_path: Path, compatibility: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    """What compatibility claims and the extensions do not cover is an error; where it claims
    nothing, hosts offer the bundle everywhere: a warning."""
    written = {**MANIFEST, "compatibility": compatibility} if compatibility else manifest(compatibility=None)
    bundle = Bundle(tmp_path, written, "", "x.mcpb", "", 1, (Member(COMPILED, 1), Member("server/main.py", 1)))
    found = [(item.severity.value, item.message) for item in check_contents(bundle) if item.code == "MV809"]
    assert len(found) == len(expected), found
    for (severity, message), (wanted, words) in zip(found, expected, strict=True):
        assert severity == wanted
        assert words in message


# links and paths that stay inside, icons, signatures ------------------------------------------------


def test_links_and_dots_that_stay_inside_the_bundle_are_followed(batch: Batch) -> None:
    report = batch("inside-links")
    assert report["ok"] is True, report["findings"]
    assert tools(report) == ["echo"]
    assert "MV823" not in codes(report)
    assert "MV824" not in codes(report)
    assert "server/\ufffdnotes.txt" in report["bundle"]["files"], "named as mcpb pack (Node) reads it"


def test_an_icon_mcpb_validate_refuses_is_an_error(batch: Batch) -> None:
    report = batch("icon-missing")
    assert report["ok"] is False
    missing = codes(report)["MV825"]
    assert "icon 'assets/icon.png' is not in the bundle" in missing["message"]
    assert "PR #136" in missing["message"], "the rule's source is named"
    assert tools(report) == ["echo"], "the server is still started and listed"


def test_icons_hosts_will_not_show_are_warnings_naming_each(batch: Batch) -> None:
    report = batch("icons-not-shown")
    assert report["ok"] is True, report["findings"]
    warned = [finding["message"] for finding in report["findings"] if finding["code"] == "MV826"]
    assert len(warned) == 3, warned
    assert "icon 'https://example.com/icon.png' is a remote URL" in warned[0]
    assert "icons[1].src 'dark.jpg' is not a PNG" in warned[1]
    assert "icons[2].src '${__dirname}/icon.png' uses ${__dirname}" in warned[2]
    assert "MV825" not in codes(report)


def test_an_unsigned_bundle_says_so_as_advice(batch: Batch) -> None:
    report = batch("good")
    assert codes(report)["MV828"]["severity"] == "info"
    signature = report["bundle"]["signature"]
    assert signature["signed"] is False
    assert set(signature) == set(batch("signed")["bundle"]["signature"]), "the same keys, signed or not"
    assert batch("directory")["bundle"]["signature"] is None, "a directory is not a signed artifact"


def test_a_signed_bundle_reports_its_signer_and_runs(batch: Batch) -> None:
    report = batch("signed-declared")
    assert report["ok"] is True, report["findings"]
    assert tools(report) == ["echo"], "the signature block does not disturb reading the zip"
    signature = report["bundle"]["signature"]
    cert = batch.keys[0]
    fingerprint = subprocess.run(
        ["openssl", "x509", "-in", str(cert), "-noout", "-fingerprint", "-sha256"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert signature["fingerprint"] == fingerprint.split("=")[1].strip().replace(":", "").lower()
    assert signature | {"fingerprint": None, "valid_from": None, "valid_to": None, "signed_at": None} == {
        "signed": True,
        "problem": None,
        "declared": True,
        "subject": "O=Test Publisher,CN=mcp-verify tests",
        "issuer": "O=Test Publisher,CN=mcp-verify tests",
        "valid_from": None,
        "valid_to": None,
        "valid_now": True,
        "self_signed": True,
        "fingerprint": None,
        "signed_at": None,
        "digest_matches": True,
        "verifies": True,
    }
    assert signature["valid_from"] <= signature["signed_at"] < signature["valid_to"]
    assert codes(report)["MV830"]["severity"] == "warning"
    assert "self-signed" in codes(report)["MV830"]["message"]
    assert report["bundle"]["sha256"] == hashlib.sha256(batch.bundles["signed-declared"].read_bytes()).hexdigest()


def test_a_block_the_zip_does_not_declare_is_refused_as_strict_readers_do(batch: Batch) -> None:
    report = batch("signed")
    assert report["ok"] is False
    assert report["bundle"]["signature"]["digest_matches"] is True
    assert report["bundle"]["signature"]["declared"] is False
    undeclared = codes(report)["MV829"]
    assert undeclared["severity"] == "error"
    assert "Invalid comment length" in undeclared["message"]
    assert tools(report) == ["echo"]


def test_a_bundle_changed_after_signing_is_an_error(batch: Batch) -> None:
    report = batch("signed-changed")
    assert report["ok"] is False
    changed = codes(report)["MV827"]
    assert "changed after it was signed" in changed["message"]
    assert report["bundle"]["signature"]["digest_matches"] is False
    assert report["bundle"]["signature"]["subject"] == "O=Test Publisher,CN=mcp-verify tests"


@pytest.mark.parametrize("length", [None, 1])
def test_a_signature_block_is_never_read_as_part_of_the_zip(tmp_path: Path, length: int | None) -> None:
    """A block holding an end record's magic (which would mislead a zip reader looking for the
    last one), with a true length field and with a false one: the zip is read whole all the same."""
    bundle = make_bundle(tmp_path, "garbled")
    der = b"\x30\x03PK\x05\x06" + bytes(40)
    size = len(der) if length is None else length
    bundle.write_bytes(bundle.read_bytes() + b"MCPB_SIG_V1" + size.to_bytes(4, "little") + der + b"MCPB_SIG_END")
    opened = open_bundle(bundle, tmp_path / "work")
    assert opened.files == ["icon.png", "manifest.json", "server/main.py"]
    assert opened.signature is not None
    assert opened.signature.problem is not None
    assert "the signature block cannot be read" in opened.signature.problem
    assert [item.code for item in check_signature(opened)] == ["MV827", "MV829"]


def test_a_member_compressed_further_than_claude_desktop_accepts_is_an_error(batch: Batch) -> None:
    report = batch("squeezed")
    assert report["ok"] is False
    squeezed = codes(report)["MV831"]
    assert "server/silence.wav (" in squeezed["message"]
    assert "max: 50:1" in squeezed["message"]
    assert tools(report) == ["echo"], "unpacked and run all the same: it is far below a bomb"
    assert "MV831" not in codes(batch("good"))


@pytest.fixture(scope="module")
def signed_bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A bundle signed by openssl, and the DER of its signature."""
    base = tmp_path_factory.mktemp("signed")
    bundle = sign(make_bundle(base, "signed"), certificate(base / "keys"), declare=True)
    data = bundle.read_bytes()
    start = data.rfind(b"MCPB_SIG_V1") + len(b"MCPB_SIG_V1") + 4
    return bundle, data[start : -len(b"MCPB_SIG_END")]


def test_a_signature_is_read_whatever_its_bytes(signed_bundle: tuple[Path, bytes]) -> None:
    """The signature reader on the real DER with a byte changed, cut or added: a Signature comes back,
    never an exception; a changed signature value or signed digest does not hold."""
    bundle, der = signed_bundle
    content = bundle.read_bytes()
    start = content.rfind(b"MCPB_SIG_V1")
    end_record = content.rfind(b"PK\x05\x06", 0, start)

    def read(changed: bytes) -> Signature:
        return read_signature(Block(start, changed), bundle, end_record, declared=True)

    def flipped(at: int) -> bytes:
        return der[:at] + bytes([der[at] ^ 0x01]) + der[at + 1 :]

    assert read(der).problem is None
    assert read(der).verifies is True
    unsigned = bytearray(content[:start])
    unsigned[end_record + 20 : end_record + 22] = b"\0\0"  # as it was when openssl signed it
    digest = der.index(hashlib.sha256(unsigned).digest())
    assert "changed after it was signed" in str(read(flipped(digest)).problem)
    assert "not made by the key" in str(read(flipped(len(der) - 1)).problem), "RSA's signature value ends the DER"

    @settings(max_examples=300, deadline=None, derandomize=True, database=None)
    @given(at=st.integers(0, len(der) - 1), value=st.integers(0, 255), cut=st.integers(0, len(der)), tail=st.binary())
    def mutated(at: int, value: int, cut: int, tail: bytes) -> None:
        assert isinstance(read(der[:at] + bytes([value]) + der[at + 1 :]), Signature)
        assert isinstance(read(der[:cut] + tail), Signature)

    mutated()


def test_a_bundle_is_opened_or_refused_whatever_its_bytes(
    signed_bundle: tuple[Path, bytes], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Opening the signed bundle with a byte changed or its end cut: a Bundle, or a BuildError naming
    why, never another exception."""
    original = signed_bundle[0].read_bytes()
    work = tmp_path_factory.mktemp("mutated")

    @settings(max_examples=60, deadline=None, derandomize=True, database=None)
    @given(at=st.integers(0, len(original) - 1), value=st.integers(0, 255), cut=st.integers(0, 64))
    def mutated(at: int, value: int, cut: int) -> None:
        for number, data in enumerate((original[:at] + bytes([value]) + original[at + 1 :], original[: -cut or None])):
            path = work / f"mutated-{number}.mcpb"
            path.write_bytes(data)
            shutil.rmtree(work / "open", ignore_errors=True)
            refused = ""
            try:
                open_bundle(path, work / "open")
            except BuildError as error:
                refused = error.code
            assert refused in {"", "MV801", "MV820", "MV821", "MV822", "MV823"}

    mutated()


# hostile bundles ------------------------------------------------------------------------------------

MEMORY = 512 << 20
"""Address space the hostile run may use (a run takes about 80 MB here)."""
WRITTEN = 64 << 20
"""The largest file the hostile run may write: unpacking a bomb would pass it and be killed."""
_STARTED = re.compile(r' execve\("([^"]*)".* = 0$')
_PATH_CALL = re.compile(r'^(\w+)\((?:(?:AT_FDCWD|\d+), )?"([^"]*)"')


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_FSIZE, (WRITTEN, WRITTEN))


def _tracer() -> list[str]:
    """strace, when it is here, new enough and allowed to trace (containers may forbid ptrace); a file
    per thread, so that no call is split across lines."""
    strace = shutil.which("strace")
    if strace is None:
        return []
    command = [strace, "-f", "-ff", "--seccomp-bpf", "-qq", "--signal=none", "-e", "trace=%file,execve"]
    tried = subprocess.run([*command, "-o", "/dev/null", "true"], check=False, capture_output=True)
    return command if tried.returncode == 0 else []


class Hostile(Made):
    """One run of mcp-verify over every hostile bundle, under memory and file-size limits and traced
    where strace can: each report by name, and the paths the run's processes touched."""

    def __init__(self, base: Path) -> None:
        made = base / "made"
        self.bundles = hostile_bundles(made)
        self.outside = made / OUTSIDE
        tracer = _tracer()
        traces = base / "traces"
        traces.mkdir()
        self.run(
            made,
            [path for path, _, _ in self.bundles.values()],
            base=base,
            wrapper=[*tracer, "-o", str(traces / "trace")] if tracer else [],
            preexec_fn=_limits,
        )
        self.trace = [line for file in traces.iterdir() for line in file.read_text().splitlines()] if tracer else None


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    return Hostile(tmp_path_factory.mktemp("hostile"))


def test_hostile_bundles_are_refused_before_anything_runs_and_nothing_is_left(hostile: Hostile) -> None:
    assert hostile.result.returncode == 1, hostile.result.stderr
    hostile.assert_left_nothing()


def test_each_hostile_bundle_is_refused_naming_the_member_or_field(hostile: Hostile) -> None:
    wrong = []
    for name, (path, code, words) in hostile.bundles.items():
        report = hostile.reports[path.name]
        first = next(finding for finding in report["findings"] if finding["severity"] == "error")
        started = [step["name"] for step in report["steps"] if step["name"] in {"install", "launch"}]
        if (
            report["ok"]
            or first["code"] != code
            or words not in first["message"]
            or any(step["status"] != "skip" for step in report["steps"] if step["name"] in started)
        ):
            wrong.append(f"{name}: {first['code']} {first['message']}")
    assert wrong == []


def test_nothing_outside_a_hostile_bundle_is_read_and_nothing_runs(hostile: Hostile) -> None:
    """Traced: no process but mcp-verify and the ``rm -rf`` that removes its run directories; no file
    call names a path outside a bundle, and none follows a link that leads there (only lstat and
    readlink look at one), so not even a stat reaches outside. The named pipe there would block
    whoever opened it."""
    if hostile.trace is None:
        pytest.skip("strace is not here, or may not trace")
    started = {match[1] for line in hostile.trace if (match := _STARTED.search(line))}
    assert started - {sys.executable} <= {shutil.which("rm")}, started
    calls = [(match[1], match[2], line) for line in hostile.trace if (match := _PATH_CALL.match(line))]
    assert calls, "the trace holds file calls"
    outside = str(hostile.outside)
    assert [line for _, path, line in calls if path.startswith(outside)] == []
    links = {
        str(path)
        for bundle, _, _ in hostile.bundles.values()
        if bundle.is_dir()
        for path in bundle.rglob("*")
        if path.is_symlink()
    }
    assert links, "the hostile directories hold links"
    followed = [
        line
        for call, path, line in calls
        if path in links and call not in {"lstat", "readlink", "readlinkat"} and "AT_SYMLINK_NOFOLLOW" not in line
    ]
    assert followed == []


def test_peeking_at_a_hostile_bundle_reads_nothing_and_finds_no_manifest(hostile: Hostile) -> None:
    """What reads the manifest before the run (for --user-config) is bounded the same way."""
    read = {name: peek_manifest(path) for name, (path, _, _) in hostile.bundles.items()}
    measured = {"MV801", "MV820", "MV822", "MV823"}  # refused before a member's data is read
    refused = {name for name, (path, code, _) in hostile.bundles.items() if code in measured and path.is_file()}
    assert {name for name, found in read.items() if not found} == refused


# the rules one by one, on values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "links", "leaves"),
    [
        ("main.py", {}, False),
        ("../main.py", {}, False),
        ("../../main.py", {}, True),
        ("/etc/passwd", {}, True),
        ("sub/../../main.py", {}, False),
        ("../here/../x", {"here": "."}, True),  # here is the bundle's root: its parent is outside
        ("../deep/../x", {"deep": "a/b"}, False),  # a/b/.. is a: still inside
        ("../loop", {"loop": "loop"}, False),
        ("../up/x", {"up": "server/.."}, False),
        ("../up/../x", {"up": "server/../.."}, True),
        ("../abs/x", {"abs": "/tmp"}, True),
    ],
)
def test_a_directory_link_is_resolved_through_the_bundles_own_links(
    target: str, links: dict[str, str], leaves: bool
) -> None:
    """``server/link`` → ``target``, resolved without looking at the disk."""
    assert leaves_bundle("server/link", {**links, "server/link": target}) is leaves


@pytest.mark.parametrize(
    ("server", "named"),
    [
        (mcp_config(args=["${__dirname}/server/main.py"]), []),
        (mcp_config(args=["--root=${__dirname}/server/../.."]), ["server.mcp_config.args[0]"]),
        (mcp_config(env={"PYTHONPATH": "${__dirname}/lib:${__dirname}/../lib"}), ["server.mcp_config.env.PYTHONPATH"]),
        (mcp_config(command="${__dirname}\\..\\python.exe"), ["server.mcp_config.command"]),
        (mcp_config(command="/usr/bin/python3"), []),  # the host's own system, not the bundle's
        ({**MANIFEST["server"], "entry_point": "../server/main.py"}, ["server.entry_point"]),
        ({**MANIFEST["server"], "entry_point": "C:\\server\\main.py"}, ["server.entry_point"]),
    ],
)
def test_paths_leading_out_of_the_bundle_are_named(tmp_path: Path, server: dict[str, Any], named: list[str]) -> None:
    bundle = Bundle(tmp_path, manifest(server=server), "", "x.mcpb", "", 1)
    assert [item.message.split(" is ")[0].removeprefix("manifest.json: ") for item in check_paths(bundle)] == named


ICON_FILES = (Member("icon.png", 1), Member("logo.svg", 1), Member("assets/icon.png", 1))
HEADS = {"icon.png": png()[:8], "logo.svg": b"<svg xml", "assets/icon.png": png()[:8]}


@pytest.mark.parametrize(
    ("icon", "expected"),
    [
        ("icon.png", None),
        ("./assets/../icon.png", None),
        ("https://example.com/icon.png", ("MV826", "is a remote URL")),
        ("http://example.com/icon.png", ("MV826", "is a remote URL")),
        ("${__dirname}/icon.png", ("MV825", "uses ${__dirname}")),
        ("/icon.png", ("MV825", "is an absolute path")),
        ("C:\\icons\\icon.png", ("MV825", "is an absolute path")),
        ("../icon.png", ("MV825", "leads out of the bundle")),
        ("missing.png", ("MV825", "is not in the bundle")),
        ("logo.svg", ("MV825", "is not a PNG")),
    ],
)
def test_the_icon_rules_of_mcpb_validate(tmp_path: Path, icon: str, expected: tuple[str, str] | None) -> None:
    for written, where in ((manifest(icon=icon), "icon"), (manifest(icons=[{"src": icon, "size": "1x1"}]), "icons")):
        bundle = Bundle(tmp_path, written, "", "x.mcpb", "", 1, ICON_FILES, heads=HEADS)
        found = [(item.code, item.message) for item in check_icons(bundle)]
        if expected is None:
            assert found == []
            continue
        ((code, message),) = found
        assert code == (expected[0] if where == "icon" else "MV826"), "icons[] is not checked by mcpb validate"
        assert expected[1] in message


@pytest.mark.parametrize(
    ("signature", "expected"),
    [
        (None, ["MV828"]),
        (Signature(subject="CN=a", self_signed=False, valid_now=True), []),
        (Signature(subject="CN=a", self_signed=True, valid_now=True), ["MV830"]),
        (Signature(subject="CN=a", self_signed=False, valid_now=False), ["MV830"]),
        (Signature(problem="the bundle was changed after it was signed", self_signed=True), ["MV827"]),
        (Signature(subject="CN=a", self_signed=False, valid_now=True, declared=False), ["MV829"]),
    ],
)
def test_what_the_signature_block_says(tmp_path: Path, signature: Signature | None, expected: list[str]) -> None:
    bundle = Bundle(tmp_path, MANIFEST, "", "x.mcpb", "", 1, signature=signature)
    assert [item.code for item in check_signature(bundle)] == expected


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"[" * 64 + b"]" * 64, None),
        (b"[" * 65 + b"]" * 65, "is nested more than 64 levels deep"),
        (b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', None),
        (b"{\xff}", "is not UTF-8"),
        (b"{,}", "line 1, column 2"),
        (b" " * (1 << 20) + b"{}", "is larger than 1 MiB"),
    ],
)
def test_a_manifest_is_parsed_within_bounds(data: bytes, words: str | None) -> None:
    if words is None:
        bounded_json(data, "manifest.json")
        return
    with pytest.raises(ValueError, match=re.escape(words)):
        bounded_json(data, "manifest.json")
