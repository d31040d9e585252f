"""A pull's bulk read (wire_read.rows_to_wire_by_uuid) on both backends: the rows it
finds by uuid under a scope condition are exactly rows_to_wire's wire rows of the same
records, in the order asked, without the rows the condition leaves out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, true

from boligsag.services.context import AppContext
from boligsag.services.sync import wire
from boligsag.services.sync.wire_read import rows_to_wire_by_uuid
from boligsag.storage.database import WriteStamp
from boligsag.storage.models import Base

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
