"""The melding page's action slots, rendered in Python.

An action slot is a place on the page where the result of that action shows and a disclosure that
loads the action's form when it is opened. The page has about fifteen of them and renders them on
every view; as template includes they cost a noticeable share of the page, so the common case (no
form to show, no result of this action) is written here directly. A slot with a form (after an
error) or with a result goes through `servicedesk/_action.html` as before. The lines of the
timeline are written here too, with the melding-specific filters the servicedesk's templates use
(history action names, field labels, lines, overdue).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.template.defaultfilters import capfirst, linebreaksbr
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beheer.core import clock
from beheer.core.templatetags.beheer_tags import iso_datetime, short_datetime

from .. import extensions
from ..models import Line, Melding

register = template.Library()

HISTORY_ACTIONS: dict[str, Any] = {
    "created": gettext_lazy("Registered"),
    "changed": gettext_lazy("Changed"),
    "assigned": gettext_lazy("Assigned"),
    "status": gettext_lazy("Status changed"),
    "escalated": gettext_lazy("Escalated"),
    "deescalated": gettext_lazy("Returned to the first line"),
    "note": gettext_lazy("Internal note added"),
    "reply": gettext_lazy("Reply added"),
    "time": gettext_lazy("Time registered"),
    "linked": gettext_lazy("Linked"),
    "unlinked": gettext_lazy("Link removed"),
    "article_linked": gettext_lazy("Knowledge article linked"),
    "article_unlinked": gettext_lazy("Knowledge article unlinked"),
    "attachment": gettext_lazy("Attachment added"),
    "partial_created": gettext_lazy("Partial incident created"),
    "partial_resolved": gettext_lazy("Partial incident resolved"),
    "merged": gettext_lazy("Merged"),
    "merged_duplicate": gettext_lazy("Duplicate merged into this call"),
    "resolved": gettext_lazy("Resolved"),
    "closed": gettext_lazy("Closed"),
    "reopened": gettext_lazy("Reopened"),
    "rated": gettext_lazy("Satisfaction rated"),
    "sla_at_risk": gettext_lazy("SLA at risk"),
    "sla_breached": gettext_lazy("SLA breached"),
    "problem_linked": gettext_lazy("Linked to a problem"),
    "problem_unlinked": gettext_lazy("Unlinked from a problem"),
    "problem_resolved": gettext_lazy("Problem resolved"),
    "restricted": gettext_lazy("Made a security incident"),
    "access_granted": gettext_lazy("Access to the security incident granted"),
    "access_revoked": gettext_lazy("Access to the security incident taken away"),
}


@register.filter
def history_action(code: str) -> Any:
    """The readable name of a history action code."""
    return HISTORY_ACTIONS.get(code, code.replace("_", " "))


@register.filter
def field_label(name: str) -> Any:
    """The verbose name of a call field named in a history entry."""
    if not name:
        return ""
    try:
        return Melding._meta.get_field(name).verbose_name  # type: ignore[union-attr]
    except FieldDoesNotExist:
        return name.replace("_", " ")


@register.filter
def is_note(entry: Any) -> bool:
    return entry.__class__.__name__ == "Note"


@register.filter
def line_label(code: str) -> Any:
    try:
        return Line(code).label
    except ValueError:
        return code


@register.filter
def overdue(melding: Any) -> bool:
    """An open call past its target date."""
    return bool(
        getattr(melding, "is_open", False) and melding.target_date and melding.target_date < clock.now()
    )


@register.simple_tag(takes_context=True)
def action_slot(context: template.Context, name: str) -> SafeString:
    available = context.get("available") or ()
    result = context.get("result")
    forms = context.get("forms") or {}
    if getattr(result, "action", None) == name or forms.get(name):
        with context.push(name=name):
            slot = get_template("servicedesk/_action.html").template  # type: ignore[attr-defined]
            return mark_safe(slot.render(context))  # noqa: S308 (a template of ours)
    if name not in available:
        return mark_safe("")
    spec: Any = (context.get("actions") or {})[name]
    url = reverse("melding-action", args=[context["m"].pk, name])
    return format_html(
        '<div class="action-slot" id="action-{name}">\n'
        '  <details class="action action-{name}" hx-get="{url}" hx-trigger="toggle once"'
        ' hx-target="find .action-body" hx-swap="innerHTML">\n'
        "    <summary>{title}</summary>\n"
        '    <div class="action-body">\n'
        '      <p><a href="{url}">{open}</a></p>\n'
        "    </div>\n"
        "  </details>\n"
        "</div>\n",
        name=name,
        url=url,
        title=spec.title,
        open=_("Open the form"),
    )


@register.simple_tag
def timeline_entry(entry: Any) -> SafeString:
    """One note or history line of the melding page's timeline (a long history renders it often;
    the same markup the template loop wrote, see tests/test_timeline_markup.py)."""
    if is_note(entry):
        internal = entry.visibility == "internal"
        return format_html(
            '<li class="entry note note-{}">\n'
            '  <div class="entry-head">\n'
            '    <span class="badge {}">{}</span>\n'
            "    <strong>{}</strong>\n"
            "    {}\n"
            "  </div>\n"
            '  <div class="text-block">{}</div>\n'
            "</li>",
            entry.visibility,
            "badge-internal" if internal else "badge-caller",
            entry.get_visibility_display(),
            entry.author or _("System"),
            _time(entry.created_at),
            linebreaksbr(entry.text),
        )
    if entry.action in ("note", "reply"):
        return mark_safe("")
    old, new = entry.old_display, entry.new_display
    change: SafeString | str = ""
    if old or new:
        field = format_html('<span class="field-name">{}</span>: ', capfirst(field_label(entry.field)))
        change = format_html(
            '\n  <div class="change">{}<del>{}</del> → <ins>{}</ins></div>',
            field if entry.field else "",
            old or "—",
            new or "—",
        )
    detail: SafeString | str = ""
    if entry.detail and entry.action != "created":
        detail = format_html('\n  <div class="text-block small">{}</div>', linebreaksbr(entry.detail_display))
    return format_html(
        '<li class="entry history">\n'
        '  <div class="entry-head">\n'
        '    <span class="history-action">{}</span>\n'
        '    <span class="muted">{}</span>\n'
        "    {}\n"
        "  </div>{}{}\n"
        "</li>",
        history_action(entry.action),
        entry.actor or _("System"),
        _time(entry.at),
        change,
        detail,
    )


def _time(value: Any) -> SafeString:
    local = localtime(value) if is_aware(value) else value  # as templates show it
    shown = short_datetime(local)
    return format_html('<time datetime="{}" class="muted">{}</time>', iso_datetime(local), shown)


@register.simple_tag(takes_context=True)
def melding_extension_sections(context: template.Context, melding: Melding) -> SafeString:
    """The melding page's sections registered by the apps above the servicedesk (`extensions`)."""
    return extensions.render_page_sections(context, melding)
