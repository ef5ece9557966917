"""What the main window tells every screen: its own module, so that the screens and the
table of screens (``ui.screens``), which builds them, do not import each other."""

from __future__ import annotations


class TabScreen:
    """Mixed into a screen's widget: what the main window tells every screen."""

    def screen_shown(self) -> None:
        """The screen's tab came to the front (after login, a tab change, a closed dialog)."""
