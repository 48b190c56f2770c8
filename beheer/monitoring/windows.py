"""Moved to `beheer.calendars.windows` (the recurrence engine is domain-free); this name stays only
until the last importers in this app are changed."""

from beheer.calendars.windows import Window, WindowError, parse_rule

__all__ = ["Window", "WindowError", "parse_rule"]
