"""Allow ``python -m notes_server``."""

from notes_server.server import main

if __name__ == "__main__":
    main()
