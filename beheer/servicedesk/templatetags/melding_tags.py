"""The melding page's action slots, rendered in Python.

An action slot is a place on the page where the result of that action shows and a disclosure that
loads the action's form when it is opened. The page has about fifteen of them and renders them on
every view; as template includes they cost a noticeable share of the page, so the common case (no
form to show, no result of this action) is written here directly. A slot with a form (after an
error) or with a result goes through `servicedesk/_action.html` as before.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

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
