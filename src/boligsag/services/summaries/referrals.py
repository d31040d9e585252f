"""Referrals (brobygning): by service and status, the flow from created to closed, the
share that closed the loop, and the median days from sent to first meeting.

The referrals counted are those *created in the period* (a cohort), each with its status
today, so every figure in the section is about the same referrals. The loop is closed
when the referral is closed, which only follows a first meeting (``referral_flow``).
Notifications of concern (underretninger) are not bridges and are counted separately.
Referrals have no focus area or activity: with either in the selection, this section is
empty and says why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    String,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from boligsag.domain.enums import ReferralKind, ReferralStatus
from boligsag.storage import dialect
from boligsag.storage.models import ReferralEvent, Service
from boligsag.summaries.model import (
    TOTAL,
    CellRef,
    Column,
    KeyFigure,
    Label,
    Median,
    Share,
    ValueKind,
    _msg,
)

from .dialects import days_between
from .participants import PEOPLE, REFERRALS
from .scope import Scope
from .sections import Section
from .sql import month_of
from .tables import Category, grid_table, measures_table, month_categories

EVENTS = ReferralEvent.__table__
_S = ReferralStatus
STATUS_LABELS = {
    _S.DRAFT: _msg("Draft"),
    _S.SENT: _msg("Sent"),
    _S.RECEIVED: _msg("Received"),
    _S.FIRST_MEETING: _msg("First meeting held"),
    _S.CLOSED: _msg("Closed"),
    _S.DECLINED: _msg("Declined"),
    _S.CANCELLED: _msg("Cancelled"),
}
FLOW = ("created", "sent", "received", "first_meeting", "closed")
FLOW_LABELS = {"created": _msg("Created"), "sent": _msg("Sent"), "received": _msg("Received"),
               "first_meeting": _msg("First meeting held"), "closed": _msg("Loop closed")}
SERVICE_COLUMNS = (
    Column("sent", _msg("Sent")),
    Column("first_meeting", _msg("First meeting held")),
    Column("closed", _msg("Loop closed")),
    Column("closed_share", _msg("Share closed"), ValueKind.SHARE, base="closed",
           denominator="sent"),
    Column("median_days", _msg("Median days to first meeting"), ValueKind.DAYS,
           base="first_meeting"),
)
NOT_APPLICABLE = _msg("Referrals have no focus area or activity, so none belong to a "
                      "selection by focus area or activity.")


def cohort(scope: Scope) -> tuple[FromClause, list[ColumnElement[bool]]]:
    """Referrals and notifications created in the period within the selection (none when
    the selection names focus areas or activities). Shared with drill-down."""
    f = scope.filter
    r, p = REFERRALS, PEOPLE
    where = [r.c.created_on >= f.date_from, r.c.created_on <= f.date_to, *scope.referral(r, p)]
    if not scope.referrals_apply():
        where.append(false())
    # The person's area is only needed for a plan or area filter; skipping the join
    # saves a read of the (wide) people table per referral.
    needs_person = bool(f.plan_ids or f.area_ids)
    return (r.join(p, p.c.id == r.c.person_id) if needs_person else r), where


def compute(session: Session, scope: Scope, step: Callable[[str], None]) -> Section:
    f = scope.filter
    r = REFERRALS
    step("referrals")
    referrals, cohort_where = cohort(scope)
    bridges = [r.c.kind == ReferralKind.REFERRAL.value, *cohort_where]
    note = None if scope.referrals_apply() else NOT_APPLICABLE
    section = Section()

    stage = stages()
    sent, received, met = stage["sent"], stage["received"], stage["first_meeting"]
    days = days_between(r.c.first_meeting_on, r.c.sent_on)

    # One pass over the cohort, grouped by everything the four tables below split by
    # (a few thousand groups), instead of one pass per table; the tables are sums of it.
    month = month_of(r.c.created_on)
    keys = (r.c.service_id, r.c.status, month, sent, received, met)
    by_status: Counter[tuple[str, str]] = Counter()
    outcome: dict[str, list[int]] = {}  # service -> [sent, first meeting, closed]
    flow = dict.fromkeys(FLOW, 0)
    per: dict[str, list[int]] = {}  # month -> [created, sent, first meeting, closed]
    for sv, st, m, is_sent, is_received, is_met, n in session.execute(
            select(*keys, func.count()).select_from(referrals).where(*bridges)
            .group_by(*keys)):
        is_closed = st == _S.CLOSED.value
        reached = (True, is_sent, is_received, is_met, is_closed)
        by_status[(str(sv), str(st))] += n
        for key, yes in zip(FLOW, reached, strict=True):
            flow[key] += n if yes else 0
        service = outcome.setdefault(str(sv), [0, 0, 0])
        in_month = per.setdefault(m, [0, 0, 0, 0])
        for i, yes in enumerate((is_sent, is_met, is_closed)):
            service[i] += n if yes else 0
            in_month[i + 1] += n if yes else 0
        in_month[0] += n

    services = [Category(str(i), Label(name, name)) for i, name in session.execute(
        select(Service.id, Service.name)
        .order_by(Service.sort_order, dialect.danish(Service.name), Service.id))]
    statuses = tuple(Column(s.value, label) for s, label in STATUS_LABELS.items())
    section.add(grid_table("referrals_by_status", _msg("Referrals by service and status"),
                           _msg("Service"), services, statuses, dict(by_status),
                           keep_zero_rows=False,
                           note=note or _msg("Referrals created in the period, by their "
                                             "status today.")))

    step("referral outcomes")
    medians = _medians(session, referrals, bridges, days, r.c.service_id)
    overall = medians.get(TOTAL, Median(None, 0))
    data = {k: (s, m, c, Share(c, s), medians.get(k, Median(None, 0)))
            for k, (s, m, c) in outcome.items()}
    section.add(measures_table(
        "referrals_by_service", _msg("Referral outcomes by service"), _msg("Service"), services,
        SERVICE_COLUMNS, data, total=(None, None, None, None, overall), keep_zero_rows=False,
        note=note or _msg("Share closed: of the referrals sent, the share where the resident "
                          "got across (closed after a first meeting). Median days: from "
                          "sent to first meeting.")))

    step("referral flow")
    section.add(measures_table(
        "referral_flow", _msg("Referral flow"), _msg("Step"),
        [Category(k, FLOW_LABELS[k]) for k in FLOW],
        (Column("referrals", _msg("Referrals"), additive=False),),
        {k: (v,) for k, v in flow.items()}, with_total=False,
        note=note or _msg("How far the referrals created in the period have come.")))

    step("referrals per month")
    concerns = session.execute(select(func.count()).select_from(referrals).where(
        r.c.kind == ReferralKind.CONCERN.value, *cohort_where)).scalar_one()
    months = month_categories(f)
    section.add(measures_table(
        "referrals_per_month", _msg("Referrals per month"), _msg("Month created"), months,
        (Column("created", _msg("Created")), *SERVICE_COLUMNS[:3]),
        {m: tuple(v) for m, v in per.items()}, note=note))
    section.add(measures_table(
        "concerns", _msg("Notifications of concern"), _msg("Kind"),
        [Category("concern", _msg("Notifications of concern (Barnets lov § 135)"))],
        (Column("count", _msg("Number")),), {"concern": (concerns,)}, with_total=False,
        note=note))

    section.link(CellRef("referrals_by_status", TOTAL, TOTAL),
                 CellRef("referral_flow", "created", "referrals"),
                 CellRef("referrals_per_month", TOTAL, "created"))
    for key in ("sent", "first_meeting", "closed"):
        section.link(CellRef("referrals_by_service", TOTAL, key),
                     CellRef("referral_flow", key, "referrals"),
                     CellRef("referrals_per_month", TOTAL, key))
    section.link(CellRef("referrals_by_status", TOTAL, _S.CLOSED.value),
                 CellRef("referrals_by_service", TOTAL, "closed"))
    for service in services:
        section.link(CellRef("referrals_by_status", service.key, _S.CLOSED.value),
                     CellRef("referrals_by_service", service.key, "closed"))
    section.figure(KeyFigure("referrals", _msg("Referrals"), ValueKind.COUNT,
                             CellRef("referrals_by_status", TOTAL, TOTAL)))
    section.figure(KeyFigure("closed_share", _msg("Share of referrals that closed the loop"),
                             ValueKind.SHARE, CellRef("referrals_by_service", TOTAL,
                                                      "closed_share")))
    section.figure(KeyFigure("median_days", _msg("Median days from sent to first meeting"),
                             ValueKind.DAYS, CellRef("referrals_by_service", TOTAL,
                                                     "median_days")))
    section.figure(KeyFigure("concerns", _msg("Notifications of concern"), ValueKind.COUNT,
                             CellRef("concerns", "concern", "count")))
    return section


def stages() -> dict[str, ColumnElement[bool]]:
    """Whether a referral has reached each step of the flow (``created``: always)."""
    r = REFERRALS
    met = r.c.first_meeting_on.is_not(None)
    # SELECT 1, not exists()'s SELECT *: SQLite takes * as reading every column, which
    # rules out answering from the covering ix_referral_events_status.
    ever_received = select(literal_column("1")).where(
        EVENTS.c.referral_id == r.c.id, EVENTS.c.to_status == _S.RECEIVED.value,
        EVENTS.c.deleted_at.is_(None)).exists()
    received = (r.c.status.in_([_S.RECEIVED.value, _S.FIRST_MEETING.value, _S.CLOSED.value])
                | met | ever_received)
    return {"created": r.c.id.is_not(None), "sent": r.c.sent_on.is_not(None),
            "received": received, "first_meeting": met,
            "closed": r.c.status == _S.CLOSED.value}


def _medians(session: Session, from_: object, where: list[object],
             days: ColumnElement[float], group: ColumnElement[int]) -> dict[str, Median]:
    """Median of ``days`` per group and over all (key TOTAL), in SQL.

    Days are whole numbers in a short range, so the values are first counted per
    (group, days): a histogram of a few hundred rows instead of tens of thousands to
    sort. The overall histogram is summed from it, so the referrals are read once. A
    running sum over it finds the middle position(s): the median is the smallest value
    whose running count reaches (n + 1) / 2, averaged with the one reaching (n + 2) / 2
    (the same value when n is odd)."""
    both = [REFERRALS.c.sent_on.is_not(None), REFERRALS.c.first_meeting_on.is_not(None)]
    # Used twice below, so SQLite materializes it (a few hundred rows) once.
    # k as text on both backends: it is UNIONed with the text TOTAL below.
    by_group = (select(cast(group, String).label("k"), days.label("days"),
                       func.count().label("c"))
                .select_from(from_).where(*where, *both)  # type: ignore[arg-type]
                .group_by(group, days).cte("by_group"))
    hist = union_all(
        select(by_group.c.k, by_group.c.days, by_group.c.c),
        select(literal(TOTAL).label("k"), by_group.c.days, func.sum(by_group.c.c).label("c"))
        .group_by(by_group.c.days),
    ).subquery("histogram")
    cum = select(
        hist.c.k, hist.c.days,
        func.sum(hist.c.c).over(partition_by=hist.c.k, order_by=hist.c.days).label("upto"),
        # An integer on both backends (PostgreSQL's sum of integers is numeric), so
        # the positions below are whole numbers.
        cast(func.sum(hist.c.c).over(partition_by=hist.c.k), Integer).label("n"),
    ).subquery("running")

    def at(position: ColumnElement[int]) -> ColumnElement[float]:
        return func.min(case((cum.c.upto >= position, cum.c.days)))

    low, high = at((cum.c.n + 1) // 2), at((cum.c.n + 2) // 2)
    rows = session.execute(select(cum.c.k, (low + high) / 2.0, func.max(cum.c.n))
                           .group_by(cum.c.k))
    return {str(k): Median(float(d) if d is not None else None, int(n)) for k, d, n in rows}
