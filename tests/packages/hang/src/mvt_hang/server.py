"""A "server" that never reads its input and never replies."""

import time


def main() -> None:
    """Sleep forever."""
    while True:
        time.sleep(60)


if __name__ == "__main__":
    main()
