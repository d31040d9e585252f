"""The sync status bar's words (ui/sync/status.py describe), in Danish as the app shows
them: offline says how many changes wait, so a social worker sees at a glance that her
work is kept and not yet sent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from boligsag.i18n import current_language, set_language
from boligsag.ui.sync.status import SyncFacts, SyncState, describe

NOW = datetime(2026, 12, 4, 14, 32)


@pytest.fixture(autouse=True)
def danish() -> Iterator[None]:
    before = current_language()
    set_language("da")
    yield
    set_language(before)


@pytest.mark.parametrize(("facts", "text"), [
    (SyncFacts(problem=SyncState.OFFLINE, waiting=3), "Offline – 3 ændringer venter"),
    (SyncFacts(problem=SyncState.OFFLINE, waiting=1), "Offline – 1 ændring venter"),
    (SyncFacts(problem=SyncState.OFFLINE, waiting=0), "Offline – ændringer gemmes lokalt"),
    (SyncFacts(waiting=2, last_success=NOW), "2 ændringer venter"),
    (SyncFacts(waiting=0, last_success=NOW), "Synkroniseret 14.32"),
    (SyncFacts(running=True, waiting=5), "Synkroniserer…"),
])
def test_the_status_says_what_matters_first(facts: SyncFacts, text: str) -> None:
    assert describe(facts, NOW).text == text
