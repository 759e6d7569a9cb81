from mvt_setuptools_server.server import main

main()
