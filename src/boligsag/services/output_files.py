"""Writing a file the user asked for — a saved letter, an exported summary — one way.

1. The path rule (``storage.output_paths``): never the open database or one of its
   files, a backup, a key file, or something that is not a regular file. Refused
   before anything is written or recorded.
2. The bytes go to a short-named temp file beside the target, owner-only (0600) and
   fsynced. A full disk or a pulled USB stick fails here: nothing left the program,
   so nothing is recorded.
3. The audit entry is committed, *before* the file has its final name: a process
   killed right after the rename has already recorded the output.
4. The rename into place, then the folder is fsynced.

If step 4 fails (the target stays open in Excel on Windows: ``atomic.FileInUse``
after a few tries; the folder was removed), a
second entry, ``OUTPUT_FAILED`` for the same record, says that the output did not
happen. We chose that over a single entry worded as an "attempt": the log then says
what happened in every case except a crash between 3 and 4, and there it over-reports
a disclosure rather than hiding one. Letters and summaries share this, so the two
kinds of entries mean the same thing.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from pathlib import Path

from boligsag.atomic import discard, fsync_directory, replace_file, write_temp
from boligsag.domain.enums import AuditAction
from boligsag.errors import UserError
from boligsag.storage.output_paths import OutputRefusal, output_refusal

from .context import AppContext

OUTPUT_MODE = 0o600  # letters name people; summaries leave only by the user's choice


class OutputRefused(UserError):
    """The chosen path is the database's, or not a regular file. No path in the
    message: it may hold a person's name, and errors end up in logs."""

    def __init__(self, refusal: OutputRefusal) -> None:
        if refusal is OutputRefusal.NOT_A_FILE:
            super().__init__("This name is not a regular file (it is a device, a pipe or a "
                             "folder). Choose another file name.")
        else:
            super().__init__("This file belongs to a database (the database itself, its key "
                             "file, its journal or a backup) and must not be overwritten. "
                             "Choose another file name.")
        self.refusal = refusal


@dataclass(frozen=True)
class OutputRecord:
    """The audit entry of one output: what was written, never where (the path is the
    user's free text and often holds a name or a CPR number)."""

    action: AuditAction
    entity: str
    detail: str
    entity_uuid: str | None = None
    person_uuid: str | None = None


def check_output_target(ctx: AppContext, target: Path | str) -> None:
    """Raise :class:`OutputRefused` if ``target`` may not be written. Cheap (a few
    ``stat`` calls): the save dialogs call it at once to let the user choose again."""
    check_output_path(target, ctx.db.path)


def check_output_path(target: Path | str, database: Path | str | None) -> None:
    """The same, before the database is open (the commands ask before the password)."""
    refusal = output_refusal(target, database)
    if refusal is not None:
        raise OutputRefused(refusal)


def write_output(ctx: AppContext, target: Path, data: bytes, record: OutputRecord) -> None:
    """Write ``data`` to ``target`` and audit it, in the order the module describes.
    OSErrors from the file system propagate unchanged, for the caller to word; a target
    that stays in use on Windows is :class:`~boligsag.atomic.FileInUse`, worded already."""
    check_output_target(ctx, target)
    folder = target.parent
    temp = write_temp(folder, data, OUTPUT_MODE)
    recorded = False
    try:
        _append(ctx, record)
        recorded = True
        replace_file(temp, target)  # on Windows, waits a moment for a scanner to let go
    except BaseException:
        discard(temp)
        if recorded:
            # Best effort: if even this fails, the log over-reports (see above).
            with contextlib.suppress(Exception):
                _append(ctx, replace(record, action=AuditAction.OUTPUT_FAILED,
                                     detail=f"{record.action.value} {record.detail}"[:300]))
        raise
    fsync_directory(folder)


def record_output(ctx: AppContext, record: OutputRecord) -> None:
    """Audit an output that is not a file, before its first byte leaves: a command
    printing personal data to stdout (a reader that stops early, ``| head``, must not
    be able to stop the entry). The caller checked the permission to produce it."""
    _append(ctx, record)


def _append(ctx: AppContext, record: OutputRecord) -> None:
    # The caller checked the permission to produce the output (EXPORT, letters).
    with ctx.write(None) as w:
        w.audit(record.action, entity=record.entity, entity_uuid=record.entity_uuid,
                person_uuid=record.person_uuid, detail=record.detail)
