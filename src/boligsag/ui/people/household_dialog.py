"""Husstand: create a household for a person, or edit theirs — its name and address,
its members (found by typing a few letters), and the parent–child links with custody.

Creating saves the household with the person as its first member and keeps the dialog
open for the rest. Adding or removing a member and every link are saved at once; the
name and address with "Gem ændringer". "Slet husstand…" deletes a household created by
mistake or left empty, after the app's one delete question: its members stay, without a
household.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.households import (
    HouseholdDetail,
    HouseholdDraft,
    add_household_member,
    create_household,
    delete_household,
    get_household,
    remove_household_member,
    update_household,
)
from boligsag.services.people_search import PersonSummary
from boligsag.ui.activities.dialog_base import ServiceDialog
from boligsag.ui.activities.forms import calm_list
from boligsag.ui.activities.person_picker import PersonPicker
from boligsag.ui.background import run_in_background
from boligsag.ui.delete_question import ask_to_delete
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.fields import PostalTown
from boligsag.ui.stale_notice import StaleNotice
from boligsag.ui.widgets import form_layout, named

from .household_links import HouseholdLinks


def member_text(member: PersonSummary) -> str:
    parts = [member.full_name]
    if member.age is not None:
        parts.append(tr("{age} years", age=member.age))
    return " · ".join(parts)


def section_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "cardTitle")
    return label


class HouseholdDialog(ServiceDialog):
    def __init__(self, ctx: Any, events: AppEvents | None, person: PersonSummary,
                 household: HouseholdDetail | None = None,
                 parent: QWidget | None = None) -> None:
        creating = household is None
        super().__init__(ctx, events, "householdDialog", tr("Household"), parent, icon="people",
                         heading=tr("New household") if creating else tr("Household"),
                         text=tr("People living together, and who is whose parent."),
                         save_text=tr("Create household") if creating else tr("Save changes"))
        self.person = person
        self.household = household
        self._filled: dict[QLineEdit, str] = {}  # what the household last put in a field
        self.set_form_width(780)
        form = form_layout(6)
        self.name = self._edit(form, "householdNameEdit", tr("&Name"), "name")
        self.name.setPlaceholderText(tr("e.g. Familien Hansen"))
        self.street = self._edit(form, "householdStreetEdit", tr("&Address"), "street")
        town = QHBoxLayout()
        self.postal_code = named(QLineEdit(), "householdPostalCodeEdit", tr("Postal code"))
        self.postal_code.setMaxLength(4)
        self.postal_code.setFixedWidth(80)
        self.city = named(QLineEdit(), "householdCityEdit", tr("Town"))
        town.addWidget(self.postal_code)
        town.addWidget(self.city, 1)
        form.addRow(tr("Postal code and town"), town)
        form.addRow("", self.field_error("postal_code", self.postal_code))
        self.postal_town = PostalTown(self.postal_code, self.city, "householdPostalCodeNote")
        form.addRow("", self.postal_town.note)
        self.phone = self._edit(form, "householdPhoneEdit", tr("&Phone"), "phone")
        self.layout_.addLayout(form)

        self.members_box = QWidget()
        members = QVBoxLayout(self.members_box)
        members.setContentsMargins(0, 6, 0, 0)
        members.setSpacing(6)
        members.addWidget(section_title(tr("Members")))
        row = QHBoxLayout()
        self.members = named(QListWidget(), "householdMembersList", tr("Members"))
        self.members.setFixedHeight(110)
        calm_list(self.members)
        self.remove_button = named(QPushButton(tr("Remove from household")),
                                   "removeMemberButton", tr("Remove from household"))
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_member)
        row.addWidget(self.members, 1)
        row.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)
        members.addLayout(row)
        self.picker = PersonPicker(ctx, "householdAddPerson")
        self.picker.edit.setPlaceholderText(tr("Add a member: type a few letters of the name"))
        self.picker.picked.connect(self._picked)
        members.addWidget(self.picker)
        members.addSpacing(6)
        members.addWidget(section_title(tr("Parents and children")))
        self.links = HouseholdLinks(self.run)
        members.addWidget(self.links)
        self.layout_.addWidget(self.members_box)
        self.hint = named(QLabel(tr("Create the household first; then add its members and "
                                    "link parents and children.")), "householdHint",
                          tr("Hint"))
        self.hint.setProperty("role", "muted")
        self.hint.setWordWrap(True)
        self.layout_.addWidget(self.hint)
        self.finish_layout()
        self.delete_button = named(self.buttons.addButton(
            tr("Delete household…"), QDialogButtonBox.ButtonRole.DestructiveRole),
            "deleteHouseholdButton", tr("Delete household"))
        self.delete_button.setToolTip(tr("For a household created by mistake or left empty; "
                                         "its members are not deleted"))
        self.delete_button.setAutoDefault(False)
        self.delete_button.clicked.connect(self.confirm_delete)
        self.members.currentRowChanged.connect(lambda _r: self._update_buttons())
        if household is None:
            self.name.setText(tr("Family {name}", name=person.last_name).strip())
            self.street.setText(person.street)
            self.postal_code.setText(person.postal_code)
            self.city.setText(person.city)
            self.phone.setText(person.phone)
        self._show_mode()
        if household is not None:
            household_id = household.household.id
            self.stale_notice = StaleNotice(
                self, ctx, events, {Entity.HOUSEHOLDS},
                load=lambda: get_household(ctx, household_id),
                version=lambda h: h.household.version,
                base_version=lambda: self.household.household.version,  # type: ignore[union-attr]
                fill=self._show_saved)
            self.layout_.insertWidget(1, self.stale_notice)
        self.name.setFocus()

    def _show_saved(self, household: HouseholdDetail) -> None:
        """The household as saved now, every field (a colleague's change arrived)."""
        self.household = household
        self._filled = {}
        self._show_mode()

    def _edit(self, form: Any, object_name: str, text: str, field: str) -> QLineEdit:
        edit = named(QLineEdit(), object_name, text.replace("&", ""))
        label = QLabel(text)
        label.setBuddy(edit)
        form.addRow(label, edit)
        form.addRow("", self.field_error(field, edit))
        return edit

    def _show_mode(self) -> None:
        household = self.household
        self.members_box.setEnabled(household is not None)
        self.members_box.setVisible(household is not None)
        self.hint.setVisible(household is None)
        self.delete_button.setVisible(household is not None)
        if household is None:
            return
        self.save_button.setText(tr("Save changes"))
        self.cancel_button.setText(tr("Close"))
        self.header.title_label.setText(household.household.name)
        row = household.household
        # A member added or a link made saves at once and shows the household again:
        # a field typed in since it was last filled keeps the typing (saved by Save).
        filled = self._filled
        self._filled = {}
        for edit, value in ((self.name, row.name), (self.street, row.street),
                            (self.postal_code, row.postal_code), (self.city, row.city),
                            (self.phone, row.phone)):
            if edit not in filled or edit.text() == filled[edit]:
                edit.setText(value)
            self._filled[edit] = value
        chosen = self.members.currentRow()
        self.members.clear()
        for member in household.members:
            item = QListWidgetItem(member_text(member))
            item.setData(Qt.ItemDataRole.UserRole, member.id)
            self.members.addItem(item)
        if household.hidden_members:
            item = QListWidgetItem(tr("+ {count} in restricted cases",
                                      count=household.hidden_members))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.members.addItem(item)
        self.members.setCurrentRow(min(max(chosen, 0), len(household.members) - 1))
        self.links.show_household(household)
        self._update_buttons()
        self.fit_to_contents()

    def _update_buttons(self) -> None:
        item = self.members.currentItem()
        self.remove_button.setEnabled(item is not None and not self.busy
                                      and item.data(Qt.ItemDataRole.UserRole) is not None)

    # -- saving ---------------------------------------------------------------------------

    def _draft(self) -> HouseholdDraft:
        area = self.household.household.area_id if self.household else None
        note = self.household.note if self.household else ""
        return HouseholdDraft(name=self.name.text(), street=self.street.text(),
                              postal_code=self.postal_code.text(), city=self.city.text(),
                              phone=self.phone.text(), area_id=area, note=note)

    def prepare(self) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None:
        if self.household is None:
            return create_household, (self.ctx, self._draft()), {"member_ids": (self.person.id,)}
        row = self.household.household
        return update_household, (self.ctx, row.id, row.version, self._draft()), {}

    def _saved(self, result: Any) -> None:
        if self.household is None:  # created: stay open for members and links
            self.set_busy(False)
            self.household = result
            self.saved.emit(result)
            self._show_mode()
            self.picker.setFocus()
            return
        super()._saved(result)

    def run(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Save one member or link change now, then show the household again."""
        if self.busy:
            return
        self.errors.clear()
        self.set_busy(True)
        run_service(self, self.events, func, self.ctx, *args, on_success=self._changed,
                    on_failure=self._failed, **kwargs)

    def _changed(self, result: Any) -> None:
        self.set_busy(False)
        if isinstance(result, HouseholdDetail):
            self.household = result
            self._show_mode()
            return
        self.reload()

    def reload(self) -> None:
        if self.household is None:
            return
        household_id, ctx = self.household.household.id, self.ctx
        run_in_background(self, lambda _task: get_household(ctx, household_id),
                          on_success=self._reloaded, on_failure=self._failed)

    def _reloaded(self, household: HouseholdDetail) -> None:
        self.household = household
        self._show_mode()

    def _picked(self, person: PersonSummary | None) -> None:
        if person is None or self.household is None:
            return
        # Picking is adding; the field empties for the next one.
        self.picker.person = None
        self.picker.edit.clear()
        self.picker.status.hide()
        self.run(add_household_member, self.household.household.id, person.id)

    def remove_member(self) -> None:
        item = self.members.currentItem()
        if item is None or self.household is None:
            return
        person_id = item.data(Qt.ItemDataRole.UserRole)
        if person_id is not None:
            self.run(remove_household_member, self.household.household.id, person_id)

    # -- deleting -------------------------------------------------------------------------

    def confirm_delete(self) -> QMessageBox | None:
        if self.household is None or self.busy:
            return None
        household = self.household
        box = ask_to_delete(self, tr("Delete household"),
                            tr("Delete the household {name}?", name=household.household.name),
                            "deleteHouseholdQuestion", lambda: self._delete(household))
        parts = [tr("Use this if the household was created by mistake or no one lives in "
                    "it any more. The deletion is recorded in the audit log.")]
        names = [member.full_name for member in household.members]
        if names:
            parts.append(tr("Its members are not deleted: {names} stay registered, without "
                            "a household, and links between parents and children are kept.",
                            names=", ".join(names)))
        else:
            parts.append(tr("No one is registered in the household."))
        box.setInformativeText("\n\n".join(parts))
        return box

    def _delete(self, household: HouseholdDetail) -> None:
        self.errors.clear()
        self.set_busy(True)
        row = household.household
        run_service(self, self.events, delete_household, self.ctx, row.id, row.version,
                    on_success=lambda _none: self._deleted(), on_failure=self._failed)

    def _deleted(self) -> None:
        self.set_busy(False)
        self.accept()  # the person's page reloads (events) and shows no household

    def set_busy(self, busy: bool) -> None:
        super().set_busy(busy)
        if hasattr(self, "remove_button"):
            self._update_buttons()
        if hasattr(self, "delete_button"):
            self.delete_button.setEnabled(not busy)
