"""Protocol eras: servers verified as a current client connects (``server/discover`` first, the handshake
where it falls back), each era's clients judged, and the 2026-07-28 rules held.

The servers are raw JSON-RPC written without any SDK, one behaviour each, verified in one run per
transport (stdio, then streamable HTTP); then SDK servers of both generations, a bundle, the sandbox,
and the policy itself as a pure function.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from mcp_verify._eras import choose
from mcp_verify._exceptions import UsageError
from mcp_verify._sandbox import sandbox
from mcp_verify._types import LEGACY, MODERN, Discovery

from .bundles import make_bundle
from .conftest import PACKAGES, RawServers, mcp_verify
from .rawserver import make_project

TOOL = {"name": "echo", "description": "Echo the arguments.", "inputSchema": {"type": "object"}}
EXTRA = {**TOOL, "name": "extra"}
SERVERS: dict[str, dict[str, Any]] = {
    "era-both": {"tools": [TOOL], "modern": True},
    "era-legacy": {"tools": [TOOL]},
    "era-modern-only": {"tools": [TOOL], "modern": True, "legacy": False},
    "era-exits": {"tools": [TOOL], "discover": "exit"},
    "era-hangs": {"tools": [TOOL], "discover": "hang"},
    "era-garbage": {"tools": [TOOL], "discover": "garbage"},
    "era-different": {"tools": [TOOL], "modern": True, "modern_tools": [TOOL, EXTRA]},
    "era-ignores-meta": {"tools": [TOOL], "modern": True, "ignore_meta": True},
    "era-no-envelope": {"tools": [TOOL], "modern": True, "envelope": False},
    "era-paged": {"tools": [{**TOOL, "name": f"tool_{i}"} for i in range(5)], "modern": True, "page_size": 2},
}
ORIGIN = "http://127.0.0.1:{env:PORT}"
METADATA = f"{ORIGIN}/.well-known/oauth-protected-resource/mcp"
ROOT_METADATA = "/.well-known/oauth-protected-resource"
RESOURCE = {"resource": f"{ORIGIN}/mcp", "authorization_servers": ["https://auth.example.com"]}
DOCUMENTS = {"/.well-known/oauth-protected-resource/mcp": RESOURCE}
CHALLENGE = f'Bearer resource_metadata="{METADATA}"'
HTTP_SERVERS: dict[str, dict[str, Any]] = {
    "http-both": {"tools": [TOOL], "modern": True},
    "http-legacy": {"tools": [TOOL]},
    "http-modern-only": {"tools": [TOOL], "modern": True, "legacy": False},
    "http-session": {"tools": [TOOL], "modern": True, "http_session": True},
    "http-no-headers": {"tools": [TOOL], "modern": True, "http_no_headers": True},
    "http-exits": {"tools": [TOOL], "discover": "exit"},
    "http-garbage": {"tools": [TOOL], "discover": "garbage"},
    "http-different": {"tools": [TOOL], "modern": True, "modern_tools": [TOOL, EXTRA]},
    "http-all-interfaces": {"tools": [TOOL], "modern": True, "bind_all": True},
    "http-hosts": {"tools": [TOOL], "modern": True, "http_hosts": True},
    "http-redirect": {"tools": [TOOL], "modern": True, "http_redirect": True},
    "http-auth": {
        "tools": [TOOL],
        "http_auth": {"challenge": f'Bearer resource_metadata="{METADATA}"', "documents": DOCUMENTS},
    },
    "http-auth-bare": {"tools": [TOOL], "http_auth": {}},
    "http-huge-headers": {"tools": [TOOL], "modern": True, "http_header_bytes": 400_000},
    "http-auth-elsewhere": {
        "tools": [TOOL],
        "http_auth": {"challenge": "Bearer", "documents": {ROOT_METADATA: {**RESOURCE, "resource": f"{ORIGIN}/other"}}},
    },
}


@pytest.fixture(scope="module")
def stdio(tmp_path_factory: pytest.TempPathFactory) -> RawServers:
    return RawServers(tmp_path_factory.mktemp("eras"), SERVERS)


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> RawServers:
    http = ("--transport", "http", "--arg=--http", "--arg={port}", "--env", "PORT={port}")
    return RawServers(tmp_path_factory.mktemp("eras-http"), HTTP_SERVERS, *http)


def codes(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {finding["code"]: finding for finding in report["findings"]}


def legs(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {leg["era"]: leg for leg in report["protocol"]["legs"]}


def status(report: dict[str, Any], step: str) -> str:
    return next(item["status"] for item in report["steps"] if item["name"] == step)


# -- the policy, as a pure function ----------------------------------------------------------------


DISCOVERED = {"supportedVersions": ["2026-07-28"], "capabilities": {}, "resultType": "complete"}


@pytest.mark.parametrize(
    ("discovery", "era"),
    [
        (Discovery("result", "", result=DISCOVERED), MODERN),
        (Discovery("result", "", result={**DISCOVERED, "supportedVersions": ["2025-11-25"]}), LEGACY),
        (Discovery("result", "", result={"capabilities": "none"}), LEGACY),
        (Discovery("error", "", error={"code": -32601, "message": "Method not found"}), LEGACY),
        (Discovery("error", "", error={"code": -32602, "message": "Invalid request parameters"}), LEGACY),
        (Discovery("error", "", error={"code": -32022, "message": "", "data": {"supported": ["2025-11-25"]}}), LEGACY),
        (Discovery("error", "", error={"code": -32022, "message": "", "data": {"supported": ["2027-01-01"]}}), None),
        (Discovery("silent", "no answer"), LEGACY),
        (Discovery("garbage", "wrote text"), LEGACY),
    ],
)
def test_a_current_client_falls_back_on_anything_but_modern_evidence(discovery, era):
    """mcp/client/_probe.py's denylist: only a modern-only server sharing no version cannot be reached."""
    assert choose(discovery).era == era


# -- raw servers over stdio ------------------------------------------------------------------------


@pytest.mark.slow
def test_the_run_keeps_every_promise(stdio):
    assert stdio.result.returncode == 1, stdio.result.stderr
    stdio.assert_clean()


@pytest.mark.slow
def test_a_dual_era_server_connects_modern_and_is_listed_in_both(stdio):
    report = stdio("era-both")
    assert report["ok"] is True
    protocol = report["protocol"]
    assert (protocol["mode"], protocol["connected"], protocol["version"]) == ("auto", "modern", "2026-07-28")
    assert protocol["eras"] == ["modern", "legacy"]
    assert protocol["discover"]["supported_versions"] == ["2026-07-28"]
    assert protocol["discover"]["server_info"] == {"name": "raw", "version": "1.0.0"}
    assert (protocol["discover"]["result_type"], protocol["discover"]["cache_scope"]) == ("complete", "private")
    assert legs(report)["legacy"] == {**legs(report)["legacy"], "ok": True, "same_process": False, "tools": ["echo"]}
    assert protocol["version_check"].startswith("refused it")
    assert report["server"]["protocol_version"] == "2026-07-28"
    assert "MV305" not in codes(report), "ping belongs to the handshake era, and was answered there"


@pytest.mark.slow
def test_a_handshake_server_falls_back_cleanly_and_is_told_so(stdio):
    report = stdio("era-legacy")
    assert report["ok"] is True
    protocol = report["protocol"]
    assert (protocol["connected"], protocol["eras"]) == ("legacy", ["legacy"])
    assert protocol["discover"]["error"]["code"] == -32601
    assert "-32601" in protocol["fallback"]
    assert codes(report)["MV308"]["severity"] == "info"
    assert [tool["name"] for tool in report["tools"]] == ["echo"]


@pytest.mark.slow
def test_a_modern_only_server_passes_and_the_handshake_clients_are_named(stdio):
    report = stdio("era-modern-only")
    assert report["ok"] is True, report["findings"]
    assert (report["protocol"]["connected"], report["protocol"]["eras"]) == ("modern", ["modern"])
    warning = codes(report)["MV309"]
    assert warning["severity"] == "warning"
    assert "Codex" in warning["message"]
    assert "initialize" in warning["message"]
    assert [tool["name"] for tool in report["tools"]] == ["echo"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("era-exits", "exited with code 3 when it received server/discover"),
        ("era-hangs", "no answer within 10 s"),
        ("era-garbage", "'unexpected request: server/discover' on stdout, which is not JSON-RPC"),
    ],
)
def test_a_server_that_dies_hangs_or_garbles_on_the_probe_fails_naming_it(stdio, name, words):
    report = stdio(name)
    assert report["ok"] is False
    error = codes(report)["MV307"]
    assert error["severity"] == "error"
    assert words in error["message"]
    assert legs(report)["legacy"]["ok"] is True, "the handshake alone still works: said, not hidden"


@pytest.mark.slow
def test_a_server_that_dies_on_the_probe_fails_the_handshake_step_not_the_launch(stdio):
    report = stdio("era-exits")
    assert (status(report, "launch"), status(report, "handshake")) == ("pass", "fail")
    assert "fatal: unknown method server/discover" in codes(report)["MV307"]["message"]


@pytest.mark.slow
def test_different_tools_per_era_is_an_error_naming_the_difference(stdio):
    report = stdio("era-different")
    error = codes(report)["MV310"]
    assert error["severity"] == "error"
    assert "tools only in 2026-07-28: extra" in error["message"]


@pytest.mark.slow
def test_a_server_that_ignores_the_version_in_meta_is_warned(stdio):
    assert "2099-01-01" in codes(stdio("era-ignores-meta"))["MV312"]["message"]
    assert "MV312" not in codes(stdio("era-both"))


@pytest.mark.slow
def test_modern_results_without_their_envelope_are_named(stdio):
    report = stdio("era-no-envelope")
    found = [finding for finding in report["findings"] if finding["code"] == "MV311"]
    by_method = {finding["message"].split()[2]: finding["severity"] for finding in found}
    assert by_method == {"server/discover": "warning", "tools/list": "error"}
    assert "has no resultType" in found[0]["message"]
    assert "MV418" not in codes(report), "the envelope is named once, by its own rule"


@pytest.mark.slow
def test_the_modern_leg_follows_pagination(stdio):
    report = stdio("era-paged")
    assert report["protocol"]["connected"] == "modern"
    assert [tool["name"] for tool in report["tools"]] == [f"tool_{i}" for i in range(5)]
    assert "MV310" not in codes(report)


# -- raw servers over streamable HTTP --------------------------------------------------------------


@pytest.mark.slow
def test_the_http_run_keeps_every_promise(http):
    assert http.result.returncode == 1, http.result.stderr
    http.assert_clean()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "connected", "eras"),
    [
        ("http-both", "modern", ["modern", "legacy"]),
        ("http-legacy", "legacy", ["legacy"]),
        ("http-modern-only", "modern", ["modern"]),
    ],
)
def test_over_http_each_era_connects_as_over_stdio(http, name, connected, eras):
    report = http(name)
    assert report["ok"] is True, report["findings"]
    assert (report["protocol"]["connected"], report["protocol"]["eras"]) == (connected, eras)
    assert [tool["name"] for tool in report["tools"]] == ["echo"]


@pytest.mark.slow
def test_over_http_a_session_demanded_of_a_modern_client_is_named(http):
    report = http("http-session")
    assert report["ok"] is False
    error = codes(report)["MV313"]
    assert "demands a session id" in error["message"]
    assert "Missing session ID" in error["message"]
    assert "MV310" not in codes(report), "a list that failed is compared with nothing"


@pytest.mark.slow
def test_over_http_refused_modern_headers_are_named(http):
    report = http("http-no-headers")
    assert report["ok"] is True, "current clients fall back to the handshake"
    assert report["protocol"]["connected"] == "legacy"
    assert "refuses the Mcp-Method header" in codes(report)["MV314"]["message"]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "words"), [("http-exits", "exited with code 3"), ("http-garbage", "not JSON-RPC")])
def test_over_http_death_and_garbage_on_the_probe_fail(http, name, words):
    report = http(name)
    assert report["ok"] is False
    assert words in codes(report)["MV307"]["message"]


@pytest.mark.slow
def test_over_http_different_tools_per_era_is_an_error(http):
    assert "extra" in codes(http("http-different"))["MV310"]["message"]


@pytest.mark.slow
def test_over_http_a_server_on_every_interface_is_warned_and_one_on_localhost_is_not(http):
    assert "listens on 0.0.0.0" in codes(http("http-all-interfaces"))["MV442"]["message"]
    assert http("http-both")["protocol"]["http"]["listening"] == ["127.0.0.1"]
    assert "MV442" not in codes(http("http-both"))


@pytest.mark.slow
def test_over_http_a_foreign_host_refused_is_named_and_a_redirect_warned(http):
    hosts = http("http-hosts")
    assert hosts["ok"] is True
    assert "421" in codes(hosts)["MV443"]["message"]
    redirect = http("http-redirect")
    assert "HTTP 307 to /mcp/" in codes(redirect)["MV441"]["message"]
    assert redirect["ok"] is True, "the mcp client follows a same-origin 307: the server still works"


@pytest.mark.slow
def test_a_401_is_a_door_described_not_a_crash(http):
    report = http("http-auth")
    assert report["ok"] is True, report["findings"]
    assert status(report, "handshake") == "pass"
    assert "needs authorization" in codes(report)["MV444"]["message"]
    door = report["protocol"]["http"]["authorization"]
    assert door["resource_allowed"] is True
    assert door["tried"][0]["outcome"] == "found"
    assert report["tools"] == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("http-auth-bare", "no protected-resource metadata where clients look"),
        ("http-auth-elsewhere", "/other' does not cover"),
    ],
)
def test_a_door_clients_cannot_get_through_is_an_error(http, name, words):
    report = http(name)
    assert report["ok"] is False
    assert words in codes(report)["MV447"]["message"]


@pytest.mark.slow
def test_over_http_a_response_too_large_to_read_fails_naming_it(http):
    """400 KB of response headers: no HTTP response a client can read, named, never a traceback."""
    report = http("http-huge-headers")
    assert report["ok"] is False
    assert "no HTTP response" in codes(report)["MV303"]["message"]


# -- SDK servers, bundles, the sandbox -------------------------------------------------------------


@pytest.mark.slow
def test_an_mcp2_server_speaks_both_eras_and_an_mcp1_server_the_handshake(verify):
    """mcp 2.x's MCPServer answers both (one era per process); mcp 1.x answers the probe -32602, then the handshake."""
    modern = verify(PACKAGES / "good-server")
    assert modern.returncode == 0, modern.stdout + modern.stderr
    assert (modern.report["protocol"]["connected"], modern.report["protocol"]["eras"]) == (
        "modern",
        ["modern", "legacy"],
    )
    old = verify(PACKAGES / "mcp1-server")
    assert old.returncode == 0, old.stdout + old.stderr
    assert old.report["environment"]["packages"]["mcp"].startswith("1.")
    assert (old.report["protocol"]["connected"], old.report["protocol"]["eras"]) == ("legacy", ["legacy"])
    assert old.report["protocol"]["discover"]["error"]["code"] == -32602
    assert old.finding("MV308")["severity"] == "info"
    assert [tool["name"] for tool in old.report["tools"]] == ["add"]


@pytest.mark.slow
def test_one_era_alone_when_asked(verify):
    legacy = verify(PACKAGES / "good-server", "--era", "legacy")
    assert legacy.returncode == 0
    assert legacy.report["protocol"]["discover"] is None
    assert [leg["era"] for leg in legacy.report["protocol"]["legs"]] == ["legacy"]
    refused = verify(PACKAGES / "mcp1-server", "--era", "modern")
    assert refused.returncode == 1
    assert "no modern connection" in refused.finding("MV307")["message"]


@pytest.mark.slow
def test_the_protocols_table_covers_both_eras_in_text(tmp_path):
    result = mcp_verify(str(PACKAGES / "good-server"), "--protocols", "-q", tmp=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "accepts 5 of 5 versions offered" in result.stdout
    assert re.search(r"2025-11-25\s+legacy\s+2025-11-25\s+✓", result.stdout)
    assert re.search(r"2026-07-28\s+modern\s+2026-07-28\s+✓", result.stdout)
    assert "eras: modern ✓ 2026-07-28 (this connection) · legacy ✓ 2025-11-25 (own start)" in result.stdout


@pytest.mark.slow
def test_a_handshake_server_says_no_to_the_modern_version_cleanly(stdio, tmp_path):
    """Offered 2026-07-28, a handshake-only server answers -32601: it does not speak it, and says so."""
    result = mcp_verify(str(stdio.projects["era-legacy"]), "--protocols", "--format", "json", "-q", tmp=tmp_path)
    report = json.loads(result.stdout)
    modern = next(row for row in report["protocols"]["versions"] if row["era"] == "modern")
    assert (modern["accepted"], modern["answered"]) == (False, "error -32601")
    assert "MV304" not in codes(report), "a clean refusal is no failure"


@pytest.mark.slow
def test_a_bundle_is_verified_in_the_era_a_current_client_picks(tmp_path):
    bundle = make_bundle(tmp_path, "modern-bundle", {"tools": [TOOL], "modern": True, "legacy": False})
    result = mcp_verify(str(bundle), "--format", "json", "-q", tmp=tmp_path / "tmp")
    report = json.loads(result.stdout)
    assert result.returncode == 0, report["findings"]
    assert (report["protocol"]["connected"], report["protocol"]["eras"]) == ("modern", ["modern"])
    assert "MV309" in codes(report)


@pytest.mark.slow
def test_both_eras_are_tried_under_the_sandbox(tmp_path):
    try:
        sandbox(tmp_path)
    except UsageError as error:
        pytest.skip(f"no sandbox on this machine: {error}")
    project = make_project(tmp_path, "era-sandboxed", {"tools": [TOOL], "modern": True})
    result = mcp_verify(str(project), "--sandbox", "--format", "json", "-q", tmp=tmp_path / "tmp")
    report = json.loads(result.stdout)
    assert result.returncode == 0, report["findings"]
    assert report["sandboxed"] is True
    assert report["protocol"]["eras"] == ["modern", "legacy"]
    assert list((tmp_path / "tmp").iterdir()) == []
