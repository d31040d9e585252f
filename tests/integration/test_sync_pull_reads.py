"""A pull's reads (services/sync/pull.py, wire_read.py).

- The bulk read (wire_read.rows_to_wire_by_uuid), on both backends: the rows it finds
  by uuid under a scope condition are exactly rows_to_wire's wire rows of the same
  records, in the order asked, without the rows the condition leaves out.
- The change log read a stretch at a time: a row changed many times arrives once, at
  its newest version, in pages smaller than the run of its older changes.
- The planner settings a pull sets for itself end with its transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text, true

from boligsag.services.context import AppContext
from boligsag.services.sync import pull as pull_module
from boligsag.services.sync import wire
from boligsag.services.sync.wire_read import rows_to_wire_by_uuid
from boligsag.storage.database import WriteStamp
from boligsag.storage.models import Base

from .sync_server import (  # noqa: F401  (fixtures)
    SyncServer,
    edit,
    new_person,
    server_fixture,
    template_fixture,
)
from .sync_wire_world import fill_every_table

NOW = datetime(2026, 11, 25, 12, 0)
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def test_rows_read_by_uuid_are_the_wire_rows_in_the_order_asked(backend: AppContext) -> None:
    with backend.db.writing(WriteStamp(backend.actor.user_id, NOW)) as session:
        fill_every_table(session)
    with backend.db.reading() as session:
        for table in wire.SYNCED_TABLES:
            t = Base.metadata.tables[table]
            found = session.execute(select(t.c.id, t.c.uuid).order_by(t.c.id.desc())).all()
            ids, uuids = [r.id for r in found], [r.uuid for r in found]
            expected = wire.rows_to_wire(session, table, ids)
            assert expected, table  # every synced table has rows in this world
            assert rows_to_wire_by_uuid(session, table, [UNKNOWN, *uuids], true()) \
                == expected, table
            # The condition filters in the same read: the first row asked is left out.
            assert rows_to_wire_by_uuid(session, table, uuids, t.c.id != ids[0]) \
                == expected[1:], table


def test_a_row_changed_many_times_is_pulled_once_at_its_newest_version(
        server: SyncServer) -> None:
    first, often, last = (new_person("Amira", "Hassan"), new_person("Bo", "Lund"),
                          new_person("Carl", "Holm"))
    server.push("admin", [first, often])
    for version in range(1, 8):  # seven older changes in a row: longer than a stretch
        server.push("admin", [edit("people", often["uuid"], version, phone=f"2011223{version}")])
    server.push("admin", [last])

    rows, cursor = server.pull_all("lead", limit=2)
    pulled = [(r["uuid"], r["version"]) for r in rows if r["table"] == "people"]
    mine = [(first["uuid"], 1), (often["uuid"], 8), (last["uuid"], 1)]
    assert [p for p in pulled if p in mine] == mine  # once each, newest, in log order
    assert len({uuid for uuid, _ in pulled}) == len(pulled)
    assert server.row("people", often["uuid"])["fields"]["phone"] == "20112237"
    page = server.pull("lead", cursor, 2)
    assert (page["rows"], page["more"]) == ([], False)


def test_the_pulls_planner_settings_end_with_its_transaction(server: SyncServer) -> None:
    """The pull plans its key look-ups with SET LOCAL; the server's other work keeps
    PostgreSQL's settings (the connection goes back to the pool unchanged)."""
    server.push("admin", [new_person("Amira", "Hassan")])
    with server.db.reading() as session:
        before = session.execute(text("SHOW random_page_cost")).scalar_one()
        pull_module.pull(session, server.actors["lead"], None, 10)
        assert session.execute(text("SHOW random_page_cost")).scalar_one() == "1.1"
    with server.db.reading() as session:
        assert session.execute(text("SHOW random_page_cost")).scalar_one() == before
        assert session.execute(text("SHOW max_parallel_workers_per_gather")).scalar_one() \
            != "0"
