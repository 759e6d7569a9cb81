"""Checks: pure functions from the stages' values to findings, one module per family.

- ``archive``: the wheel as installers read it (member paths, RECORD).
- ``contents``: what the sdist and the wheel carry (lost files, wheel lint, secrets, caches).
- ``metadata``: pyproject.toml and the core metadata.
- ``dependencies``: how mcp reaches the installed server.
- ``server``: how the server behaved (stdout, ping, list calls, shutdown, start-up time).
- ``listing``: what the server lists (names, schemas, URIs).
- ``registry``: server.json against the release, for the MCP Registry.
- ``snapshot``: the listing against a committed snapshot.

None of them starts a process or touches the network; each is tested with hand-made values.
"""
