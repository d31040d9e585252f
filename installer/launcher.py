"""The frozen program's entry point (PyInstaller runs a script, not a console_scripts
entry): the same ``boligsag.__main__.main`` that ``boligsag`` runs from a checkout."""

import sys

from boligsag.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
