"""``boligsag`` and ``python -m boligsag``: the desktop application or a CLI subcommand.

``boligsag`` alone, or with ``--db PATH`` / ``--demo`` / ``--lang``, opens the Qt
application. A first argument naming a CLI subcommand (``boligsag init ...``) hands the
whole command line to :mod:`boligsag.cli`, imported lazily so that administration and
automation never load Qt (a server or a scheduled backup has no display).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from boligsag import __version__
from boligsag.cli_commands import COMMANDS
from boligsag.i18n import LANGUAGES

CLI_COMMANDS = frozenset(COMMANDS)


def _gui_parser() -> argparse.ArgumentParser:
    # The command line speaks English, like the CLI (see services/errors.py); the
    # window itself opens in the language chosen in the settings or by --lang.
    parser = argparse.ArgumentParser(
        prog="boligsag",
        description="Case tracking for boligsociale indsatser. Without arguments the "
        "desktop application opens. Administration commands: "
        + ", ".join(sorted(CLI_COMMANDS)) + " (boligsag COMMAND --help).",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--db", type=Path, metavar="PATH",
                        help="database file to open (default: the last one used, else "
                             "boligsag.db in the user data folder)")
    source.add_argument("--demo", action="store_true",
                        help="open a throwaway demo database with synthetic data")
    parser.add_argument("--lang", choices=sorted(LANGUAGES),
                        help="user interface language for this run (default: the saved "
                             "choice, else Danish)")
    parser.add_argument("--version", action="version", version=f"Boligsag {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in CLI_COMMANDS:
        from boligsag import cli  # lazy: the CLI must never import Qt

        return int(cli.main(args) or 0)
    options = _gui_parser().parse_args(args)
    from boligsag.ui.shell.app import run  # lazy: `--help` works without a display

    return run(db_path=options.db, demo=options.demo, language=options.lang)


if __name__ == "__main__":
    sys.exit(main())
