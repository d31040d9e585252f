"""Deleting a person registered by mistake (``delete_person``), and what that takes with
them (``person_deletion_impact``, for the question before it).

A deleted (tombstoned) person was registered by mistake and counts nowhere: their
contacts, referrals, course enrollments and jobs stay in the database but drop out of
lists and figures with them. The question before deleting says how many that is, so a
person with a history is not deleted by accident instead of being left alone (someone
who moved away or finished a course is not deleted).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from boligsag.domain.enums import AuditAction
from boligsag.domain.permissions import Permission
from boligsag.storage.models import Contact, Enrollment, Job, Referral, contact_people

from .casework_common import check_version, visible_person_or_fail
from .changes import Entity, writes
from .context import AppContext


@dataclass(frozen=True)
class DeletionImpact:
    """Live records of the person that stop counting when they are deleted."""

    contacts: int
    referrals: int
    enrollments: int
    jobs: int

    @property
    def total(self) -> int:
        return self.contacts + self.referrals + self.enrollments + self.jobs


def person_deletion_impact(ctx: AppContext, person_id: int) -> DeletionImpact:
    """Counts only (no names or texts), so the look is not an audited view; asked of
    those who may delete, and only for a person they can see."""
    with ctx.read(Permission.EDIT_PEOPLE) as unit:
        session = unit.session
        visible_person_or_fail(session, ctx, person_id)
        contacts = session.scalar(
            select(func.count()).select_from(Contact)
            .join(contact_people, contact_people.c.contact_id == Contact.id)
            .where(contact_people.c.person_id == person_id, Contact.deleted_at.is_(None)))
        counts = [
            session.scalar(select(func.count()).select_from(model)
                           .where(model.person_id == person_id, model.deleted_at.is_(None)))
            for model in (Referral, Enrollment, Job)
        ]
        return DeletionImpact(contacts or 0, *(count or 0 for count in counts))


# Their referrals and enrollments leave the lists too: those show live people only.
@writes(Entity.PEOPLE, Entity.HOUSEHOLDS, Entity.CONTACTS, Entity.FOLLOW_UPS, Entity.REFERRALS,
        Entity.ENROLLMENTS)
def delete_person(ctx: AppContext, person_id: int, version: int) -> None:
    """Tombstone the person: they vanish from every list, search and figure. (Retention's
    anonymisation is a different action that keeps the statistics.)"""
    with ctx.write(Permission.EDIT_PEOPLE) as unit:
        session = unit.session
        person = visible_person_or_fail(session, ctx, person_id)
        check_version(person, version)
        unit.tombstone(person)
        session.flush()
        unit.audit(AuditAction.DELETE, entity="people", entity_uuid=person.uuid,
                   person_uuid=person.uuid)
