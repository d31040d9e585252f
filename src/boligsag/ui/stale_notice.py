"""The banner an open editor shows when a colleague's change to its record arrives.

A sync (or another window) announces what it changed on ``AppEvents.changed``. An
editor that holds a :class:`StaleNotice` then has the record read again off the GUI
thread and compares its version with the one the form was filled from. If it moved, an
inline banner (never a modal: the user may be mid-sentence) says so, with the time of
the last sync on a team laptop, and offers:

- "Indlæs deres ændringer": fill the form from the database. When the user typed
  something, a question comes first, as that typing is then gone.
- "Fortsæt med mine ændringer": the form is filled from the database too, and then
  every field the user had changed gets the user's value back
  (:mod:`boligsag.ui.form_values`). The editor now holds the new version, so the
  save goes through, writing the user's changes and keeping the colleague's values in
  the fields the user left alone. The services save whole drafts; the merge is per
  field of the form, so a field both changed gets the user's value.

A record that is gone (deleted by a colleague, or no longer visible) gets "Posten er
slettet af en kollega" and a "Luk" button; the form keeps its text so it can be copied.

The editor supplies ``load`` (runs in the background; returns the record, raises
``NotFound`` when it is gone), ``version`` (of a loaded record), ``base_version``
(what the form was filled from, read when an answer arrives, so the editor's own saves
in the meantime count) and ``fill`` (puts a loaded record into the form and makes it
the editor's record). ``reload_offered=False``: the form shows nothing of the record
that could be reloaded (a step's date and note), so only "keep" is offered; ``fill``
then just adopts the record's new version. ``keep``: what "keep" does instead of the
per-field merge (for a form with more than plain fields, e.g. an attendance list: it
adopts the new version, so the whole form saves over theirs). ``state``: more of the
form than its plain fields, compared to tell whether the user changed anything.

"Typed something" compares the fields with how the form looked when first shown, or
when the editor last called :meth:`StaleNotice.settle` (an editor that fills fields
after it shows, from choices read in the background). An editor busy with its own save
ignores the announcement that save makes; it takes the new version itself.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boligsag.formatting import short_date_time, time_text
from boligsag.i18n import tr
from boligsag.services.changes import Changes, Entity
from boligsag.services.errors import NotFound, PermissionDenied
from boligsag.ui import form_values
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import log_unexpected
from boligsag.ui.event_filter import survives_teardown
from boligsag.ui.events import AppEvents
from boligsag.ui.theme import WARNING, WARNING_BORDER, WARNING_SOFT
from boligsag.ui.widgets import named

T = TypeVar("T")

CHANGED, DELETED = "changed", "deleted"


def _synced_at(ctx: Any) -> datetime | None:
    # Imported here: only a team laptop has a sync time, and the editors need no sync.
    from boligsag.services.sync_client.engine import last_synced_at
    try:
        return last_synced_at(ctx)
    except Exception:  # no time to show is no reason to hide the notice
        return None


def changed_text(synced: datetime | None, now: datetime | None = None) -> str:
    if synced is None:
        return tr("A colleague changed this record while you had it open.")
    today = (now or datetime.now()).date()
    at = time_text(synced) if synced.date() == today else short_date_time(synced)
    return tr("A colleague changed this record while you had it open (synced {time}).",
              time=at)


def deleted_text() -> str:
    return tr("A colleague deleted this record. What you typed is still here, so you "
              "can copy it.")


class StaleNotice(QFrame, Generic[T]):
    def __init__(self, editor: QWidget, ctx: Any, events: AppEvents | None,
                 relevant: Collection[Entity], *, load: Callable[[], T],
                 version: Callable[[T], int], base_version: Callable[[], int],
                 fill: Callable[[T], None], reload_offered: bool = True,
                 keep: Callable[[T], None] | None = None,
                 state: Callable[[], object] | None = None) -> None:
        super().__init__(editor)
        self._reload_offered, self._keep, self._state = reload_offered, keep, state
        self._filled_state: object = None
        self.editor, self.ctx = editor, ctx
        self._relevant = frozenset(relevant)
        self._load, self._version, self._base, self._fill = load, version, base_version, fill
        self.state: str | None = None  # CHANGED / DELETED while the banner shows
        self.fresh: T | None = None  # the record as the last check read it
        self.generation = 0
        self.question: QMessageBox | None = None
        self._filled: form_values.Values | None = None  # the fields as last filled
        self._build()
        self.hide()
        editor.installEventFilter(self)
        if events is not None:
            events.changed.connect(self._changed)

    def _build(self) -> None:
        named(self, "staleNotice", tr("Changed by someone else"))
        self.setStyleSheet(f"QFrame#staleNotice {{ background: {WARNING_SOFT}; border: 1px solid "
                           f"{WARNING_BORDER}; border-radius: 6px; }} QLabel {{ color: {WARNING}; "
                           "background: transparent; border: none; }")
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 8, 8, 8)
        column.setSpacing(6)
        self.label = named(QLabel(), "staleNoticeText", tr("Changed by someone else"))
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.label)
        row = QHBoxLayout()
        row.addStretch(1)
        column.addLayout(row)
        self.reload_button = self._button(tr("Load their changes"), "staleReloadButton",
                                          self.load_theirs)
        self.keep_button = self._button(tr("Keep my changes"), "staleKeepButton",
                                        self.keep_mine)
        self.close_button = self._button(tr("Close"), "staleCloseButton", self.close_editor)
        self.reload_button.setToolTip(tr("Show the record as saved now. What you typed "
                                         "here is discarded."))
        self.keep_button.setToolTip(tr("Keep what you typed; when you save, your changes "
                                       "go on top of theirs."))
        for button in (self.reload_button, self.keep_button, self.close_button):
            row.addWidget(button)

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = named(QPushButton(text), name, text)
        button.setAutoDefault(False)  # Enter in the form still saves
        button.clicked.connect(slot)
        return button

    # -- noticing ---------------------------------------------------------------------------

    @survives_teardown
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The form as the user first sees it is the baseline for "typed something".
        if watched is self.editor and event.type() == QEvent.Type.Show \
                and self._filled is None:
            self.settle()
        return False

    def _snapshot(self) -> object:
        return self._state() if self._state is not None else None

    def settle(self, widget: QWidget | None = None) -> None:
        """The form has just been filled (an editor that loads after it shows): what
        it holds now is the baseline for "typed something". ``widget``: only that field
        was filled late (choices read off the GUI thread, then the record's chosen)."""
        if widget is not None and self._filled is not None:
            self._filled[widget] = form_values.value_of(widget)
            return
        self._filled, self._filled_state = self._read(), self._snapshot()

    def _read(self) -> form_values.Values:
        return form_values.read(self.editor, skip=self)

    def typed(self) -> bool:
        """Whether a field differs from how the form was last filled."""
        return self._filled is not None and (
            bool(form_values.changed(self._filled, self._read()))
            or self._snapshot() != self._filled_state)

    def _changed(self, changes: Changes) -> None:
        # An editor busy with its own save is hearing that save's announcement (made
        # before its result arrives): the editor is about to take the new version.
        # A closed editor may live on (parented to the window): it reads nothing.
        busy = getattr(self.editor, "busy", False) or getattr(self.editor, "_busy", False)
        if changes & self._relevant and not busy and self.editor.isVisible():
            self.check()

    def check(self) -> None:
        """Read the record again in the background; show the banner if it moved on."""
        self.generation += 1
        generation, load, ctx = self.generation, self._load, self.ctx

        def work(_task: Any) -> tuple[T | None, datetime | None]:
            try:
                record: T | None = load()
            except (NotFound, PermissionDenied):
                record = None
            return record, _synced_at(ctx)

        run_in_background(self, work, on_success=lambda r: self._checked(generation, *r),
                          on_failure=lambda e: log_unexpected(e, "checking a record failed"))

    def _checked(self, generation: int, record: T | None, synced: datetime | None) -> None:
        if generation != self.generation or not self.editor.isVisible():
            return
        if record is None:
            self.fresh, self.state = None, DELETED
            self.label.setText(deleted_text())
        elif self._version(record) != self._base():
            self.fresh, self.state = record, CHANGED
            self.label.setText(changed_text(synced, self.ctx.clock.now()))
        else:
            return  # the editor's own save, or nothing it shows
        deleted = self.state == DELETED
        self.reload_button.setVisible(not deleted and self._reload_offered)
        self.keep_button.setVisible(not deleted)
        self.close_button.setVisible(deleted)
        self.show()
        fit = getattr(self.editor, "fit_to_contents", None)
        if fit is not None:  # a dialog grows by the banner instead of squeezing its form
            QTimer.singleShot(0, fit)

    # -- the user's answer ------------------------------------------------------------------

    def load_theirs(self) -> None:
        if not self.typed():
            self._apply_theirs()
            return
        box = QMessageBox(QMessageBox.Icon.Question, tr("Load their changes?"),
                          tr("Load their changes?"), QMessageBox.StandardButton.NoButton,
                          self.editor)
        named(box, "staleReloadQuestion", tr("Load their changes?"))
        box.setInformativeText(tr("What you typed in this form will be lost."))
        discard = box.addButton(tr("Discard mine and load"),
                                QMessageBox.ButtonRole.DestructiveRole)
        named(discard, "staleDiscardButton", tr("Discard mine and load"))
        cancel = box.addButton(tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        named(cancel, "staleCancelButton", tr("Cancel"))
        box.setDefaultButton(cancel)  # losing the typing takes a deliberate choice
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self._answered(box.clickedButton() is discard))
        self.question = box
        box.open()

    def _answered(self, discard: bool) -> None:
        self.question = None
        if discard:
            self._apply_theirs()

    def _apply_theirs(self) -> None:
        if self.fresh is None:
            return
        self._fill(self.fresh)
        self._done()

    def keep_mine(self) -> None:
        if self.fresh is None:
            return
        if self._keep is not None:
            self._keep(self.fresh)
            self.fresh, self.state = None, None  # the baseline stays: the typing is not theirs
            self.hide()
            return
        mine = form_values.changed(self._filled or {}, self._read())
        self._fill(self.fresh)
        filled = self._read()
        form_values.put_back(mine)
        self._done(filled)

    def _done(self, filled: form_values.Values | None = None) -> None:
        self._filled = filled if filled is not None else self._read()
        self._filled_state = self._snapshot()
        self.fresh, self.state = None, None
        self.hide()

    def close_editor(self) -> None:
        if isinstance(self.editor, QDialog):
            self.editor.reject()
        else:
            self.editor.close()
