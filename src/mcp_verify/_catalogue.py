"""Every finding mcp-verify can report, as data: code, severity, step, title, meaning, why, fix.

Findings are made from this table only (``finding("MV204", message)``), ``mcp-verify --explain
CODE`` prints an entry, and the README's table of codes is checked against it by a test.

The severity of each code follows one rule, the same for every step:

- **error**: a user who installs this release as published hits a failure: it does not build,
  install, start, answer or list, or it breaks a rule that real clients depend on (anything but
  JSON-RPC on stdout). A leaked secret is an error too: it is worse than a broken release.
- **warning**: risky, non-standard, or broken only in some setups. ``--strict`` fails on these.
- **info**: advice.

A check that only predicts a failure (a file the wheel lacks, a dependency that arrives by
chance) is a warning; the failure itself, when the server then really fails, is the error.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._types import Finding, Severity

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

SEVERITY_RULE = (
    (
        "error",
        "a user who installs this release as published hits a failure: it does not build, install, "
        "start, answer or list, or it breaks a rule real clients depend on (anything but JSON-RPC on stdout); "
        "a leaked secret too",
    ),
    ("warning", "risky, non-standard, or broken only in some setups (fails with --strict)"),
    ("info", "advice"),
)
"""The rule behind every severity, as the README and ``--explain`` state it."""


@dataclass(frozen=True)
class Entry:
    """One code of the catalogue."""

    code: str
    severity: Severity
    step: str
    """The step the finding belongs to (a few codes can be found in a later step too)."""
    title: str
    """One line for the README's table."""
    meaning: str
    why: str
    fix: str

    def finding(
        self,
        message: str,
        hint: str | None = None,
        *,
        step: str | None = None,
        file: str | None = None,
        line: int | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of this code; ``hint`` defaults to the entry's fix."""
        return Finding(self.code, severity or self.severity, step or self.step, message, hint or self.fix, file, line)

    def explain(self) -> str:
        """The entry as ``mcp-verify --explain`` prints it."""
        return (
            f"{self.code} ({self.severity.value}, step {self.step}): {self.title}\n\n"
            f"What it means: {self.meaning}\n\nWhy it matters: {self.why}\n\nHow to fix it: {self.fix}\n"
        )


_ENTRIES = [
    # general -------------------------------------------------------------------------------------
    Entry(
        "MV002",
        INFO,
        "install",
        "`--keep-env`: where the environment was kept",
        "The throwaway environment was kept, as asked, at the path the message names.",
        "You can run the installed server by hand to look into a problem.",
        "Run the console script in that environment's bin directory; delete the directory when done.",
    ),
    Entry(
        "MV003",
        INFO,
        "install",
        "Requires-Python rules out this Python: another interpreter was used",
        "The release does not support the interpreter mcp-verify runs on, so it was verified with the newest "
        "interpreter on this machine that it does support, as uvx would pick one.",
        "Users of an excluded Python cannot install the release; that is its declared limit, not a defect.",
        "Give --python to verify with an interpreter of your choice.",
    ),
    Entry(
        "MV114",
        INFO,
        "inspect",
        "several console scripts: the server's was chosen by its name",
        "The wheel has several console scripts and no --script was given; one is named like the "
        "distribution, or is the only one with `mcp` in its name, and was launched.",
        "Clients are configured with one command: the report says which one was verified.",
        "Give --script NAME (or script in [tool.mcp-verify]) to choose another.",
    ),
    # build ---------------------------------------------------------------------------------------
    Entry(
        "MV101",
        ERROR,
        "build",
        "`pyproject.toml` is not valid TOML (line and column)",
        "pyproject.toml cannot be parsed, so no build frontend can build the project.",
        "pip, uv and build all refuse the project: nothing can be released.",
        "Fix the syntax at the line and column the message gives.",
    ),
    Entry(
        "MV102",
        ERROR,
        "build",
        "the build backend failed (the tail of its own output)",
        "The build backend's hook exited with an error while building the sdist or the wheel.",
        "A wheel that cannot be built from the sdist cannot be installed by users of the sdist, "
        "and a project that cannot be built cannot be released.",
        "Run `python -m build` in the project to see the backend's full output, and fix what it names.",
    ),
    Entry(
        "MV103",
        ERROR,
        "build",
        "the `[build-system]` table is invalid",
        "The [build-system] table of pyproject.toml does not follow PEP 518/517.",
        "No frontend can find the backend to build the project.",
        "Give [build-system] a `requires` list and a `build-backend` string.",
    ),
    Entry(
        "MV104",
        ERROR,
        "build",
        "the isolated build environment could not be prepared",
        "The build requirements could not be installed into a fresh environment.",
        "pip and uv build in the same kind of environment: users of the sdist cannot build it either.",
        "Check [build-system].requires: each requirement must exist on the index.",
    ),
    Entry(
        "MV105",
        ERROR,
        "build",
        "the sdist cannot be unpacked safely, or has not exactly one top-level directory",
        "The sdist is not a readable tar.gz, holds a member that would land outside its directory "
        "(an absolute or `../` name, a link out), or does not keep everything in one top-level directory.",
        "Installers refuse such an sdist, or unpack it somewhere it must not write.",
        "Build the sdist with a standard backend (`python -m build --sdist`) and upload that file.",
    ),
    Entry(
        "MV106",
        ERROR,
        "build",
        "`--from-index`: the release, or one of its files, could not be had from the index",
        "The project, the version or its files are not on the index, or a download failed, was too slow "
        "or too large, or did not match its published hash.",
        "What is not on the index cannot be installed by users.",
        "Check the name and version, and that the index is the one the release was uploaded to.",
    ),
    Entry(
        "MV107",
        ERROR,
        "build",
        "the build did not finish within `--build-timeout`",
        "The backend was still running when the build limit ran out, and was killed.",
        "A build that hangs (waiting for input or the network) hangs for every user who builds the sdist.",
        "Build the project by hand to see where it waits.",
    ),
    Entry(
        "MV108",
        WARNING,
        "build",
        "the build backend announced a deprecation with a deadline",
        "The backend printed a deprecation warning that names a date or a version after which the "
        "build will stop working (setuptools does this for license classifiers and `project.license` tables).",
        "After that date a fresh build of this sdist fails for every user who builds it.",
        "Do what the quoted warning asks before its deadline.",
    ),
    Entry(
        "MV109",
        WARNING,
        "build",
        "no `pyproject.toml`: built with setuptools' legacy backend",
        "The project has only setup.py; pip and uv build it with setuptools' legacy backend "
        "(`setuptools.build_meta:__legacy__`), as mcp-verify did.",
        "It builds today, but without a declared build system its build requirements are guessed, "
        "and pip has announced the end of this fallback.",
        'Add a pyproject.toml with [build-system] requires = ["setuptools"] and '
        'build-backend = "setuptools.build_meta".',
    ),
    # inspect: reading the wheel ------------------------------------------------------------------
    Entry(
        "MV110",
        ERROR,
        "inspect",
        "the wheel is not readable (zip, `.dist-info`, METADATA, entry points)",
        "The wheel is not a valid zip, lacks its single .dist-info directory, or a file installers "
        "read (METADATA, entry_points.txt) is missing, encrypted or not UTF-8.",
        "pip refuses to install it.",
        "Rebuild the wheel with a standard backend and do not edit it by hand.",
    ),
    Entry(
        "MV111",
        ERROR,
        "inspect",
        "the wheel defines no console script",
        "entry_points.txt has no [console_scripts]: [project.scripts] is missing or empty.",
        "Desktop clients start a server by its command: without one there is nothing to configure.",
        'Add one, e.g. [project.scripts] my-server = "my_server:main".',
    ),
    Entry(
        "MV112",
        ERROR,
        "inspect",
        "a wheel member has an unsafe path (absolute, `../`, a drive)",
        "A file in the wheel is named so that installing it would write outside the environment.",
        "pip refuses the whole wheel; uv silently drops the member, so the package is incomplete.",
        "Rebuild the wheel with a standard backend; do not add files to it by hand.",
    ),
    Entry(
        "MV113",
        ERROR,
        "inspect",
        "the wheel's RECORD is missing or does not match its files",
        "RECORD must list every file of the wheel with its sha256 and size; here a file is missing "
        "from it, a hash or size differs, or RECORD itself is missing.",
        "pip refuses a wheel whose RECORD lies (the file may have been tampered with); uv installs it silently.",
        "Rebuild the wheel instead of editing it after the build.",
    ),
    # inspect: contents ---------------------------------------------------------------------------
    Entry(
        "MV130",
        WARNING,
        "inspect",
        "the wheel has no files besides its `.dist-info`",
        "The wheel installs no package or module of its own.",
        "Unless the console script lives in a dependency, the server cannot start (the launch then says so).",
        "Tell the build backend where the package is (e.g. [tool.hatch.build.targets.wheel] packages).",
    ),
    Entry(
        "MV131",
        WARNING,
        "inspect",
        "a file of a shipped package's source folder is missing from the wheel",
        "A file sits in the project beside the package's modules but is not in the wheel built from "
        "the sdist; the message says whether the sdist or the wheel build dropped it.",
        "If the server reads it (templates, data, prompts), it fails for users while it works from the tree.",
        "Include it in the sdist and the wheel (MANIFEST.in, package-data, or the backend's include settings), "
        "or delete it if it is not needed.",
    ),
    Entry(
        "MV132",
        WARNING,
        "inspect",
        "the wheel contains compiled bytecode (`*.pyc`, `*.pyo`)",
        "Compiled files were packed into the wheel.",
        "Bytecode is specific to one Python version; installers compile their own.",
        "Leave __pycache__ and *.pyc out of the wheel.",
    ),
    Entry(
        "MV133",
        WARNING,
        "inspect",
        "the wheel has more than one entry for the same path",
        "The zip holds two members with one name.",
        "Installers keep one of them, not always the same one.",
        "Look for build settings that add a file twice (e.g. a force-include of a file the package ships).",
    ),
    Entry(
        "MV134",
        WARNING,
        "inspect",
        "an out-of-place file at the top of site-packages",
        "A stray module, setup.py, conftest.py, a test module or a data file sits at the root of the wheel.",
        "It collides with every other project's file of that name in the user's environment.",
        "Move it into your package, or exclude it from the wheel.",
    ),
    Entry(
        "MV135",
        WARNING,
        "inspect",
        "the wheel installs a top-level `test`/`tests`/`testing` package",
        "The tests are shipped as a top-level package.",
        "It collides with every other project that ships one.",
        "Exclude the tests from the wheel, or move them inside your package.",
    ),
    Entry(
        "MV136",
        INFO,
        "inspect",
        "`python -m <package>` will not start the server (no `__main__.py`)",
        "The entry point's package has no __main__.py (read from the wheel, not launched).",
        "Many guides tell users to run servers with `python -m`.",
        "Add <package>/__main__.py that calls the entry point.",
    ),
    # inspect: metadata ---------------------------------------------------------------------------
    Entry(
        "MV140",
        WARNING,
        "inspect",
        "`pyproject.toml` fails the packaging schemas (validate-pyproject)",
        "A field has a wrong type, an unknown key sits in [project], a classifier is unknown, or a "
        "table is combined in a way the specification forbids; the message names the field and line.",
        "The backend built it anyway, but other tools and newer backends may refuse it, and PyPI "
        "rejects unknown classifiers on upload.",
        "Fix the field the message names; the specification: "
        "https://packaging.python.org/en/latest/specifications/pyproject-toml/",
    ),
    Entry(
        "MV141",
        WARNING,
        "install",
        "the code imports `mcp` but the wheel does not declare it",
        "The shipped code imports mcp, while the wheel's Requires-Dist does not name it: it arrives "
        "only through another dependency (the chain is named), or not at all.",
        "A dependency of a dependency may drop or change mcp in any release, and break the server.",
        'Add "mcp" with the versions you support (e.g. "mcp>=1.6,<2") to [project].dependencies.',
    ),
    Entry(
        "MV142",
        WARNING,
        "inspect",
        "no Requires-Python",
        "The wheel does not say which Pythons it supports.",
        "Installers will install it on any Python, including ones mcp does not run on.",
        'Add requires-python = ">=3.10" (or what you support) to [project].',
    ),
    Entry(
        "MV143",
        WARNING,
        "inspect",
        "no long description (no readme)",
        "The wheel's METADATA has no description body.",
        "The project's PyPI page will be empty, and the registry's `mcp-name:` marker cannot be in it.",
        'Add readme = "README.md" to [project].',
    ),
    # inspect: what ships ---------------------------------------------------------------------------
    Entry(
        "MV160",
        ERROR,
        "inspect",
        "a secret or a developer's private file ships in the sdist or the wheel",
        "The artifact contains a file that holds credentials or local setup: a .env file, the registry "
        "tokens `mcp-publisher login` writes (.mcpregistry_*), a private key, .git/, .netrc/.pypirc, "
        "or a client configuration (.mcp.json, claude_desktop_config.json) with local paths or tokens.",
        "Everything uploaded to PyPI is public forever: a leaked token is worse than a broken release.",
        "Exclude the file from the sdist and the wheel (backends do not all honour .gitignore), "
        "rebuild, and revoke any token that was ever uploaded.",
    ),
    Entry(
        "MV161",
        ERROR,
        "inspect",
        "a developer's caches or build leftovers ship in the sdist or the wheel",
        "The artifact contains a developer's tool directories (.pytest_cache, .mypy_cache, .ruff_cache, "
        ".tox, .nox, .venv, .coverage, node_modules) or old build outputs (dist/, build/ inside the sdist).",
        "They carry the developer's machine into a public release (paths, test data, a whole environment), like a "
        "secret does, and bloat every download.",
        "Exclude them from the sdist and the wheel (backends do not all honour .gitignore).",
    ),
    Entry(
        "MV162",
        WARNING,
        "inspect",
        "a symlink in the project points outside it, and its target's files ship",
        "A symbolic link inside the project leads out of it; the backend followed it and packed what it points to.",
        "The release then depends on the developer's disk, and may ship files never meant for it.",
        "Replace the link with the files themselves, or exclude it.",
    ),
    Entry(
        "MV163",
        WARNING,
        "inspect",
        "a very large file ships in the sdist or the wheel",
        "A single file in the artifact is larger than 10 MB.",
        "Every user downloads it; it is often a data set, a model or an archive packed by mistake.",
        "Exclude it, or fetch it at run time if the server really needs it.",
    ),
    Entry(
        "MV164",
        WARNING,
        "inspect",
        "a file of the project could not be packaged (FIFO, socket, device, unreadable, name too long)",
        "A file in the project is not a regular readable file, or its path is too long; it was left out "
        "of the copy the build ran on.",
        "A backend that tries to read a FIFO waits forever; one that cannot read a file fails, on any machine "
        "that has the same tree.",
        "Remove it from the project, or exclude it from the sdist.",
    ),
    # install -------------------------------------------------------------------------------------
    Entry(
        "MV121",
        ERROR,
        "install",
        "the virtual environment could not be created",
        "The interpreter asked for could not create a virtual environment.",
        "Nothing can be installed or launched without it.",
        "Check the interpreter given with --python.",
    ),
    Entry(
        "MV122",
        ERROR,
        "install",
        "the wheel or its dependencies could not be installed",
        "The installer refused the wheel or could not resolve its dependencies (its own error is quoted).",
        "Users hit the same error on `pip install`.",
        "Check the versions in [project].dependencies: each must exist on the index and agree with the others.",
    ),
    Entry(
        "MV123",
        ERROR,
        "install",
        "the installation did not finish within `--build-timeout`",
        "The installer was still running when the limit ran out, and was stopped.",
        "An index that does not answer, or a dependency whose build hangs, hangs users' installs too.",
        "Install the wheel by hand to see where it waits.",
    ),
    # launch --------------------------------------------------------------------------------------
    Entry(
        "MV201",
        ERROR,
        "launch",
        "the server exited before answering",
        "The server process ended before it answered (its exit code and the exception line of its "
        "stderr are quoted; known breakages get a hint).",
        "A client that starts it sees the connection close: the server is unusable.",
        "Read the quoted line: it is the server's own error.",
    ),
    Entry(
        "MV202",
        ERROR,
        "launch",
        "the entry point's module is not in the installed wheel",
        "The console script imports a module that the wheel does not contain.",
        "The command fails with ModuleNotFoundError for every user.",
        "Check the module path in [project.scripts] and that the package is shipped in the wheel.",
    ),
    Entry(
        "MV203",
        ERROR,
        "launch",
        "the entry point's module has no such attribute",
        "The console script names a function that its module does not define.",
        "The command fails with ImportError/AttributeError for every user.",
        "Point [project.scripts] at the function that starts the server.",
    ),
    Entry(
        "MV204",
        ERROR,
        "launch",
        "the server wrote non-JSON-RPC text to stdout (the line is quoted)",
        "A line on stdout, at any time up to the server's exit, is not a JSON-RPC message. A `print()` "
        "before serving is block-buffered on a pipe and reaches stdout only when the server exits.",
        "stdout belongs to the MCP protocol: clients log parse errors, some drop the connection.",
        "Print diagnostics to stderr (print(..., file=sys.stderr) or logging), never to stdout.",
    ),
    Entry(
        "MV205",
        ERROR,
        "launch",
        "the console script could not be started at all",
        "The operating system refused to run the installed command.",
        "No client can start the server.",
        "Check the entry point and the interpreter the environment was made with.",
    ),
    Entry(
        "MV206",
        ERROR,
        "launch",
        "a line on stdout is larger than mcp-verify reads (32 MiB)",
        "The server wrote one line longer than the limit; the rest of that line was skipped unread.",
        "A message that large stalls or crashes clients.",
        "Page large listings (nextCursor) and keep results small.",
    ),
    Entry(
        "MV210",
        WARNING,
        "launch",
        "start-up slower than `--startup-budget` (slowest imports named)",
        "The server took longer than the budget to answer initialize.",
        "Desktop clients give up on servers that are slow to start.",
        "Import heavy modules lazily, inside the tools that need them.",
    ),
    Entry(
        "MV211",
        INFO,
        "launch",
        "`--sandbox`: the server tried something the sandbox denies",
        "The server's stderr says a network connection or a write outside its working directory was refused.",
        "Under --sandbox the server has no network and a read-only file system outside the run; "
        "it may work without the sandbox.",
        "Run without --sandbox if you trust the release, or make the server start without the network.",
    ),
    Entry(
        "MV220",
        ERROR,
        "encoding",
        "the server fails with the stdio encoding asked for (e.g. cp1252)",
        "Started with PYTHONIOENCODING set as asked (--encoding, or cp1252 with --strict), the server crashed.",
        "On a Windows console the server fails for the users of that setup, which you asked to support.",
        "Write only ASCII to stdout, or reconfigure the stream as UTF-8.",
    ),
    Entry(
        "MV221",
        INFO,
        "encoding",
        "non-ASCII text in instructions or tool descriptions",
        "Instructions or tool descriptions contain characters outside ASCII.",
        "Fine for MCP (JSON is UTF-8), but a server that also prints them to a console may crash.",
        "Nothing, unless the server prints these texts.",
    ),
    # handshake -----------------------------------------------------------------------------------
    Entry(
        "MV301",
        ERROR,
        "handshake",
        "timed out (the request that went unanswered is named)",
        "The server did not answer a request (named) within --timeout.",
        "Clients give up on a server that does not answer.",
        "A slow start? raise --timeout. A server waiting for something (input, the network, a lock) never answers.",
    ),
    Entry(
        "MV302",
        ERROR,
        "handshake",
        "the server answered with JSON that is not JSON-RPC (quoted)",
        "A line on stdout is JSON but not a valid JSON-RPC 2.0 message.",
        "Clients cannot match it to their request and drop it, or the connection.",
        "Let the MCP library write stdout; every line must be a JSON-RPC 2.0 message.",
    ),
    Entry(
        "MV303",
        ERROR,
        "handshake",
        "the initialize handshake failed",
        "The server answered initialize with an error, a result the mcp client library rejects, or a "
        "protocol version the client does not support.",
        "No client can start a session with it.",
        "Answer initialize as the MCP specification describes (the MCP SDKs do).",
    ),
    Entry(
        "MV304",
        WARNING,
        "handshake",
        "`--protocols`: the server failed when offered one of the protocol versions",
        "Offered an older or newer protocol version, the server failed instead of answering with one it supports.",
        "Clients that speak that version cannot use the server.",
        "Answer initialize with a version you support, whatever the client offers.",
    ),
    Entry(
        "MV305",
        WARNING,
        "handshake",
        "the server does not answer `ping`",
        "The server answered ping with an error (e.g. Method not found) or not at all; the "
        "specification says a receiver MUST answer ping.",
        "Clients that check liveness with ping may drop the server.",
        "Answer ping with an empty result (the MCP SDKs do).",
    ),
    Entry(
        "MV306",
        WARNING,
        "handshake",
        "serverInfo.version differs from the package version",
        "The version the server reports in its initialize result is not the version of the release.",
        "Clients and logs show the wrong version; FastMCP reports its own version unless it is told the server's.",
        "Pass the package's version to the server's constructor (e.g. version=importlib.metadata.version(...)).",
    ),
    # list ----------------------------------------------------------------------------------------
    Entry(
        "MV401",
        ERROR,
        "list",
        "a list call failed (the method and the server's message named)",
        "tools/list, resources/list, resources/templates/list or prompts/list, advertised by the "
        "server's capabilities, answered with an error or not at all.",
        "Clients cannot see what the server offers there.",
        "Fix the error the server's message names; list calls must work without any tool being called first.",
    ),
    Entry(
        "MV410",
        ERROR,
        "list",
        "a tool name is not 1-128 letters, digits, `_`, `-`, `.`",
        "A tool name has characters outside the MCP specification's set, or is too long.",
        "Clients and model APIs reject such names, often with every other tool of the server.",
        "Rename the tool.",
    ),
    Entry(
        "MV411",
        ERROR,
        "list",
        "two tools or prompts with the same name, or resources with the same URI",
        "Names (URIs) must be unique within their kind.",
        "Clients can reach only one of them; some refuse the whole list.",
        "Give every tool, prompt and resource its own name or URI.",
    ),
    Entry(
        "MV412",
        ERROR,
        "list",
        "a tool, prompt, resource or template without a name",
        "An item of a listing has an empty or missing name.",
        "Clients use the name to show and to address it.",
        "Give every item a name.",
    ),
    Entry(
        "MV413",
        ERROR,
        "list",
        "an `inputSchema` / `outputSchema` is not a valid JSON Schema",
        "The schema breaks the JSON Schema meta-schema (2020-12 unless $schema says otherwise); the "
        "tool and the path are named.",
        "Clients and model APIs validate schemas and refuse invalid ones.",
        "Fix the schema at the path named.",
    ),
    Entry(
        "MV414",
        ERROR,
        "list",
        'an `inputSchema` / `outputSchema` is missing or not `"type": "object"` at its root',
        "The MCP specification requires tool schemas to be object schemas.",
        "The mcp client libraries reject the whole tools/list result.",
        'Make the schema {"type": "object", "properties": {...}}.',
    ),
    Entry(
        "MV415",
        WARNING,
        "list",
        "a tool without a description",
        "A tool has no description.",
        "Models choose tools by their descriptions.",
        "Describe what the tool does (a docstring, or description=).",
    ),
    Entry(
        "MV416",
        ERROR,
        "list",
        "a prompt argument without a name, or two with the same name",
        "A prompt's arguments must each have a name of their own.",
        "Clients cannot fill in an argument without a name.",
        "Give every argument of the prompt its own, non-empty name.",
    ),
    Entry(
        "MV417",
        ERROR,
        "list",
        "a resource `uri` or template `uriTemplate` missing or not a valid URI",
        "The URI is missing, has no scheme, or contains white space.",
        "The mcp client libraries reject the listing.",
        "Use an absolute URI with a scheme and no white space, e.g. myserver://notes/all.",
    ),
    Entry(
        "MV418",
        ERROR,
        "list",
        "the mcp client library rejects a listing (the items are named)",
        "A list result fails the validation of the official mcp client library; the items that fail are named.",
        "A client built on an MCP SDK fails the whole list call: users see no tools at all.",
        "Fix the fields named; the other findings of the list step say what is wrong with each item.",
    ),
    Entry(
        "MV419",
        WARNING,
        "list",
        "the server lists no tools at all",
        "tools/list gave nothing, or the server does not advertise tools.",
        "Often a configuration file or a plugin directory the server reads its tools from was left out of the wheel.",
        "Check the files the server loads its tools from ship in the wheel; ignore if the server offers no tools.",
    ),
    # client profiles -----------------------------------------------------------------------------
    Entry(
        "MV420",
        WARNING,
        "list",
        "a client rejects a tool name (client profile)",
        "A tool name breaks a rule of a real client that the MCP specification does not have (the client and "
        "its documented source are named). An error for the clients named with --client.",
        "Such clients refuse the tool, often with every other tool of the server.",
        "Rename the tool to letters, digits, _ and - (at most 64 characters).",
    ),
    Entry(
        "MV421",
        WARNING,
        "list",
        "a client's qualified tool name is too long or collides (client profile)",
        "The name a client builds from the server's and the tool's names (Claude Code: mcp__<server>__<tool>) "
        "is over its limit, or two tools end up with one name. An error for the clients named with --client.",
        "The client's model API rejects the request, or the client drops or renames the tool.",
        "Shorten the tool name (the server's name in the user's configuration counts too).",
    ),
    Entry(
        "MV422",
        WARNING,
        "list",
        "a client truncates a description or the instructions (client profile)",
        "A tool description or the server's instructions exceed what a client keeps; the rest is cut silently. "
        "An error for the clients named with --client.",
        "The model never reads the end of it.",
        "Put what matters first, and keep descriptions under the limit named.",
    ),
    Entry(
        "MV423",
        WARNING,
        "list",
        "more tools than a client accepts (client profile)",
        "The server lists more tools than a client sends to its model. An error for the clients named with --client.",
        "The client drops tools, or refuses every request.",
        "Offer fewer tools, or group them.",
    ),
    Entry(
        "MV424",
        WARNING,
        "list",
        "a client rejects a construct of an inputSchema (client profile)",
        "A tool's inputSchema uses something a client or its model API refuses (oneOf/anyOf/allOf at the root, "
        "property names outside its pattern, type arrays...). An error for the clients named with --client.",
        "The client's model API rejects every request while the server is enabled, or the client drops the tool.",
        "Rewrite the schema without the construct named.",
    ),
    # using the server ----------------------------------------------------------------------------
    Entry(
        "MV430",
        ERROR,
        "calls",
        "a tool call failed (the tool named)",
        "The tool answered with an error (isError), the request failed, or the result is one the mcp client "
        "library rejects.",
        "Users calling the tool get the error.",
        "Fix what the quoted error says; run the call by hand with --keep-env.",
    ),
    Entry(
        "MV431",
        ERROR,
        "calls",
        "a tool's structuredContent does not match its outputSchema",
        "The MCP specification says structured results MUST conform to the declared outputSchema; the tool and "
        "the schema path are named.",
        "Clients validate it and reject the result.",
        "Return what the schema declares, or fix the schema.",
    ),
    Entry(
        "MV432",
        ERROR,
        "calls",
        "a tool declares an outputSchema but returned no structuredContent",
        "Tools with an outputSchema MUST return structured results.",
        "Clients that rely on the structured result get nothing.",
        "Return structuredContent, or remove the outputSchema.",
    ),
    Entry(
        "MV433",
        ERROR,
        "calls",
        "a call's result lacks the text `expect` asks for",
        "The [[tool.mcp-verify.calls]] entry's expect text is not in the result's text content.",
        "The tool answers, but not what the project says it must.",
        "Fix the tool, or the expectation.",
    ),
    Entry(
        "MV434",
        ERROR,
        "exercise",
        "`--exercise`: a listed resource cannot be read (the URI named)",
        "resources/read of a resource the server lists failed.",
        "A client that opens it gets the error.",
        "Fix what the quoted error says (often a data file left out of the wheel).",
    ),
    Entry(
        "MV435",
        ERROR,
        "exercise",
        "`--exercise`: a listed prompt cannot be got (the prompt named)",
        "prompts/get of a prompt the server lists failed (required arguments were given a placeholder).",
        "A client that uses the prompt gets the error.",
        "Fix what the quoted error says.",
    ),
    Entry(
        "MV440",
        ERROR,
        "http",
        "the server fails over streamable HTTP, which server.json declares",
        "server.json's package declares the streamable-http transport; started as it says (its arguments, a "
        "free port) the server did not answer and list over HTTP.",
        "Clients that follow the registry connect over HTTP and fail.",
        "Start the server with those arguments by hand and connect to the URL named; or fix server.json.",
    ),
    # bundles -------------------------------------------------------------------------------------
    Entry(
        "MV801",
        ERROR,
        "build",
        "the bundle cannot be opened (zip, manifest.json, a member leading out)",
        "The .mcpb is not a readable zip, has a member whose path leads out of it, or has no manifest.json "
        "(or one that is not a JSON object).",
        "Hosts cannot install it.",
        "Pack it with `mcpb pack`, from a directory with manifest.json at its root.",
    ),
    Entry(
        "MV802",
        ERROR,
        "inspect",
        "manifest.json breaks the manifest schema (field named)",
        "A required field is missing, a value has the wrong type, or manifest_version is none the hosts know "
        "(the schema's version is named).",
        "mcpb validate and the hosts refuse the bundle.",
        "Fix the field named; `mcpb validate manifest.json` says the same.",
    ),
    Entry(
        "MV803",
        ERROR,
        "inspect",
        "manifest.json has a key the hosts do not know",
        "Every object of the manifest is strict: an unknown key anywhere is refused.",
        "Claude Desktop refuses the bundle (Unrecognized key(s) in object).",
        "Remove the key, or move it under _meta (manifest_version 0.3 and later).",
    ),
    Entry(
        "MV804",
        WARNING,
        "inspect",
        "the specification, the validator and the hosts disagree about this manifest",
        "Something the specification allows that a validator or a host refuses, or the reverse (a uv bundle "
        "without mcp_config; server.type uv, which only some hosts run).",
        "The bundle works with some hosts and tools, not with others.",
        "Follow the hosts: see the finding's words, and docs/research/mcpb.md.",
    ),
    Entry(
        "MV805",
        ERROR,
        "inspect",
        "server.entry_point is not in the bundle",
        "The file the manifest names as the server's entry point was not packed.",
        "The host cannot start the server.",
        "Pack the file (check .mcpbignore), or fix entry_point.",
    ),
    Entry(
        "MV806",
        ERROR,
        "launch",
        "the bundle relies on a command from the user's PATH (uv, uvx...)",
        "Hosts supply their Python, their Node and, for server.type uv, their own uv; any other command the "
        "bundle runs is looked up on the PATH, and a desktop app started from the Dock or the Start menu has a "
        "minimal one (no ~/.local/bin, no pyenv shims).",
        "The host fails with spawn ENOENT for every user without that command installed system-wide.",
        "Use server.type uv (the host ships uv) or python (the host's Python), or ship the command in the bundle.",
    ),
    Entry(
        "MV807",
        WARNING,
        "inspect",
        "mcp_config has arguments written for uvx",
        "The bundle's command fetches a package from an index (uvx, --from) instead of running what it carries.",
        "The bundle then needs the network at every start, and runs whatever the index serves that day.",
        "Run the bundled entry point (server.type uv or python).",
    ),
    Entry(
        "MV808",
        WARNING,
        "inspect",
        "compatibility is written in a syntax the hosts do not read",
        "compatibility.runtimes uses PEP 440 commas (>=3.10,<4); Claude Desktop reads node-semver ranges "
        "(>=3.10 <4) and finds no match. The specification's own example uses commas.",
        "The host may mark the bundle incompatible.",
        "Write the range with spaces: >=3.10 <4.",
    ),
    Entry(
        "MV809",
        ERROR,
        "inspect",
        "compiled extensions do not cover the platforms or Pythons compatibility claims",
        "The bundled .so/.pyd files are built for fewer platforms (or one CPython) than compatibility claims.",
        "Users of the others get an ImportError at start.",
        "Use server.type uv (the host installs for its own platform), or narrow compatibility.",
    ),
    Entry(
        "MV810",
        WARNING,
        "inspect",
        "a very large bundle",
        "The bundle is over 50 MB.",
        "Every user downloads it; stores refuse large bundles (Smithery: 25 MB).",
        "Leave caches, tests, dist/ and virtualenvs out (.mcpbignore).",
    ),
    Entry(
        "MV811",
        ERROR,
        "inspect",
        "the manifest's version disagrees with the bundled pyproject or __version__",
        "manifest.json, the bundled pyproject.toml and the package's __version__ say different versions.",
        "Users and hosts see one version and run another.",
        "Bump them together (let one be read from the other).",
    ),
    Entry(
        "MV812",
        WARNING,
        "install",
        "the host's first install of the bundle is slow",
        "Installing the bundle's dependencies into a fresh environment took longer than a host waits for a "
        "server to start (60 s); a cold cache makes it slower still.",
        "The first start after install times out in the host.",
        "Trim the dependencies, or ship a python bundle with them bundled.",
    ),
    Entry(
        "MV813",
        WARNING,
        "launch",
        "a blank optional user_config reaches the server as literal text",
        "An optional user_config value with no default is used in mcp_config; hosts then pass the literal "
        "${user_config.KEY} to the server.",
        "The server gets text like ${user_config.api_url} as a setting, and often fails on it.",
        'Give the option a default ("default": "" works for env values), or make the server treat it as unset.',
    ),
    Entry(
        "MV814",
        ERROR,
        "list",
        "the manifest promises a tool or prompt the server does not list",
        "manifest.json names a tool (or prompt) that the running server does not offer.",
        "Users install the bundle for it, and it is not there.",
        "Remove it from the manifest, or set tools_generated if the server makes tools at run time.",
    ),
    Entry(
        "MV815",
        WARNING,
        "list",
        "the server lists a tool or prompt the manifest does not name",
        "The running server offers more than manifest.json says.",
        "Hosts show users the manifest's list before install.",
        "Add it to the manifest, or set tools_generated.",
    ),
    Entry(
        "MV818",
        ERROR,
        "inspect",
        "a uv bundle without pyproject.toml",
        "server.type uv means the host installs the dependencies from the bundled pyproject.toml; there is none.",
        "The host cannot install the server's dependencies: it fails to start.",
        "Pack pyproject.toml with [project].dependencies.",
    ),
    Entry(
        "MV819",
        WARNING,
        "inspect",
        "the bundle's dependencies do not fit its server type",
        "A python bundle with nothing bundled (the host runs the user's Python, without them), or a uv bundle that "
        "also ships server/lib or a virtualenv (ignored, and maybe for another platform).",
        "The server fails to import on users' machines, or the bundle carries dead weight.",
        "python: bundle the dependencies under server/lib; uv: leave them out.",
    ),
    # shutdown ------------------------------------------------------------------------------------
    Entry(
        "MV501",
        WARNING,
        "shutdown",
        "the server needed SIGTERM after its stdin closed",
        "The server did not exit within 2 s of its stdin closing.",
        "Clients stop stdio servers by closing stdin; a server that stays keeps running after the client quits.",
        "Exit when stdin reaches EOF.",
    ),
    Entry(
        "MV502",
        WARNING,
        "shutdown",
        "the server ignored stdin EOF and SIGTERM and needed SIGKILL",
        "Neither closing stdin nor SIGTERM stopped the server.",
        "Such a server outlives its client.",
        "Exit when stdin reaches EOF, and do not ignore SIGTERM.",
    ),
    Entry(
        "MV503",
        WARNING,
        "shutdown",
        "processes started by the server outlived it (they were killed)",
        "After the server exited, processes it started were still running: in its group, in a session "
        "of their own, or reparented. mcp-verify found and killed them.",
        "Each client start leaves them behind on the user's machine.",
        "Stop the processes the server starts when it exits (or do not daemonize).",
    ),
    Entry(
        "MV504",
        WARNING,
        "shutdown",
        "the server exited with an error at shutdown",
        "After its stdin closed, the server exited with a non-zero code or was killed by a signal; the "
        "exception line of its stderr is quoted.",
        "Clients log the failure; work the server does at exit (saving state) may be lost.",
        "Handle stdin EOF as a normal end of the session.",
    ),
    # registry ------------------------------------------------------------------------------------
    Entry(
        "MV601",
        WARNING,
        "registry",
        "`server.json` cannot be read or is not a JSON object",
        "server.json is unreadable, not valid JSON (line and column), or not an object.",
        "`mcp-publisher publish` rejects it; the PyPI release itself is not affected.",
        "Fix the syntax (strict JSON: no comments, no trailing commas).",
    ),
    Entry(
        "MV602",
        WARNING,
        "registry",
        "`name`, `description` or `version` missing, empty or not a string",
        "The registry requires these three fields.",
        "The registry rejects the entry.",
        "Set each to a non-empty string.",
    ),
    Entry(
        "MV603",
        WARNING,
        "registry",
        "`name` is not reverse-DNS `namespace/server` with exactly one `/`",
        "The registry's names look like io.github.user/server.",
        "The registry rejects the entry.",
        "Use io.github.<GitHub user>/<server>, or <reversed domain you own>/<server>.",
    ),
    Entry(
        "MV604",
        WARNING,
        "registry",
        "`description` longer than 100 characters",
        "The registry accepts descriptions of at most 100 characters.",
        "The registry rejects the entry.",
        "Shorten it to one sentence.",
    ),
    Entry(
        "MV605",
        WARNING,
        "registry",
        "`version` differs from the built wheel's version",
        "server.json says another version than the release (often a stale file).",
        "The registry would list a version that is not this release.",
        "Update server.json's version with each release.",
    ),
    Entry(
        "MV606",
        WARNING,
        "registry",
        "no package with `registryType` `pypi`",
        "server.json does not point at a PyPI package, so the mcp-name check is skipped.",
        "The registry will not send users to this wheel.",
        'Add {"registryType": "pypi", "identifier": ..., "version": ..., "transport": {"type": "stdio"}} to packages.',
    ),
    Entry(
        "MV607",
        WARNING,
        "registry",
        "the pypi package's `identifier` differs from the distribution name",
        "The package entry names another distribution than the wheel's.",
        "The registry would send users to another package, or reject the entry.",
        "Set identifier to [project].name.",
    ),
    Entry(
        "MV608",
        WARNING,
        "registry",
        "the pypi package's `version` differs from the built version",
        "The package entry names another version than the release.",
        "Clients following the registry would install that version.",
        "Update it with each release.",
    ),
    Entry(
        "MV609",
        WARNING,
        "registry",
        "`transport.type` is not what was verified",
        "The package's transport is not the one mcp-verify verified the server over.",
        "Clients following the registry will start the server that way.",
        'Set "transport": {"type": "stdio"} for a stdio server.',
    ),
    Entry(
        "MV610",
        WARNING,
        "registry",
        "the long description lacks an exact `mcp-name: <name>`",
        "The registry proves a PyPI package is yours by finding `mcp-name: <name>` in its description "
        "(near misses are quoted: a trailing `.`, case, spacing).",
        "The registry rejects the entry until a release carries the marker.",
        "Put <!-- mcp-name: <name> --> on its own line in the README.",
    ),
    Entry(
        "MV611",
        WARNING,
        "registry",
        "the long description is empty, so the marker cannot be there",
        "There is no long description (no [project].readme).",
        "The registry rejects the entry.",
        'Add readme = "README.md" and put the mcp-name marker in it.',
    ),
    Entry(
        "MV612",
        WARNING,
        "registry",
        "variables `server.json` marks required were not given with `--env`",
        "server.json says the server needs these variables (names only), and this run did not give them.",
        "The verification may not show how the server behaves as clients start it.",
        "Pass them with --env NAME=... (dummy values are fine if only their presence is checked).",
    ),
    Entry(
        "MV613",
        WARNING,
        "registry",
        "`server.json` fails the registry's JSON schema",
        "server.json breaks the official server.json schema (the version is named).",
        "`mcp-publisher publish` rejects it.",
        "Fix the field named; the schema's URL is in the message.",
    ),
    # snapshot ------------------------------------------------------------------------------------
    Entry(
        "MV701",
        ERROR,
        "snapshot",
        "no snapshot file (create it with `--update-snapshot`)",
        "--snapshot names a file that does not exist.",
        "Nothing can be compared.",
        "Run once with --update-snapshot to write it, and commit it.",
    ),
    Entry(
        "MV702",
        ERROR,
        "snapshot",
        "the snapshot cannot be read",
        "The snapshot is not valid JSON or not an mcp-verify snapshot.",
        "Nothing can be compared.",
        "Rewrite it with --update-snapshot.",
    ),
    Entry(
        "MV703",
        ERROR,
        "snapshot",
        "a tool, prompt, resource or resource template was removed",
        "Something the snapshot lists is gone.",
        "Clients and agents that use it break.",
        "Keep it (deprecated) for a release, or release a new major version and update the snapshot.",
    ),
    Entry(
        "MV704",
        ERROR,
        "snapshot",
        "a parameter became required, or a new required parameter",
        "Calls that worked before now lack a required argument.",
        "Clients that do not send it break.",
        "Give it a default so it stays optional, or release a new major version.",
    ),
    Entry(
        "MV705",
        ERROR,
        "snapshot",
        "a parameter was removed",
        "Calls that send it may now be refused.",
        "Clients that send it break.",
        "Keep accepting it (ignored, deprecated) for a release, or release a new major version.",
    ),
    Entry(
        "MV706",
        ERROR,
        "snapshot",
        "a parameter's type was narrowed or changed",
        "Values clients sent before are no longer accepted.",
        "Clients that send the old type break.",
        "Accept the old type too (a union), or release a new major version.",
    ),
    Entry(
        "MV707",
        INFO,
        "snapshot",
        "a tool, prompt, resource or template was added",
        "Something new is offered.",
        "Nothing breaks.",
        "Update the snapshot with --update-snapshot.",
    ),
    Entry(
        "MV708",
        INFO,
        "snapshot",
        "an optional parameter was added, or a required one became optional",
        "A compatible change.",
        "Nothing breaks.",
        "Update the snapshot with --update-snapshot.",
    ),
    Entry(
        "MV709",
        INFO,
        "snapshot",
        "a description or other detail changed, or a type was widened",
        "A compatible change.",
        "Nothing breaks.",
        "Update the snapshot with --update-snapshot.",
    ),
    Entry(
        "MV710",
        WARNING,
        "snapshot",
        "an existing tool's `outputSchema` changed or was removed",
        "The structured output of a tool changed shape.",
        "Clients that read structuredContent may break.",
        "Keep the old fields, or release a new major version.",
    ),
    # many targets ------------------------------------------------------------------------------
    Entry(
        "MV901",
        ERROR,
        "build",
        "a target of a run of several cannot be verified as given",
        "One of several targets (a PATH, a line of --targets, a registry entry) is not something mcp-verify "
        "can verify as given: the path is not there or is not a project, its [tool.mcp-verify] is wrong, its "
        "wheel has several console scripts and none was chosen, an entry names no version. Alone, the same "
        "problem is a usage error (exit 2); among several, it fails this target and the others are verified.",
        "A run over a monorepo or a registry must not be stopped by one bad entry, nor pass without it.",
        "Fix the target as the message says (the same fix as for the usage error it is alone), or remove it "
        "from the list.",
    ),
    Entry(
        "MV902",
        INFO,
        "build",
        "a registry entry was skipped: nothing to verify",
        "An entry of the --from-registry list names no PyPI package (only npm, OCI, NuGet, MCPB packages or "
        "remote servers), or the registry lists it as deleted, so there is no Python release to verify.",
        "A sweep says what it left out, so that a registry's servers are accounted for one by one.",
        "Nothing to fix in mcp-verify's eyes; verify the other packages with their own tools.",
    ),
]

CATALOGUE: dict[str, Entry] = {entry.code: entry for entry in _ENTRIES}
"""Every code, in the README's order."""


def finding(
    code: str,
    message: str,
    hint: str | None = None,
    *,
    step: str | None = None,
    file: str | None = None,
    line: int | None = None,
    severity: Severity | None = None,
) -> Finding:
    """A finding of ``code``, with the catalogue's severity and step unless told otherwise."""
    return CATALOGUE[code].finding(message, hint, step=step, file=file, line=line, severity=severity)


def markdown_table() -> str:
    """The README's table of codes, generated from the catalogue."""
    rows = ["| code | severity | step | meaning |", "|---|---|---|---|"]
    rows += [f"| {e.code} | {e.severity.value} | {e.step} | {e.title} |" for e in _ENTRIES]
    return "\n".join(rows) + "\n"
