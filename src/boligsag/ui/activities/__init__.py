"""The Aktiviteter screens: activity list models, the activity, enrollment and family
dialogs, and the one-screen session registration (``session_dialog.SessionDialog``).
The page itself is ``ui/pages/activities.py``."""
