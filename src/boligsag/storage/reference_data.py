"""Loads reference data (focus areas, topics, channels, age groups, consent scopes and
the starter service catalogue) from ``resources/reference`` into the database.

Loading is idempotent and keyed on each row's stable code: running it again on an
upgraded installation adds new entries and refreshes labels, never duplicates rows,
and leaves services an administrator has edited alone.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.domain.age import AgeGroup, check_age_groups
from boligsag.resources import load_json

from .models import AgeGroupRow, Channel, ConsentScope, FocusArea, Service, Topic


def load_reference_data(session: Session, *, with_services: bool = True) -> None:
    _load_focus_areas(session)
    _load_topics(session)
    _load_channels(session)
    _load_age_groups(session)
    _load_consent_scopes(session)
    if with_services:
        _load_services(session)
    session.flush()


def _load_focus_areas(session: Session) -> None:
    existing = {(f.period, f.code): f for f in session.scalars(select(FocusArea))}
    for period, areas in load_json("reference", "focus_areas.json")["periods"].items():
        for order, item in enumerate(areas):
            key = (period, item["code"])
            row = existing.get(key) or FocusArea(period=period, code=item["code"])
            row.name_da, row.name_en, row.sort_order = item["name_da"], item["name_en"], order
            session.add(row)
    session.flush()


def _load_topics(session: Session) -> None:
    data = load_json("reference", "topics.json")
    existing = {(t.category, t.code, t.focus_area_id): t for t in session.scalars(select(Topic))}
    focus_areas = list(session.scalars(select(FocusArea)))

    def upsert(category: str, item: dict[str, str], focus_area_id: int | None, order: int) -> None:
        key = (category, item["code"], focus_area_id)
        row = existing.get(key) or Topic(
            category=category, code=item["code"], focus_area_id=focus_area_id
        )
        row.name_da, row.name_en, row.sort_order = item["name_da"], item["name_en"], order
        session.add(row)

    for focus_area in focus_areas:
        for order, item in enumerate(data["contact"].get(focus_area.code, [])):
            upsert("contact", item, focus_area.id, order)
    for order, item in enumerate(data["parent_guidance"]):
        upsert("parent_guidance", item, None, order)


def _load_channels(session: Session) -> None:
    existing = {c.code: c for c in session.scalars(select(Channel))}
    for order, item in enumerate(load_json("reference", "channels.json")):
        row = existing.get(item["code"]) or Channel(code=item["code"])
        row.name_da, row.name_en, row.sort_order = item["name_da"], item["name_en"], order
        session.add(row)


def _load_age_groups(session: Session) -> None:
    items = load_json("reference", "age_groups.json")
    # A gap would drop people from the statistics, an overlap count them twice.
    check_age_groups([AgeGroup(**item) for item in items])
    existing = {g.code: g for g in session.scalars(select(AgeGroupRow))}
    for order, item in enumerate(items):
        row = existing.get(item["code"]) or AgeGroupRow(code=item["code"])
        row.min_age, row.max_age = item["min_age"], item["max_age"]
        row.label_da, row.label_en, row.sort_order = item["label_da"], item["label_en"], order
        session.add(row)


def _load_consent_scopes(session: Session) -> None:
    existing = {s.code: s for s in session.scalars(select(ConsentScope))}
    for order, item in enumerate(load_json("reference", "consent_scopes.json")):
        row = existing.get(item["code"]) or ConsentScope(code=item["code"])
        row.label_da, row.label_en = item["label_da"], item["label_en"]
        row.description_da, row.sort_order = item.get("description_da", ""), order
        session.add(row)


def _load_services(session: Session) -> None:
    known = set(session.scalars(select(Service.code).where(Service.code != "")))
    for order, item in enumerate(load_json("reference", "services.json")["services"]):
        if item["code"] in known:
            continue  # an administrator may have edited it: leave it alone
        session.add(
            Service(
                code=item["code"],
                name=item["name"],
                unit=item.get("unit", ""),
                street=item.get("street", ""),
                postal_code=item.get("postal_code", ""),
                city=item.get("city", ""),
                contact_person=item.get("contact_person", ""),
                phone=item.get("phone", ""),
                secure_email=item.get("secure_email", ""),
                sort_order=order,
            )
        )
