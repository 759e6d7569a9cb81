"""Streamable HTTP out of a sandbox with no network: a relay from a UNIX socket in the run directory.

``python -I -S _relay.py SOCKET PORT -- COMMAND...`` runs inside the sandbox, beside the server:
it starts COMMAND (the server, in the relay's own process group, with its stdio), waits until the
server accepts connections on 127.0.0.1:PORT of the sandbox's private network, then listens on
SOCKET and copies each connection to that port and back. mcp-verify, outside, talks HTTP to SOCKET.
It exits as the server does. Standard library only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import FrameType

assert sys.platform != "win32"  # for mypy: Linux only (the sandbox is bubblewrap)


def ignore(signum: int, frame: FrameType | None) -> None:
    """A group signal meant for the server: the relay ends when the server does."""


def pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


def serve(path: str, port: int) -> None:
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    listener = socket.socket(socket.AF_UNIX)
    # a socket's path holds 107 bytes, a run directory's may be longer: bind it through its directory's fd
    directory = os.open(os.path.dirname(path), os.O_PATH | os.O_DIRECTORY)
    listener.bind(f"/proc/self/fd/{directory}/{os.path.basename(path)}")
    listener.listen(64)
    while True:
        client, _ = listener.accept()
        try:
            upstream = socket.create_connection(("127.0.0.1", port))
        except OSError:
            client.close()
            continue
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=pipe, args=(source, sink), daemon=True).start()


def main() -> None:
    path, port, command = sys.argv[1], int(sys.argv[2]), sys.argv[4:]
    signal.signal(signal.SIGTERM, ignore)
    child = os.posix_spawnp(command[0], command, os.environ)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # the server alone holds its stdio
        os.dup2(null, fd)
    threading.Thread(target=serve, args=(path, port), daemon=True).start()
    _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    os._exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
