"""Answer every input line with plain text."""

import sys


def main() -> None:
    """Read lines from stdin until EOF; answer each with ``OK ready``."""
    for _line in sys.stdin:
        sys.stdout.write("OK ready\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
