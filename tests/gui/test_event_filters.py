"""Event filters when Python's cycle collector frees the window they watch.

CI failed once with "'Reloader' object has no attribute 'widget'" raised from
``eventFilter`` while a closed panel was torn down: the collector had cleared the
reloader's attributes before Qt destroyed the widget it filters (ui/event_filter.py).
"""

from __future__ import annotations

import ast
import gc
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

import boligsag
from boligsag.ui.event_filter import survives_teardown
from boligsag.ui.reloader import Reloader


class _Panel(QWidget):
    """A shown page with a reloader, kept alive only by a cycle of its own (as a
    lambda connected to one of its signals keeps a real page)."""

    def __init__(self) -> None:
        super().__init__()
        QVBoxLayout(self).addWidget(QLabel("Henvisninger"))
        self.loads = 0
        self.reloader = Reloader(self, None, None, start=self._load)
        self.itself = lambda: self

    def _load(self, _changes: object) -> None:
        self.loads += 1


def test_a_closed_page_freed_by_the_collector_raises_nothing_in_its_filters(
        qtbot: QtBot) -> None:
    held = [_Panel()]
    held[0].show()
    qtbot.waitUntil(lambda: held[0].loads == 1)  # the filter saw the first show
    held[0].close()
    with qtbot.capture_exceptions() as raised:
        held.clear()
        assert gc.collect() > 0  # the cycle was found and the C++ widgets destroyed
        qtbot.wait(10)
    assert [str(error[1]) for error in raised] == []


def test_a_filter_with_its_state_intact_still_filters(qtbot: QtBot) -> None:
    class Swallow(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.seen = 0

        @survives_teardown
        def eventFilter(self, watched: object, event: object) -> bool:
            self.seen += 1
            return True

    swallow = Swallow()
    assert swallow.eventFilter(None, QEvent(QEvent.Type.Show)) is True
    assert swallow.seen == 1
    vars(swallow).clear()  # what the collector does to an object in a garbage cycle
    assert swallow.eventFilter(None, QEvent(QEvent.Type.Show)) is False


def test_every_event_filter_in_the_app_survives_teardown() -> None:
    package = Path(boligsag.__file__).parent
    unguarded = []
    for source in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name == "eventFilter":
                names = {ast.unparse(decorator) for decorator in node.decorator_list}
                if "survives_teardown" not in names:
                    unguarded.append(f"{source.relative_to(package)}:{node.lineno}")
    assert unguarded == []
