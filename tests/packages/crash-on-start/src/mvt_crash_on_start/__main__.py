"""Allow ``python -m mvt_crash_on_start``."""

from mvt_crash_on_start.server import main

if __name__ == "__main__":
    main()
