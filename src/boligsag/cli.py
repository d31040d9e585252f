"""Command line for administration and automation: ``boligsag COMMAND ...``.

Each command lives in ``boligsag.commands.<name>`` with ``add_arguments(parser)`` and
``run(args) -> int``; this module parses, dispatches and turns every expected error
into one clear English line on stderr. Exit codes: 0 ok, 1 failure, 2 usage error.
The CLI never imports Qt.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from boligsag import __version__
from boligsag.domain.errors import DomainError
from boligsag.services.errors import ServiceError, ValidationFailed
from boligsag.storage.errors import BoligsagStorageError

from .commands import CommandUsageError

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("boligsag.commands.init", "create a new encrypted database"),
    "demo": ("boligsag.commands.demo", "create a database full of synthetic demo data"),
    "check": ("boligsag.commands.check", "check cipher settings, integrity and schema version"),
    "passwd": ("boligsag.commands.passwd", "change a user's password"),
    "letter": ("boligsag.commands.letter", "render a referral's letter to a PDF file"),
    "referrals": ("boligsag.commands.referrals", "list referrals as CSV"),
    "summary": ("boligsag.commands.summary", "export a team-lead summary (XLSX, CSV or PDF)"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="boligsag",
        description="Boligsag administration and automation. Without a command, "
        "`boligsag` starts the desktop application.",
    )
    parser.add_argument("--version", action="version", version=f"boligsag {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        module = importlib.import_module(module_name)
        module.add_arguments(command_parser)
        command_parser.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on usage errors, 0 on --help
        return int(exit_.code or 0)
    try:
        return int(args.run(args))
    except CommandUsageError as error:
        print(f"boligsag {args.command}: {error}", file=sys.stderr)
        return 2
    except (BoligsagStorageError, ServiceError, DomainError, OSError) as error:
        print(f"boligsag {args.command}: {_one_line(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"boligsag {args.command}: interrupted", file=sys.stderr)
        return 1


def _one_line(error: BaseException) -> str:
    if isinstance(error, ValidationFailed):
        details = "; ".join(f"{name}: {text}" for name, text in error.field_messages_en().items())
        return f"{error} {details}".strip()
    if isinstance(error, OSError) and error.filename:
        return f"{error.strerror or error}: {error.filename}"
    return " ".join(str(error).split())


if __name__ == "__main__":
    sys.exit(main())
