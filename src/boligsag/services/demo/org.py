"""The organisation around the data: areas with addresses, the plans of ten years,
the municipal services' letter addresses, and the staff who log in."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update

from boligsag.domain.enums import Role
from boligsag.services.context import AppContext
from boligsag.services.users import create_user
from boligsag.storage.models import (
    Area,
    FocusArea,
    Plan,
    Service,
    User,
    plan_areas,
    user_areas,
)
from boligsag.storage.models import plan_focus_areas as plan_focus_table

from .bulk import Gen, table
from .world import OLD_PERIOD, PlanInfo, StaffMember

ORGANISATION = "Boligsocialt Hus Nordvest"
MUNICIPALITY = "Odense Kommune"
CURRENT_PLAN = ("Helhedsplan 2023–2026 for Nordvest", date(2023, 1, 1), date(2026, 12, 31))
EARLIER_PLANS = (
    ("Helhedsplan 2019–2022 for Nordvest", "2019-2026", date(2019, 1, 1), date(2022, 12, 31)),
    ("Boligsocial helhedsplan 2015–2018", OLD_PERIOD, date(2015, 1, 1), date(2018, 12, 31)),
)
# Fictional estates in real Odense postal districts; weights are their share of residents.
AREAS = (
    ("Solhøjparken", "5210", "Odense NV", 0.35),
    ("Kildevangen", "5210", "Odense NV", 0.28),
    ("Bøgelunden", "5200", "Odense V", 0.22),
    ("Engtoften", "5220", "Odense SØ", 0.15),
)
ORGANISATION_SETTINGS = {
    "organisation_street": "Solhøjparken 2, st.",
    "organisation_postal_code": "5210",
    "organisation_city": "Odense NV",
    "organisation_phone": "63 12 40 00",
    "organisation_email": "kontakt@boligsocialthus.example",
    "organisation_web": "boligsocialthus.example",
}
EMAIL_DOMAIN = "boligsocialthus.example"


@dataclass(frozen=True)
class StaffSpec:
    username: str
    full_name: str
    role: Role
    title: str
    focus: str | None
    start_years: float  # years after the history start (negative: before it)
    end_years: float | None = None  # years after the history start when they left


TEAM_LEAD = StaffSpec("mette", "Mette Kjærgaard Holm", Role.TEAM_LEAD, "Projektleder", None, -1)
# The first five are always there; the demo draws 5–8 of these.
STAFF = (
    StaffSpec("jonas", "Jonas Bech Andersen", Role.STAFF,
              "Boligsocial medarbejder, ungeindsatsen", "crime_prevention", -0.5),
    StaffSpec("ayse", "Ayşe Demir", Role.STAFF, "Familierådgiver", "education_life_chances", 0),
    StaffSpec("rasmus", "Rasmus Thygesen", Role.STAFF,
              "Job- og uddannelseskonsulent", "employment", 1.5),
    StaffSpec("hodan", "Hodan Abdi Warsame", Role.STAFF, "Brobygger", "cohesion_citizenship", 0),
    StaffSpec("sofie", "Sofie Lund Madsen", Role.STAFF,
              "Boligsocial medarbejder, forældreguidning", "education_life_chances", 3.2),
    StaffSpec("bilal", "Bilal Hammoud", Role.STAFF,
              "Ungemedarbejder og SSP-kontakt", "crime_prevention", 5.1),
    StaffSpec("line", "Line Østergaard Nielsen", Role.STAFF,
              "Fritidsjobkonsulent", "employment", 6.4),
    StaffSpec("minh", "Minh Anh Trần", Role.STAFF,
              "Boligsocial medarbejder, fællesskab", "cohesion_citizenship", 7.8),
)
# Colleagues who have left: their accounts are inactive, their work stays in the data.
FORMER = (
    StaffSpec("peter", "Peter Juul Kristensen", Role.STAFF,
              "Boligsocial medarbejder", "employment", -2, 3.4),
    StaffSpec("hanne", "Hanne Skov Jørgensen", Role.STAFF,
              "Familierådgiver", "education_life_chances", -1, 5.9),
)
_NM = "cohesion_citizenship"
VOLUNTEERS = (
    StaffSpec("fatima", "Fatima Al-Hassan", Role.VOLUNTEER, "Bydelsmor", _NM, 2.3),
    StaffSpec("nimco", "Nimco Farah Ali", Role.VOLUNTEER, "Bydelsmor", _NM, 2.6),
    StaffSpec("gulsum", "Gülsüm Yıldız", Role.VOLUNTEER, "Bydelsmor", _NM, 4.5),
)


def choose_staff(rng: random.Random) -> list[StaffSpec]:
    count = rng.randint(5, len(STAFF))
    return [TEAM_LEAD, *STAFF[:count], *FORMER, *VOLUNTEERS]


def create_staff_accounts(ctx: AppContext, specs: list[StaffSpec], password: str,
                          rng: random.Random) -> list[int]:
    """Through the real service, so each account has its own entry in the key file and
    can log in; returns the new user ids in ``specs`` order."""
    ids = []
    for spec in specs:
        digits = f"{rng.randint(20, 29)}{rng.randint(100000, 999999)}"
        phone = " ".join(digits[i:i + 2] for i in range(0, 8, 2))
        row = create_user(ctx, spec.username, spec.full_name, spec.role, password,
                          title=spec.title, phone=phone,
                          email=f"{spec.username}@{EMAIL_DOMAIN}")
        ids.append(row.id)
    return ids


def finish_staff(g: Gen, specs: list[StaffSpec], ids: list[int],
                 created: datetime) -> list[StaffMember]:
    """Backdate each account to the member's first day and deactivate former staff."""
    members = []
    for spec, user_id in zip(specs, ids, strict=True):
        start = g.start + timedelta(days=round(spec.start_years * 365.25))
        end = None if spec.end_years is None else g.start + timedelta(
            days=round(spec.end_years * 365.25))
        at = max(created, datetime.combine(start, time(9, 0)))
        values: dict[str, object] = {"created_at": at, "updated_at": at}
        if end is not None:
            values["active"] = False
            values["updated_at"] = datetime.combine(end, time(15, 0))
        else:
            values["last_login_at"] = g.at_work(g.today - timedelta(days=g.rng.randint(0, 6)))
        g.conn.execute(update(User).where(User.id == user_id).values(**values))
        members.append(StaffMember(user_id, spec.username, spec.full_name, spec.role,
                                   start, end, spec.focus))
    return members


def finish_areas(g: Gen) -> tuple[list[int], list[float]]:
    """Setup stores area names only; the demo adds postal codes for addresses."""
    rows = g.conn.execute(select(Area.id, Area.name).order_by(Area.id)).all()
    by_name = {name: (postal, city, weight) for name, postal, city, weight in AREAS}
    ids, weights = [], []
    for area_id, name in rows:
        postal, city, weight = by_name.get(name, ("5210", "Odense NV", 0.2))
        g.conn.execute(update(Area).where(Area.id == area_id)
                       .values(postal_code=postal, city=city))
        ids.append(area_id)
        weights.append(weight)
    return ids, weights


def assign_staff_areas(g: Gen, members: list[StaffMember], area_ids: list[int]) -> None:
    """The housing areas each colleague works in, as Medarbejdere shows them: the team
    lead covers all, the others one or two in turn. Chosen without the random generator,
    so the rest of the demo stays the same for a given seed."""
    rows = []
    for index, member in enumerate(members):
        if member.role == Role.TEAM_LEAD:
            chosen = area_ids
        else:
            count = 2 if index % 3 == 0 else 1
            chosen = [area_ids[(index + k) % len(area_ids)] for k in range(count)]
        rows += [{"user_id": member.id, "area_id": area_id} for area_id in dict.fromkeys(chosen)]
    if rows:
        g.insert(user_areas, rows)


def add_plans(g: Gen, area_ids: list[int], created: datetime) -> list[PlanInfo]:
    """The current plan comes from setup; the two before it are added, each with the
    focus areas of its LBF period, so ten years of data sit under the right plan."""
    current = g.conn.execute(select(Plan.id, Plan.name, Plan.period, Plan.start_date,
                                    Plan.end_date)).one()
    plans = [PlanInfo(*current)]
    for name, period, start, end in EARLIER_PLANS:
        if end < g.start:
            continue
        row = g.record(table(Plan), created, g.admin_id)
        row.update(name=name, period=period, start_date=start, end_date=end)
        g.insert(table(Plan), [row])
        g.insert(plan_areas, [{"plan_id": row["id"], "area_id": a} for a in area_ids])
        focus_ids = g.conn.scalars(select(FocusArea.id).where(FocusArea.period == period)).all()
        g.insert(plan_focus_table, [{"plan_id": row["id"], "focus_area_id": f}
                                    for f in focus_ids])
        plans.append(PlanInfo(row["id"], name, period, start, end))
    return sorted(plans, key=lambda p: p.start)


SERVICE_ADDRESSES = {
    # code: (street, postal code, city, contact person, phone). The street is only the
    # street: the letter's address block already prints the service's name and unit above
    # it, so "Jobcenter Odense, Østre Stationsvej 27" printed "Jobcenter" twice.
    "health_visitor": ("Ørbækvej 100", "5220", "Odense SØ",
                       "Sundhedsplejerske Birgit Holm", "65 51 10 10"),
    "daycare": ("Ørbækvej 100", "5220", "Odense SØ", "", "65 51 10 20"),
    "family_caseworker": ("Vindegade 72", "5000", "Odense C",
                          "Modtagelsen, børn og familier", "65 51 10 30"),
    "jobcentre": ("Østre Stationsvej 27", "5000", "Odense C",
                  "Virksomhedskonsulent Lars Mikkelsen", "65 51 10 40"),
    "youth_guidance": ("Kongensgade 70", "5000", "Odense C",
                       "Vejleder Camilla Boesen", "65 51 10 50"),
    "ssp": ("Vindegade 72", "5000", "Odense C",
            "SSP-konsulent Henrik Dahl", "65 51 10 60"),
    "ppr": ("Ørbækvej 100", "5220", "Odense SØ", "Psykolog Anne Kirkegaard", "65 51 10 70"),
    "citizen_service": ("Flakhaven 2", "5000", "Odense C", "", "65 51 10 80"),
    "addiction": ("Vesterbro 46", "5000", "Odense C", "", "65 51 10 90"),
    "debt_counselling": ("Flakhaven 2", "5000", "Odense C", "",
                         "65 51 11 00"),
    "school": ("Skolens kontor, Solhøjskolen", "5210", "Odense NV",
               "Skolesocialrådgiver Jeppe Lund", "65 51 11 10"),
    "adult_social": ("Vindegade 72", "5000", "Odense C", "",
                     "65 51 11 20"),
}


def fill_service_addresses(g: Gen) -> None:
    """The catalogue ships without addresses; letters look real only with them."""
    for code, (street, postal, city, contact, phone) in SERVICE_ADDRESSES.items():
        g.conn.execute(
            update(Service).where(Service.code == code, Service.street == "").values(
                street=street, postal_code=postal, city=city, contact_person=contact,
                phone=phone, secure_email=f"{code.replace('_', '-')}@odense-kommune.example"))
