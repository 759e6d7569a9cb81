"""Tools snapshot: written atomically, compared with breaking changes as errors and additions as info."""

from __future__ import annotations

import copy
import json
import stat
from typing import TYPE_CHECKING

import pytest

from mcp_verify._checks.snapshot import compare_snapshot, missing_snapshot, snapshot_of, snapshot_text
from mcp_verify._files import read_json_object
from mcp_verify._types import Listing, Severity

if TYPE_CHECKING:
    from pathlib import Path


def _tool(name: str, properties: dict, required: list[str], description: str = "A tool.") -> dict:
    schema = {"type": "object", "properties": properties, "required": required}
    return {"name": name, "description": description, "inputSchema": schema}


def _listing() -> Listing:
    return Listing(
        tools=[
            _tool("echo", {"text": {"type": "string"}}, ["text"]),
            _tool("add", {"a": {"type": "integer"}, "b": {"type": "integer"}}, ["a"], "Add two integers."),
        ],
        resources=[{"uri": "test://readme", "name": "readme", "mimeType": "text/plain"}],
        resource_templates=[{"uriTemplate": "test://notes/{id}", "name": "note"}],
        prompts=[{"name": "greet", "arguments": [{"name": "name", "required": False}]}],
    )


@pytest.fixture
def snapshot(tmp_path):
    path = tmp_path / "mcp-snapshot.json"
    path.write_text(snapshot_text(_listing()))
    return path


def _compare(path: Path, listing: Listing):
    """The snapshot stage as the pipeline runs it: the file read at the boundary, then compared."""
    return compare_snapshot(read_json_object(path, "MV702", "snapshot", path.parent), listing)


def _changed(snapshot, change) -> list[tuple[str, Severity, str]]:
    listing = copy.deepcopy(_listing())
    change(listing)
    return [(f.code, f.severity, f.message) for f in _compare(snapshot, listing)]


def _add(listing: Listing) -> dict:
    return next(tool for tool in listing.tools if tool["name"] == "add")


def test_round_trip(snapshot):
    text = snapshot.read_text()
    assert text.endswith("}\n")
    data = json.loads(text)
    assert data == json.loads(json.dumps(snapshot_of(_listing())))
    assert [tool["name"] for tool in data["tools"]] == ["add", "echo"]
    assert data["tools"][0]["outputSchema"] is None
    assert data["resourceTemplates"][0]["uriTemplate"] == "test://notes/{id}"
    assert _compare(snapshot, _listing()) == []
    assert stat.S_IMODE(snapshot.stat().st_mode) == 0o644
    assert [path.name for path in snapshot.parent.iterdir()] == [snapshot.name]


def test_rewriting_keeps_the_mode(snapshot):
    snapshot.chmod(0o664)
    snapshot.write_text(snapshot_text(Listing()))
    assert stat.S_IMODE(snapshot.stat().st_mode) == 0o664
    assert json.loads(snapshot.read_text())["tools"] == []


def _rest() -> dict:
    listing = _listing()
    return {
        "resources": listing.resources,
        "resource_templates": listing.resource_templates,
        "prompts": listing.prompts,
    }


def test_a_removed_tool_is_breaking(snapshot):
    findings = _compare(snapshot, Listing(tools=_listing().tools[:1], **_rest()))
    [finding] = findings
    assert (finding.code, finding.severity, finding.step) == ("MV703", Severity.ERROR, "snapshot")
    assert "tool 'add' was removed" in finding.message
    assert "breaking for clients" in finding.message
    assert finding.file == "mcp-snapshot.json"
    assert '"name": "add"' in snapshot.read_text().splitlines()[finding.line - 1]


def test_a_parameter_made_required_is_breaking(snapshot):
    findings = _changed(snapshot, lambda listing: _add(listing)["inputSchema"]["required"].append("b"))
    assert findings == [
        ("MV704", Severity.ERROR, "tool 'add': parameter 'b' is now required: breaking for clients that leave it out")
    ]


def test_a_new_required_parameter_is_breaking(snapshot):
    def change(listing: Listing) -> None:
        _add(listing)["inputSchema"]["properties"]["c"] = {"type": "integer"}
        _add(listing)["inputSchema"]["required"].append("c")

    assert [code for code, _, _ in _changed(snapshot, change)] == ["MV704"]


def test_a_removed_parameter_is_breaking(snapshot):
    findings = _changed(snapshot, lambda listing: _add(listing)["inputSchema"]["properties"].pop("b"))
    assert [(code, severity) for code, severity, _ in findings] == [("MV705", Severity.ERROR)]


def test_a_changed_type_is_breaking_and_a_widened_one_is_not(snapshot):
    def change(listing: Listing) -> None:
        properties = _add(listing)["inputSchema"]["properties"]
        properties["a"] = {"type": "string"}
        properties["b"] = {"anyOf": [{"type": "number"}, {"type": "null"}]}

    findings = _changed(snapshot, change)
    assert findings == [
        (
            "MV706",
            Severity.ERROR,
            "tool 'add': parameter 'a' changed type from integer to string: breaking for clients that send integer",
        ),
        (
            "MV709",
            Severity.INFO,
            "tool 'add': parameter 'b' changed type from integer to null | number (it still accepts what it did)",
        ),
    ]


def test_prompt_arguments_are_parameters(snapshot):
    def change(listing: Listing) -> None:
        listing.prompts[0]["arguments"][0]["required"] = True

    assert [code for code, _, _ in _changed(snapshot, change)] == ["MV704"]


def test_additions_are_info_only(snapshot):
    def change(listing: Listing) -> None:
        listing.tools.append(_tool("mul", {}, []))
        listing.prompts.append({"name": "bye", "arguments": []})
        listing.resources.append({"uri": "test://more", "name": "more"})
        _add(listing)["inputSchema"]["properties"]["c"] = {"type": "integer"}
        _add(listing)["description"] = "Add two integers, or three."

    findings = _changed(snapshot, change)
    assert {severity for _, severity, _ in findings} == {Severity.INFO}
    assert sorted(code for code, _, _ in findings) == ["MV707", "MV707", "MV707", "MV708", "MV709"]
    assert ("MV707", Severity.INFO, "tool 'mul' was added") in findings


def test_a_changed_output_schema_is_a_warning(snapshot):
    listing = _listing()
    _add(listing)["outputSchema"] = {"type": "object"}
    snapshot.write_text(snapshot_text(listing))
    findings = _changed(snapshot, lambda listing: _add(listing).update(outputSchema={"type": "array"}))
    assert [(code, severity) for code, severity, _ in findings] == [("MV710", Severity.WARNING)]


def test_a_missing_snapshot_says_how_to_make_one(tmp_path):
    [finding] = compare_snapshot(missing_snapshot(tmp_path / "none.json"), _listing())
    assert (finding.code, finding.severity) == ("MV701", Severity.ERROR)
    assert str(tmp_path / "none.json") in finding.message
    assert "--update-snapshot" in finding.hint


@pytest.mark.parametrize(("text", "line"), [('{"tools": [,]}', 1), ("[]", None), ('{"snapshot_version": 9}', None)])
def test_an_unreadable_snapshot_is_an_error(tmp_path, text, line):
    path = tmp_path / "snap.json"
    path.write_text(text)
    [finding] = _compare(path, _listing())
    assert (finding.code, finding.severity, finding.line) == ("MV702", Severity.ERROR, line)
