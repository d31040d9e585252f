"""Display texts for domain values (roles, dates), in the current language."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QLocale

from boligsag.domain.enums import Role
from boligsag.i18n import current_language, tr


def role_label(role: Role | str) -> str:
    # Literal tr() calls, one per member, so the catalogue test can see every text.
    labels = {
        Role.ADMINISTRATOR: tr("Administrator"),
        Role.TEAM_LEAD: tr("Team lead"),
        Role.STAFF: tr("Staff member"),
        Role.VOLUNTEER: tr("Volunteer"),
    }
    try:
        return labels[Role(role)]
    except ValueError:
        return str(role)


def ui_locale() -> QLocale:
    if current_language() == "da":
        return QLocale(QLocale.Language.Danish, QLocale.Country.Denmark)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)


def format_date(value: date | None) -> str:
    """"3. marts 2025" in Danish, "3 March 2025" in English."""
    if value is None:
        return ""
    pattern = "d. MMMM yyyy" if current_language() == "da" else "d MMMM yyyy"
    return ui_locale().toString(QDate(value.year, value.month, value.day), pattern)


def short_date_format() -> str:
    """Input format of date fields: 31-12-2026 is how Danes write a date by hand."""
    return "dd-MM-yyyy" if current_language() == "da" else "dd/MM/yyyy"
