"""The pages of the main window.

Each page is one module (``people.py``...) with an implementation of
:class:`~boligsag.ui.pages.base.Page`; their order in the navigation is
``boligsag.ui.shell.navigation.PAGES``.
"""

from __future__ import annotations

from .base import Page

__all__ = ["Page"]
