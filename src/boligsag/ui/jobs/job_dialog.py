"""Create or edit a young person's job, and record the move from a pocket-money job to
an ordinary leisure job."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from boligsag.domain.enums import ActivityKind, JobKind
from boligsag.formatting import decimal_text
from boligsag.i18n import tr
from boligsag.services.activities import ActivityRow, list_activities
from boligsag.services.casework_labels import job_kind_label
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.jobs import (
    JobDraft,
    JobRow,
    create_job,
    get_job,
    move_to_leisure_job,
    update_job,
)
from boligsag.ui.activities.dialog_base import ServiceDialog
from boligsag.ui.activities.forms import (
    OptionalDate,
    combo,
    date_edit,
    fill_combo,
    from_qdate,
    parse_decimal,
    select_data,
    to_qdate,
)
from boligsag.ui.background import run_in_background
from boligsag.ui.events import AppEvents
from boligsag.ui.stale_notice import StaleNotice
from boligsag.ui.widgets import form_layout, named

SCHEME_KINDS = {JobKind.POCKET_MONEY: ActivityKind.POCKET_MONEY_JOBS,
                JobKind.LEISURE: ActivityKind.LEISURE_JOBS}


class _JobForm(ServiceDialog):
    """Shared fields: rows added in order, the scheme (activity) list loaded off-thread."""

    def _setup_form(self) -> QFormLayout:
        self.form = form_layout(8)
        self.schemes: list[ActivityRow] = []
        return self.form

    def add_row(self, text: str, widget: QWidget, field: str) -> None:
        label = QLabel(text)
        label.setBuddy(widget)
        self.form.addRow(label, widget)
        self.form.addRow("", self.field_error(field, widget))

    def number(self, edit: QLineEdit, field: str) -> tuple[bool, Decimal | None]:
        try:
            return True, parse_decimal(edit.text())
        except ValueError:
            self.errors.show_field(field, tr("Write a number, e.g. 7,5."))
            return False, None

    def load_schemes(self, wanted: int | None) -> None:
        def work(_task: Any) -> list[ActivityRow]:
            return [row for kind in SCHEME_KINDS.values()
                    for row in list_activities(self.ctx, kind=kind)]

        run_in_background(self, work, on_success=lambda rows: self._schemes(rows, wanted),
                          on_failure=self.errors.show)

    def _schemes(self, rows: list[ActivityRow], wanted: int | None) -> None:
        self.schemes = rows
        self.fill_schemes(wanted)
        notice: StaleNotice[JobRow] | None = getattr(self, "stale_notice", None)
        if notice is not None:  # the job's own scheme, chosen late, is nothing typed
            notice.settle(self.scheme)

    def fill_schemes(self, wanted: int | None = None) -> None:
        kind, today = self.job_kind(), self.ctx.today()
        # Schemes running today (and the one the job already belongs to).
        fitting = [r for r in self.schemes if r.kind == SCHEME_KINDS[kind] and (
            r.id == wanted or ((r.start_date or today) <= today <= (r.end_date or today)))]
        fill_combo(self.scheme, ((r.name, r.id) for r in fitting), none_label=tr("None"))
        if wanted is None and len(fitting) == 1 and self.new_record():
            wanted = fitting[0].id
        select_data(self.scheme, wanted)

    def job_kind(self) -> JobKind:
        raise NotImplementedError

    def new_record(self) -> bool:
        return True


class JobDialog(_JobForm):
    def __init__(self, ctx: AppContext, events: AppEvents | None, person_id: int,
                 job: JobRow | None = None, parent: QWidget | None = None, *,
                 kind: JobKind = JobKind.POCKET_MONEY) -> None:
        editing = job is not None
        super().__init__(ctx, events, "jobDialog", tr("Edit job") if editing else tr("New job"),
                         parent, icon="people", text=tr(
                             "Follow-ups 3, 6 and 12 months after the start are created "
                             "with the job."), save_text=tr("Save changes") if editing
                         else tr("Create job"))
        self.person_id, self.job = person_id, job
        self.set_form_width(620)
        self._setup_form()
        self.kind = combo("jobKindCombo", tr("Kind of job"),
                          ((job_kind_label(k), str(k)) for k in JobKind))
        select_data(self.kind, str(job.kind if job else kind))
        self.add_row(tr("&Kind"), self.kind, "kind")
        self.employer = named(QLineEdit(), "jobEmployerEdit", tr("Employer"))
        self.employer.setMaxLength(160)
        self.employer.setPlaceholderText(tr("e.g. Netto Vollsmose or the housing association"))
        self.add_row(tr("&Employer"), self.employer, "employer")
        self.start = date_edit("jobStartEdit", tr("Start date"), ctx.today())
        self.add_row(tr("&Start date"), self.start, "start_date")
        self.end = OptionalDate("jobEnd", tr("Ended"), tr("End date"), ctx.today())
        self.add_row(tr("End"), self.end, "end_date")
        self.hours = named(QLineEdit(), "jobHoursEdit", tr("Hours per week"))
        self.hours.setPlaceholderText(tr("e.g. 4"))
        self.hours.setMaximumWidth(120)
        self.add_row(tr("&Hours per week"), self.hours, "hours_per_week")
        self.pay = named(QLineEdit(), "jobPayEdit", tr("Hourly pay in kroner"))
        self.pay.setPlaceholderText(tr("e.g. 62,50"))
        self.pay.setMaximumWidth(120)
        self.add_row(tr("Hourly &pay (kr.)"), self.pay, "hourly_pay")
        self.scheme: QComboBox = combo("jobSchemeCombo", tr("Scheme"), (), tr("None"))
        self.add_row(tr("S&cheme"), self.scheme, "activity_id")
        self.note = named(QLineEdit(), "jobNoteEdit", tr("Note"))
        self.add_row(tr("&Note"), self.note, "note")
        self.layout_.addLayout(self.form)
        self.finish_layout()
        if job is not None:
            self._fill(job)
            self.stale_notice = _notice(self)
            self.layout_.insertWidget(1, self.stale_notice)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.load_schemes(job.activity_id if job else None)
        self.employer.setFocus()

    def _fill(self, job: JobRow) -> None:
        self.job = job
        select_data(self.kind, str(job.kind))
        self.employer.setText(job.employer)
        self.start.setDate(to_qdate(job.start_date))
        self.end.set_value(job.end_date)
        self.hours.setText(decimal_text(job.hours_per_week))
        self.pay.setText(decimal_text(job.hourly_pay))
        self.note.setText(job.note)
        if self.schemes:  # loaded: choose the job's scheme now
            self.fill_schemes(job.activity_id)

    def job_kind(self) -> JobKind:
        return JobKind(self.kind.currentData())

    def new_record(self) -> bool:
        return self.job is None

    def _kind_changed(self) -> None:
        pocket_money = self.job_kind() == JobKind.POCKET_MONEY
        self.form.setRowVisible(self.pay, pocket_money)
        if not pocket_money:
            self.errors.fields["hourly_pay"][0].clear_message()
        if self.schemes:
            self.fill_schemes(self.scheme.currentData())

    def prepare(self) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None:
        ok, hours = self.number(self.hours, "hours_per_week")
        if not ok:
            return None
        pay = None
        if self.job_kind() == JobKind.POCKET_MONEY:
            ok, pay = self.number(self.pay, "hourly_pay")
            if not ok:
                return None
        draft = JobDraft(person_id=self.person_id, kind=self.job_kind(),
                         employer=self.employer.text(), start_date=from_qdate(self.start.date()),
                         end_date=self.end.value(), hours_per_week=hours, hourly_pay=pay,
                         activity_id=self.scheme.currentData(), note=self.note.text())
        if self.job is None:
            return create_job, (self.ctx, draft), {}
        return update_job, (self.ctx, self.job.id, self.job.version, draft), {}


def _notice(dialog: JobDialog | MoveToLeisureDialog, *,
            reload_offered: bool = True) -> StaleNotice[JobRow]:
    """The banner for a colleague's change to the job the dialog was opened with."""
    ctx, job_id = dialog.ctx, dialog.job.id  # type: ignore[union-attr]
    fill = dialog._fill if isinstance(dialog, JobDialog) else dialog._adopt
    return StaleNotice(dialog, ctx, dialog.events, {Entity.JOBS},
                       load=lambda: get_job(ctx, job_id), version=lambda row: row.version,
                       base_version=lambda: dialog.job.version,  # type: ignore[union-attr]
                       fill=fill, reload_offered=reload_offered)


class MoveToLeisureDialog(_JobForm):
    """The scheme's goal: from a pocket-money job to an ordinary leisure job."""

    def __init__(self, ctx: AppContext, events: AppEvents | None, job: JobRow,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, events, "moveToLeisureDialog", tr("Move to a leisure job"),
                         parent, icon="people",
                         heading=tr("{name} got a leisure job", name=job.person_name),
                         text=tr("The pocket-money job at {employer} ends the day before the "
                                 "leisure job starts.", employer=job.employer),
                         save_text=tr("Record leisure job"))
        self.job = job
        self.set_form_width(560)
        self._setup_form()
        self.employer = named(QLineEdit(), "leisureEmployerEdit", tr("Employer"))
        self.employer.setMaxLength(160)
        self.add_row(tr("&Employer"), self.employer, "employer")
        self.start = date_edit("leisureStartEdit", tr("Start date"),
                               max(ctx.today(), job.start_date + timedelta(days=1)))
        self.start.setMinimumDate(to_qdate(job.start_date))
        self.add_row(tr("&Start date"), self.start, "start_date")
        self.hours = named(QLineEdit(), "leisureHoursEdit", tr("Hours per week"))
        self.hours.setMaximumWidth(120)
        self.add_row(tr("&Hours per week"), self.hours, "hours_per_week")
        self.scheme = combo("leisureSchemeCombo", tr("Scheme"), (), tr("None"))
        self.add_row(tr("S&cheme"), self.scheme, "activity_id")
        self.note = named(QLineEdit(), "leisureNoteEdit", tr("Note"))
        self.add_row(tr("&Note"), self.note, "note")
        self.layout_.addLayout(self.form)
        self.finish_layout()
        # The form holds only the new leisure job: a change to the pocket-money job is
        # adopted as is (its version), and the service judges the move against it.
        self.stale_notice = _notice(self, reload_offered=False)
        self.layout_.insertWidget(1, self.stale_notice)
        self.load_schemes(None)
        self.employer.setFocus()

    def job_kind(self) -> JobKind:
        return JobKind.LEISURE

    def _adopt(self, job: JobRow) -> None:
        self.job = job

    def prepare(self) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None:
        ok, hours = self.number(self.hours, "hours_per_week")
        if not ok:
            return None
        return move_to_leisure_job, (self.ctx, self.job.id, self.employer.text(),
                                     from_qdate(self.start.date())), {
            "hours_per_week": hours, "activity_id": self.scheme.currentData(),
            "note": self.note.text(), "version": self.job.version}
