"""Ny person / Rediger person.

A birth date after today or more than 110 years back (from the CPR number or typed) is
asked about first: "Er CPR-nummeret rigtigt?" — "Ja, gem" goes on, "Ret det" puts the
cursor back in the field. Creating: the fields are checked in place; on save,
``find_duplicates`` runs first
and, if anyone may already be registered, the duplicate warning offers to open that
person instead ("Åbn eksisterende") or to create the new one anyway ("Opret
alligevel"; not for the same CPR number). Editing: if someone saved the person after
the form was opened, the save is refused and a bar offers to reload ("Genindlæs"); a
change that a sync brings while the form is open shows at once (ui/stale_notice.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.errors import StaleRecord
from boligsag.services.people import (
    DuplicateCandidate,
    PersonDetail,
    PersonDraft,
    create_person,
    find_duplicates,
    get_person,
    update_person,
)
from boligsag.services.people_queries import person_form_choices
from boligsag.ui.activities.dialog_base import ServiceDialog
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import stale_form_text
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.stale_notice import StaleNotice
from boligsag.ui.theme import WARNING, WARNING_BORDER, WARNING_SOFT
from boligsag.ui.widgets import named

from .duplicates import DuplicateDialog
from .person_form import PersonForm


def draft_from_search(text: str) -> PersonDraft | None:
    """A search for "Fatima Hansen" that found no one starts the form with that name."""
    words = text.split()
    if not words or any(ch.isdigit() for ch in text):
        return None
    first = " ".join(words[:-1]) if len(words) > 1 else words[0]
    last = words[-1] if len(words) > 1 else ""
    return PersonDraft(first_name=first.title() if first.islower() else first,
                       last_name=last.title() if last.islower() else last)


class PersonDialog(ServiceDialog):
    #: The user chose to open an already registered person instead.
    open_existing = Signal(int)

    def __init__(self, ctx: Any, events: AppEvents | None, parent: QWidget | None = None, *,
                 detail: PersonDetail | None = None, prefill: PersonDraft | None = None) -> None:
        editing = detail is not None
        title = tr("Edit person") if editing else tr("New person")
        super().__init__(ctx, events, "personDialog", title, parent, icon="people", text=(
            tr("Changes are recorded in the audit log.") if editing else
            tr("Only the name is required. With a CPR number, the birth date and gender "
               "follow from it.")), save_text=tr("Save changes") if editing
            else tr("Create person"))
        self.detail = detail
        self.duplicates: DuplicateDialog | None = None
        self.question: QMessageBox | None = None
        self.set_form_width(860)
        self.stale_bar = self._stale_bar()
        self.layout_.addWidget(self.stale_bar)
        self.form = PersonForm(ctx.today(), person_form_choices(ctx).areas, self.errors)
        self.layout_.addWidget(self.form)
        self.finish_layout()
        if detail is not None:
            self.form.fill(detail)
            person_id = detail.person.id
            self.stale_notice = StaleNotice(
                self, ctx, events, {Entity.PEOPLE}, load=lambda: get_person(ctx, person_id),
                version=lambda d: d.person.version,
                base_version=lambda: self.detail.person.version,  # type: ignore[union-attr]
                fill=self._show_saved)
            self.layout_.insertWidget(1, self.stale_notice)
        elif prefill is not None:
            self.form.first_name.setText(prefill.first_name)
            self.form.last_name.setText(prefill.last_name)
        first_empty = next((e for e in (self.form.first_name, self.form.last_name)
                            if not e.text()), self.form.cpr if not editing else None)
        (first_empty or self.form.first_name).setFocus()

    def _stale_bar(self) -> QFrame:
        bar = named(QFrame(), "personStaleBar", tr("Changed by someone else"))
        bar.setStyleSheet(f"QFrame#personStaleBar {{ background: {WARNING_SOFT}; border: 1px solid "
                          f"{WARNING_BORDER}; border-radius: 6px; }} QLabel {{ color: {WARNING}; "
                          "background: transparent; border: none; }")
        row = QHBoxLayout(bar)
        row.setContentsMargins(12, 8, 8, 8)
        text = named(QLabel(stale_form_text(reload_offered=True)), "personStaleText",
                     tr("Changed by someone else"))
        text.setWordWrap(True)
        self.reload_button = named(QPushButton(tr("Reload")), "personReloadButton",
                                   tr("Reload the person"))
        self.reload_button.setAutoDefault(False)
        self.reload_button.clicked.connect(self.reload)
        row.addWidget(text, 1)
        row.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignVCenter)
        bar.hide()
        return bar

    # -- saving ---------------------------------------------------------------------------

    def submit(self) -> None:
        if self.busy or not self.save_button.isEnabled():
            return
        self.errors.clear()
        if not self.form.check_all():
            return
        question = self.form.birth_date_question()
        if question is not None:
            self._ask(*question)
            return
        self._save()

    def _ask(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, title, title,
                          QMessageBox.StandardButton.NoButton, self)
        named(box, "birthDateQuestion", title)
        box.setInformativeText(text)
        # Qt's box wraps the explanation at a narrow width; the date and age read better
        # on one or two lines, under a question that stands out.
        box.setStyleSheet("QLabel#qt_msgbox_label { font-weight: bold; } "
                          "QLabel#qt_msgbox_informativelabel { min-width: 360px; }")
        yes = box.addButton(tr("Yes, save"), QMessageBox.ButtonRole.AcceptRole)
        named(yes, "birthDateSaveButton", tr("Yes, save"))
        fix = box.addButton(tr("Correct it"), QMessageBox.ButtonRole.RejectRole)
        named(fix, "birthDateCorrectButton", tr("Correct it"))
        # Enter and Esc both mean "let me look again": saving takes a deliberate choice.
        box.setDefaultButton(fix)
        box.setEscapeButton(fix)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self._answered(box.clickedButton() is yes))
        self.question = box
        box.open()

    def _answered(self, save: bool) -> None:
        self.question = None
        if save:
            self.form.confirm_birth_date()
            self._save()
            return
        field = self.form.doubtful_field()
        field.setFocus()
        field.selectAll()

    def _save(self) -> None:
        if self.detail is not None:
            super().submit()  # prepare() → update_person
            return
        draft = self.form.draft()
        self.set_busy(True)
        ctx = self.ctx
        run_in_background(self, lambda _task: find_duplicates(ctx, draft),
                          on_success=lambda found: self._checked(draft, found),
                          on_failure=self._failed)

    def _checked(self, draft: PersonDraft, candidates: list[DuplicateCandidate]) -> None:
        if not candidates:
            self._create(draft)
            return
        self.set_busy(False)
        name = f"{draft.first_name} {draft.last_name}".strip()
        dialog = DuplicateDialog(candidates, name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_existing.connect(self._open_existing)
        dialog.create_anyway.connect(lambda: self._create(draft))
        self.duplicates = dialog
        dialog.open()

    def _open_existing(self, person_id: int) -> None:
        self.open_existing.emit(person_id)
        self.reject()

    def _create(self, draft: PersonDraft) -> None:
        self.set_busy(True)
        run_service(self, self.events, create_person, self.ctx, draft,
                    on_success=self._saved, on_failure=self._failed)

    def prepare(self) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None:
        assert self.detail is not None
        if not self.form.check_all():
            return None
        return (update_person, (self.ctx, self.detail.person.id, self.detail.person.version,
                                self.form.draft()), {})

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, StaleRecord):
            self.set_busy(False)
            self.errors.clear()
            self.stale_bar.show()
            self.reload_button.setFocus()
            return
        super()._failed(error)

    def reload(self) -> None:
        """Show the person as saved now (the other user's changes), at its new version."""
        if self.detail is None:
            return
        person_id, ctx = self.detail.person.id, self.ctx
        self.reload_button.setEnabled(False)
        run_in_background(self, lambda _task: get_person(ctx, person_id),
                          on_success=self._reloaded, on_failure=self._failed)

    def _reloaded(self, detail: PersonDetail) -> None:
        self._show_saved(detail)
        self.reload_button.setEnabled(True)
        self.form.first_name.setFocus()

    def _show_saved(self, detail: PersonDetail) -> None:
        self.detail = detail
        self.form.fill(detail)
        self.errors.clear()
        self.stale_bar.hide()
