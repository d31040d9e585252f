"""Administration for referrals: the municipal service catalogue (administrator only,
read-only for everyone else) and the letterhead / reminder settings with the logo kept
inside the encrypted database."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from boligsag.domain.enums import AuditAction, ReferralStatus, Role
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.letter_settings import get_letter_settings
from boligsag.services.service_catalogue import list_services
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.ui.admin_panels.letter_settings import LetterSettingsPanel
from boligsag.ui.admin_panels.service_dialog import ServiceDialog
from boligsag.ui.admin_panels.services import ServicesPanel
from boligsag.ui.events import AppEvents

from ..conftest import CreatedDb
from .helpers import click, type_into
from .test_referrals_support import (
    STAFF_PASSWORD,
    add_staff,
    audit_entries,
    closed,
)


def services_panel(qtbot: QtBot, ctx: AppContext) -> ServicesPanel:
    panel = ServicesPanel(ctx, AppEvents())
    qtbot.addWidget(panel)
    panel.resize(1200, 600)
    panel.show()
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=5_000)
    return panel


def select(panel: ServicesPanel, name: str) -> None:
    row = next(r for r in range(panel.model.rowCount()) if panel.model.row_at(r).name == name)
    panel.table.selectRow(row)


def test_an_administrator_adds_edits_and_deactivates_services(
        qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    panel = services_panel(qtbot, ctx)
    assert panel.model.index(0, 1).data() == "Adresse mangler: breve kan ikke sendes"
    click(qtbot, panel, "addServiceButton")
    dialog = panel.dialog
    assert isinstance(dialog, ServiceDialog)
    type_into(qtbot, dialog, "serviceEdit_name", "Åben Rådgivning")
    type_into(qtbot, dialog, "serviceEdit_postal_code", "50")
    click(qtbot, dialog, "serviceSaveButton")
    qtbot.waitUntil(lambda: dialog.errors.message_for("postal_code") != "", timeout=5_000)
    assert dialog.errors.message_for("postal_code") == "Et dansk postnummer har fire cifre."
    assert dialog.errors.message_for("city") == "Skriv den by, der hører til postnummeret."
    type_into(qtbot, dialog, "serviceEdit_postal_code", "5000")
    type_into(qtbot, dialog, "serviceEdit_city", "Odense C")
    type_into(qtbot, dialog, "serviceEdit_street", "Ørbækvej 100")
    type_into(qtbot, dialog, "serviceEdit_secure_email", "raadgivning@odense.example")
    click(qtbot, dialog, "serviceSaveButton")
    qtbot.waitUntil(lambda: closed(dialog), timeout=5_000)
    qtbot.waitUntil(lambda: any(s.name == "Åben Rådgivning" for s in panel.model.rows()),
                    timeout=5_000)
    added = next(s for s in panel.model.rows() if s.name == "Åben Rådgivning")
    assert added.has_address and added.city == "Odense C"

    select(panel, "Åben Rådgivning")
    click(qtbot, panel, "editServiceButton")
    dialog = panel.dialog
    type_into(qtbot, dialog, "serviceEdit_contact_person", "Birgit Ærø")
    click(qtbot, dialog, "serviceSaveButton")
    qtbot.waitUntil(lambda: closed(dialog), timeout=5_000)
    qtbot.waitUntil(lambda: any(s.contact_person == "Birgit Ærø" for s in panel.model.rows()),
                    timeout=5_000)

    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *_a, **_k: QMessageBox.StandardButton.Yes))
    select(panel, "Åben Rådgivning")
    assert panel.active_button.text() == "Deaktivér"
    click(qtbot, panel, "toggleServiceButton")
    qtbot.waitUntil(lambda: all(s.name != "Åben Rådgivning" for s in panel.model.rows()),
                    timeout=5_000)
    assert all(s.name != "Åben Rådgivning" for s in list_services(ctx))
    panel.show_inactive.setChecked(True)
    qtbot.waitUntil(lambda: any(s.name == "Åben Rådgivning" for s in panel.model.rows()),
                    timeout=5_000)
    row = next(r for r in range(panel.model.rowCount())
               if panel.model.row_at(r).name == "Åben Rådgivning")
    assert panel.model.index(row, 5).data() == "Inaktiv"
    updates = [e.detail for e in audit_entries(ctx, AuditAction.UPDATE)
               if e.entity == "services"]
    assert updates == ["edited", "deactivated"]


def test_staff_see_the_catalogue_read_only(qtbot: QtBot, ctx: AppContext,
                                           created_db: CreatedDb, clock: FixedClock) -> None:
    add_staff(ctx, "mette")
    staff = unlock(created_db.path, "mette", STAFF_PASSWORD, clock=clock,
                   options=UnlockOptions(integrity_check=False))
    try:
        assert staff.actor.role is Role.STAFF
        panel = services_panel(qtbot, staff)
        assert not panel.add_button.isVisibleTo(panel)
        assert not panel.edit_button.isVisibleTo(panel)
        panel.table.selectRow(0)
        assert panel.edit_service() is None
        settings = LetterSettingsPanel(staff, AppEvents())
        qtbot.addWidget(settings)
        settings.show()  # a panel loads when shown
        qtbot.waitUntil(lambda: settings.settings is not None, timeout=5_000)
        assert not settings.save_button.isVisibleTo(settings)
        assert not settings.edits["name"].isEnabled()
        assert settings.status.text() == "Kun en administrator kan ændre disse indstillinger."
    finally:
        lock(staff)


def test_letterhead_reminders_and_logo(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    events = AppEvents()
    panel = LetterSettingsPanel(ctx, events)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.settings is not None, timeout=5_000)
    assert panel.edits["name"].text() == "Boligsocialt Hus Ærtebjerg"
    assert panel.days[ReferralStatus.SENT].text() == "14"
    assert panel.logo.text() == "Intet logo"

    type_into(qtbot, panel, "letterEdit_postal_code", "52")
    panel.edits["web"].setText("ikke en adresse")
    click(qtbot, panel, "saveLetterSettingsButton")
    qtbot.waitUntil(lambda: panel.errors.message_for("postal_code") != "", timeout=5_000)
    assert panel.errors.message_for("web").startswith("Skriv en webadresse")
    type_into(qtbot, panel, "letterEdit_postal_code", "5220")
    type_into(qtbot, panel, "letterEdit_city", "Odense SØ")
    type_into(qtbot, panel, "letterEdit_street", "Ærtebjerg Allé 3")
    panel.edits["web"].setText("www.ærtebjerg.dk")
    type_into(qtbot, panel, "reminderDays_sent", "10")
    with qtbot.waitSignal(events.changed, timeout=5_000):
        click(qtbot, panel, "saveLetterSettingsButton")
    settings = get_letter_settings(ctx)
    assert (settings.street, settings.postal_code, settings.city) == (
        "Ærtebjerg Allé 3", "5220", "Odense SØ")
    assert settings.reminder_days[ReferralStatus.SENT] == 10
    assert panel.status.text() == "Indstillingerne er gemt."

    image = QImage(240, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("#1f6e8c"))
    logo = tmp_path / "logo.png"
    assert image.save(str(logo))
    panel.load_logo_file(logo)
    qtbot.waitUntil(lambda: bool(get_letter_settings(ctx).logo), timeout=5_000)
    qtbot.waitUntil(lambda: not panel.logo.pixmap().isNull(), timeout=5_000)
    assert get_letter_settings(ctx).logo == logo.read_bytes()

    not_an_image = tmp_path / "logo.png.txt"
    not_an_image.write_text("Şükrü")
    panel.load_logo_file(not_an_image)
    qtbot.waitUntil(lambda: panel.errors.message_for("logo") != "", timeout=5_000)
    assert panel.errors.message_for("logo") == "Vælg et billede i PNG- eller JPEG-format."
    click(qtbot, panel, "removeLogoButton")
    qtbot.waitUntil(lambda: panel.logo.text() == "Intet logo", timeout=5_000)
    assert not get_letter_settings(ctx).logo
    details = [e.detail for e in audit_entries(ctx, AuditAction.UPDATE)
               if e.entity == "settings"]
    assert details == ["letterhead", "logo set", "logo removed"]
    assert panel.logo.pixmap().isNull()
    assert panel.findChild(object, "logoPreview").alignment() & Qt.AlignmentFlag.AlignCenter
