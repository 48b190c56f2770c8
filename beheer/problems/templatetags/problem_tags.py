"""The problem panel on the melding page and the labels of problem history entries."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from ..models import Problem, can_see_problems

register = template.Library()

PROBLEM_ACTIONS: dict[str, Any] = {
    "created": _("Registered"),
    "changed": _("Changed"),
    "assigned": _("Assigned"),
    "analyse": _("Analysis started"),
    "known_error": _("Marked as known error"),
    "resolve": _("Resolved"),
    "close": _("Closed"),
    "reopen": _("Reopened"),
    "melding_linked": _("Call linked"),
    "melding_unlinked": _("Call unlinked"),
    "meldingen_resolved": _("Linked calls resolved"),
    "article_created": _("Known-error article created"),
}


@register.filter
def problem_action_label(code: str) -> Any:
    return PROBLEM_ACTIONS.get(code, code.replace("_", " "))


@register.filter
def problem_field_label(name: str) -> Any:
    if name == "status":
        return _("status")
    try:
        return Problem._meta.get_field(name).verbose_name  # type: ignore[union-attr]
    except FieldDoesNotExist:
        return name.replace("_", " ")


def linked_problem(melding: Any) -> Problem | None:
    """The melding's problem, from its link (loaded with the melding where the query asked for it)."""
    try:
        link = melding.problem_link
    except ObjectDoesNotExist:
        return None
    return link.problem if link is not None else None


def melding_problem_panel(context: Any, melding: Any) -> str:
    """The melding's problem (with its workaround), or a form to link one, whose list of open
    problems loads when it is opened (`melding_problem_choices`). Operators only: nothing for others.
    Registered as a section of the melding page (see `apps.py`)."""
    user = context.get("user")
    if not can_see_problems(user):
        return ""
    problem = linked_problem(melding)
    editable = melding.closed_at is None and (problem is None or not problem.is_closed)
    return render_to_string(
        "problems/_melding_problem.html",
        {
            "m": melding,
            "problem": problem,
            "editable": editable,
            "csrf_token": context.get("csrf_token"),
            "user": user,
        },
        request=context.get("request"),
    )
