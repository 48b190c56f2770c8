"""The melding page's action slots, rendered in Python.

An action slot is a place on the page where the result of that action shows and a disclosure that
loads the action's form when it is opened. The page has about fifteen of them and renders them on
every view; as template includes they cost a noticeable share of the page, so the common case (no
form to show, no result of this action) is written here directly. A slot with a form (after an
error) or with a result goes through `servicedesk/_action.html` as before. The lines of the
timeline are written here too.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import capfirst, linebreaksbr
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext as _

from beheer.core.templatetags.beheer_tags import (
    field_label,
    history_action,
    is_note,
    iso_datetime,
    short_datetime,
)

register = template.Library()


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
