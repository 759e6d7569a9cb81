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
_REGISTRY = "modelcontextprotocol/registry@29e32c39 (v1.8.0)"
_APPS = "modelcontextprotocol/ext-apps specification/2026-01-26/apps.mdx (SEP-1865)"


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
    source: str = ""
    """Where the rule comes from, when someone else enforces it (a registry's validator, a specification)."""

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
            + (f"\nSource: {self.source}\n" if self.source else "")
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
    Entry(
        "MV137",
        WARNING,
        "inspect",
        "the wheel installs a top-level package or module with a generic name (`src`, `utils`, `scripts`...)",
        "A top-level name in the wheel is one that many projects ship (src, utils, common, scripts, docs, "
        "examples, build...): the list, with the threads and tools behind each name, is in "
        "src/mcp_verify/_data/generic_names.toml.",
        "Two distributions that install the same top-level name overwrite each other's files in the user's "
        "environment: whichever is installed last wins, and uninstalling one breaks the other.",
        "Put the code inside a package named after the project (a src/ layout installs src/<name>, not src), "
        "or leave the directory out of the wheel.",
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
    Entry(
        "MV165",
        WARNING,
        "inspect",
        "a developer's editor, agent or client files ship in the sdist or the wheel",
        "The artifact contains files of a developer's tools: an AI agent's settings or rules (.claude/, "
        ".cursor/, .cursorrules, .windsurfrules, .clinerules, .aider*), a client configuration (.mcp.json), "
        "an editor's project (.vscode/, .idea/), editor leftovers (*.swp, .DS_Store) or logs (*.log).",
        "They describe one machine (local paths, permissions granted to an agent, history) and are public "
        "once uploaded; none of them is needed to build or run the release. Credentials in them are MV160.",
        "Exclude them from the sdist and the wheel (backends do not all honour .gitignore), and rebuild.",
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
        "The server's stderr says a network connection, a write outside its working directory, or a path "
        "the sandbox does not have (/tmp, /run, a home) was refused.",
        "Under --sandbox the server has loopback only, no home of the machine's, private /tmp and /run, and "
        "nothing writable outside the run; it may work without the sandbox.",
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
    Entry(
        "MV307",
        ERROR,
        "handshake",
        "a current client cannot connect: what the server did with `server/discover` is named",
        "Clients of MCP 2026-07-28 open with `server/discover` (the mcp client's auto mode, Claude Code, the "
        "claude.ai connector, the Inspector) and fall back to `initialize` on any JSON-RPC error. This server "
        "exited, stayed silent past the client's wait (10 s for the mcp client), or wrote what is not JSON-RPC "
        "when it received the probe; or it speaks only modern versions this client does not know.",
        "A server that dies on the probe fails every current client (modelcontextprotocol/go-sdk#1177); one that "
        "stays silent makes connections hang (MayDay-wpf/snow-app PR#56) or wait out a timeout at every start.",
        "Answer `server/discover`: a DiscoverResult if you speak 2026-07-28, else a JSON-RPC error such as "
        "-32601 Method not found, at once and on stdout only. The MCP SDKs' servers do.",
    ),
    Entry(
        "MV308",
        INFO,
        "handshake",
        "the server speaks only the handshake era (MCP 2025-11-25 and earlier)",
        "The server answered `server/discover` with an error and `initialize` with a handshake: current clients "
        "fall back to the handshake and connect. No shipping client is modern-only by default (December 2026): "
        "Claude Code, the claude.ai connector and the mcp client probe and fall back; the TypeScript SDK stays "
        "legacy unless told otherwise; only a client pinned to 2026-07-28 (the Inspector's Era: Modern, "
        "`mode: {pin: '2026-07-28'}`) fails.",
        "The 2026-07-28 revision's features (cacheable lists, discover-time extensions such as MCP Apps) stay out "
        "of reach, and a client that pins the new revision cannot connect (the specification's compatibility "
        "matrix: modern-only client, legacy server, fails).",
        "Serve both eras: mcp 2.x's `MCPServer` and low-level `Server` do, from one process.",
    ),
    Entry(
        "MV309",
        WARNING,
        "handshake",
        "the server speaks only the modern era: clients that still use the handshake cannot connect",
        "The server connects in 2026-07-28 through `server/discover`, but a client that opens with `initialize` "
        "(started afresh, as it would start it) gets no session.",
        "Many clients still open with the handshake: the TypeScript SDK's default mode is legacy, Codex "
        "(codex-mcp-client 0.148) connects 2025-06-18, FastMCP 4's multi-server client negotiates only the "
        "handshake; they cannot use a modern-only server.",
        "Answer `initialize` too (a dual-era server): mcp 2.x's `MCPServer` does by default.",
    ),
    Entry(
        "MV310",
        ERROR,
        "list",
        "the server lists different tools, prompts or resources in the two protocol eras",
        "Listed through a 2026-07-28 connection and through a handshake connection, the server offers "
        "different things; the difference is named.",
        "Which tools a user gets depends on which client they use: a tool that exists in one era is missing "
        "in the other.",
        "Register the same tools, prompts and resources whatever the era of the connection.",
    ),
    Entry(
        "MV311",
        ERROR,
        "list",
        "a 2026-07-28 result lacks `resultType` or its cache hints (`ttlMs`, `cacheScope`), or has invalid ones",
        "On a modern connection every result carries `resultType`, and cacheable results (discover and the "
        "lists) carry `ttlMs` (a whole number of milliseconds, at least 0) and `cacheScope` (`public` or "
        "`private`); the 2026-07-28 schema requires them. A list result without them is an error (the mcp "
        "client rejects it); a discover result without them a warning (the mcp client fills them in).",
        "Strictly validating clients reject every such result (modelcontextprotocol/ruby-sdk PR#516), so the "
        "list comes back empty or the connection fails.",
        'Set `resultType: "complete"`, `ttlMs` and `cacheScope` on modern results (the MCP SDKs\' servers do).',
    ),
    Entry(
        "MV312",
        WARNING,
        "handshake",
        "a modern server ignores the protocol version a request names in `_meta`",
        "Asked `server/discover` naming a version no server supports (2099-01-01) in `_meta`, the server "
        "answered as if it were supported instead of refusing it with UnsupportedProtocolVersionError (-32022).",
        "In 2026-07-28 each request carries its own version; a server that ignores it answers clients of "
        "other versions in the wrong shape, and a client cannot negotiate a version with it.",
        "Read `io.modelcontextprotocol/protocolVersion` from each request's `_meta` and answer -32022 with the "
        "versions you support when it is not one of them.",
    ),
    Entry(
        "MV313",
        ERROR,
        "handshake",
        "over streamable HTTP, the 2026-07-28 connection is refused: a session id demanded, or a request refused",
        "The server answered `server/discover`, so a current client connects in 2026-07-28, which has no "
        "session: no `initialize`, no `Mcp-Session-Id`. Later requests of that connection were refused at the "
        "HTTP layer (the status and the server's words are quoted), typically `400 Missing session ID`.",
        "Current clients adopt the modern era as soon as discover answers, and then every list or call fails.",
        "Serve 2026-07-28 requests statelessly: no session id required when the request carries "
        "`MCP-Protocol-Version: 2026-07-28` (the mcp SDKs' streamable HTTP servers do).",
    ),
    Entry(
        "MV314",
        WARNING,
        "handshake",
        "over streamable HTTP, the server refuses the 2026-07-28 request headers",
        "`server/discover` sent with the headers every 2026-07-28 request carries (`MCP-Protocol-Version`, "
        "`Mcp-Method`, `Mcp-Name`) was refused, naming one of them; current clients fall back to the handshake.",
        "A proxy or server that rejects unknown headers keeps every client in the old era, and a modern-only "
        "client out.",
        "Accept (and, for routing, use) the `Mcp-Method` and `Mcp-Name` headers; let proxies pass them.",
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
        "a client rejects a construct of a tool's schema (client profile; the schema path named)",
        "A tool's schema uses something a client or its model API refuses: oneOf/anyOf/allOf at the root, "
        "property names outside its pattern, or, anywhere, a type array, anyOf beside other keywords (pydantic's "
        "Optional), $ref/$defs, a bare true/false, an array without items, a schema without a type. Each is named "
        "by its schema path, as the MCP Inspector's strict mode names it. An error for the clients named with "
        "--client.",
        "The client's model API rejects every request while the server is enabled, or the client drops the tool "
        "or the whole list.",
        "Rewrite the schema without the construct named (e.g. an Optional as a plain type left out of required).",
    ),
    Entry(
        "MV425",
        ERROR,
        "list",
        "a directory refuses a tool without a title or its annotation hints (only with `--client`)",
        "A directory's review (claude-directory, openai-apps) requires every tool to carry a title and "
        "annotation hints in `annotations`; the tools that lack them are named. Checked only when the directory "
        "is named with --client.",
        "The directory refuses the submission; clients also use the hints to decide what runs without asking.",
        "Give every tool a title and set readOnlyHint / destructiveHint (and openWorldHint for OpenAI) in its "
        "annotations, explicitly, even where the value is the default.",
    ),
    Entry(
        "MV426",
        WARNING,
        "list",
        "annotation hints beside `annotations` instead of in it",
        "A tool has readOnlyHint, destructiveHint, idempotentHint or openWorldHint at its top level; the MCP "
        "specification reads them only inside `annotations`.",
        "Clients ignore the hint: a read-only tool still asks for confirmation, and directories count it as missing.",
        'Move the hint into "annotations": {"readOnlyHint": true, ...}.',
        "the MCP specification 2025-11-25, schema: Tool.annotations (ToolAnnotations)",
    ),
    Entry(
        "MV427",
        WARNING,
        "calls",
        "a tool call's result is larger than a client accepts (client profile)",
        "A call's result, estimated in tokens as Claude Code estimates it (a quarter of the characters of each "
        "text block, 1,600 per image), is over a client's cap (Claude Code: refused over 25,000, a warning over "
        "10,000). An error for the clients named with --client, where the client refuses it.",
        "The client refuses the result or hides it behind a file, and the model never sees it.",
        'Paginate, filter or summarize the result; or declare a larger _meta["anthropic/maxResultSizeChars"] on '
        "the tool for Claude Code.",
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
        "MV437",
        ERROR,
        "exercise",
        "`--exercise`: one instance of a listed resource template cannot be read",
        "resources/read of the template with each variable filled failed. The values come from the "
        "completion API when the server advertises completions; else they are placeholders (`example`), and "
        "then the failure is a warning, since the placeholder may simply name nothing.",
        "A client that follows the template gets the error (templates are how most servers expose records).",
        "Fix what the quoted error says; advertise completions so clients (and mcp-verify) can fill the template "
        "with values that exist.",
    ),
    Entry(
        "MV438",
        WARNING,
        "exercise",
        "`--exercise`: the server advertises completions, but completion/complete fails",
        "Asked to complete a prompt's first argument (or a template's variable), the server answered an error or "
        "a result without `completion.values`.",
        "Clients offer argument completion only where it is advertised; it then fails in front of the user.",
        "Answer completion/complete for every prompt and template you list (an empty list of values is fine), or "
        "do not advertise `completions`.",
    ),
    Entry(
        "MV439",
        WARNING,
        "exercise",
        "`--exercise`: the server advertises resource subscriptions, but resources/subscribe fails",
        "On a handshake-era connection, subscribing to (then unsubscribing from) a listed resource failed although "
        "the server advertises `resources.subscribe`. (2026-07-28 replaced the pair with subscriptions/listen.)",
        "Clients that keep a resource fresh through notifications get an error instead.",
        "Answer resources/subscribe and resources/unsubscribe, or do not advertise `subscribe`.",
    ),
    Entry(
        "MV445",
        WARNING,
        "exercise",
        "`--exercise`: the server advertises logging, but logging/setLevel fails",
        "On a handshake-era connection, logging/setLevel (level `info`) failed although the server advertises "
        "`logging`. (2026-07-28 removed the method: logs are asked for per request.)",
        "Clients that set the log level get an error, some at every start.",
        "Answer logging/setLevel with an empty result, or do not advertise `logging`.",
    ),
    Entry(
        "MV446",
        WARNING,
        "exercise",
        "`--exercise`: a method no server has is not answered Method not found (-32601)",
        "Sent `mcp-verify/no-such-method`, the server answered another error code or a result (a warning), or "
        "crashed or stayed silent (an error).",
        "Clients send methods of newer revisions and extensions and fall back on -32601; a server that dies or "
        "hangs on one takes the whole connection down (the conformance suite's method_not_found).",
        "Answer unknown methods with JSON-RPC error -32601 (the MCP SDKs do).",
    ),
    Entry(
        "MV441",
        WARNING,
        "http",
        "over streamable HTTP the server answers with a redirect (e.g. `/mcp` to `/mcp/`)",
        "A request to the URL the server was told to serve got a redirect; the mcp client follows one only on "
        "the same origin and keeping the method (307/308), other clients follow none.",
        'Clients configured with the URL fail with "Couldn\'t reach the MCP server" (awslabs/mcp#4507, '
        "python-sdk#1798).",
        "Serve MCP at exactly the URL you document (mount both `/mcp` and `/mcp/`, or disable the slash redirect).",
    ),
    Entry(
        "MV442",
        WARNING,
        "http",
        "over streamable HTTP the server listens on every network interface (0.0.0.0 or ::)",
        "The server's listening socket is bound to all interfaces, not to localhost.",
        "The transport specification says local servers SHOULD bind only to localhost: anyone on the network "
        "can otherwise call its tools, and DNS rebinding reaches it from a browser.",
        "Bind to 127.0.0.1 unless the server is meant to be reached from elsewhere (then put it behind authorization).",
    ),
    Entry(
        "MV443",
        INFO,
        "http",
        "over streamable HTTP the server refuses a foreign `Host` header (421)",
        "A request carrying the Host header a reverse proxy forwards (`mcp.example.com`) was answered 421 "
        "Misdirected Request, the MCP SDKs' DNS rebinding protection.",
        'Right for a local server; behind a proxy or on a public name every client gets 421 ("Invalid Host '
        'header", awslabs/mcp#4507, opensearch-mcp-server-py#271) until the allowed hosts are configured.',
        "When you deploy it, list the public host names in the server's allowed hosts (transport security "
        "settings); locally, leave it.",
    ),
    Entry(
        "MV444",
        INFO,
        "handshake",
        "over streamable HTTP the server needs authorization (401): its door, as a client finds it",
        "The server answered 401. mcp-verify follows the client's discovery (the WWW-Authenticate header's "
        "`resource_metadata`, then the path-suffixed and root well-known URLs, RFC 9728) and checks the "
        "protected-resource metadata it finds; it never logs in, so nothing behind the door is listed. A "
        "challenge without `resource_metadata` is a warning.",
        "Clients can connect only through this door.",
        "Nothing, if the door is well formed; else name the metadata in `WWW-Authenticate: Bearer "
        'resource_metadata="…"`.',
    ),
    Entry(
        "MV447",
        ERROR,
        "handshake",
        "over streamable HTTP the server needs authorization (401), and clients cannot log in",
        "After the 401, no protected-resource metadata was found where clients look, or its `resource` does not "
        "cover the server's URL (path included, the mcp client's rule), or it names no `authorization_servers`.",
        'Clients stop at "Couldn\'t reach the MCP server" or refuse the token (python-sdk#1264, '
        "sooperset/mcp-atlassian#1257).",
        "Serve the metadata at `/.well-known/oauth-protected-resource/<path>`, with `resource` the URL clients "
        "use and your authorization servers, and name it in the challenge.",
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
    Entry(
        "MV460",
        WARNING,
        "list",
        "an invisible or format character in a name, a description or the instructions",
        "A tool, prompt or resource name, title or description, a parameter's name or description, or the "
        "server's instructions contain a tag character, a bidirectional control, a zero-width character or "
        "another invisible format character (Unicode Cf); the field, the offset and the code point are named, and "
        "text spelled in tag characters is decoded. Legitimate uses are not reported: joiners inside emoji and "
        "between letters of scripts that need them, flag tag sequences, marks beside right-to-left text.",
        "The model reads what the user cannot see: hidden instructions and reordered text are how tool "
        "descriptions are poisoned, and deployment scanners refuse servers that carry them.",
        "Remove the character from the text named (it usually arrives by copy and paste).",
        "CircleCI-Public/circleci-cli PR#1629 (agent-scan gates deploys); Puliczek/awesome-mcp-security PR#296; "
        "Unicode emoji-data.txt (Extended_Pictographic), UAX #9 (bidirectional controls)",
    ),
    Entry(
        "MV461",
        ERROR,
        "apps",
        "a tool's UI resource is not a `ui://` URI",
        'A tool\'s _meta.ui.resourceUri (or the flat _meta["ui/resourceUri"]) names a URI without the ui:// '
        "scheme, which the MCP Apps specification requires (SEP-1865, modelcontextprotocol/ext-apps "
        "specification/2026-01-26/apps.mdx).",
        "Hosts that render MCP Apps do not render it.",
        "Serve the view as a ui:// resource and name that URI.",
        f"{_APPS}: UI Resource Format (URI MUST start with ui://)",
    ),
    Entry(
        "MV462",
        WARNING,
        "apps",
        "a tool's UI resource is not listed, or listed without `text/html;profile=mcp-app`",
        "The ui:// resource a tool names is missing from resources/list, or listed with another mimeType. The "
        "specification lets a server omit it, but hosts that preload or review UI resources, and directories that "
        "look for apps, enumerate the list.",
        "The app is not found or not recognised until a tool runs.",
        'List the resource with "mimeType": "text/html;profile=mcp-app".',
        f"{_APPS}: Resource Discovery (servers MAY omit UI-only resources; All UI resources are enumerable)",
    ),
    Entry(
        "MV463",
        ERROR,
        "apps",
        "a tool's UI resource cannot be read as `text/html;profile=mcp-app`",
        "resources/read of the ui:// resource a tool names failed, or answered without a content of mimeType "
        "text/html;profile=mcp-app carrying text or a blob (the specification's MUST).",
        "Hosts show no UI for the tool.",
        "Fix what the quoted error says, and answer the read with that mimeType.",
        f"{_APPS}: Content Requirements (mimeType MUST be text/html;profile=mcp-app), Resource Discovery (Resource "
        "MUST exist on the server; Host MUST use resources/read)",
    ),
    Entry(
        "MV464",
        ERROR,
        "apps",
        "a tool's UI resource fails because its HTML file is not in the wheel",
        "Reading the ui:// resource fails in the installed wheel, and the project has the HTML file it serves "
        "while the wheel does not: it was left out of the package data. An editable install hides this.",
        "Every user of the release gets the failure; only the developer's checkout works.",
        "Include the file in the wheel (package data), and check the wheel's files list.",
        "JamsusMaximus/trainingpeaks-mcp PR#148 (CI's editable installs would mask a missing .html)",
    ),
    Entry(
        "MV465",
        WARNING,
        "apps",
        "a tool names its UI resource only by the deprecated flat key, or by two keys that disagree",
        'The tool sets _meta["ui/resourceUri"], which the MCP Apps specification deprecates (to be removed '
        "before GA), without _meta.ui.resourceUri, or the two name different resources.",
        "Hosts that read only the nested key show no UI, and hosts disagree about which view to render.",
        'Set _meta: {"ui": {"resourceUri": "ui://..."}} (keep the flat key only as a copy of it, for older hosts).',
        f"{_APPS}: Resource Discovery (deprecation notice); CopilotKit/CopilotKit#3108",
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
    Entry(
        "MV820",
        ERROR,
        "build",
        "the bundle is larger than mcp-verify unpacks (members, bytes, a zip bomb's ratio)",
        "Measured before a byte is written: more than 50,000 members, more than 1 GiB unpacked, a central "
        "directory over 16 MiB, or a member of 1 MiB or more compressed over 100:1. The member or the total is named.",
        "A bundle this large is refused by stores and slow for every user; a zip bomb fills the disk of whoever "
        "unpacks it.",
        "Leave caches, virtualenvs, data and build output out of the bundle (.mcpbignore).",
    ),
    Entry(
        "MV821",
        ERROR,
        "build",
        "a member's content is not what its header says",
        "A member inflates to other bytes than its header declares (size or CRC), or its data is corrupt. "
        "Unpacking stops at the declared size, so a lying header cannot write more.",
        "Hosts fail to unpack the bundle, or unpack something other than what was packed.",
        "Pack the bundle again with `mcpb pack`.",
    ),
    Entry(
        "MV822",
        ERROR,
        "build",
        "a member name appears twice, or a file has members inside it",
        "Two members have the same name once normalized (./a and a too), or a member is a file and a "
        "directory at once.",
        "Readers differ on which copy they take: a second manifest.json or server file silently wins in one "
        "host and not in another.",
        "Pack the bundle again with `mcpb pack`, which writes each file once.",
    ),
    Entry(
        "MV823",
        ERROR,
        "build",
        "a link or special file in the bundle (a symlink member, a link leading out of a bundle directory)",
        "A packed bundle holds a symbolic link (or a device, a pipe) rather than a file, or a bundle directory "
        "holds a link that leads out of it (PEP 706's data filter refuses the same). mcp-verify neither unpacks "
        "nor follows it.",
        "Hosts unpack a link as a file holding its target's name; a link out of a bundle directory packs "
        "whatever it points to on the author's machine.",
        "Replace the link with the file it points to, inside the bundle.",
    ),
    Entry(
        "MV824",
        ERROR,
        "inspect",
        "manifest.json names a path that leads out of the bundle",
        "server.entry_point is absolute or leads out with `..`, or mcp_config (or a platform override) runs or "
        "reads ${__dirname}/../... The field is named; the server is not started.",
        "The host runs or reads a file outside the bundle, one users do not have, or one an attacker chose.",
        "Name files inside the bundle, relative to its root (${__dirname}/server/main.py).",
    ),
    Entry(
        "MV825",
        ERROR,
        "inspect",
        "the icon fails `mcpb validate` (missing, not a PNG, absolute, ${__dirname})",
        "The manifest's icon is not a PNG file inside the bundle, named relative to its root: mcpb validate "
        "(modelcontextprotocol/mcpb PR #136) and mcpb pack refuse the bundle.",
        "The bundle cannot be packed or validated by the official tool; hosts show no icon.",
        'Ship a PNG in the bundle and name it relative to the root: "icon": "icon.png".',
    ),
    Entry(
        "MV826",
        WARNING,
        "inspect",
        "an icon hosts will not show (a remote URL, a broken icons[] entry)",
        "icon is a remote URL (mcpb validate warns: Claude Desktop only shows local icons), or an icons[] "
        "entry breaks the icon rules, which mcpb validate does not check.",
        "Users see the bundle without its icon.",
        "Ship the icons as PNG files in the bundle, named relative to its root.",
    ),
    Entry(
        "MV827",
        ERROR,
        "inspect",
        "the bundle's signature does not hold (changed after signing, or broken)",
        "The signature block's digest is not that of the bundle's bytes (the bundle was changed after it was "
        "signed), the signature was not made by its certificate's key, or the block cannot be read.",
        "Hosts that check signatures refuse or distrust the bundle; a bundle changed after signing may not be "
        "what its publisher signed.",
        "Sign the bundle again as the last step (mcpb sign), after every change.",
    ),
    Entry(
        "MV828",
        INFO,
        "inspect",
        "the bundle is unsigned",
        "The bundle carries no signature block (mcpb sign).",
        "Hosts install it as unverified.",
        "Sign it with `mcpb sign` and a code-signing certificate, if your users' hosts ask for signatures.",
    ),
    Entry(
        "MV829",
        ERROR,
        "inspect",
        "the signature block is not declared in the zip, so strict zip readers refuse the bundle",
        "mcpb sign (2.1.2) appends the signature after the zip's end record without counting it as the zip's "
        "comment; strict readers, Claude Desktop's among them, refuse the file (modelcontextprotocol/mcpb#278).",
        "Claude Desktop cannot install the signed bundle (Invalid comment length).",
        "Ship the bundle unsigned, or set the end record's comment length to the block's size (mcpb PR #204).",
    ),
    Entry(
        "MV830",
        WARNING,
        "inspect",
        "signed with a certificate hosts will not trust (self-signed, expired, not yet valid)",
        "The signature holds, but its certificate is self-signed or outside its validity dates; hosts check it "
        "against the system's trust store (mcpb's verifyCertificateChain, src/node/sign.ts).",
        "Hosts show the bundle as unsigned.",
        "Sign with a code-signing certificate from a CA your users' systems trust.",
    ),
    Entry(
        "MV831",
        ERROR,
        "inspect",
        "a member compressed over 50:1, which Claude Desktop refuses to install",
        "A member of the bundle inflates more than 50 times its stored size; Claude Desktop's unpacker takes "
        "that for a zip bomb (Suspicious compression ratio ... (max: 50:1); heygen-com/hyperframes#1716, "
        "Claude Desktop 1.15200.0).",
        "Claude Desktop refuses to install the bundle.",
        "Leave the file out (.mcpbignore), or ship it in a form that compresses less (silence as a short file).",
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
    Entry(
        "MV614",
        ERROR,
        "registry",
        "`$schema` is missing, or not a server.json schema the registry has",
        "server.json has no $schema, or one that is not .../schemas/<version>/server.schema.json for a version the "
        "registry has (the draft, an unknown date, an old URL form); the current schema was assumed for the checks.",
        "`mcp-publisher publish` is refused after the package is already on PyPI: the release is not listed.",
        "Set $schema to https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json.",
        f"{_REGISTRY} internal/validators/schema.go validateServerJSONSchema (schema-field-required, "
        "schema-version-extraction-error, schema-version-not-available)",
    ),
    Entry(
        "MV615",
        WARNING,
        "registry",
        "`$schema` names a deprecated server.json schema (the current one was assumed)",
        "$schema names an older dated schema version than the current one; mcp-verify checks the file against the "
        "current schema.",
        'The registry flags it; mcp-publisher releases before February 2026 refused to publish it ("deprecated '
        "schema detected\", Qiskit/mcp-servers#115, robotmcp/ros-mcp-server PR#233); today's registry publishes it "
        "with a warning.",
        "Set $schema to the current version and apply the registry's migration checklist (CHANGELOG.md).",
        f"{_REGISTRY} internal/validators/schema.go validateServerJSONSchema (schema-version-deprecated, "
        "a warning on publish since #896)",
    ),
    Entry(
        "MV616",
        ERROR,
        "registry",
        "a version is `latest` or a range",
        "The server's or a package's version is the reserved `latest`, or looks like a range (^1.2, ~1.2, >=1.0, "
        "1.x, 1.2.*, 1 - 2, 1.2 || 1.3).",
        "The registry refuses the entry (reserved-version-string, version-looks-like-range).",
        "Write the exact version being released.",
        f"{_REGISTRY} internal/validators/validators.go validateVersion, looksLikeVersionRange",
    ),
    Entry(
        "MV617",
        ERROR,
        "registry",
        "`websiteUrl` is not an absolute https URL, or holds characters the registry refuses",
        "websiteUrl must be absolute, use https, and hold none of \" ' < > or white space.",
        "The registry refuses the entry.",
        "Use https://..., percent-encoding what must be encoded.",
        f"{_REGISTRY} internal/validators/validators.go validateWebsiteURL",
    ),
    Entry(
        "MV618",
        ERROR,
        "registry",
        "an icon's `src` is not an absolute https URL",
        "Each icon's src must be absolute and https (no http, no data: URI).",
        "The registry refuses the entry.",
        "Host the icon over https and give its URL.",
        f"{_REGISTRY} internal/validators/validators.go validateIcon",
    ),
    Entry(
        "MV619",
        ERROR,
        "registry",
        "`repository` is not a GitHub or GitLab repository URL of its `source`, or has a bad `subfolder`",
        "repository.source must be github or gitlab and its url https://github.com/<owner>/<repo> (or gitlab.com); "
        "a subfolder is relative, without empty, . or .. segments.",
        "The registry refuses the entry.",
        'Set "repository": {"url": "https://github.com/<owner>/<repo>", "source": "github"}.',
        f"{_REGISTRY} internal/validators/validators.go validateRepository; utils.go IsValidRepositoryURL, "
        "IsValidSubfolderPath",
    ),
    Entry(
        "MV620",
        ERROR,
        "registry",
        "a named argument's name is empty or holds a value, or its value repeats the name",
        'A named argument needs a name without <, >, $ or spaces ("--port 8080" is a name and a value), and its '
        "value and default must not start with the name.",
        "The registry refuses the entry.",
        'Write {"type": "named", "name": "--port", "value": "8080"}.',
        f"{_REGISTRY} internal/validators/validators.go validateArgument, validateNamedArgumentName, "
        "validateArgumentValueFields",
    ),
    Entry(
        "MV621",
        ERROR,
        "registry",
        "a package's `identifier` contains spaces",
        "A package identifier must not contain spaces.",
        "The registry refuses the entry.",
        "Use the package's exact name.",
        f"{_REGISTRY} internal/validators/validators.go validatePackageField (HasNoSpaces)",
    ),
    Entry(
        "MV622",
        ERROR,
        "registry",
        "a transport the registry refuses (its type, its url, an undefined `{variable}`)",
        "stdio takes no url; streamable-http and sse need an http(s) url whose {variables} are the package's "
        "arguments or environment variables; remotes take only streamable-http or sse, over https, not localhost.",
        "The registry refuses the entry.",
        "Fix the transport named.",
        f"{_REGISTRY} internal/validators/validators.go validatePackageTransport, validateRemoteTransport; utils.go "
        "IsValidTemplatedURL, IsValidRemoteURL",
    ),
    Entry(
        "MV623",
        ERROR,
        "registry",
        "`title` is only white space, or `_meta` publisher data is over 4 KB",
        "A title must not be only white space; _meta.io.modelcontextprotocol.registry/publisher-provided is "
        "limited to 4 KB.",
        "The registry refuses the entry.",
        "Give a real title, or none; keep the publisher data under 4 KB.",
        f"{_REGISTRY} internal/validators/validators.go validateTitle, validatePublisherExtensions",
    ),
    Entry(
        "MV624",
        ERROR,
        "registry",
        "an `mcpb` package the registry refuses (hash, host, release URL)",
        "An mcpb entry needs fileSha256 and no registryBaseUrl, and its identifier must be an https release-asset "
        'URL on github.com (/owner/repo/releases/download/tag/file) or gitlab.com, containing "mcp".',
        "The registry refuses the entry (Servosity/msp-skills PR#12: host not allowed).",
        "Point the identifier at the bundle's release asset and give its fileSha256.",
        f"{_REGISTRY} internal/validators/registries/mcpb.go ValidateMCPB, validateMCPBUrl (the HEAD request it then "
        "makes is not made here)",
    ),
    Entry(
        "MV625",
        ERROR,
        "registry",
        "an `mcpb` package's `fileSha256` is not the bundle's",
        "The fileSha256 differs from the sha256 of the bundle built or given (a .mcpb beside server.json, in dist/ "
        "or in --dist-dir, matched by the identifier's file name), or is a placeholder.",
        "Clients that verify the hash refuse to install the bundle (jmrplens/gitlab-mcp-server PR#314, "
        "LeanerCloud/CUDly PR#1892).",
        "Write the sha256 of the exact .mcpb uploaded to the release (sha256sum file.mcpb).",
        "server.json schema 2025-12-11, Package.fileSha256: MCP clients must validate the downloaded file matches "
        "the hash before running packages",
    ),
    Entry(
        "MV626",
        WARNING,
        "registry",
        "an `mcpb` package's identifier does not carry the version released",
        "The release-asset URL (its tag or file name) does not contain the package's version (or the server's): "
        "a URL left from the last release.",
        "Clients download an older bundle than the one listed (jmrplens/libgen-mcp PR#107).",
        "Update the identifier's tag and file name with each release.",
        "server.json schema 2025-12-11, Package.identifier example .../releases/download/v1.0.0/package.mcpb; "
        "jmrplens/libgen-mcp PR#107, postmanlabs/postman-mcp-server PR#71",
    ),
    Entry(
        "MV627",
        ERROR,
        "registry",
        "a `pypi` package has `fileSha256` or another `registryBaseUrl` than https://pypi.org",
        "PyPI packages must not have fileSha256, and their base URL must be empty or https://pypi.org.",
        "The registry refuses the entry.",
        "Remove fileSha256 and registryBaseUrl from the pypi entry.",
        f"{_REGISTRY} internal/validators/registries/pypi.go ValidatePyPI",
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


def code_ranges() -> str:
    """The codes that exist, as ranges per hundred (``MV002-MV003, MV101-MV165, …``), for messages."""
    hundreds: dict[str, list[str]] = {}
    for code in sorted(CATALOGUE):
        hundreds.setdefault(code[:3], []).append(code)
    return ", ".join(codes[0] if len(codes) == 1 else f"{codes[0]}-{codes[-1]}" for codes in hundreds.values())


def markdown_table() -> str:
    """The README's table of codes, generated from the catalogue."""
    rows = ["| code | severity | step | meaning |", "|---|---|---|---|"]
    rows += [f"| {e.code} | {e.severity.value} | {e.step} | {e.title} |" for e in _ENTRIES]
    return "\n".join(rows) + "\n"
