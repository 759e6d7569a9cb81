"""Allow ``python -m mvt_good_server``."""

from mvt_good_server.server import main

if __name__ == "__main__":
    main()
