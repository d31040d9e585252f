"""Network mothers (bydelsmødre): the conversation form a volunteer fills in
(``NetworkMotherDialog(ctx, parent)``) and the volunteer's page (``VolunteerPage``)."""

from .dialog import NetworkMotherDialog
from .page import VolunteerPage

__all__ = ["NetworkMotherDialog", "VolunteerPage"]
