"""JUnit XML for CI test-report viewers: a suite per project, a case per step and per error finding."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from .._types import Severity, Status
from ._safe import visible

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._report import Report


def _suite(report: Report) -> ET.Element:
    errors = report.errors
    failures = sum(step.status == Status.FAIL for step in report.steps) + len(errors)
    suite = ET.Element(
        "testsuite",
        name=report.project,
        tests=str(len(report.steps) + len(errors)),
        failures=str(failures),
        errors="0",
        skipped=str(sum(step.status == Status.SKIP for step in report.steps)),
        time=f"{report.seconds:.3f}",
    )
    classname = f"mcp-verify.{report.project}"
    stderr = report.server.stderr_tail.strip() if report.server else ""
    for step in report.steps:
        case = ET.SubElement(suite, "testcase", classname=classname, name=step.name, time=f"{step.seconds:.3f}")
        if step.status == Status.FAIL:
            failure = ET.SubElement(case, "failure", message=step.message, type="StepFailed")
            details = [finding.message for finding in report.findings if finding.step == step.name]
            failure.text = "\n\n".join([*details, *([f"server stderr:\n{stderr}"] if stderr else [])])
        elif step.status == Status.SKIP:
            ET.SubElement(case, "skipped", message=step.message)
    for finding in report.findings:
        if finding.severity != Severity.ERROR:
            continue
        case = ET.SubElement(suite, "testcase", classname=classname, name=f"{finding.code} {finding.step}", time="0")
        failure = ET.SubElement(case, "failure", message=finding.message.splitlines()[0], type=finding.code)
        failure.text = "\n".join([finding.message, *([f"hint: {finding.hint}"] if finding.hint else [])])
    if stderr:
        ET.SubElement(suite, "system-err").text = stderr
    return suite


def _parsable(root: ET.Element) -> None:
    """Make every text and attribute fit for XML: control characters (from a server's stderr) are not."""
    for element in root.iter():
        element.text = visible(element.text) if element.text else element.text
        element.attrib = {key: visible(value) for key, value in element.attrib.items()}


def render(reports: Sequence[Report]) -> str:
    """A ``<testsuites>`` document with one ``<testsuite>`` per project."""
    root = ET.Element("testsuites", name="mcp-verify")
    for report in reports:
        root.append(_suite(report))
    _parsable(root)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
