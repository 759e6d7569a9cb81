"""Allow ``python -m mvt_no_console_script``."""

from mvt_no_console_script.server import main

if __name__ == "__main__":
    main()
