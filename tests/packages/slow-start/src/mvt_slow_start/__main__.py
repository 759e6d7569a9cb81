"""Allow ``python -m mvt_slow_start``."""

from mvt_slow_start.server import main

if __name__ == "__main__":
    main()
