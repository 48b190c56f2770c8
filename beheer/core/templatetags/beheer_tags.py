"""Small presentation helpers shared by the templates."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

register = template.Library()

HISTORY_ACTIONS: dict[str, Any] = {
    "created": _("Registered"),
    "changed": _("Changed"),
    "assigned": _("Assigned"),
    "status": _("Status changed"),
    "escalated": _("Escalated"),
    "deescalated": _("Returned to the first line"),
    "note": _("Internal note added"),
    "reply": _("Reply added"),
    "time": _("Time registered"),
    "linked": _("Linked"),
    "unlinked": _("Link removed"),
    "article_linked": _("Knowledge article linked"),
    "article_unlinked": _("Knowledge article unlinked"),
    "attachment": _("Attachment added"),
    "partial_created": _("Partial incident created"),
    "partial_resolved": _("Partial incident resolved"),
    "merged": _("Merged"),
    "merged_duplicate": _("Duplicate merged into this call"),
    "resolved": _("Resolved"),
    "closed": _("Closed"),
    "reopened": _("Reopened"),
    "rated": _("Satisfaction rated"),
    "sla_at_risk": _("SLA at risk"),
    "sla_breached": _("SLA breached"),
    "problem_linked": _("Linked to a problem"),
    "problem_unlinked": _("Unlinked from a problem"),
    "problem_resolved": _("Problem resolved"),
}


@register.filter
def history_action(code: str) -> Any:
    """The readable name of a history action code."""
    return HISTORY_ACTIONS.get(code, code.replace("_", " "))


@register.filter
def field_label(name: str) -> Any:
    """The verbose name of a call field named in a history entry."""
    from beheer.servicedesk.models import Melding

    if not name:
        return ""
    try:
        return Melding._meta.get_field(name).verbose_name  # type: ignore[union-attr]
    except FieldDoesNotExist:
        return name.replace("_", " ")


@register.filter
def hours_minutes(minutes: Any) -> str:
    """95 -> '1:35'."""
    try:
        value = int(minutes or 0)
    except (TypeError, ValueError):
        return ""
    return f"{value // 60}:{value % 60:02d}"


@register.filter
def is_note(entry: Any) -> bool:
    return entry.__class__.__name__ == "Note"


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def line_label(code: str) -> Any:
    from beheer.servicedesk.models import Line

    try:
        return Line(code).label
    except ValueError:
        return code


@register.filter
def overdue(melding: Any) -> bool:
    """An open call past its target date."""
    from beheer.core import clock

    return bool(
        getattr(melding, "is_open", False) and melding.target_date and melding.target_date < clock.now()
    )


SLA_LABELS = {
    "on_track": _("On track"),
    "at_risk": _("At risk"),
    "breached": _("Breached"),
    "met": _("Met"),
    "paused": _("Paused"),
}


@register.filter
def sla_state(melding: Any) -> str:
    """The melding's SLA state from its stored deadlines ("" without an SLA)."""
    from beheer.core import clock

    return str(melding.sla_state(clock.now())) if hasattr(melding, "sla_state") else ""


@register.filter
def sla_label(state: str) -> str:
    return str(SLA_LABELS.get(str(state), ""))


@register.filter
def minutes(value: Any) -> str:
    """A duration as hours and minutes: 1:05 h."""
    total = int(value.total_seconds() // 60) if hasattr(value, "total_seconds") else int(value or 0)
    sign = "-" if total < 0 else ""
    total = abs(total)
    return f"{sign}{total // 60}:{total % 60:02d} h"
