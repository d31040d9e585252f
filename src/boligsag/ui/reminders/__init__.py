"""Personal reminders ("Påmind mig"): the dialog that sets one and the start page's list."""

from .dialog import ReminderSubject, RemindMeDialog
from .panel import PersonalRemindersPanel

__all__ = ["PersonalRemindersPanel", "RemindMeDialog", "ReminderSubject"]
