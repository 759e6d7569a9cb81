"""The Python API: the CLI's semantics, typed, in one call."""

from __future__ import annotations

import json

import pytest

import mcp_verify
from mcp_verify import Options, Report, UsageError, verify

from .conftest import PACKAGES, ROOT
from .conftest import mcp_verify as run_cli


def test_everything_a_report_holds_is_exported():
    for name in ("Report", "Finding", "StepResult", "Wheel", "Sdist", "Environment", "ServerInfo", "Listing"):
        assert hasattr(mcp_verify, name)
    assert (ROOT / "src" / "mcp_verify" / "py.typed").is_file()


def test_unknown_options_are_usage_errors():
    with pytest.raises(UsageError, match="unknown option: colour"):
        verify(PACKAGES / "good-server", colour="red")
    with pytest.raises(UsageError, match="resolution 'sideways'"):
        verify(PACKAGES / "good-server", resolution="sideways")


def test_nothing_to_verify_is_a_usage_error():
    with pytest.raises(UsageError, match="nothing to verify"):
        verify()


def test_options_are_the_keyword_arguments():
    assert Options().timeout is None, "unset: the project's [tool.mcp-verify] timeout, else 30 s"
    assert Options(timeout=5).timeout == 5
    assert Options(strict=True).strict


@pytest.mark.slow
def test_strict_verification_of_a_good_server_as_the_cli_does_it(tmp_path):
    [report] = verify(PACKAGES / "good-server", strict=True)
    assert isinstance(report, Report)
    assert report.ok, report.findings
    assert report.findings == ()
    assert [tool["name"] for tool in report.listing.tools] == ["add", "echo"]
    assert report.legs["encoding"]["encoding"] == "cp1252", "strict adds the Windows console leg, as the CLI does"
    cli = run_cli("tests/packages/good-server", "--strict", "--format", "json", "-q", tmp=tmp_path)
    from_cli = json.loads(cli.stdout)
    from_api = report.to_dict()
    assert from_api.keys() == from_cli.keys()
    assert [step["name"] for step in from_api["steps"]] == [step["name"] for step in from_cli["steps"]]
    assert from_api["tools"] == from_cli["tools"]
