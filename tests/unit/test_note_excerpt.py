"""A note's start in a list is cut at a word and says there is more."""

from __future__ import annotations

from boligsag.services.casework_common import excerpt


def test_a_short_note_is_kept_whole_on_one_line() -> None:
    assert excerpt("Ring  igen\nom boligen", 60) == "Ring igen om boligen"


def test_a_long_note_stops_at_a_word_and_ends_in_an_ellipsis() -> None:
    assert excerpt("Ring til boligselskabet om fugt, spørg efter besigtigelse", 33) \
        == "Ring til boligselskabet om fugt…"
    assert excerpt("Boligstøttegrundlaget", 10) == "Boligstøtt…"  # one long word: cut anyway
