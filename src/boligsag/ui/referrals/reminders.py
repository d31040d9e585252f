"""Opfølgning for the start page: referrals that have waited too long in their status
(and by how many days), and consents that expire within 30 days. A double-click (or
Enter) opens the referral or the consent.

``ReminderPanel(ctx, events)``: reloads itself on ``events.changed`` (when hidden, on
the next show) and when shown on a later day than its last load.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QListView, QVBoxLayout, QWidget

from boligsag.domain.consent import EXPIRY_WARNING_DAYS
from boligsag.formatting import short_date
from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.consents import ConsentRow, expiring_consents
from boligsag.services.context import AppContext
from boligsag.services.referrals import ReferralRow, overdue_referrals
from boligsag.ui.case_labels import days_left_text, days_overdue, days_overdue_text, status_label
from boligsag.ui.consents.details import ConsentDetailsDialog
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents
from boligsag.ui.reloader import Reloader
from boligsag.ui.theme import ERROR, WARNING
from boligsag.ui.widgets import named

from .details_dialog import ReferralDetailsDialog
from .reminder_list import ReminderItem, ReminderListModel, reminder_view

_RELEVANT = frozenset({Entity.REFERRALS, Entity.CONSENTS, Entity.SETTINGS, Entity.FOLLOW_UPS})
MAX_VISIBLE_ROWS = 5


def referral_item(row: ReferralRow, today: date) -> ReminderItem:
    return ReminderItem(
        row.id, row.person_name,
        tr("{service} · {status} since {date} · {staff}", service=row.service_name,
           status=status_label(row.status), date=short_date(row.status_changed_on),
           staff=row.contact_user_name),
        days_overdue_text(days_overdue(row.due_on, today)), ERROR)


def consent_item(consent: ConsentRow, today: date) -> ReminderItem:
    detail = tr("{service} · last valid day {date}", service=consent.service_name,
                date=short_date(consent.valid_to))
    if not (consent.given_by_self or consent.given_by == consent.person_name):
        detail = tr("{details} · given by {giver}", details=detail, giver=consent.given_by)
    return ReminderItem(consent.id, consent.person_name, detail,
                        days_left_text((consent.valid_to - today).days), WARNING)



def _load(ctx: AppContext) -> tuple[date, list[ReferralRow], list[ConsentRow]]:
    return ctx.today(), overdue_referrals(ctx), expiring_consents(ctx)

class ReminderPanel(QFrame):
    referral_activated = Signal(int)
    consent_activated = Signal(int)

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None, *,
                 open_on_activate: bool = True) -> None:
        super().__init__(parent)
        self.ctx, self.events, self.open_on_activate = ctx, events, open_on_activate
        self.today = ctx.today()
        self.loaded_once = False
        self.opened: QWidget | None = None
        named(self, "reminderPanel", tr("Follow-up"))
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 18)
        layout.setSpacing(8)
        overline = QLabel(tr("Referrals and consents").upper())
        overline.setProperty("role", "overline")
        layout.addWidget(overline)

        self.referral_title = self._title("overdueReferralsTitle")
        self.referrals = ReminderListModel(self)
        self.referral_list = reminder_view("overdueReferralsList", tr("Overdue referrals"),
                                           self.referrals)
        self.referral_list.activated.connect(self._referral_chosen)
        self.referral_empty = self._empty("overdueReferralsEmpty", tr(
            "No referrals are waiting for a follow-up."))
        self.consent_title = self._title("expiringConsentsTitle")
        self.consents = ReminderListModel(self)
        self.consent_list = reminder_view("expiringConsentsList", tr("Consents expiring soon"),
                                          self.consents)
        self.consent_list.activated.connect(self._consent_chosen)
        self.consent_empty = self._empty("expiringConsentsEmpty", tr(
            "No consents expire within the next {days} days.", days=EXPIRY_WARNING_DAYS))
        # Until the first load answers, a count of 0 would claim "nothing due" falsely.
        self.referral_loading = self._empty("overdueReferralsLoading", tr("Loading…"))
        self.consent_loading = self._empty("expiringConsentsLoading", tr("Loading…"))
        for widget in (self.referral_title, self.referral_list, self.referral_empty,
                       self.referral_loading):
            layout.addWidget(widget)
        layout.addSpacing(8)
        for widget in (self.consent_title, self.consent_list, self.consent_empty,
                       self.consent_loading):
            layout.addWidget(widget)
        self.error = self._empty("reminderError", "")
        self.error.setProperty("role", "error")
        self.error.hide()
        layout.addWidget(self.error)
        layout.addStretch(1)
        self._show_counts()
        self.reloader = Reloader(self, events, _RELEVANT, loader=lambda: partial(_load, ctx),
                                 apply=lambda result: self._show(*result),
                                 failed=self._failed, today=ctx.today)

    def _title(self, object_name: str) -> QLabel:
        label = named(QLabel(), object_name, tr("Heading"))
        label.setProperty("role", "cardTitle")
        label.setWordWrap(True)
        return label

    def _empty(self, object_name: str, text: str) -> QLabel:
        label = named(QLabel(text), object_name, text or tr("Error message"))
        label.setProperty("role", "muted")
        label.setWordWrap(True)
        return label

    # -- loading ----------------------------------------------------------------------

    def _show(self, today: date, referrals: list[ReferralRow],
              consents: list[ConsentRow]) -> None:
        self.today = today
        self.loaded_once = True
        self.error.hide()
        self.referrals.set_items([referral_item(r, today) for r in referrals])
        self.consents.set_items([consent_item(c, today) for c in consents])
        self._show_counts()

    def _failed(self, error: BaseException) -> None:
        self.error.setText(error_text(error))
        self.error.show()
        self._show_counts()  # the error replaces "Loading…"

    def _show_counts(self) -> None:
        referrals, consents = self.referrals.rowCount(), self.consents.rowCount()
        if self.loaded_once:
            self.referral_title.setText(tr("Referrals waiting for a follow-up ({count})",
                                           count=referrals))
            self.consent_title.setText(tr("Consents expiring within {days} days ({count})",
                                          days=EXPIRY_WARNING_DAYS, count=consents))
        else:  # no count yet: the loading line below says so
            self.referral_title.setText(tr("Referrals waiting for a follow-up"))
            self.consent_title.setText(tr("Consents expiring within {days} days",
                                          days=EXPIRY_WARNING_DAYS))
        for loading in (self.referral_loading, self.consent_loading):
            loading.setVisible(not self.loaded_once and self.error.isHidden())
        for view, empty, count in ((self.referral_list, self.referral_empty, referrals),
                                   (self.consent_list, self.consent_empty, consents)):
            view.setVisible(count > 0)
            empty.setVisible(count == 0 and self.loaded_once)
            rows = min(count, MAX_VISIBLE_ROWS)
            row_height = view.sizeHintForRow(0) if count else 0
            view.setFixedHeight(rows * row_height + 2 * view.frameWidth() + 2)

    def items(self, which: str = "referrals") -> list[ReminderItem]:
        model = self.referrals if which == "referrals" else self.consents
        return [model.item(r) for r in range(model.rowCount())]

    # -- opening ----------------------------------------------------------------------

    def _referral_chosen(self, index: QModelIndex) -> None:
        referral_id = self.referrals.item(index.row()).id
        self.referral_activated.emit(referral_id)
        if self.open_on_activate:
            self._open(ReferralDetailsDialog(self.ctx, self.events, referral_id, self.window()))

    def _consent_chosen(self, index: QModelIndex) -> None:
        consent_id = self.consents.item(index.row()).id
        self.consent_activated.emit(consent_id)
        if self.open_on_activate:
            self._open(ConsentDetailsDialog(self.ctx, consent_id, self.window(),
                                            events=self.events))

    def _open(self, dialog: QWidget) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()  # type: ignore[attr-defined]
        self.opened = dialog

    @property
    def views(self) -> tuple[QListView, QListView]:
        return self.referral_list, self.consent_list
