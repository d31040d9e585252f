"""Personal reminders ("Påmind mig"): ``dialog`` sets one (and gives the record views
their "Påmind mig…" button); the start page's list of them is
``boligsag.ui.pages.personal_reminders``, above the screens it opens. Import ``dialog``
itself: this package imports nothing eagerly."""
