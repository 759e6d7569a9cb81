"""Using the server as a client does: tool calls (MV430-MV433), resources read and prompts got
(MV434, MV435), and the gate's own calls checked before they are sent (a usage error)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

from .._catalogue import finding
from .._types import Severity
from ._common import dotted

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._types import Call, CallResult, Exercised, Finding, JSONDict

_SHOWN = 200


def _schema_errors(schema: object, instance: Any) -> list[str]:
    """Where ``instance`` breaks ``schema``, each as ``path: message``; a schema that is no schema says so."""
    if not isinstance(schema, dict):
        return []
    try:
        validator = validator_for(schema, default=Draft202012Validator)(schema)
        errors = sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
    except SchemaError:
        return []  # MV413 names the broken schema itself
    return [
        f"{dotted(list(error.absolute_path)) if error.absolute_path else '(root)'}: {error.message}" for error in errors
    ]


def bad_call(call: Call, tools: Sequence[JSONDict]) -> str | None:
    """Why a call the user asked for cannot be right, before it is sent: no such tool, or arguments
    its inputSchema rejects. A mistake of the gate, not of the server (a usage error)."""
    by_name = {str(tool.get("name")): tool for tool in tools}
    if call.tool not in by_name:
        listed = ", ".join(sorted(by_name)) or "none"
        return f"--call {call.tool}: the server lists no such tool (it lists: {listed})"
    errors = _schema_errors(by_name[call.tool].get("inputSchema"), call.arguments)
    if errors:
        return f"--call {call.tool}: the arguments do not match the tool's inputSchema: {'; '.join(errors[:3])}"
    return None


def _text(result: JSONDict) -> str:
    """The text content of a result, joined."""
    content = result.get("content")
    parts = [item.get("text", "") for item in content if isinstance(item, dict)] if isinstance(content, list) else []
    return "\n".join(part for part in parts if isinstance(part, str))


def _shown(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def check_calls(results: Sequence[CallResult], calls: Sequence[Call], tools: Sequence[JSONDict]) -> list[Finding]:
    """Each call's result: no error, structured output that matches the tool's outputSchema, the text expected."""
    schemas = {str(tool.get("name")): tool.get("outputSchema") for tool in tools}
    expected = {id(call): call.expect for call in calls}
    findings = []
    for call, result in zip(calls, results, strict=False):
        findings += _check_call(call, result, schemas.get(call.tool), expected.get(id(call)))
    return findings


def _check_call(call: Call, result: CallResult, schema: Any, expect: str | None) -> list[Finding]:
    if result.result is None:
        return [finding("MV430", f"calling tool {call.tool!r} failed: {result.error}")]
    if result.error:
        return [finding("MV430", f"calling tool {call.tool!r}: {result.error}")]
    if result.result.get("isError") is True:
        said = _shown(_text(result.result)) or "no text"
        return [finding("MV430", f"tool {call.tool!r} returned an error: {said}")]
    findings = []
    structured = result.result.get("structuredContent")
    if isinstance(schema, dict):
        if structured is None:
            findings.append(
                finding("MV432", f"tool {call.tool!r} declares an outputSchema but returned no structuredContent")
            )
        else:
            errors = _schema_errors(schema, structured)
            if errors:
                findings.append(
                    finding(
                        "MV431",
                        f"tool {call.tool!r}: its structuredContent does not match its outputSchema: outputSchema "
                        f"{errors[0]}" + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""),
                    )
                )
    if expect is not None and expect not in _text(result.result):
        findings.append(
            finding(
                "MV433",
                f"tool {call.tool!r} answered without {expect!r} in its text: {_shown(_text(result.result))!r}",
            )
        )
    return findings


def check_exercise(items: Sequence[Exercised]) -> list[Finding]:
    """Each request of ``--exercise`` that failed, by what it asked: a resource (MV434) or prompt (MV435) that
    lists but cannot be had is an error; so is a template instance that cannot be read, unless its values
    were placeholders (a warning then); completions, subscriptions and the log level are features a client
    degrades without (warnings); a method no server has must get -32601, and a crash or silence on it is an
    error (MV446)."""
    found = []
    for item in items:
        if item.error is None:
            continue
        code, what = _EXERCISED[item.kind]
        severity = None
        if item.kind == "template" and item.guessed:
            severity = Severity.WARNING
        elif item.kind == "unknown" and not item.answered:
            severity = Severity.ERROR
        found.append(finding(code, f"{what} {item.name!r} failed: {item.error}", step=item.step, severity=severity))
    return found


_EXERCISED = {
    "resource": ("MV434", "reading resource"),
    "prompt": ("MV435", "getting prompt"),
    "template": ("MV437", "reading one instance of resource template"),
    "completion": ("MV438", "completion/complete of"),
    "subscribe": ("MV439", "resources/subscribe of"),
    "logging": ("MV445", "logging/setLevel to"),
    "unknown": ("MV446", "the unknown method"),
}
