"""Allow ``python -m mvt_several_scripts`` (runs the alpha server)."""

from mvt_several_scripts.server import alpha

if __name__ == "__main__":
    alpha()
