"""Command line for administration and automation: ``boligsag COMMAND ...``.

Each command lives in ``boligsag.commands.<name>`` with ``add_arguments(parser)`` and
``run(args) -> int``; this module parses, dispatches and turns every expected error
into one clear English line on stderr, never a traceback (an unexpected error names
only its type). Exit codes: 0 ok, 1 failure, 2 usage error.
The CLI never imports Qt.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
from collections.abc import Sequence

from boligsag import __version__
from boligsag.errors import UserError

from .cli_commands import COMMANDS
from .commands import CommandUsageError


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
        # ALL_OR_NOTHING: the command leaves no trace when it fails (init, demo).
        command_parser.set_defaults(run=module.run,
                                    all_or_nothing=getattr(module, "ALL_OR_NOTHING", False))
    return parser


class Terminated(BaseException):
    """SIGTERM, turned into an exception so that ``finally`` blocks and the all-or-nothing
    creation (storage/staging.py) clean up as they do for Ctrl-C."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on usage errors, 0 on --help
        return int(exit_.code or 0)
    name = args.command
    previous = _on_sigterm()
    try:
        _check_text(args)
        code = int(args.run(args))
        sys.stdout.flush()  # here, not at exit, so that a closed pipe is caught below
        return code
    except BrokenPipeError:
        # The reader went away (`boligsag referrals ... | head -1`). Python's documented
        # way: point stdout at devnull so the flush at exit cannot fail again; be quiet.
        _stdout_to_devnull()
        return 1
    except CommandUsageError as error:
        _say(name, _one_line(error))
        return 2
    except (UserError, OSError) as error:
        _say(name, _one_line(error))
        return 1
    except KeyboardInterrupt:
        _say(name, "interrupted")
        return 1
    except Terminated:
        _say(name, "terminated")
        return 1
    except Exception as error:
        # Last resort: a defect, not the user's mistake. One line, no traceback (its
        # text could hold personal data); BOLIGSAG_TRACEBACK=1 shows it to a developer.
        if os.environ.get("BOLIGSAG_TRACEBACK"):
            raise
        unchanged = "; nothing was changed" if getattr(args, "all_or_nothing", False) else ""
        _say(name, f"unexpected error ({type(error).__name__}){unchanged}")
        return 1
    finally:
        _restore_sigterm(previous)


# Arguments that name files; any other text (names, usernames, ids) must be real text.
_FILE_ARGUMENTS = frozenset({"path", "out"})


def _check_text(args: argparse.Namespace) -> None:
    if getattr(args, "path", None) == "":  # Path("") would be the current folder
        raise CommandUsageError("PATH is empty: give the database file")
    for dest, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        for text in values:
            if dest in _FILE_ARGUMENTS or not isinstance(text, str):
                continue
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:  # bytes of another encoding on the command line
                option = dest.replace("_", "-")
                raise CommandUsageError("{option} is not valid UTF-8 text",
                                        option=option) from None


def _say(command: str, message: str) -> None:
    with contextlib.suppress(OSError):  # stderr itself may be gone
        print(f"boligsag {command}: {message}", file=sys.stderr, flush=True)


def _raise_terminated(_signum: int, _frame: object) -> None:
    raise Terminated


def _on_sigterm() -> object:
    try:
        return signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread (an embedding test): leave signals alone
        return None


def _restore_sigterm(previous: object) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)  # type: ignore[arg-type]


def _stdout_to_devnull() -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _one_line(error: UserError | OSError) -> str:
    """The English line for an expected error: a user error's ``str()`` (its English
    message and technical detail), or what the operating system refused, and where."""
    if isinstance(error, OSError) and error.filename:
        return f"{error.strerror or error}: {error.filename}"
    return " ".join(str(error).split())


if __name__ == "__main__":
    sys.exit(main())
