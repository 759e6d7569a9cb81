"""Checks: pure functions from the stages' values to findings, one module per family.

- ``archive``: the wheel as installers read it (member paths, RECORD).
- ``contents``: what the sdist and the wheel carry (lost files, wheel lint, secrets, caches).
- ``metadata``: pyproject.toml and the core metadata.
- ``dependencies``: how mcp reaches the installed server.
- ``server``: how the server behaved (stdout, ping, list calls, shutdown, start-up time).
- ``listing``: what the server lists (names, schemas, URIs).
- ``profiles``: the limits of real clients and directories, as data; ``portability`` walks schemas for them.
- ``hidden``: invisible characters in what the model reads.
- ``apps``: MCP Apps, each tool's view listed, read and shipped.
- ``registry``: server.json against the release, for the MCP Registry; ``validators``: the registry's own rules.
- ``snapshot``: the listing against a committed snapshot.

None of them starts a process or touches the network; each is tested with hand-made values.
"""
