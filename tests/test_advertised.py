"""``--exercise`` asks for everything the server advertises: one instance of each resource template (its
values from the completion API where there is one), completions, subscriptions and the log level (the
handshake era's, on the server started for it when the connection is modern), and a method no server
has. Raw servers, one behaviour each, in one run of the command."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_verify._probe import expand, variables

from .conftest import RawServers

TOOL = {"name": "echo", "description": "Echo the arguments.", "inputSchema": {"type": "object"}}
NOTE = {"uri": "notes://all", "name": "all"}
TEMPLATE = {"uriTemplate": "notes://{id}", "name": "note"}
PROMPT = {"name": "summarise", "arguments": [{"name": "topic", "required": True}]}
EVERYTHING = {"resources": {"subscribe": True}, "prompts": {}, "tools": {}, "logging": {}, "completions": {}}
ADVERTISED: dict[str, Any] = {
    "tools": [TOOL],
    "resources": [NOTE],
    "resourceTemplates": [TEMPLATE],
    "prompts": [PROMPT],
    "capabilities": EVERYTHING,
    "completions": {"id": ["42", "43"], "topic": ["cats"]},
    "reads": {"notes://all": {"contents": []}, "notes://42": {"contents": [{"uri": "notes://42", "text": "n"}]}},
}
METHOD_NOT_FOUND = {"code": -32601, "message": "Method not found"}
SERVERS: dict[str, dict[str, Any]] = {
    "adv-good": ADVERTISED,
    "adv-modern": {**ADVERTISED, "modern": True},
    "adv-broken": {
        **ADVERTISED,
        "reads": {"notes://all": {"contents": []}},  # notes://42 is not found
        "errors": {
            "completion/complete": {"code": -32603, "message": "completions are not implemented"},
            "resources/subscribe": METHOD_NOT_FOUND,
            "logging/setLevel": METHOD_NOT_FOUND,
            "mcp-verify/no-such-method": {"code": -32600, "message": "bad request"},
        },
    },
    "adv-placeholder": {
        **ADVERTISED,
        "capabilities": {"resources": {}, "tools": {}},
        "reads": {
            "notes://all": {"contents": []},
            "notes://example": {"error": {"code": -32002, "message": "no note"}},
        },
    },
    "adv-gone": {**ADVERTISED, "reads": {"notes://42": {"error": {"code": -32002, "message": "note 42 is gone"}}}},
    "adv-crash": {"tools": [TOOL], "crash_on": ["mcp-verify/no-such-method"]},
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    ran = RawServers(tmp_path_factory.mktemp("advertised"), SERVERS, "--exercise")
    ran.assert_clean()
    return ran.reports


def steps(report: dict[str, Any]) -> dict[str, str]:
    return {step["name"]: step["status"] for step in report["steps"]}


def found(report: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {f["code"]: (f["severity"], f["message"]) for f in report["findings"] if f["code"] != "MV136"}


@pytest.mark.parametrize(
    ("template", "values", "uri"),
    [
        ("notes://{id}", {"id": "42"}, "notes://42"),
        ("file:///{+path}", {"path": "a/b"}, "file:///a/b"),
        ("search://q{?query,page}", {"query": "x"}, "search://q?query=x&page=example"),
        ("db://{schema}{/table}", {}, "db://example/example"),
    ],
)
def test_a_template_is_filled_as_rfc_6570_says(template, values, uri):
    assert expand(template, values) == uri
    assert set(values) <= set(variables(template))


@pytest.mark.slow
def test_everything_advertised_is_asked_for_and_answers(runs):
    report = runs["adv-good"]
    assert report["ok"] is True, report["findings"]
    assert steps(report) == {
        **steps(report),
        "read notes://all": "pass",
        "get summarise": "pass",
        "read notes://{id}": "pass",
        "complete summarise topic": "pass",
        "subscribe notes://all": "pass",
        "logging/setLevel info": "pass",
        "call mcp-verify/no-such-method": "pass",
    }
    assert found(report) == {"MV308": ("info", found(report)["MV308"][1])}


@pytest.mark.slow
def test_on_a_modern_connection_the_handshake_era_requests_go_to_its_own_server(runs):
    report = runs["adv-modern"]
    assert report["ok"] is True, report["findings"]
    assert report["protocol"]["connected"] == "modern"
    assert steps(report)["subscribe notes://all"] == "pass"
    assert steps(report)["logging/setLevel info"] == "pass"
    assert steps(report)["read notes://{id}"] == "pass"


@pytest.mark.slow
def test_each_advertised_feature_that_fails_is_named(runs):
    report = runs["adv-broken"]
    codes = found(report)
    assert codes["MV438"] == ("warning", codes["MV438"][1])
    assert "completions are not implemented" in codes["MV438"][1]
    assert codes["MV439"][0] == "warning"
    assert codes["MV445"][0] == "warning"
    assert codes["MV446"][0] == "warning"
    assert "-32600" in codes["MV446"][1]


@pytest.mark.slow
def test_a_template_instance_the_completion_api_offered_that_cannot_be_read_is_an_error(runs):
    report = runs["adv-gone"]
    assert report["ok"] is False
    severity, message = found(report)["MV437"]
    assert severity == "error"
    assert "notes://42: note 42 is gone" in message


@pytest.mark.slow
def test_a_template_filled_with_placeholders_that_names_nothing_is_a_warning(runs):
    report = runs["adv-placeholder"]
    assert report["ok"] is True, report["findings"]
    severity, message = found(report)["MV437"]
    assert severity == "warning"
    assert "notes://example" in message
    assert "complete summarise topic" not in steps(report), "completions are not advertised"
    assert "logging/setLevel info" not in steps(report)


@pytest.mark.slow
def test_a_server_that_dies_on_an_unknown_method_fails(runs):
    report = runs["adv-crash"]
    assert report["ok"] is False
    severity, message = found(report)["MV446"]
    assert severity == "error"
    assert "exited" in message
