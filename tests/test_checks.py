"""Deep checks: the pure functions over hand-made listings and projects, then real runs of fixture projects."""

from __future__ import annotations

import textwrap

import pytest

from mcp_verify._checks.contents import check_contents, package_sources
from mcp_verify._checks.dependencies import check_dependencies
from mcp_verify._checks.listing import check_listing
from mcp_verify._checks.metadata import check_metadata
from mcp_verify._checks.server import check_startup
from mcp_verify._project import read_project
from mcp_verify._types import ImportCost, Listing, Metadata, Sdist, Wheel

from .conftest import EXAMPLES, PACKAGES, assert_clean

OBJECT = {"type": "object", "properties": {"text": {"type": "string"}}}
ECHO = {"name": "echo", "description": "Echo the text.", "inputSchema": OBJECT}


def codes(findings) -> list[str]:
    return [finding.code for finding in findings]


def only(findings, code: str):
    matching = [finding for finding in findings if finding.code == code]
    assert len(matching) == 1, [(f.code, f.message) for f in findings]
    return matching[0]


# check_listing ---------------------------------------------------------------------------------------


def test_a_clean_listing_has_no_findings():
    listing = Listing(
        tools=[
            {
                "name": "get_forecast",
                "description": "Forecast for a point.",
                "inputSchema": {"type": "object", "properties": {"latitude": {"type": "number"}}},
                "outputSchema": {"type": "object", "properties": {"result": {"type": "string"}}},
            },
            {"name": "ns.tool-2_b", "description": "Dots, dashes, underscores.", "inputSchema": {"type": "object"}},
        ],
        resources=[{"name": "stations", "uri": "weather://stations"}, {"name": "file", "uri": "file:///tmp/x"}],
        resource_templates=[{"name": "station", "uriTemplate": "weather://stations/{code}"}],
        prompts=[{"name": "plan_trip", "arguments": [{"name": "city"}, {"name": "days"}]}, {"name": "bare"}],
    )
    assert check_listing(listing) == []


def test_invalid_schema_names_the_tool_and_the_path():
    listing = Listing(
        tools=[
            {
                "name": "lookup",
                "description": "d",
                "inputSchema": {"type": "object", "properties": {"x": {"type": "objekt"}}},
            }
        ]
    )
    finding = only(check_listing(listing), "MV413")
    assert finding.severity.value == "error"
    assert finding.step == "list"
    assert "tool 'lookup'" in finding.message
    assert "inputSchema.properties.x.type" in finding.message
    assert "'objekt' is not a JSON Schema type" in finding.message
    assert finding.hint


def test_output_schema_and_the_declared_draft_are_checked():
    draft7 = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "required": "text"}
    listing = Listing(
        tools=[
            {"name": "a", "description": "d", "inputSchema": draft7},
            {
                "name": "b",
                "description": "d",
                "inputSchema": OBJECT,
                "outputSchema": {"type": "object", "properties": {"n": {"minimum": "zero"}}},
            },
        ]
    )
    first, second = check_listing(listing)
    assert first.code == second.code == "MV413"
    assert "tool 'a': inputSchema" in first.message
    assert "inputSchema.required: 'text' is not of type 'array'" in first.message
    assert "tool 'b': outputSchema" in second.message
    assert "outputSchema.properties.n.minimum" in second.message
    assert "results" in second.hint


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        ({"type": "array"}, "has \"type\": 'array' at the root"),
        ({"properties": {}}, 'has no "type" at the root'),
        (None, "inputSchema is missing"),
        (True, "inputSchema is a JSON boolean"),
        ([], "inputSchema is a JSON array"),
    ],
)
def test_input_schema_must_be_an_object_schema(schema, words):
    tool = {"name": "t", "description": "d"}
    if schema is not None:
        tool["inputSchema"] = schema
    finding = only(check_listing(Listing(tools=[tool])), "MV414")
    assert finding.message.startswith("tool 't': ")
    assert words in finding.message


def test_a_root_type_that_is_no_type_is_reported_once():
    listing = Listing(tools=[{"name": "t", "description": "d", "inputSchema": {"type": "objekt"}}])
    assert codes(check_listing(listing)) == ["MV413"]


def test_tool_names_duplicates_and_descriptions():
    listing = Listing(
        tools=[
            {"name": "echo", "description": "d", "inputSchema": OBJECT},
            {"name": "echo", "description": "d", "inputSchema": OBJECT},
            {"name": "bad name", "description": "d", "inputSchema": OBJECT},
            {"name": "x" * 129, "description": "d", "inputSchema": OBJECT},
            {"name": "quiet", "inputSchema": OBJECT},
            {"name": "", "description": "d", "inputSchema": OBJECT},
        ]
    )
    findings = check_listing(listing)
    assert sorted(codes(findings)) == ["MV410", "MV410", "MV411", "MV412", "MV415"]
    invalid = [finding.message for finding in findings if finding.code == "MV410"]
    assert "tool name 'bad name' is not" in invalid[0]
    assert "x" * 129 in invalid[1]
    assert only(findings, "MV411").message.startswith("2 tools share the name 'echo'")
    description = only(findings, "MV415")
    assert (description.severity.value, description.message) == ("warning", "tool 'quiet' has no description")
    assert only(findings, "MV412").message == "a tool has an empty or missing name"


def test_a_server_that_lists_no_tools_gets_a_warning():
    (found,) = check_listing(Listing(prompts=[{"name": "summarize"}]))
    assert (found.code, found.severity) == ("MV419", "warning")
    assert check_listing(Listing(tools=[ECHO])) == []


def test_prompts_need_unique_names_and_argument_names():
    listing = Listing(
        tools=[ECHO],
        prompts=[
            {"name": "summarize", "arguments": [{"name": "style"}, {"name": "style"}, {"name": " "}]},
            {"name": "summarize"},
            {"description": "no name"},
        ],
    )
    findings = check_listing(listing)
    assert sorted(codes(findings)) == ["MV411", "MV412", "MV416", "MV416"]
    assert only(findings, "MV411").message.startswith("2 prompts share the name 'summarize'")
    assert only(findings, "MV412").message == "a prompt has an empty or missing name"
    arguments = sorted(finding.message for finding in findings if finding.code == "MV416")
    assert arguments == [
        "prompt 'summarize' has 2 arguments named 'style'",
        "prompt 'summarize' has an argument with an empty or missing name",
    ]


def test_resources_need_a_scheme_a_name_and_a_uri_of_their_own():
    listing = Listing(
        tools=[ECHO],
        resources=[
            {"name": "all", "uri": "notes://all"},
            {"name": "again", "uri": "notes://all"},
            {"name": "relative", "uri": "notes/all"},
            {"name": "spaced", "uri": "notes://my notes"},
            {"uri": "notes://anonymous"},
            {"name": "nowhere"},
        ],
        resource_templates=[
            {"name": "note", "uriTemplate": "notes://{id}"},
            {"name": "any", "uriTemplate": "{+path}"},
            {"name": "relative", "uriTemplate": "notes/{id}"},
        ],
    )
    messages = {(finding.code, finding.message) for finding in check_listing(listing)}
    assert messages == {
        ("MV411", "2 resources share the URI 'notes://all': clients can reach only one of them"),
        ("MV417", "resource 'relative': uri 'notes/all' is not a valid URI: it has no scheme"),
        ("MV417", "resource 'spaced': uri 'notes://my notes' is not a valid URI: it contains white space"),
        ("MV412", "resource 'notes://anonymous' has an empty or missing name"),
        ("MV417", "resource 'nowhere' has no uri"),
        ("MV417", "resource template 'relative': uriTemplate 'notes/{id}' is not a valid URI: it has no scheme"),
    }


# check_artifacts on hand-made projects ------------------------------------------------------------------

PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "demo"
version = "1.0"
readme = "README.md"
requires-python = ">=3.10"
dependencies = ["mcp>=2,<3"]
"""


def make_project(tmp_path, files: dict[str, str], pyproject: str = PYPROJECT):
    project = tmp_path / "demo"
    for name, text in {"pyproject.toml": pyproject, **files}.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(textwrap.dedent(text))
    return project


def make_wheel(
    wheel_files: list[str],
    project=None,
    requires_dist: tuple[str, ...] = ("mcp>=2,<3",),
    requires_python: str | None = ">=3.10",
    description: str | None = "# demo\n",
) -> Wheel:
    """A wheel value as inspect makes it; its Python sources read from the project, as they were built."""
    dist_info = ["demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/RECORD", "demo-1.0.dist-info/WHEEL"]
    metadata = Metadata("demo", "1.0", "A demo.", requires_python, list(requires_dist), description)
    sources = {}
    for name in wheel_files:
        for candidate in (project / "src" / name, project / name) if project else ():
            if name.endswith(".py") and candidate.is_file() and "mcp" in candidate.read_text():
                sources[name] = candidate.read_text()
                break
    return Wheel(
        "demo-1.0-py3-none-any.whl", "0" * 64, 1, sorted(wheel_files + dist_info), metadata=metadata, sources=sources
    )


def make_sdist(files: list[str]) -> Sdist:
    return Sdist("demo-1.0.tar.gz", "0" * 64, 1, sorted(f"demo-1.0/{name}" for name in files))


def check_artifacts(path, wheel: Wheel, sdist: Sdist | None = None):
    """What the inspect and install steps find in a project's artifacts, without building anything."""
    project = read_project(path)
    findings = check_contents(wheel, sdist, project, None) + check_metadata(project, wheel)
    return findings + check_dependencies(wheel, None, package_sources(project, wheel))


SERVER = "src/demo/server.py"
SERVER_TEXT = "import json\nfrom mcp.server.mcpserver import MCPServer\n"


def test_a_clean_project_has_no_findings(tmp_path):
    project = make_project(tmp_path, {SERVER: SERVER_TEXT, "src/demo/__init__.py": "", "README.md": "# demo"})
    (project / "src/demo/__pycache__").mkdir()
    (project / "src/demo/__pycache__/server.cpython-311.pyc").write_bytes(b"")
    (project / "src/demo/.server.py.swp").write_text("")
    wheel = make_wheel(["demo/__init__.py", "demo/server.py"], project)
    assert check_artifacts(project, wheel, make_sdist(["pyproject.toml", SERVER, "src/demo/__init__.py"])) == []


def test_invalid_pyproject_names_each_field_and_line(tmp_path):
    pyproject = PYPROJECT + textwrap.dedent(
        """\
        homepage = "https://example.com"
        keywords = "mcp"
        classifiers = [
          "Programming Language :: Python :: 3",
          "Programming Language :: Pythn",
        ]
        """
    )
    project = make_project(tmp_path, {SERVER: SERVER_TEXT}, pyproject)
    findings = check_artifacts(project, make_wheel(["demo/server.py"], project), make_sdist(["pyproject.toml", SERVER]))
    assert codes(findings) == ["MV140"] * 3
    assert all(f.severity.value == "warning" and f.step == "inspect" and f.file == "pyproject.toml" for f in findings)
    unknown, keywords, classifier = findings
    assert (unknown.line, unknown.message) == (11, "pyproject.toml: [project] has unknown key 'homepage'")
    assert "[project.urls]" in unknown.hint
    assert keywords.line == 12
    assert "`project.keywords` must be array (got 'mcp')" in keywords.message
    assert classifier.line == 15
    assert "project.classifiers[1] 'Programming Language :: Pythn' is not a known trove classifier" in (
        classifier.message
    )
    assert "https://pypi.org/classifiers/" in classifier.hint


def test_every_pyproject_error_is_found_even_in_required_fields(tmp_path):
    pyproject = 'color = "blue"\n[build-system]\nrequires = "hatchling"\n\n[project]\nname = 3\nversion = "1.0"\n'
    project = make_project(tmp_path, {SERVER: SERVER_TEXT}, pyproject)
    findings = check_artifacts(project, make_wheel(["demo/server.py"], project), make_sdist(["pyproject.toml", SERVER]))
    assert [(finding.code, finding.line) for finding in findings] == [("MV140", 1), ("MV140", 3), ("MV140", 6)]
    top, requires, name = (finding.message for finding in findings)
    assert top == "pyproject.toml: has top-level unknown key 'color'"
    assert requires == "pyproject.toml: `build-system.requires` must be array (got 'hatchling')"
    assert name == "pyproject.toml: `project.name` must be string (got 3)"
    assert "[tool." in findings[0].hint


def test_lost_files_say_who_dropped_them(tmp_path):
    project = make_project(
        tmp_path,
        {
            SERVER: SERVER_TEXT,
            "src/demo/data/greeting.txt": "hello",
            "src/demo/templates/page.html": "<p>",
            "src/other/unshipped.txt": "not a shipped package",
        },
    )
    sdist = make_sdist(["pyproject.toml", SERVER, "src/demo/templates/page.html"])
    findings = check_artifacts(project, make_wheel(["demo/server.py"], project), sdist)
    assert codes(findings) == ["MV131", "MV131"]
    by_file = {finding.file: finding for finding in findings}
    assert set(by_file) == {"src/demo/data/greeting.txt", "src/demo/templates/page.html"}
    assert by_file["src/demo/data/greeting.txt"].message.startswith(
        "src/demo/data/greeting.txt is in the project's package but not in demo-1.0-py3-none-any.whl: "
        "the sdist left it out"
    )
    assert "the sdist has it, but building the wheel left it out" in by_file["src/demo/templates/page.html"].message
    assert "package-data" in by_file["src/demo/templates/page.html"].hint


def test_many_lost_files_are_capped(tmp_path):
    files = {f"src/demo/data/{index:02}.txt": "x" for index in range(13)}
    project = make_project(tmp_path, {SERVER: SERVER_TEXT, **files})
    findings = check_artifacts(project, make_wheel(["demo/server.py"], project), make_sdist(["pyproject.toml", SERVER]))
    assert codes(findings) == ["MV131"] * 11
    assert findings[-1].message.startswith("3 more files are missing from demo-1.0-py3-none-any.whl")
    assert "src/demo/data/12.txt" in findings[-1].message


def test_wheel_lint(tmp_path):
    project = make_project(tmp_path, {SERVER: SERVER_TEXT})
    wheel_files = [
        "demo/server.py",
        "demo/server.py",
        "demo/__pycache__/server.cpython-311.pyc",
        "helpers.py",
        "conftest.py",
        "LICENSE",
        "tests/test_demo.py",
        "demo-1.0.data/scripts/demo",
    ]
    findings = check_artifacts(project, make_wheel(wheel_files, project), make_sdist(["pyproject.toml", SERVER]))
    assert all(finding.severity.value == "warning" for finding in findings)
    messages = sorted((finding.code, finding.message.split(": ", 1)[0]) for finding in findings)
    wheel = "demo-1.0-py3-none-any.whl"
    assert messages == [
        ("MV132", f"{wheel} ships 1 compiled bytecode file(s)"),
        ("MV133", f"{wheel} has more than one entry for demo/server.py"),
        ("MV134", f"{wheel} installs LICENSE at the top of site-packages"),
        ("MV134", f"{wheel} installs conftest.py at the top of site-packages"),
        ("MV134", f"{wheel} installs helpers.py at the top of site-packages"),
        (
            "MV135",
            f"{wheel} installs a top-level package 'tests', which collides with every other project that ships one",
        ),
    ]


def test_a_single_module_distribution_is_fine(tmp_path):
    project = make_project(tmp_path, {"demo.py": SERVER_TEXT})
    assert check_artifacts(project, make_wheel(["demo.py"], project), make_sdist(["pyproject.toml", "demo.py"])) == []


@pytest.mark.parametrize(
    ("requires_dist", "how"),
    [
        ((), "does not declare mcp"),
        (("httpx", 'mcp>=2; extra == "server"'), "declares mcp only under an optional extra"),
    ],
)
def test_mcp_imported_but_not_required(tmp_path, requires_dist, how):
    project = make_project(tmp_path, {SERVER: SERVER_TEXT, "src/demo/__init__.py": '"""Demo."""\n'})
    wheel = make_wheel(["demo/__init__.py", "demo/server.py"], project, requires_dist=requires_dist)
    finding = only(check_artifacts(project, wheel), "MV141")
    assert (finding.severity.value, finding.file, finding.line) == ("warning", SERVER, 2)
    assert finding.message == f"{SERVER} imports mcp (line 2), but demo's Requires-Dist {how}"


def test_mcp_required_through_a_marker_is_declared(tmp_path):
    project = make_project(tmp_path, {SERVER: SERVER_TEXT})
    wheel = make_wheel(["demo/server.py"], project, requires_dist=('MCP>=2; python_version >= "3.10"',))
    assert check_artifacts(project, wheel) == []


def test_missing_requires_python_and_description_are_warnings(tmp_path):
    project = make_project(tmp_path, {SERVER: "import json\n"})
    findings = check_artifacts(project, make_wheel(["demo/server.py"], project, requires_python=None, description=" "))
    assert codes(findings) == ["MV142", "MV143"]
    assert all(f.severity.value == "warning" and f.file == "pyproject.toml" and f.line == 5 for f in findings)
    assert "has no Requires-Python" in findings[0].message
    assert "requires-python" in findings[0].hint
    assert "has no long description" in findings[1].message
    assert 'readme = "README.md"' in findings[1].hint


# the real pipeline on fixture projects -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "project", [PACKAGES / "good-server", EXAMPLES / "weather-server", EXAMPLES / "lowlevel-server"]
)
def test_good_servers_have_no_findings(verify, project):
    run = verify(project)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.findings == []
    assert all(step["status"] == "pass" for step in run.report["steps"])


@pytest.mark.slow
def test_bad_tools_are_each_named(verify):
    run = verify(PACKAGES / "check-bad-tools")
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.report["ok"] is False
    errors = [finding for finding in run.findings if finding["severity"] == "error"]
    assert sorted(finding["code"] for finding in errors) == ["MV410", "MV411", "MV413"]
    assert all(finding["step"] == "list" for finding in errors)
    profiles = {finding["code"] for finding in run.findings if finding["severity"] == "warning"}
    assert profiles <= {"MV420", "MV421", "MV424"}, "the clients' own limits, warnings without --client"
    assert "tool name 'bad name'" in run.finding("MV410")["message"]
    assert "2 tools share the name 'echo'" in run.finding("MV411")["message"]
    schema = run.finding("MV413")["message"]
    assert "tool 'lookup'" in schema
    assert "inputSchema.properties.record.type: 'objekt' is not a JSON Schema type" in schema
    statuses = {step["name"]: step["status"] for step in run.report["steps"]}
    assert statuses == {name: "warn" if name == "list" else "pass" for name in statuses}
    assert_clean(run)


@pytest.mark.slow
def test_data_file_left_out_of_the_sdist_is_named(verify):
    run = verify(PACKAGES / "check-lost-data")
    assert run.returncode == 1, run.stdout + run.stderr
    lost = run.finding("MV131")
    assert (lost["severity"], lost["step"]) == ("warning", "inspect")
    assert lost["file"] == "src/mvt_check_lost_data/data/greeting.txt"
    assert "greeting.txt" in lost["message"]
    assert "the sdist left it out" in lost["message"]
    assert run.step("inspect")["status"] == "warn"
    assert run.step("install")["status"] == "pass"
    crash = run.finding("MV201")
    assert "FileNotFoundError" in crash["message"]
    assert "greeting.txt" in crash["message"]
    assert_clean(run)


@pytest.mark.slow
def test_bad_metadata_names_the_field_as_warnings(verify):
    """The backend built it, so users are not hurt: warnings that name the field, and a pass."""
    run = verify(PACKAGES / "check-bad-metadata")
    assert run.returncode == 0, run.stdout + run.stderr
    assert [(finding["code"], finding["severity"]) for finding in run.findings] == [
        ("MV136", "info"),
        ("MV140", "warning"),
        ("MV142", "warning"),
        ("MV143", "warning"),
    ]
    invalid = run.finding("MV140")
    assert invalid["message"] == "pyproject.toml: [project] has unknown key 'homepage'"
    assert (invalid["file"], invalid["line"]) == ("pyproject.toml", 10)
    assert "Requires-Python" in run.finding("MV142")["message"]
    assert [step["status"] for step in run.report["steps"]] == ["pass", "warn", *["pass"] * 5]
    assert [tool["name"] for tool in run.report["tools"]] == ["ping"]
    assert_clean(run)


@pytest.mark.parametrize(
    ("startup", "imported", "rest"),
    [(3.9, 2.6, "the rest went into starting the server (1.3 s)"), (3.0, 2.8, None), (1.5, 0.1, "(1.4 s)")],
)
def test_a_slow_start_says_whether_the_imports_explain_it(startup, imported, rest):
    costs = [ImportCost("mcp", 2.0, 0.1), ImportCost("demo", imported, 0.05)]
    (found,) = check_startup(startup, 1.0, costs, "demo")
    assert found.code == "MV210"
    assert f"importing demo took {imported:.1f} s in all" in found.message
    assert (rest in found.message) if rest else ("the rest" not in found.message)
