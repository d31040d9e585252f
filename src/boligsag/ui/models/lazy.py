"""A lazy table model over a paged query service (``Page`` with ``has_more``).

The rows, hooks and Qt side of ``models.rows.RowsBase`` (frozen rows, a ``Column``
IntEnum, translated headers, the shared roles), for lists too long to load at once: the first page
loads on :meth:`reload`, the next when the view scrolls near the end
(``canFetchMore`` / ``fetchMore``). Every query runs off the GUI thread; an answer that
arrives after the query changed again is dropped (a generation counter), so typing fast
never shows an older search's rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Signal

from boligsag.services.casework_common import Page
from boligsag.ui.background import run_in_background
from boligsag.ui.models.rows import RowsBase

Index = QModelIndex | QPersistentModelIndex
Fetch = Callable[[int, int], Page[Any]]

PAGE_SIZE = 100


class LazyRowsModel(RowsBase):
    """Subclasses set ``columns`` and implement :meth:`fetcher`, :meth:`header` and
    :meth:`text`; they may override the other hooks of ``RowsBase``."""

    #: The first page arrived (its row count); emitted after every reload.
    loaded = Signal(int)
    #: A query failed (the exception).
    failed = Signal(object)

    def __init__(self, parent: Any = None, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self.page_size = page_size
        self._has_more = False
        self._loading = False
        self._generation = 0
        self.ever_loaded = False

    # -- for subclasses -------------------------------------------------------------------

    def fetcher(self) -> Fetch:
        """A function of (offset, limit) for the current query. Called on the GUI
        thread; it must capture the query's values, not read them from ``self`` later."""
        raise NotImplementedError

    # -- loading --------------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        return self._loading

    def reload(self) -> None:
        """Ask for the first page again; the rows shown stay until it arrives."""
        self._generation += 1
        generation = self._generation
        self._loading = True
        fetch, limit = self.fetcher(), self.page_size
        run_in_background(self, lambda _task: fetch(0, limit),
                          on_success=lambda page: self._first_page(page, generation),
                          on_failure=lambda error: self._failed(error, generation))

    def _first_page(self, page: Page[Any], generation: int) -> None:
        if generation != self._generation:
            return  # an answer to an older query
        self.beginResetModel()
        self._rows = list(page.items)
        self._has_more = page.has_more
        self._loading = False
        self.endResetModel()
        self.ever_loaded = True
        self.loaded.emit(len(self._rows))

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._has_more and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._loading = True
        generation = self._generation
        fetch, offset, limit = self.fetcher(), len(self._rows), self.page_size
        run_in_background(self, lambda _task: fetch(offset, limit),
                          on_success=lambda page: self._next_page(page, generation),
                          on_failure=lambda error: self._failed(error, generation))

    def _next_page(self, page: Page[Any], generation: int) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._has_more = page.has_more
        known = {self.key(r) for r in self._rows}
        fresh = [r for r in page.items if self.key(r) not in known]  # rows moved meanwhile
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._rows.extend(fresh)
            self.endInsertRows()

    def _failed(self, error: BaseException, generation: int) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self.failed.emit(error)

    # -- rows -----------------------------------------------------------------------------

    def has_more(self) -> bool:
        return self._has_more
