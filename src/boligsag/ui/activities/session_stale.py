"""The session dialog's banner for a colleague's change to the session it shows
(ui/stale_notice.py). The dialog's sheet is more than plain fields (an attendance list,
a staff list), so "Fortsæt med mine ændringer" keeps the whole sheet and saves it over
theirs at their version; "Indlæs deres ændringer" shows the sheet as stored now. A
session a colleague recorded for a day still new here counts as a change too."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from boligsag.services.changes import Entity
from boligsag.services.errors import NotFound
from boligsag.services.sessions import SessionSheet, session_sheet
from boligsag.ui.stale_notice import StaleNotice

if TYPE_CHECKING:
    from .session_dialog import SessionDialog


def session_notice(dialog: SessionDialog) -> StaleNotice[SessionSheet]:
    def stored() -> SessionSheet:  # runs in the background
        shown = dialog.sheet
        assert shown is not None
        sheet = session_sheet(dialog.ctx, dialog.activity_id, shown.date)
        if shown.session_id is not None and sheet.session_id is None:
            raise NotFound("session")  # deleted meanwhile
        return sheet

    def adopt(sheet: SessionSheet) -> None:
        assert dialog.sheet is not None
        dialog.sheet = replace(dialog.sheet, session_id=sheet.session_id,
                               version=sheet.version)
        dialog.delete_button.setVisible(True)

    return StaleNotice(
        dialog, dialog.ctx, dialog.events, {Entity.SESSIONS}, load=stored,
        version=lambda sheet: sheet.version or 0,
        base_version=lambda: (dialog.sheet.version if dialog.sheet else None) or 0,
        fill=lambda sheet: dialog._loaded((sheet, None)), keep=adopt,
        state=lambda: ([(m.person_id, m.present, m.reason) for m in dialog.marks()],
                       dialog.staff_ids()))
