"""Which of the two interface languages is active."""

from __future__ import annotations

from django.utils.translation import get_language


def english_active() -> bool:
    return (get_language() or "nl")[:2] == "en"
