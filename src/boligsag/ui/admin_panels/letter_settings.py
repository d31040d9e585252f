"""Breve og påmindelser: the organisation's letterhead (name, address, phone, e-mail,
web, logo) and how many days a referral may wait in each status before it is shown
as overdue.

The logo is read from the image file the administrator chooses and stored as bytes
inside the encrypted database (``letter_settings.set_logo``); the file itself is left
alone. ``LetterSettingsPanel(ctx, events)``.

On a laptop replica the settings are the team server's (services/shared_settings.py,
refreshed by each sync): the panel shows them read-only with a note saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QIntValidator, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.enums import ReferralStatus
from boligsag.domain.permissions import Permission
from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.errors import StaleRecord
from boligsag.services.letter_settings import (
    MAX_REMINDER_DAYS,
    MIN_REMINDER_DAYS,
    REMINDER_STATUSES,
    LetterSettings,
    LetterSettingsInput,
    get_letter_settings,
    save_letter_settings,
    set_logo,
)
from boligsag.ui.case_labels import status_label
from boligsag.ui.errors import stale_form_text
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.fields import PostalTown
from boligsag.ui.forms import FieldMessages, buddy, section
from boligsag.ui.reloader import Reloader
from boligsag.ui.theme import ALTERNATE, BORDER, MUTED, PRIMARY_SOFT, TEXT
from boligsag.ui.widgets import FieldError, form_layout, named

LOGO_BOX = (220, 90)


def _label(key: str) -> tuple[str, str]:
    return {
        "name": (tr("Organisation &name"), tr("Organisation name")),
        "street": (tr("&Street address"), tr("Street address")),
        "phone": (tr("&Phone"), tr("Phone")),
        "email": (tr("&E-mail"), tr("E-mail")),
        "web": (tr("&Web site"), tr("Web site")),
    }[key]


class LetterSettingsPanel(QWidget):
    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events = ctx, events
        self.can_edit = ctx.actor.can(Permission.MANAGE_SETTINGS)
        self.settings: LetterSettings | None = None
        self._busy = False
        named(self, "letterSettingsPanel", tr("Letters and reminders"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        self.server_note = named(
            QLabel(tr("The settings are managed by the team server. They are changed there "
                      "and reach this computer with the next sync.")),
            "letterSettingsServerNote", tr("Managed by the team server"))
        # Information, not a problem: the theme's soft primary, not the error banner.
        self.server_note.setStyleSheet(f"QLabel {{ background: {PRIMARY_SOFT}; color: {TEXT}; "
                                       "border-radius: 6px; padding: 8px 10px; }")
        self.server_note.setWordWrap(True)
        self.server_note.hide()
        layout.addWidget(self.server_note)
        self.errors = FieldMessages(FieldError("letterSettingsError"))
        row = QHBoxLayout()
        row.setSpacing(14)
        row.addWidget(self._letterhead_card(), 3)
        right = QVBoxLayout()
        right.setSpacing(14)
        right.addWidget(self._logo_card())
        right.addWidget(self._reminder_card())
        right.addStretch(1)
        row.addLayout(right, 2)
        layout.addLayout(row)
        layout.addWidget(self.errors.general)
        bar = QHBoxLayout()
        self.status = named(QLabel(), "letterSettingsStatus", tr("Status"))
        self.status.setProperty("role", "muted")
        bar.addWidget(self.status, 1)
        self.save_button = named(QPushButton(tr("Save settings")), "saveLetterSettingsButton",
                                 tr("Save settings"))
        self.save_button.setProperty("role", "primary")
        self.save_button.clicked.connect(self.save)
        bar.addWidget(self.save_button)
        layout.addLayout(bar)
        layout.addStretch(1)
        self.editable = self.can_edit
        self._set_editable(self.can_edit, server_managed=False)
        # Not while saving: the save announces its own change, and its answer fills the
        # fields itself (keeping or not keeping what the user typed).
        self.reloader = Reloader(self, events, {Entity.SETTINGS}, loader=lambda: None
                                 if self._busy else partial(get_letter_settings, ctx),
                                 apply=self._show, failed=self.errors.show)

    def _set_editable(self, editable: bool, *, server_managed: bool) -> None:
        """Fields enabled and buttons shown only for someone who may save here: an
        administrator, on a database that is not a team server's replica."""
        self.editable = editable
        for widget in (*self.edits.values(), *self.days.values()):
            widget.setEnabled(editable)
        for widget in (self.save_button, self.logo_button, self.remove_logo_button,
                       self.logo_hint):
            widget.setVisible(editable)
        self.server_note.setVisible(server_managed)
        if server_managed:
            self.status.setText("")
        elif not self.can_edit:
            self.status.setText(tr("Only an administrator can change these settings."))

    def _letterhead_card(self) -> QFrame:
        card, layout = section("letterheadCard", tr("Letterhead"))
        intro = QLabel(tr("Printed at the top of every referral letter, consent form and "
                          "notification of concern."))
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = form_layout(8)
        form.setVerticalSpacing(6)
        self.edits: dict[str, QLineEdit] = {}
        for key in ("name", "street"):
            self._add_row(form, key)
        self.edits["postal_code"] = named(QLineEdit(), "letterEdit_postal_code",
                                          tr("Postal code"))
        self.edits["postal_code"].setMaximumWidth(90)
        self.edits["city"] = named(QLineEdit(), "letterEdit_city", tr("City"))
        town = QHBoxLayout()
        town.setSpacing(8)
        town.addWidget(self.edits["postal_code"])
        town.addWidget(self.edits["city"], 1)
        form.addRow(buddy(tr("Postal code and &city"), self.edits["postal_code"]), town)
        for key in ("postal_code", "city"):
            form.addRow("", self.errors.add(key, FieldError(f"letterError_{key}")))
        self.postal_town = PostalTown(self.edits["postal_code"], self.edits["city"],
                                      "letterPostalCodeNote")
        form.addRow("", self.postal_town.note)
        for key in ("phone", "email", "web"):
            self._add_row(form, key)
        layout.addLayout(form)
        layout.addStretch(1)
        return card

    def _add_row(self, form: QFormLayout, key: str) -> None:
        label, name = _label(key)
        edit = named(QLineEdit(), f"letterEdit_{key}", name)
        self.edits[key] = edit
        form.addRow(buddy(label, edit), edit)
        form.addRow("", self.errors.add(key, FieldError(f"letterError_{key}")))

    def _logo_card(self) -> QFrame:
        card, layout = section("logoCard", tr("Logo"))
        self.logo = named(QLabel(), "logoPreview", tr("Logo preview"))
        self.logo.setFixedSize(*LOGO_BOX)
        self.logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo.setStyleSheet(f"QLabel {{ border: 1px dashed {BORDER}; border-radius: 6px; "
                                f"background: {ALTERNATE}; color: {MUTED}; }}")
        layout.addWidget(self.logo)
        buttons = QHBoxLayout()
        self.logo_button = named(QPushButton(tr("Choose logo…")), "chooseLogoButton",
                                 tr("Choose logo"))
        self.logo_button.clicked.connect(self.choose_logo)
        self.remove_logo_button = named(QPushButton(tr("Remove")), "removeLogoButton",
                                        tr("Remove logo"))
        self.remove_logo_button.clicked.connect(lambda: self._store_logo(None))
        buttons.addWidget(self.logo_button)
        buttons.addWidget(self.remove_logo_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.logo_hint = QLabel(tr("PNG or JPEG, at most 2 MB. Stored inside the encrypted "
                                   "database."))
        self.logo_hint.setProperty("role", "small")
        self.logo_hint.setWordWrap(True)
        layout.addWidget(self.logo_hint)
        layout.addWidget(self.errors.add("logo", FieldError("letterError_logo")))
        return card

    def _reminder_card(self) -> QFrame:
        card, layout = section("reminderDaysCard", tr("Reminders"))
        intro = QLabel(tr("Days a referral may stay in a status before it is shown as "
                          "overdue on the start page."))
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = form_layout(6)
        self.days: dict[ReferralStatus, QLineEdit] = {}
        for status in REMINDER_STATUSES:
            # A plain number field: the theme's spin-box arrows do not render well, and
            # a number is quicker to type than to click towards.
            edit = named(QLineEdit(), f"reminderDays_{status}", status_label(status))
            edit.setValidator(QIntValidator(0, MAX_REMINDER_DAYS, edit))
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setFixedWidth(72)
            unit = QLabel(tr("days"))
            unit.setProperty("role", "muted")
            field = QHBoxLayout()
            field.setSpacing(8)
            field.addWidget(edit)
            field.addWidget(unit)
            field.addStretch(1)
            self.days[status] = edit
            form.addRow(buddy(status_label(status), edit), field)
            form.addRow("", self.errors.add(f"reminder_days.{status}",
                                            FieldError(f"reminderError_{status}")))
        layout.addLayout(form)
        return card

    # -- loading ----------------------------------------------------------------------

    def _show(self, settings: LetterSettings, *, keep_typing: bool = True) -> None:
        """Fill the fields from ``settings``. A field the user has changed since it was
        last filled keeps what they typed (a logo saved, or a change announced from
        elsewhere, must not wipe an unsaved edit), unless ``keep_typing`` is False."""
        shown, self.settings = self.settings, settings
        if settings.server_managed or self.editable != self.can_edit:
            self._set_editable(self.can_edit and not settings.server_managed,
                               server_managed=settings.server_managed)
        for key, edit in self.edits.items():
            if not keep_typing or shown is None or edit.text() == str(getattr(shown, key)):
                edit.setText(str(getattr(settings, key)))
        for status, edit in self.days.items():
            if not keep_typing or shown is None or edit.text() == str(
                    shown.reminder_days.get(status, MIN_REMINDER_DAYS)):
                edit.setText(str(settings.reminder_days.get(status, MIN_REMINDER_DAYS)))
        self._show_logo(settings.logo)

    def _show_logo(self, data: bytes | None) -> None:
        pixmap = QPixmap()
        if data and pixmap.loadFromData(data):
            self.logo.setPixmap(pixmap.scaled(LOGO_BOX[0] - 16, LOGO_BOX[1] - 16,
                                              Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation))
        else:
            self.logo.setPixmap(QPixmap())
            self.logo.setText(tr("No logo"))
        self.remove_logo_button.setEnabled(bool(data))

    # -- saving -----------------------------------------------------------------------

    def settings_input(self) -> LetterSettingsInput:
        texts = {key: edit.text() for key, edit in self.edits.items()}
        return LetterSettingsInput(**texts, reminder_days={
            str(status): int(edit.text() or 0) for status, edit in self.days.items()})

    def save(self) -> None:
        if self._busy or not self.editable:
            return
        # The version makes a colleague's save in between a refusal, not an overwrite.
        self._run(save_letter_settings, self.settings_input(), tr("The settings are saved."),
                  version=self.settings.version if self.settings is not None else None)

    def choose_logo(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, tr("Choose logo"), "", tr("Images (*.png *.jpg *.jpeg)"))
        if path:
            self.load_logo_file(Path(path))

    def load_logo_file(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as error:
            self.errors.show(error)
            return
        self._store_logo(data)

    def _store_logo(self, data: bytes | None) -> None:
        if self._busy or not self.editable:
            return
        self._run(set_logo, data,
                  tr("The logo is saved.") if data else tr("The logo is removed."))

    def _run(self, func: Callable[..., LetterSettings], value: object, done_text: str,
             **kwargs: Any) -> None:
        self._busy = True
        self.save_button.setEnabled(False)
        self.errors.clear()

        def succeeded(settings: LetterSettings) -> None:
            self._busy = False
            self.save_button.setEnabled(True)
            # What was just saved replaces the fields (cleaned as stored); after a logo,
            # the letterhead fields keep any edit not saved yet.
            self._show(settings, keep_typing=func is not save_letter_settings)
            self.status.setText(done_text)

        def failed(error: BaseException) -> None:
            self._busy = False
            self.save_button.setEnabled(True)
            self.errors.show(error)
            if isinstance(error, StaleRecord):
                # The panel is never closed and reopened: fetch the colleague's settings
                # (and their version) now; the fields the user changed keep the typing.
                self.errors.general.show_message(stale_form_text(reloaded=True))
                self.reloader.reload()

        run_service(self, self.events, func, self.ctx, value, on_success=succeeded,
                    on_failure=failed, **kwargs)
