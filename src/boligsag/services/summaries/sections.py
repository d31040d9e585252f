"""What each section of the engine contributes: tables, key figures and links."""

from __future__ import annotations

from dataclasses import dataclass, field

from boligsag.summaries.model import CellRef, KeyFigure, Table


@dataclass
class Section:
    tables: list[Table] = field(default_factory=list)
    key_figures: list[KeyFigure] = field(default_factory=list)
    links: list[tuple[CellRef, ...]] = field(default_factory=list)

    def add(self, table: Table) -> Table:
        self.tables.append(table)
        return table

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def figure(self, figure: KeyFigure) -> None:
        self.key_figures.append(figure)

    def link(self, *refs: CellRef) -> None:
        """These cells are one and the same figure (see ``Summary.links``)."""
        self.links.append(tuple(refs))
