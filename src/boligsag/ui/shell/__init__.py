"""The desktop's shell: the application object and its start-up (``app``), the controller
that unlocks, locks and switches databases (``controller``), the first-run wizard
(``first_run``, ``first_run_pages``) and the main window that holds the pages.

A subpackage above the feature packages (ui.people, ui.pages, ...), which import only the
shared helpers in ``boligsag.ui``: so the ui package and its subpackages never import
each other round a loop.
"""
