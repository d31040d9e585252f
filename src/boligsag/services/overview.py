"""The organisation at a glance: what the start page shows after unlock.

Only names of the organisation, plan and areas and aggregate counts: no personal data,
so reading it is not audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from boligsag.collation import danish_key
from boligsag.storage.models import Activity, Contact, Person, Plan

from . import org_settings
from .context import AppContext


@dataclass(frozen=True)
class FocusAreaName:
    code: str
    name_da: str
    name_en: str

    def name(self, language: str) -> str:
        return self.name_da if language == "da" else self.name_en


@dataclass(frozen=True)
class OrganisationOverview:
    organisation_name: str
    plan_name: str  # "" when no plan has been set up
    plan_period: str
    plan_start: date | None
    plan_end: date | None
    areas: tuple[str, ...]
    focus_areas: tuple[FocusAreaName, ...]
    people: int
    contacts: int
    activities: int


def organisation_overview(ctx: AppContext) -> OrganisationOverview:
    with ctx.read() as unit:
        session = unit.session
        name = org_settings.get_setting(session, "organisation_name")
        plan_uuid = org_settings.get_setting(session, "current_plan_uuid")
        plan = None
        if plan_uuid:
            plan = session.scalars(select(Plan).where(Plan.uuid == plan_uuid)).first()
        if plan is None:  # fall back to the newest plan rather than show nothing
            plan = session.scalars(
                select(Plan).where(Plan.deleted_at.is_(None)).order_by(Plan.start_date.desc())
            ).first()
        areas: tuple[str, ...] = ()
        focus: tuple[FocusAreaName, ...] = ()
        if plan is not None:
            areas = tuple(sorted((a.name for a in plan.areas if a.deleted_at is None),
                                  key=danish_key))
            focus = tuple(FocusAreaName(f.code, f.name_da, f.name_en)
                          for f in sorted(plan.focus_areas, key=lambda f: f.sort_order))

        def count(model: type, *conditions: object) -> int:
            query = select(func.count()).select_from(model).where(
                model.deleted_at.is_(None), *conditions)  # type: ignore[attr-defined]
            return int(session.scalar(query) or 0)

        return OrganisationOverview(
            organisation_name=name,
            plan_name=plan.name if plan else "",
            plan_period=plan.period if plan else "",
            plan_start=plan.start_date if plan else None,
            plan_end=plan.end_date if plan else None,
            areas=areas,
            focus_areas=focus,
            # Anonymised people are kept for statistics but are no longer "people".
            people=count(Person, Person.anonymised_at.is_(None)),
            contacts=count(Contact),
            activities=count(Activity),
        )


def idle_lock_minutes(ctx: AppContext) -> int:
    """The organisation's ceiling for auto-lock; a user may choose a shorter time."""
    with ctx.read() as unit:
        session = unit.session
        value = org_settings.get_setting(session, "idle_lock_minutes")
    return value if isinstance(value, int) and value > 0 else 10
