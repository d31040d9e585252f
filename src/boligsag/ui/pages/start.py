"""Start (Overblik): a greeting and a few counts, the follow-ups that are due
("Opfølgning": contacts and jobs, one key marks one done), the user's own reminders
("Påmindelser"), the first of "Mine sager", referrals waiting too long and consents
about to expire, and the organisation's plan and areas."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.permissions import Permission
from boligsag.formatting import long_date, number_text
from boligsag.i18n import current_language, tr
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.follow_ups import FollowUpItem, FollowUpKind
from boligsag.services.overview import OrganisationOverview, organisation_overview
from boligsag.ui.contacts import open_contact
from boligsag.ui.elide import elide_column
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents
from boligsag.ui.jobs import FollowUpList
from boligsag.ui.jobs.models import FollowUpColumn
from boligsag.ui.pages.personal_reminders import PersonalRemindersPanel
from boligsag.ui.referrals.reminders import ReminderPanel
from boligsag.ui.reloader import Reloader
from boligsag.ui.widgets import PageHeader, named

from .base import Page
from .my_cases_card import MyCasesCard

# What the figures count; plans, areas and settings have no Entity yet and change only
# in Administration, after which the page reloads when shown.
_COUNTED = frozenset({Entity.PEOPLE, Entity.CONTACTS, Entity.ACTIVITIES})


def greeting(hour: int, name: str) -> str:
    if hour < 10:
        return tr("Good morning, {name}", name=name)
    if hour < 17:
        return tr("Good day, {name}", name=name)
    return tr("Good evening, {name}", name=name)


def _card(object_name: str, title: str) -> tuple[QFrame, QVBoxLayout]:
    card = named(QFrame(), object_name, title)
    card.setProperty("role", "card")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(20, 16, 20, 18)
    layout.setSpacing(6)
    heading = QLabel(title.upper())  # a small overline; the value below is the heading
    heading.setProperty("role", "overline")
    layout.addWidget(heading)
    return card, layout


def _value_label(object_name: str, accessible: str) -> QLabel:
    label = named(QLabel(), object_name, accessible)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class StartPage(Page):
    page_id = "start"
    icon_name = "home"
    #: Someone chose a person (a follow-up's); the main window opens their page.
    person_requested = Signal(int)
    #: From the "Mine sager" card: an activity, or the whole page.
    activity_requested = Signal(int)
    page_requested = Signal(str)

    @classmethod
    def title(cls) -> str:
        return tr("Overview")

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(ctx, events, parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = named(QScrollArea(), "startScroll", tr("Overview"))
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setStyleSheet("QScrollArea, QScrollArea > QWidget > QWidget "
                             "{ background: transparent; }")
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(32, 24, 32, 20)
        layout.setSpacing(16)
        first_name = ctx.actor.full_name.split(" ")[0] or ctx.actor.username
        self.header = PageHeader(greeting(ctx.clock.now().hour, first_name), "")
        named(self.header.title_label, "greetingLabel", self.header.title_label.text())
        layout.addWidget(self.header)

        # A handful of COUNT queries can take a while on a big encrypted database.
        self.reloader = Reloader(self, events, _COUNTED,
                                 loader=lambda: partial(organisation_overview, ctx),
                                 apply=self._show, failed=self._failed)
        self.status = named(QLabel(tr("Loading the overview…")), "overviewStatus",
                            tr("Status"))
        self.status.setProperty("role", "muted")
        layout.addWidget(self.status)
        layout.addLayout(self._figures())

        work = QHBoxLayout()
        work.setSpacing(16)
        follow_card, follow_layout = _card("followUpCard", tr("Follow-ups due"))
        self.follow_ups: FollowUpList | None = None
        self.reminders: ReminderPanel | None = None
        self.personal: PersonalRemindersPanel | None = None
        self.my_cases: MyCasesCard | None = None
        if ctx.actor.can(Permission.VIEW_PEOPLE):
            self.follow_ups = FollowUpList(ctx, events)
            self.follow_ups.setMinimumHeight(300)
            self.follow_ups.open_person.connect(self.person_requested.emit)
            self.follow_ups.open_item.connect(self._open_follow_up)
            follow_layout.addWidget(self.follow_ups, 1)
            self.follow_ups.table.horizontalHeader().resizeSection(FollowUpColumn.PERSON, 170)
            # "Hvad" is the column cut first on a laptop: "…" and the whole text on hover.
            elide_column(self.follow_ups.table, FollowUpColumn.WHAT)
            # "Hvad" already starts with the channel or the job, so "Type" only took its room.
            self.follow_ups.table.setColumnHidden(FollowUpColumn.KIND, True)
            work.addWidget(follow_card, 3)
            side = QVBoxLayout()
            side.setSpacing(16)
            self.personal = PersonalRemindersPanel(ctx, events)
            self.personal.open_person.connect(self.person_requested.emit)
            side.addWidget(self.personal)
            self.reminders = ReminderPanel(ctx, events)
            side.addWidget(self.reminders, 1)
            work.addLayout(side, 2)
            layout.addLayout(work)
            self.my_cases = MyCasesCard(ctx, events)
            self.my_cases.person_requested.connect(self.person_requested.emit)
            self.my_cases.activity_requested.connect(self.activity_requested.emit)
            self.my_cases.show_all.connect(lambda: self.page_requested.emit("my_cases"))
            layout.addWidget(self.my_cases)

        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        plan_card, plan_layout = _card("planCard", tr("Housing-social plan"))
        self.plan_name = _value_label("planName", tr("Plan"))
        self.plan_name.setProperty("role", "cardTitle")
        self.plan_period = _value_label("planPeriod", tr("Period"))
        self.plan_period.setProperty("role", "muted")
        self.focus_areas = _value_label("focusAreas", tr("Focus areas"))
        for widget in (self.plan_name, self.plan_period, self.focus_areas):
            plan_layout.addWidget(widget)
        plan_layout.addStretch(1)
        areas_card, areas_layout = _card("areasCard", tr("Housing areas"))
        self.areas = _value_label("areasOverview", tr("Housing areas"))
        areas_layout.addWidget(self.areas)
        areas_layout.addStretch(1)
        grid.addWidget(plan_card, 0, 0)
        grid.addWidget(areas_card, 0, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        layout.addLayout(grid)
        layout.addStretch(1)
        tip = named(QLabel(tr(
            "Tip: Ctrl+L logs a contact from anywhere, Ctrl+1, Ctrl+2 … switch between the "
            "pages, and Ctrl+Shift+L locks Boligsag when you leave the computer.")),
            "shortcutTip", tr("Tip"))
        tip.setProperty("role", "muted")
        tip.setWordWrap(True)
        layout.addWidget(tip)
        self.overview: OrganisationOverview | None = None

    def _figures(self) -> QHBoxLayout:
        figures = QHBoxLayout()
        figures.setSpacing(16)
        self.figures: dict[str, QLabel] = {}
        for key, caption in (("people", tr("People")), ("contacts", tr("Contacts")),
                             ("activities", tr("Activities"))):
            card = named(QFrame(), f"figure_{key}", caption)
            card.setProperty("role", "card")
            card_layout = QHBoxLayout(card)
            card_layout.setContentsMargins(20, 10, 20, 10)
            card_layout.setSpacing(12)
            value = named(QLabel("–"), f"figureValue_{key}", caption)
            value.setProperty("role", "figure")
            text = QLabel(caption)
            text.setProperty("role", "muted")
            card_layout.addWidget(value)
            card_layout.addWidget(text, 1, Qt.AlignmentFlag.AlignVCenter)
            figures.addWidget(card)
            self.figures[key] = value
        return figures

    def _failed(self, error: BaseException) -> None:
        self.status.setText(error_text(error))
        self.status.setProperty("role", "error")
        self.status.show()

    def _show(self, overview: OrganisationOverview) -> None:
        self.overview = overview
        self.status.hide()
        self.header.subtitle_label.setText(overview.organisation_name)
        self.header.subtitle_label.setVisible(bool(overview.organisation_name))
        for key in self.figures:
            self.figures[key].setText(number_text(getattr(overview, key), 0))
        if overview.plan_name:
            self.plan_name.setText(overview.plan_name)
            self.plan_period.setText(tr(
                "LBF period {period} · {start} – {end}",
                period=overview.plan_period.replace("-", "–"),
                start=long_date(overview.plan_start), end=long_date(overview.plan_end)))
        else:
            self.plan_name.setText(tr("No plan has been set up yet."))
            self.plan_period.clear()
        language = current_language()
        focus = "".join(f"<li>{_html(f.name(language))}</li>" for f in overview.focus_areas)
        self.focus_areas.setText(
            f"<p style='margin-top:8px'><b>{_html(tr('Focus areas'))}</b></p>"
            f"<ul style='margin-left:-20px'>{focus}</ul>" if focus else "")
        self.areas.setText("<ul style='margin-left:-20px'>" + "".join(
            f"<li>{_html(a)}</li>" for a in overview.areas) + "</ul>"
            if overview.areas else tr("No housing areas yet."))

    def _open_follow_up(self, item: FollowUpItem) -> None:
        """An anonymous contact's follow-up has no person to open: open the contact."""
        if item.kind != FollowUpKind.CONTACT or item.person_ids:
            return
        open_contact(self, self.ctx, self.events, item.record_id)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
