""""Flet…": two people's versions of one text (a note, a reason) side by side, and the
merged text the user writes below them, which settles the conflict as ``"merged"``.

``MergeDialog(row, parent)``; ``merged_text()`` after it was accepted. The dialog only
collects the text: the page runs the service off the GUI thread.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from boligsag.formatting import short_date_time
from boligsag.i18n import tr
from boligsag.services.sync_client.conflicts import ConflictRow
from boligsag.ui.widgets import named, ok_cancel_buttons


def starting_text(kept: str, other: str) -> str:
    """What the merge field starts with: the longer text when it already holds the
    other (one person added to the note), else both, the current one first."""
    if other.strip() in kept:
        return kept
    if kept.strip() in other:
        return other
    return f"{kept.rstrip()}\n\n{other.strip()}"


def who_when(name: str, at: object) -> str:
    return tr("{name}, {when}", name=name, when=short_date_time(at)) if at else name


class MergeDialog(QDialog):
    def __init__(self, row: ConflictRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "conflictMergeDialog", tr("Merge two texts"))
        self.setWindowTitle(tr("Merge two texts"))
        self.resize(760, 560)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        intro = named(QLabel(tr("{record} · {field}: write the text that should stand. "
                                "Both versions are shown above it.",
                                record=row.record_label, field=row.field_label)),
                      "conflictMergeIntro", tr("What is merged"))
        intro.setWordWrap(True)
        layout.addWidget(intro)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        self.kept = self._version(tr("Current ({who})", who=who_when(row.kept_by, row.kept_at)),
                                  row.kept_raw, "conflictMergeKept", grid, 0)
        self.other = self._version(tr("Other ({who})",
                                      who=who_when(row.other_by, row.other_at)),
                                   row.other_raw, "conflictMergeOther", grid, 1)
        layout.addLayout(grid, 1)

        label = QLabel(tr("&Merged text"))
        layout.addWidget(label)
        self.merged = named(QPlainTextEdit(starting_text(row.kept_raw, row.other_raw)),
                            "conflictMergeText", tr("Merged text"))
        self.merged.setTabChangesFocus(True)
        label.setBuddy(self.merged)
        layout.addWidget(self.merged, 1)
        self.problem = named(QLabel(""), "conflictMergeProblem", tr("Problem"))
        self.problem.setProperty("role", "error")
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons, self.ok_button, _cancel = ok_cancel_buttons(
            self, tr("Use the merged text"), "conflictMerge", self._accept)
        layout.addWidget(buttons)
        self.merged.setFocus()

    def _version(self, title: str, text: str, name: str, grid: QGridLayout,
                 column: int) -> QPlainTextEdit:
        heading = QLabel(title)
        heading.setProperty("role", "muted")
        heading.setWordWrap(True)
        view = named(QPlainTextEdit(text), name, title)
        view.setReadOnly(True)
        view.setTabChangesFocus(True)
        grid.addWidget(heading, 0, column)
        grid.addWidget(view, 1, column)
        return view

    def merged_text(self) -> str:
        return self.merged.toPlainText()

    def _accept(self) -> None:
        if not self.merged_text().strip():
            self.problem.setText(tr("Write the merged text first."))
            self.problem.show()
            self.merged.setFocus()
            return
        self.accept()
