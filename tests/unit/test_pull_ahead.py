"""The first pull's fetch-ahead (services/sync_client/engine._Pages): the next page is
asked for while this one is written, handed over only for the cursor it was asked
with, its errors raised where the page is wanted, and nothing left running after."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from boligsag.services.sync_client import engine
from boligsag.services.sync_client.errors import CursorRejected


class _Remote:
    """Pages "1", "2", … after cursors None, "1", …; records who asked for what."""

    def __init__(self, fail_after: str | None = None) -> None:
        self.asked: list[tuple[str | None, str]] = []
        self.fail_after = fail_after
        self.release = threading.Event()
        self.release.set()

    def pull(self, cursor: str | None, limit: int) -> dict[str, Any]:
        self.asked.append((cursor, threading.current_thread().name))
        self.release.wait(5)
        if cursor is not None and cursor == self.fail_after:
            raise CursorRejected()
        after = int(cursor or 0) + 1
        return {"cursor": str(after), "more": after < 3, "rows": [], "limit": limit}


def test_the_next_page_is_fetched_on_another_thread_and_handed_over() -> None:
    remote = _Remote()
    with engine._Pages(remote, ahead=True) as pages:
        first = pages.get(None)
        pages.fetch_ahead(first["cursor"])
        second = pages.get(first["cursor"])
    assert (first["cursor"], second["cursor"]) == ("1", "2")
    assert [cursor for cursor, _thread in remote.asked] == [None, "1"]
    assert remote.asked[0][1] == threading.current_thread().name
    assert remote.asked[1][1].startswith("pull-ahead")
    assert second["limit"] == engine.FIRST_PULL_LIMIT


def test_a_page_fetched_for_another_cursor_is_dropped_and_asked_for_again() -> None:
    remote = _Remote()
    with engine._Pages(remote, ahead=True) as pages:
        pages.fetch_ahead("1")
        page = pages.get(None)  # the cursor was reset meanwhile: start over
    assert page["cursor"] == "1"
    assert [cursor for cursor, _thread in remote.asked] == ["1", None]


def test_an_error_of_the_page_fetched_ahead_is_raised_where_it_is_wanted() -> None:
    remote = _Remote(fail_after="1")
    with engine._Pages(remote, ahead=True) as pages:
        pages.fetch_ahead("1")
        with pytest.raises(CursorRejected):
            pages.get("1")


def test_leaving_waits_for_the_page_on_its_way() -> None:
    remote = _Remote()
    remote.release.clear()
    pages = engine._Pages(remote, ahead=True)
    with pages:
        pages.fetch_ahead("1")
        threading.Timer(0.2, remote.release.set).start()
    assert not [t for t in threading.enumerate() if t.name.startswith("pull-ahead")]


def test_without_fetch_ahead_each_page_is_asked_for_when_wanted() -> None:
    remote = _Remote()
    with engine._Pages(remote, ahead=False) as pages:
        pages.fetch_ahead("1")  # nothing happens
        page = pages.get(None)
    assert remote.asked == [(None, threading.current_thread().name)]
    assert page["limit"] == engine.PULL_LIMIT
