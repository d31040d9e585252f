"""After a sync, the lists that show what it changed refresh: every synced table names
the views (``Entity``) that show its rows, so a table added to the sync cannot leave
its lists stale unnoticed."""

from __future__ import annotations

from boligsag.services.changes import Entity
from boligsag.services.sync.wire_tables import SYNCED_TABLES
from boligsag.ui.sync.entities import TABLE_ENTITIES, entities_for


def test_every_synced_table_names_the_views_that_show_it() -> None:
    assert set(TABLE_ENTITIES) == set(SYNCED_TABLES)
    assert all(TABLE_ENTITIES.values())


def test_what_a_pull_changed_maps_to_the_lists_a_save_of_it_refreshes() -> None:
    assert {Entity.PEOPLE, Entity.TIMELINE} <= entities_for(["people"])
    assert {Entity.CONTACTS, Entity.TIMELINE, Entity.FOLLOW_UPS} <= entities_for(["contacts"])
    assert entities_for(["sync_conflicts"]) == {Entity.CONFLICTS}
    assert entities_for([]) == frozenset()
    assert entities_for(["a_table_of_a_newer_server"]) == frozenset(Entity)  # all, not none
