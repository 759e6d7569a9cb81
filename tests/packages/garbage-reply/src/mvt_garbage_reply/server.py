"""Answer every JSON-RPC request with valid JSON that is not JSON-RPC."""

from __future__ import annotations

import json
import sys

REPLY = json.dumps({"hello": "this is not json-rpc"})


def main() -> None:
    """Read lines from stdin until EOF; answer each request with REPLY."""
    for line in sys.stdin:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict) and "id" in message:
            sys.stdout.write(REPLY + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
