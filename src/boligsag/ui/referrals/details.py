"""One referral in full: who, to which service, why, the consent it relies on (with its
state), the status history (date, author, note), and buttons for the next steps the
status flow allows (``ReferralDetails.allowed_next``) — nothing else is offered.

Opening a referral is recorded in the audit log as a view of the person, so the pane
loads a moment after the selection settles, not for every row the arrow keys pass.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.enums import ReferralKind, ReferralStatus
from boligsag.formatting import long_date
from boligsag.i18n import tr
from boligsag.services.consents import scope_options
from boligsag.services.context import AppContext
from boligsag.services.letters import render_referral_letter, short_reference
from boligsag.services.referral_texts import kind_label
from boligsag.services.referrals import ReferralDetails, referral_details
from boligsag.ui.background import run_in_background
from boligsag.ui.case_labels import (
    OVERDUE_COLORS,
    STATUS_COLORS,
    days_overdue,
    days_overdue_text,
    status_label,
)
from boligsag.ui.consents.card import ConsentCard
from boligsag.ui.consents.details import ConsentDetailsDialog
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents
from boligsag.ui.forms import Badge, no_auto_default, section
from boligsag.ui.letters.opener import open_letter_preview
from boligsag.ui.letters.preview import LetterPreviewDialog
from boligsag.ui.reminders.dialog import referral_subject, remind_me_button
from boligsag.ui.widgets import EmptyState, make_action, named

from .actions import DraftActions
from .details_parts import fact_grid, fill_step_buttons, history_html
from .step_dialog import StatusStepDialog

DELAY_MS = 250
COPIED_MS = 2_000  # how long the button says "Kopieret"


class ReferralDetailsPane(QWidget):
    loaded = Signal(object)  # ReferralDetails
    preview_opened = Signal(object)  # the LetterPreviewDialog

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events = ctx, events
        self.details: ReferralDetails | None = None
        self.referral_id: int | None = None
        self.preview: LetterPreviewDialog | None = None
        self.step_buttons: dict[ReferralStatus, QPushButton] = {}
        self._generation = 0
        self._loading = self._pending = False
        named(self, "referralDetails", tr("Referral details"))
        self.timer = QTimer(self, singleShot=True, interval=DELAY_MS)
        self.timer.timeout.connect(self.load_now)
        self.stack = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.empty = EmptyState(tr("No referral chosen"), tr(
            "Choose a referral in the list to see its consent, its history and the next "
            "step."))
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(self.empty)
        holder_layout.addStretch(1)
        self.stack.addWidget(holder)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack.addWidget(scroll)
        self._scroll = scroll
        # The details themselves on the next turn of the event loop (or when a referral
        # arrives first): built with the page, they made opening Henvisninger keep the
        # GUI thread busy for about 100 ms.
        QTimer.singleShot(0, self, self._ensure_content)
        no_auto_default(self)

    def _ensure_content(self) -> None:
        if self._scroll.widget() is None:
            self._scroll.setWidget(self._build_content())
            no_auto_default(self)

    def _build_content(self) -> QWidget:
        content = QWidget()
        content.setObjectName("referralDetailsContent")
        content.setStyleSheet("QWidget#referralDetailsContent { background: transparent; }")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(2, 0, 6, 8)
        layout.setSpacing(12)
        self.title = named(QLabel(), "referralTitle", tr("Person"))
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        self.letter_button = named(QPushButton(tr("Show letter…")), "showLetterButton",
                                   tr("Show the letter"))
        self.letter_button.setToolTip(tr("Preview, print or save the letter (Ctrl+P)"))
        self.letter_button.clicked.connect(self.show_letter)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        self.remind_button = remind_me_button(
            self, self.ctx, self.events, lambda: referral_subject(self.details),
            "referralRemindButton")
        top.addWidget(self.letter_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.subtitle = named(QLabel(), "referralSubtitle", tr("Service"))
        self.subtitle.setProperty("role", "muted")
        self.subtitle.setWordWrap(True)
        # Beside the short "Til …": by the title it wrapped names at 1366×768.
        self.remind_button.setProperty("role", "link")
        subtitle_row = QHBoxLayout()
        subtitle_row.addWidget(self.subtitle, 1)
        subtitle_row.addWidget(self.remind_button)
        layout.addLayout(subtitle_row)
        badges = QHBoxLayout()
        self.status_badge = Badge("referralStatusBadge", tr("Status"))
        self.kind_badge = Badge("referralKindBadge", tr("Type"))
        self.overdue_badge = Badge("referralOverdueBadge", tr("Overdue"))
        for badge in (self.status_badge, self.kind_badge, self.overdue_badge):
            badges.addWidget(badge)
        badges.addStretch(1)
        layout.addLayout(badges)

        self.draft_actions = DraftActions(self.ctx, self.events, self)
        layout.addWidget(self.draft_actions)
        # The next steps, one to a row so long Danish labels never widen the pane.
        self.steps = QVBoxLayout()
        self.steps.setContentsMargins(0, 0, 0, 0)
        self.steps.setSpacing(8)
        steps_box = named(QWidget(), "referralSteps", tr("Next steps"))
        steps_box.setLayout(self.steps)
        layout.addWidget(steps_box)

        facts, facts_layout = section("referralFactsCard", tr("The referral"))
        grid, self.facts = fact_grid(facts_layout, [
            ("created", tr("Created")), ("staff", tr("Contact person")),
            ("since", tr("In status since")), ("due", tr("Follow up by")),
            ("reference", tr("Reference"))])
        # The full UUID helps nobody reading the pane; it only matters pasted somewhere
        # (a reply, the command line), so it goes to the clipboard, never on screen.
        self.action_copy_reference = make_action(
            self, "actionCopyReference", tr("Cop&y reference"), shortcut="Ctrl+Shift+C",
            triggered=self.copy_reference,
            tip=tr("Copy the reference and the referral's full id to the clipboard"))
        self.action_copy_reference.setShortcutContext(
            Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.action_copy_reference)
        self.copy_button = named(QPushButton(tr("Copy reference")), "copyReferenceButton",
                                 tr("Copy reference"))
        self.copy_button.setProperty("role", "link")
        self.copy_button.setStyleSheet("padding: 0;")  # level with the text beside it
        self.copy_button.setToolTip(self.action_copy_reference.toolTip())
        self.copy_button.clicked.connect(self.action_copy_reference.trigger)
        self.copied_timer = QTimer(self, singleShot=True, interval=COPIED_MS)
        self.copied_timer.timeout.connect(lambda: self.copy_button.setText(tr("Copy reference")))
        # The link sits right after the reference, in the same cell: a column of its own
        # would take its width from every other row (dates wrapped at 1366 px).
        reference = self.facts["reference"]
        grid.removeWidget(reference)
        cell = QHBoxLayout()
        cell.setSpacing(14)
        cell.addWidget(reference, 0, Qt.AlignmentFlag.AlignTop)
        cell.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignTop)
        cell.addStretch(1)
        grid.addLayout(cell, len(self.facts) - 1, 1)
        self.reason = named(QLabel(), "referralReason", tr("Reason"))
        self.reason.setWordWrap(True)
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        reason_caption = QLabel(tr("Reason"))
        reason_caption.setProperty("role", "muted")
        facts_layout.addWidget(reason_caption)
        facts_layout.addWidget(self.reason)
        layout.addWidget(facts)

        self.consent_section, consent_layout = section("referralConsentCard", tr("Consent"))
        self.consent_card = ConsentCard({o.code: o.label for o in scope_options(self.ctx)})
        consent_layout.addWidget(self.consent_card)
        self.no_consent = named(QLabel(), "referralNoConsent", tr("Consent"))
        self.no_consent.setWordWrap(True)
        consent_layout.addWidget(self.no_consent)
        self.open_consent = named(QPushButton(tr("Open the consent")), "openConsentButton",
                                  tr("Open the consent"))
        self.open_consent.setProperty("role", "link")
        self.open_consent.clicked.connect(self.show_consent)
        consent_layout.addWidget(self.open_consent, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.consent_section)

        history, history_layout = section("referralHistoryCard", tr("Status history"))
        self.history = named(QLabel(), "referralHistory", tr("Status history"))
        self.history.setWordWrap(True)
        self.history.setTextFormat(Qt.TextFormat.RichText)
        self.history.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        history_layout.addWidget(self.history)
        layout.addWidget(history)
        self.error = named(QLabel(), "referralDetailsError", tr("Error message"))
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        layout.addStretch(1)
        return content

    # -- loading ----------------------------------------------------------------------

    def show_referral(self, referral_id: int | None, *, at_once: bool = False) -> None:
        self.referral_id = referral_id
        if referral_id is None:
            self._generation += 1
            self._pending = False
            self.details = None
            self.timer.stop()
            self.stack.setCurrentIndex(0)
            return
        if at_once:
            self.load_now()
        else:
            self.timer.start()

    def load_now(self) -> None:
        """One load at a time: each one writes an audit entry, and two read-then-write
        transactions racing each other would make one of them fail. A request made
        meanwhile runs once the current load is done."""
        self.timer.stop()
        if self.referral_id is None:
            return
        if self._loading:
            self._pending = True
            return
        self._loading, self._pending = True, False
        self._generation += 1
        generation, referral_id, ctx = self._generation, self.referral_id, self.ctx
        run_in_background(self, lambda _t: referral_details(ctx, referral_id),
                          on_success=lambda d: self._show(generation, d),
                          on_failure=lambda e: self._failed(generation, e))

    def _load_finished(self) -> bool:
        """True if this result is still wanted (no newer request is waiting)."""
        self._loading = False
        if self._pending:
            self.load_now()
            return False
        return True

    def _failed(self, generation: int, error: BaseException) -> None:
        if self._load_finished() and generation == self._generation:
            self._ensure_content()
            self.error.setText(error_text(error))
            self.error.show()

    def _show(self, generation: int, details: ReferralDetails) -> None:
        if not self._load_finished() or generation != self._generation:
            return
        self._ensure_content()
        self.details = details
        row = details.row
        self.error.hide()
        self.title.setText(row.person_name)
        self.subtitle.setText(tr("To {service}", service=row.service_name))
        self.status_badge.show_badge(status_label(row.status), STATUS_COLORS[row.status])
        if row.kind is ReferralKind.CONCERN:
            self.kind_badge.show_badge(kind_label(row.kind), OVERDUE_COLORS)
        else:
            self.kind_badge.hide()
        today = self.ctx.today()
        if row.overdue:
            self.overdue_badge.show_badge(days_overdue_text(days_overdue(row.due_on, today)),
                                          OVERDUE_COLORS)
        else:
            self.overdue_badge.hide()
        self.facts["created"].setText(long_date(row.created_on))
        self.facts["staff"].setText(row.contact_user_name)
        self.facts["since"].setText(long_date(row.status_changed_on))
        self.facts["due"].setText(long_date(row.due_on) if row.due_on else "–")
        self.facts["reference"].setText(short_reference(row.uuid))
        self.facts["reference"].setToolTip(tr("Printed on the letter as “Our ref.”. Copy "
                                              "reference also copies the full id, which finds "
                                              "the referral on the command line."))
        self.copied_timer.stop()
        self.copy_button.setText(tr("Copy reference"))
        self.reason.setText(details.reason)
        self._show_consent(details)
        self.history.setText(history_html(details.events))
        self.step_buttons = fill_step_buttons(self.steps, details.allowed_next,
                                              self.start_step)
        self.draft_actions.show_for(details)
        self.stack.setCurrentIndex(1)
        self.loaded.emit(details)

    def _show_consent(self, details: ReferralDetails) -> None:
        concern = details.row.kind is ReferralKind.CONCERN
        self.consent_card.setVisible(details.consent is not None)
        self.open_consent.setVisible(details.consent is not None)
        if details.consent is not None:
            self.consent_card.show_consent(details.consent)
        self.no_consent.setVisible(details.consent is None)
        self.no_consent.setText(
            tr("A notification of concern needs no consent (Barnets lov § 135).") if concern
            else tr("The referral relies on no consent yet."))

    # -- commands ---------------------------------------------------------------------

    def start_step(self, target: ReferralStatus) -> StatusStepDialog | None:
        if self.details is None or target not in self.details.allowed_next:
            return None
        dialog = StatusStepDialog(self.ctx, self.events, self.details.row, target, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.recorded.connect(lambda _row: self.show_referral(self.referral_id, at_once=True))
        dialog.open()
        self.step_dialog = dialog
        return dialog

    def copy_reference(self) -> None:
        """"Kopiér reference": the letter's short reference and the full id, one line."""
        if self.details is None:
            return
        uuid = self.details.row.uuid
        QGuiApplication.clipboard().setText(tr("Reference {reference} (id {uuid})",
                                               reference=short_reference(uuid), uuid=uuid))
        self.copy_button.setText(tr("Copied"))
        self.copied_timer.start()

    def show_letter(self) -> None:
        if self.details is None:
            return
        ctx, referral_id = self.ctx, self.details.row.id
        open_letter_preview(self, ctx, lambda: render_referral_letter(ctx, referral_id),
                            on_opened=self._preview_opened)

    def _preview_opened(self, dialog: LetterPreviewDialog) -> None:
        self.preview = dialog
        self.preview_opened.emit(dialog)

    def show_consent(self) -> QDialog | None:
        if self.details is None or self.details.consent is None:
            return None
        dialog = ConsentDetailsDialog(self.ctx, self.details.consent.id, self.window(),
                                      events=self.events)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
