"""Natural keys of the vocabulary (reference) tables, which every installation loads
from ``resources/reference`` under its own integer ids (storage/reference_data.py).

On the wire a vocabulary row is its key:

- ``channels``, ``focus_areas``: the code (focus-area codes are unique across plan
  periods: the older period's codes carry a suffix, e.g. ``crime_prevention_2015``);
- ``topics``: ``category:code`` for a topic of no focus area (parent guidance), and
  ``category:code:focus_area_code`` for a contact topic, which exists once per focus
  area that lists it;
- ``age_groups``, ``consent_scopes``: the code, which is already their primary key.

The tables are small and do not change while the server runs, so each Session reads
them once and keeps the maps in ``Session.info``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.storage.models import AgeGroupRow, Channel, ConsentScope, FocusArea, Topic

_INFO_KEY = "boligsag.sync.vocabularies"


@dataclass(frozen=True)
class Vocabulary:
    """Local id (or code) ↔ wire key for one table."""

    keys: dict[Any, str]
    ids: dict[str, Any]


def _vocabulary(pairs: list[tuple[Any, str]], table: str) -> Vocabulary:
    keys = dict(pairs)
    ids = {key: local for local, key in pairs}
    if len(ids) != len(keys):
        # Two rows with one key would make the wire ambiguous; the reference data
        # files must keep keys unique (they do; this guards a future edit).
        raise RuntimeError(f"{table}: two rows share a wire key")
    return Vocabulary(keys, ids)


def topic_key(category: str, code: str, focus_area_code: str | None) -> str:
    parts = [category, code] + ([focus_area_code] if focus_area_code else [])
    return ":".join(parts)


def _load(session: Session) -> dict[str, Vocabulary]:
    focus = {row.id: row.code for row in session.execute(select(FocusArea.id, FocusArea.code))}
    topics = [
        (row.id, topic_key(row.category, row.code, focus.get(row.focus_area_id)))
        for row in session.execute(
            select(Topic.id, Topic.category, Topic.code, Topic.focus_area_id))
    ]
    return {
        "channels": _vocabulary(
            [(row.id, row.code) for row in session.execute(select(Channel.id, Channel.code))],
            "channels"),
        "focus_areas": _vocabulary(list(focus.items()), "focus_areas"),
        "topics": _vocabulary(topics, "topics"),
        "age_groups": _vocabulary([(c, c) for c in session.scalars(select(AgeGroupRow.code))],
                                  "age_groups"),
        "consent_scopes": _vocabulary(
            [(c, c) for c in session.scalars(select(ConsentScope.code))], "consent_scopes"),
    }


def vocabularies(session: Session) -> dict[str, Vocabulary]:
    found: dict[str, Vocabulary] | None = session.info.get(_INFO_KEY)
    if found is None:
        found = session.info[_INFO_KEY] = _load(session)
    return found
