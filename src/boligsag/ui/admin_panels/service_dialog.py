"""Add or edit one municipal service: name, unit, address, contact person, phone and
secure e-mail. The address is what referral letters are sent to."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.errors import NotFound
from boligsag.services.service_catalogue import (
    ServiceInput,
    ServiceRow,
    create_service,
    list_services,
    update_service,
)
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.fields import PostalTown
from boligsag.ui.forms import FieldMessages, buddy
from boligsag.ui.stale_notice import StaleNotice
from boligsag.ui.widgets import DialogHeader, FieldError, form_layout, named


def field_label(key: str) -> tuple[str, str]:
    """(label with mnemonic, plain name) in the UI language; literal calls for the
    catalogue test."""
    return {
        "name": (tr("&Name"), tr("Name")),
        "unit": (tr("&Unit"), tr("Unit")),
        "street": (tr("&Street address"), tr("Street address")),
        "contact_person": (tr("&Contact person"), tr("Contact person")),
        "phone": (tr("&Phone"), tr("Phone")),
        "secure_email": (tr("Secure &e-mail"), tr("Secure e-mail")),
    }[key]


def _stored(ctx: AppContext, service_id: int) -> ServiceRow:
    """The service as stored now (a catalogue of a dozen rows: no single-row read)."""
    found = next((s for s in list_services(ctx, include_inactive=True) if s.id == service_id),
                 None)
    if found is None:
        raise NotFound("service")
    return found


class ServiceDialog(QDialog):
    saved = Signal(object)  # the ServiceRow

    def __init__(self, ctx: AppContext, events: AppEvents, service: ServiceRow | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events, self.service = ctx, events, service
        self._busy = False
        title = tr("Edit service") if service else tr("New service")
        named(self, "serviceDialog", title)
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(26, 22, 26, 18)
        layout.setSpacing(12)
        layout.addWidget(DialogHeader("bridge", title, tr(
            "Referral letters are addressed from these details; the secure e-mail is where "
            "digital referrals go.")))
        self.errors = FieldMessages(FieldError("serviceDialogError"))
        form = form_layout(8)
        form.setVerticalSpacing(6)
        self.edits: dict[str, QLineEdit] = {}
        for key in ("name", "unit", "street"):
            self._add(form, key)
        self.postal_code = self._edit("postal_code", tr("Postal code"))
        self.postal_code.setMaximumWidth(90)
        self.city = self._edit("city", tr("City"))
        town = QHBoxLayout()
        town.setSpacing(8)
        town.addWidget(self.postal_code)
        town.addWidget(self.city, 1)
        form.addRow(buddy(tr("Postal code and &city"), self.postal_code), town)
        form.addRow("", self.errors.add("postal_code", FieldError("serviceError_postal_code")))
        form.addRow("", self.errors.add("city", FieldError("serviceError_city")))
        self.postal_town = PostalTown(self.postal_code, self.city, "servicePostalCodeNote")
        form.addRow("", self.postal_town.note)
        for key in ("contact_person", "phone", "secure_email"):
            self._add(form, key)
        self.edits["secure_email"].setPlaceholderText(tr("e.g. jobcenter@kommune.dk"))
        layout.addLayout(form)
        layout.addWidget(self.errors.general)
        buttons = QDialogButtonBox()
        self.ok_button = named(
            buttons.addButton(tr("Save"), QDialogButtonBox.ButtonRole.AcceptRole),
            "serviceSaveButton", tr("Save"))
        self.ok_button.setDefault(True)
        named(buttons.addButton(tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole),
              "serviceCancelButton", tr("Cancel"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if service is not None:
            self._fill(service)
            service_id = service.id
            self.stale_notice = StaleNotice(
                self, ctx, events, {Entity.SERVICES},
                load=lambda: _stored(ctx, service_id), version=lambda row: row.version,
                base_version=lambda: self.service.version,  # type: ignore[union-attr]
                fill=self._fill)
            layout.insertWidget(1, self.stale_notice)
        self.edits["name"].setFocus()

    def _fill(self, service: ServiceRow) -> None:
        self.service = service
        for key, edit in self.edits.items():
            edit.setText(str(getattr(service, key)))

    def _edit(self, key: str, name: str) -> QLineEdit:
        edit = named(QLineEdit(), f"serviceEdit_{key}", name)
        self.edits[key] = edit
        return edit

    def _add(self, form: QFormLayout, key: str) -> None:
        label, name = field_label(key)
        edit = self._edit(key, name)
        form.addRow(buddy(label, edit), edit)
        form.addRow("", self.errors.add(key, FieldError(f"serviceError_{key}")))

    def service_input(self) -> ServiceInput:
        return ServiceInput(**{key: edit.text() for key, edit in self.edits.items()})

    def submit(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.ok_button.setEnabled(False)
        self.errors.clear()
        if self.service is None:
            run_service(self, self.events, create_service, self.ctx, self.service_input(),
                        on_success=self._done, on_failure=self._failed)
        else:
            run_service(self, self.events, update_service, self.ctx, self.service.id,
                        self.service_input(), version=self.service.version,
                        on_success=self._done, on_failure=self._failed)

    def _done(self, service: ServiceRow) -> None:
        self._busy = False
        self.saved.emit(service)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.ok_button.setEnabled(True)
        self.errors.show(error)
