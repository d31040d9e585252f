"""The network-mother (bydelsmor) conversation form, for the volunteer role.

A volunteer logs a short, anonymous form: who (age group and gender only), which
topics, and where the resident was pointed to ("henvist til"). Volunteers cannot
search or see the registry, so the form never attaches a person; it is stored as a
contact of kind ``network_mother``, which is how summaries count it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from boligsag.domain.enums import ActivityKind, ContactKind, Gender
from boligsag.domain.permissions import Permission
from boligsag.storage.models import Activity

from .changes import Entity, writes
from .contact_choices import QuickLogChoices, load_choices
from .contact_rows import ContactRow
from .contacts import ContactDraft, add_contact
from .context import AppContext


@dataclass(frozen=True)
class NetworkMotherDraft:
    age_group: str | None  # age group code
    gender: Gender | None
    topic_ids: tuple[int, ...] = ()
    referred_to_service_id: int | None = None  # "henvist til" a service in the catalogue
    referred_to_text: str = ""  # ... or in the volunteer's own words
    occurred_at: datetime | None = None  # default: now
    duration_minutes: int = 0
    note: str = ""
    channel: str = "in_person"
    activity_id: int | None = None  # default: the one network-mothers activity, if one


def network_mother_choices(ctx: AppContext) -> QuickLogChoices:
    """Channels, topics by focus area, age groups, genders and services; no staff."""
    with ctx.read(Permission.LOG_NETWORK_MOTHER) as unit:
        session = unit.session
        return load_choices(session, ctx, with_staff=False)


@writes(Entity.CONTACTS)
def log_network_mother_conversation(ctx: AppContext, draft: NetworkMotherDraft) -> ContactRow:
    with ctx.write(Permission.LOG_NETWORK_MOTHER) as unit:
        session = unit.session
        activity_id = draft.activity_id
        if activity_id is None:
            ids = session.scalars(select(Activity.id).where(
                Activity.kind == ActivityKind.NETWORK_MOTHERS, Activity.deleted_at.is_(None),
            ).limit(2)).all()
            activity_id = ids[0] if len(ids) == 1 else None
        return add_contact(unit, ContactDraft(
            channel=draft.channel, anonymous=True, age_group=draft.age_group,
            gender=draft.gender, occurred_at=draft.occurred_at, topic_ids=draft.topic_ids,
            duration_minutes=draft.duration_minutes, note=draft.note,
            kind=ContactKind.NETWORK_MOTHER, referred_to_service_id=draft.referred_to_service_id,
            referred_to_text=draft.referred_to_text, activity_id=activity_id,
        ))
