"""The form renderer: Django's templates, with the HTML of a widget remembered.

A widget's HTML is a function of its context alone (name, value, attributes, choices): the same
select of statuses and the same radio buttons are drawn on every melding page, and Django draws
each through a template include per option. This renderer keeps the HTML of the widgets it drew
last (`MAX_ENTRIES` per process), keyed by the widget's whole context, and draws only what it has
not seen. A context holding anything other than plain values (strings, numbers, dates, and lists and
dicts of them) is drawn as usual, never remembered.

Labels are remembered the same way. Their context also holds the bound field, which Django's own
label template does not read; it is left out of the key only while that template is Django's own
(a project template that overrides it is drawn every time). An empty error list, which Django's own
error templates draw as nothing, is not drawn at all (every field of every form has one).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.safestring import SafeString

MAX_ENTRIES = 4096
WIDGET_TEMPLATES = "django/forms/widgets/"
LABEL_TEMPLATE = "django/forms/label.html"
ERROR_TEMPLATES = ("django/forms/errors/list/default.html", "django/forms/errors/list/ul.html")
DJANGO_FORMS = Path(django.forms.__file__).resolve().parent
_PLAIN = (str, int, float, bool, type(None), date, datetime, time, Decimal)


class _NotPlain(Exception):
    """A context value that cannot serve as (part of) a key."""


def freeze(value: Any) -> Any:
    """A hashable key for a widget context: the same key only for contexts drawn the same way.

    The type is part of each value's key: a `SafeString` is drawn unescaped, a `str` escaped; 1 and
    True and "1" differ. Dicts keep their order (attributes are drawn in it). A lazy translation
    counts as its text in the active language."""
    if isinstance(value, Promise):
        return (SafeString if isinstance(value, SafeString) else str, str(value))
    if type(value) in _PLAIN or isinstance(value, SafeString):
        return (type(value), value)
    if isinstance(value, dict):
        return (dict, tuple((freeze(k), freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value), tuple(freeze(v) for v in value))
    raise _NotPlain(type(value).__name__)


class RememberingRenderer(DjangoTemplates):
    """Django's default form renderer, remembering the HTML of widgets (see the module's text)."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._drawn: OrderedDict[Any, str] = OrderedDict()
        self._own: dict[str, bool] = {}

    def _djangos(self, template_name: str) -> bool:
        """Whether `template_name` is Django's own template, not a project's that overrides it."""
        own = self._own.get(template_name)
        if own is None:
            origin = Path(str(self.get_template(template_name).origin.name)).resolve()
            own = self._own[template_name] = origin.is_relative_to(DJANGO_FORMS)
        return own

    def _key(self, template_name: str, context: dict[str, Any]) -> Any:
        """The key of a drawing, or None: drawn every time."""
        if template_name == LABEL_TEMPLATE:
            if not self._djangos(LABEL_TEMPLATE):
                return None
            context = {name: value for name, value in context.items() if name != "field"}
        elif not template_name.startswith(WIDGET_TEMPLATES):
            return None
        try:
            return (template_name, freeze(context))
        except _NotPlain:
            return None

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name in ERROR_TEMPLATES and not context.get("errors") and self._djangos(template_name):
            return ""
        key = self._key(template_name, context) if request is None else None
        if key is None:
            return str(super().render(template_name, context, request=request))
        with self._lock:
            html = self._drawn.get(key)
            if html is not None:
                self._drawn.move_to_end(key)
                return html
        html = str(super().render(template_name, context, request=request))
        with self._lock:
            self._drawn[key] = html
            while len(self._drawn) > MAX_ENTRIES:
                self._drawn.popitem(last=False)
        return html
