""""Slet person…": delete a person registered by mistake, after a plain question.

``ask_delete_person(parent, ctx, events, person, on_deleted)`` first counts (off the GUI
thread) what is registered on the person, then asks: what deleting does (gone from
lists, search and summaries; logged), what it is not for (someone who moved away or
finished a course), and what stops counting with them: the app's one delete question
(``ui/delete_question.py``), where Enter or Esc leaves the person alone. There is no
undo: no service restores a person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.services.person_deletion import (
    DeletionImpact,
    delete_person,
    person_deletion_impact,
)
from boligsag.ui.background import run_in_background
from boligsag.ui.delete_question import ask_to_delete
from boligsag.ui.errors import show_error
from boligsag.ui.events import AppEvents, run_service


@dataclass(frozen=True)
class PersonToDelete:
    id: int
    version: int  # as shown: someone else's save since then makes the delete refuse
    name: str


def impact_lines(impact: DeletionImpact) -> list[str]:
    counts = ((impact.contacts, tr("Contacts: {count}", count=impact.contacts)),
              (impact.referrals, tr("Referrals: {count}", count=impact.referrals)),
              (impact.enrollments, tr("Course enrollments: {count}", count=impact.enrollments)),
              (impact.jobs, tr("Jobs: {count}", count=impact.jobs)))
    return [text for count, text in counts if count]


def question_text(impact: DeletionImpact) -> str:
    parts = [
        tr("Only use this if the person was registered by mistake, e.g. twice or in the "
           "wrong family. The person disappears from lists, search and summaries, and the "
           "deletion is recorded in the audit log."),
        tr("Someone who has moved away or finished a course is not deleted: they still "
           "count in the summaries."),
    ]
    lines = impact_lines(impact)
    if lines:
        parts.append(tr("Registered on the person, and no longer counted anywhere:")
                     + "\n" + "\n".join(f"• {line}" for line in lines))
    else:
        parts.append(tr("Nothing else is registered on the person."))
    return "\n\n".join(parts)


def ask_delete_person(parent: QWidget, ctx: AppContext, events: AppEvents | None,
                      person: PersonToDelete,
                      on_deleted: Callable[[PersonToDelete], None]) -> None:
    def ask(impact: DeletionImpact) -> None:
        box = ask_to_delete(parent, tr("Delete person"),
                            tr("Delete {name}?", name=person.name), "deletePersonQuestion",
                            lambda: run_service(
                                parent, events, delete_person, ctx, person.id, person.version,
                                on_success=lambda _none: on_deleted(person),
                                on_failure=lambda error: show_error(parent, error)))
        box.setInformativeText(question_text(impact))

    run_in_background(parent, lambda _task: person_deletion_impact(ctx, person.id),
                      on_success=ask, on_failure=lambda error: show_error(parent, error))
