"""`{{ rule|recurrence_words }}`: a recurrence rule in words, in the reader's language."""

from __future__ import annotations

from django import template

from beheer.core.recurrence import describe

register = template.Library()


@register.filter
def recurrence_words(rule: str) -> str:
    return describe(rule or "")
