"""Allow ``python -m mvt_env_args_server``."""

from mvt_env_args_server.server import main

if __name__ == "__main__":
    main()
