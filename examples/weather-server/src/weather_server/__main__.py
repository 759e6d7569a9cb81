"""Allow ``python -m weather_server``."""

from weather_server.server import main

if __name__ == "__main__":
    main()
