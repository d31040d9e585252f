"""On a real Windows machine (the Windows workflow): a rename onto a file another handle
holds open fails with PermissionError, ``boligsag.atomic`` waits it out when the handle
is closed within a moment, and reports ``FileInUse`` — the old file untouched, no
temporary file left — when it is not. The Linux tests simulate this; here it is real.

    python installer/windows/check_file_in_use.py FOLDER
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from boligsag import atomic


def main(folder: Path) -> int:
    if sys.platform != "win32":
        print("check_file_in_use: only meaningful on Windows", file=sys.stderr)
        return 2
    folder = folder / "Bolig æøå ÆØÅ"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "rapport.csv"
    target.write_bytes(b"old")

    # Held for a moment (a virus scanner): the write waits and succeeds.
    held = open(target, "rb")  # noqa: SIM115 - closed by the timer, on purpose
    timer = threading.Timer(0.3, held.close)
    timer.start()
    atomic.atomic_write(target, b"new")
    timer.join()
    assert target.read_bytes() == b"new", "not replaced after the handle was closed"

    # Held throughout (Excel): FileInUse, the file as it was, no temp file.
    with open(target, "rb"):
        try:
            atomic.atomic_write(target, b"newer")
        except atomic.FileInUse as error:
            print(f"check_file_in_use: FileInUse as expected: {error}")
        else:
            raise AssertionError("a file held open was replaced")
    assert target.read_bytes() == b"new", "the held file changed"
    leftovers = [p.name for p in folder.iterdir() if p.name != target.name]
    assert not leftovers, f"left behind: {leftovers}"
    print("check_file_in_use: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
