"""Personal reminders ("Påmind mig"): ``dialog`` sets one (and gives the record views
their "Påmind mig…" button), ``panel`` is the start page's list. Import the modules
themselves: the referral details import ``dialog``, and ``panel`` imports the referral
details, so this package imports neither eagerly."""
