"""Display texts for domain values (roles, dates), in the current language."""

from __future__ import annotations

from PySide6.QtCore import QLocale

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

