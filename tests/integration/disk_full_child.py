"""The child of test_disk_full.py: saves people into the database at argv[1] until
the disk refuses a write, with the process's file-size limit (RLIMIT_FSIZE) a little
above the database's size, so the write-ahead log runs out of room as it would on a
full disk. Prints one line per save reported as done, then a last line with the
error's class and Danish message, and the class of a second save tried after it."""

from __future__ import annotations

import os
import resource
import signal
import sys
from pathlib import Path

from boligsag.errors import UserError
from boligsag.i18n import set_language
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.unlock import UnlockOptions, unlock

ROOM = 300_000  # bytes the files may grow by


def main() -> None:
    path = Path(sys.argv[1])
    set_language("da")
    ctx = unlock(path, "admin", os.environ["BOLIGSAG_PASSWORD"],
                 options=UnlockOptions(integrity_check=False))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a refused write, not a killed process
    limit = max(p.stat().st_size for p in path.parent.iterdir()) + ROOM
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    number = 0
    while True:
        try:
            made = create_person(ctx, PersonDraft(f"Fuld{number}", "Disk", note="x" * 4000))
        except Exception as error:  # what the user is told
            told = error.message() if isinstance(error, UserError) else str(error)
            failed = type(error).__name__, told
            break
        print(f"saved {made.person.uuid}", flush=True)
        number += 1
    try:
        create_person(ctx, PersonDraft("Igen", "Disk"))
        again = "saved"
    except Exception as error:
        again = type(error).__name__
    print(f"failed {failed[0]} {again} {failed[1]}", flush=True)


if __name__ == "__main__":
    main()
