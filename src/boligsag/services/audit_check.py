"""Verifying the audit log: the keyed chain in the database and its anchor in the key file.

Used by ``boligsag check`` and by the background check after unlock. A report names
where the log breaks by entry id and time only: never a name, a CPR number or a path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from boligsag.domain.enums import Role
from boligsag.i18n import tr, tr_in
from boligsag.storage import audit, audit_anchor, keys
from boligsag.storage.models import AuditEntry

from .context import AppContext


@dataclass(frozen=True)
class Problem:
    """``kind``: ``changed``, ``link``, ``unkeyed`` (from the chain, see storage/audit.py);
    ``cut`` (the anchored entry is gone: newer entries were removed), ``emptied`` (the
    whole log is gone), ``rewritten`` (the anchored entry is another one now),
    ``anchor_altered``, ``no_anchor`` (a keyed chain whose anchor was removed)."""

    kind: str
    entry_id: int | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class AuditReport:
    entries: int
    legacy_entries: int  # unkeyed entries written before the chain was keyed
    anchored_id: int | None
    problems: tuple[Problem, ...]
    # Why the log was not checked here, "" when it was (see verify_audit_log); such a
    # report has no problems, so nothing is shown as broken.
    not_checked: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def awaiting_conversion(self) -> bool:
        """An unkeyed chain of an older version, keyed on the next unlock."""
        return self.anchored_id is None and self.entries == self.legacy_entries > 0


def check_chain(session: Session, db_key: bytes, anchor_doc: Any) -> AuditReport:
    """Verify the chain and the anchor. Read the anchor *before* the database, so an
    entry anchored by another program a moment ago is in what the session reads."""
    key = audit.derive_key(db_key)
    scan = audit.scan(session, key)
    problems = [Problem(b.kind, b.entry_id, b.at) for b in scan.breaks]
    anchored_id = None
    if anchor_doc is None:
        if scan.keyed_entries:
            problems.append(Problem("no_anchor"))
        elif not scan.entries:
            problems.append(Problem("emptied"))
    else:
        try:
            head = audit_anchor.from_json(key, anchor_doc)
        except audit_anchor.AnchorInvalid:
            problems.append(Problem("anchor_altered"))
        else:
            anchored_id = head.entry_id
            entry = session.get(AuditEntry, head.entry_id)
            if not scan.entries:
                problems.append(Problem("emptied", head.entry_id, head.at))
            elif entry is None:
                problems.append(Problem("cut", head.entry_id, head.at))
            elif not audit.same(entry.hash, head.hash):
                problems.append(Problem("rewritten", head.entry_id, head.at))
    return AuditReport(scan.entries, scan.legacy_entries, anchored_id, tuple(problems))


NOT_CHECKED_ON_SERVER = ("a team server's database: its audit log is keyed with the "
                         "server's secret.key, which only the server holds, and has no "
                         "anchor in a key file")


def verify_audit_log(ctx: AppContext) -> AuditReport:
    """The check after unlock, on the open database (run it off the GUI thread). It does
    not apply over a team server's database (no key file: ``not_checked`` says why):
    neither the chain's key nor its anchor is here to check it against."""
    if ctx.keys_path is None:
        return AuditReport(0, 0, None, (), not_checked=NOT_CHECKED_ON_SERVER)
    anchor_doc = keys.KeyStore.load(ctx.keys_path).audit_anchor
    with ctx.read() as r:  # any signed-in user: it runs after every log-in
        return check_chain(r.session, ctx.db_key, anchor_doc)


# -- wording -------------------------------------------------------------------------------


def describe(problem: Problem, language: str | None = None) -> str:
    """One sentence about one problem; in ``language``, or the UI's current language."""
    def _msg(source: str, **fields: object) -> str:
        return tr_in(language, source, **fields) if language else tr(source, **fields)

    entry = problem.entry_id
    time = problem.at.isoformat(sep=" ", timespec="seconds") if problem.at else ""
    if problem.kind == "changed":
        return _msg("Audit entry {entry} ({time}) was changed after it was written.",
                   entry=entry, time=time)
    if problem.kind == "link":
        return _msg("Audit entry {entry} ({time}) does not follow the entry before it: "
                   "an entry was removed or changed.", entry=entry, time=time)
    if problem.kind == "unkeyed":
        return _msg("Audit entry {entry} ({time}) was written without the database key.",
                   entry=entry, time=time)
    if problem.kind == "cut":
        return _msg("The audit log ends before entry {entry} ({time}), which the key file "
                   "records: newer entries were removed.", entry=entry, time=time)
    if problem.kind == "emptied" and entry is not None:
        return _msg("The audit log is empty, but the key file records entry {entry} ({time}): "
                   "all entries were removed.", entry=entry, time=time)
    if problem.kind == "emptied":
        return _msg("The audit log is empty: all entries were removed.")
    if problem.kind == "rewritten":
        return _msg("Audit entry {entry} ({time}) is not the entry the key file records: "
                   "the log was rewritten.", entry=entry, time=time)
    if problem.kind == "anchor_altered":
        return _msg("The audit log's anchor in the key file was altered.")
    return _msg("The key file no longer records the audit log's newest entry, so removed "
               "entries cannot be ruled out.")


def summary_line(report: AuditReport, language: str | None = None) -> str:
    """One line for ``boligsag check`` (English) or the window (Danish)."""
    def _msg(source: str, **fields: object) -> str:
        return tr_in(language, source, **fields) if language else tr(source, **fields)

    if report.not_checked:
        return _msg("not checked here: the team server's audit log is keyed with the "
                    "server's own secret")
    if report.ok and report.awaiting_conversion:
        return _msg("{count} unkeyed entries, intact; keyed on the next unlock",
                   count=report.entries)
    if report.ok:
        return _msg("{count} entries, chain and anchor intact", count=report.entries)
    return _msg("broken: {problem}", problem=describe(report.problems[0], language))


def message_for(ctx: AppContext, report: AuditReport) -> str | None:
    """What the window says after unlock when the log is broken (None when intact):
    the details for an administrator, who can act on them; a pointer for anyone else."""
    if report.ok:
        return None
    if ctx.actor.role is not Role.ADMINISTRATOR:
        return tr("The audit log has been changed or damaged. Tell an administrator.")
    details = " ".join(describe(p) for p in report.problems[:3])
    more = len(report.problems) - 3
    if more > 0:
        details += " " + tr("{count} more problems.", count=more)
    return tr("The audit log has been changed or damaged, so it no longer proves who saw "
              "or changed what. {details} Run \u201cboligsag check\u201d for the full list.",
              details=details)
